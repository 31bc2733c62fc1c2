import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iterationsSection } from "../../../src/reports/html-open-model.js";
import {
  buildJsonReport,
  decodeJsonHistogram,
  evaluateThresholds,
  formatFinalSummary,
  formatIterations,
  formatThresholdSummary,
  INTENDED_CSV_COLUMNS,
  ITERATIONS_CSV_COLUMNS,
  iterationsCsvRow,
  markInterrupted,
  parseThresholds,
  renderHtmlReport,
  renderJunitXml,
  reportInputFromStats,
  STATS_CSV_COLUMNS,
  statsCsv,
  statsHistograms,
  validateJsonReport,
} from "../../../src/reports/index.js";
import { UsageError } from "../../../src/shared/errors.js";
import { RequestStats } from "../../../src/stats/index.js";
import { parseCsv, sampleMeta, sampleStats, T0 } from "./fixtures.js";

/**
 * An arrival-rate test at 10/s for 10 s: GET /a answers in 10 ms, but in second 5 every
 * iteration waited 1 s for a free user; 3 iterations were dropped; the test stopped with the
 * last 2 started still in flight (interrupted).
 */
function openModelStats(): RequestStats {
  const stats = new RequestStats({ nowMs: T0 });
  stats.iterations.setTargetRate(10);
  for (let second = 0; second < 10; second++) {
    stats.iterations.countScheduled(10);
    for (let i = 0; i < 10; i++) {
      const now = T0 + second * 1000 + i * 100;
      if (second === 5 && i >= 7) continue;
      stats.iterations.countStarted(now);
      if (!(second === 9 && i >= 8)) stats.iterations.countCompleted();
      stats.record("GET", "/a", 10, 100, null, now + 10, second === 5 ? 1010 : 10.5);
    }
    if (second === 5) stats.iterations.countDropped(3, T0 + 6000);
    stats.history.sample(stats, T0 + (second + 1) * 1000, 4);
  }
  stats.iterations.markStopped();
  return stats;
}

const openMeta = () =>
  sampleMeta({
    loadModel: "arrival-rate",
    users: null,
    spawnRate: null,
    arrivalRate: { from: 10, to: null, rampMs: null },
    openModel: { maxUsers: 4, maxQueueTimeMs: 1000 },
  });

describe("the open model in the reports", () => {
  it("console: a second percentile table, clearly named, and the iterations line", () => {
    const snapshot = openModelStats().snapshot(T0 + 10_000);
    const text = formatFinalSummary(snapshot).join("\n");
    assert.match(text, /Response time percentiles \(exact, ms\)/);
    assert.match(
      text,
      /Response time percentiles from the intended start \(exact, ms; waits for a free user included\)/,
    );
    const intendedBlock = text.slice(text.indexOf("from the intended start"));
    assert.match(intendedBlock, /Aggregated\s+10\.5\s+10\.5\s+10\.5\s+10\.5\s+10\.5\s+1010\s+1010/);
    assert.match(
      formatIterations(snapshot, false).join("\n"),
      /Iterations \(arrival rate\): target 10\/s, started 97 \(\S+\/s\), 3 dropped \(3\.00%\), 0 waiting, 100 scheduled\nOf the started: 95 completed, 2 interrupted \(2\.06%\) \(still running when the test stopped; their requests in flight are not in the statistics\)/,
    );
    assert.match(
      formatIterations(snapshot, true).join("\n"),
      /started 97 \(\S+\/s in the last whole second, of \S+\/s due\), 2 in flight, 3 dropped/,
    );
    // A closed-model summary is unchanged: no second table, no iterations line.
    const closed = formatFinalSummary(sampleStats().snapshot(T0 + 10_000)).join("\n");
    assert.doesNotMatch(closed, /intended|Iterations/);
  });

  it("CSV: intended columns after Locust's in _stats.csv, and _iterations.csv rows; closed runs unchanged", () => {
    const snapshot = openModelStats().snapshot(T0 + 10_000);
    const rows = parseCsv(statsCsv(snapshot));
    assert.deepEqual(rows[0], [...STATS_CSV_COLUMNS, ...INTENDED_CSV_COLUMNS]);
    const total = rows.at(-1)!;
    const p99 = rows[0]!.indexOf("Intended 99%");
    assert.equal(total[p99], "1010");
    assert.equal(total[rows[0]!.indexOf("99%")], "10", "Locust's column keeps the service time");
    const iterations = parseCsv(iterationsCsvRow(snapshot, 4))[0]!;
    assert.equal(iterations.length, ITERATIONS_CSV_COLUMNS.length);
    assert.deepEqual(iterations.slice(5), ["100", "97", "3", "0", "95", "2", "0"]);
    // A master's estimate of iterations lost with missing workers has a column of its own.
    const lost = openModelStats();
    lost.iterations.countLostWithWorker(12);
    const lostRow = parseCsv(iterationsCsvRow(lost.snapshot(T0 + 10_000), 4))[0]!;
    assert.equal(lostRow[ITERATIONS_CSV_COLUMNS.indexOf("Lost With Workers")], "12");
    assert.match(iterations[2]!, /^\d+\.\d{6}$/, "the target rate with six decimals, like Iterations/s");
    assert.equal(iterationsCsvRow(sampleStats().snapshot(T0), 1), "");
    assert.deepEqual(parseCsv(statsCsv(sampleStats().snapshot(T0 + 10_000)))[0], STATS_CSV_COLUMNS);
  });

  it("JSON: both latencies with their histograms, the iterations and their series; valid against the schema", () => {
    const stats = openModelStats();
    const report = buildJsonReport({
      snapshot: stats.snapshot(T0 + 10_000),
      history: stats.history.toJSON(),
      meta: openMeta(),
      ...statsHistograms(stats),
    });
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(report))), []);
    assert.equal(report.total.percentiles.p99, 10);
    assert.ok(Math.abs(report.total.intended!.percentiles.p99! - 1010) <= 1.01, "within 0.1 %");
    assert.equal(report.total.intended?.count, 97);
    assert.equal(decodeJsonHistogram(report.total.intended!.histogram!).totalCount, 97);
    assert.deepEqual(report.iterations, {
      targetRate: 10,
      scheduled: 100,
      started: 97,
      completed: 95,
      interrupted: 2,
      dropped: 3,
      droppedAtStop: 0,
      waiting: 0,
      lostWithWorkers: 0,
      rate: report.iterations!.rate,
    });
    assert.equal(report.history.iterations?.timeMs.length, 10);
    const closed = buildJsonReport({
      snapshot: sampleStats().snapshot(T0 + 10_000),
      history: sampleStats().history.toJSON(),
      meta: sampleMeta(),
    });
    assert.equal(closed.iterations, null);
    assert.equal(closed.total.intended, null);
    assert.equal(closed.history.iterations, null);
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(closed))), []);
  });

  it("HTML: the iterations, the intended-start table, the arrival rate and the iterations chart", () => {
    const stats = openModelStats();
    const html = renderHtmlReport(
      { snapshot: stats.snapshot(T0 + 10_000), history: stats.history.toJSON(), meta: openMeta() },
      { assets: { uplotJs: "", uplotCss: "" } },
    );
    assert.match(html, /<section id="iterations"><h2>Iterations \(arrival rate\)<\/h2>/);
    assert.match(html, /<dt>Dropped<\/dt><dd>3 \(3\.00%\)<\/dd>/);
    assert.match(html, /<dt>Completed<\/dt><dd>95<\/dd><dt>Interrupted<\/dt><dd>2 \(2\.06%\)/);
    assert.match(
      html,
      /data-flag="interrupted-iterations">⚠ 2 of 97 started iterations \(2\.06%\) were interrupted/,
    );
    assert.doesNotMatch(html, /lost-with-workers/);
    // A capacity search's report: the same count, as information on the totals (no step lacks them).
    const search = iterationsSection(stats.snapshot(T0 + 10_000), true, true);
    assert.match(
      search,
      /<p class="sub" data-flag="interrupted-iterations">2 of 97 started iterations .* steps and answer are unaffected/,
    );
    // A master's estimate of iterations lost with a missing worker: a row and a flag.
    const lost = openModelStats();
    lost.iterations.countLostWithWorker(12);
    const lostHtml = renderHtmlReport(
      { snapshot: lost.snapshot(T0 + 10_000), history: lost.history.toJSON(), meta: openMeta() },
      { assets: { uplotJs: "", uplotCss: "" } },
    );
    assert.match(lostHtml, /<dt>Lost with missing workers \(about\)<\/dt><dd>12<\/dd>/);
    assert.match(
      lostHtml,
      /data-flag="lost-with-workers">⚠ About 12 more iterations fell due on workers that went missing/,
    );
    assert.match(html, /<h2>Response times from the intended start \(ms\)<\/h2>/);
    assert.match(html, /<dt>Arrival rate<\/dt><dd>10\/s<\/dd>/);
    assert.match(html, /id="chart-iterations"/);
    assert.match(html, /"it":\{"t":\[/);
    const closed = renderHtmlReport(
      {
        snapshot: sampleStats().snapshot(T0 + 10_000),
        history: sampleStats().history.toJSON(),
        meta: sampleMeta(),
      },
      { assets: { uplotJs: "", uplotCss: "" } },
    );
    assert.doesNotMatch(closed, /id="iterations"|id="intended-response-times"|id="chart-iterations"/);
  });
  it("iterations still waiting at the stop: in the dropped total, said apart, in no Dropped/s (console, CSV, JSON, HTML)", () => {
    // The test above, stopped 0.206 s into second 10 with 40 iterations still waiting (the
    // queue of a saturated pool): 3 dropped for the queue time, 40 at the stop.
    const stats = openModelStats();
    const stopMs = T0 + 10_206;
    stats.iterations.markStopping(stopMs);
    stats.iterations.countScheduled(40);
    stats.iterations.countDroppedAtStop(40);
    stats.history.sample(stats, stopMs, 0, true);
    const snapshot = stats.snapshot(stopMs);
    assert.equal(snapshot.iterations!.dropped, snapshot.iterations!.scheduled - snapshot.iterations!.started);
    assert.match(
      formatIterations(snapshot, false).join("\n"),
      /started 97 \(\S+\/s\), 43 dropped \(30\.71%, 40 at the stop\), 0 waiting, 140 scheduled/,
    );
    // _iterations.csv: the total has them, the stop's second no rate of them (40 / 0.206 s read 194/s).
    const csvRow = parseCsv(iterationsCsvRow(snapshot, 0))[0]!;
    assert.equal(csvRow[ITERATIONS_CSV_COLUMNS.indexOf("Total Dropped")], "43");
    const history = stats.history.toJSON();
    assert.equal(history.iterations!.timeMs.at(-1), stopMs, "a point for the stop's second");
    assert.equal(history.iterations!.droppedPerSec.at(-1), 0);
    const report = buildJsonReport({ snapshot, history, meta: openMeta(), ...statsHistograms(stats) });
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(report))), []);
    assert.equal(
      report.iterations!.dropped,
      43,
      "dropped stays the total (the `dropped` threshold reads it)",
    );
    assert.equal(report.iterations!.droppedAtStop, 40);
    assert.deepEqual(
      report.history.iterations!.droppedPerSec,
      [0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0],
      "only the 3 of the queue time, in their second",
    );
    const html = renderHtmlReport(
      { snapshot, history, meta: openMeta() },
      { assets: { uplotJs: "", uplotCss: "" } },
    );
    assert.match(html, /<dt>Dropped<\/dt><dd>43 \(30\.71%, 40 at the stop\)<\/dd>/);
    assert.match(
      html,
      /data-flag="dropped-iterations">⚠ 3 iterations found no free user within the queue time/,
    );
    assert.match(
      html,
      /<p class="sub" data-flag="dropped-at-stop">40 iterations were still waiting for a free user when the test stopped: counted as dropped/,
    );
    assert.match(html, /"dropped":\[0,0,0,0,0,0,3,0,0,0,0\]/);
    // Only at the stop: no queue-time flag at all.
    const onlyAtStop = new RequestStats({ nowMs: T0 });
    onlyAtStop.iterations.setTargetRate(10);
    onlyAtStop.iterations.countScheduled(5);
    onlyAtStop.iterations.countStarted(T0);
    onlyAtStop.iterations.countDroppedAtStop(4);
    onlyAtStop.iterations.markStopping(T0 + 500);
    onlyAtStop.iterations.markStopped();
    const section = iterationsSection(onlyAtStop.snapshot(T0 + 500), true);
    assert.doesNotMatch(section, /data-flag="dropped-iterations"/);
    assert.match(section, /data-flag="dropped-at-stop">4 iterations were still waiting/);
  });
});

describe("thresholds of the open model", () => {
  it("p99_intended, p(99.9)_intended and pN_intended read the intended-start histogram; dropped counts iterations", () => {
    const stats = openModelStats();
    const defs = parseThresholds(
      { total: ["p99_intended < 500", "p(99.9)_intended<2s", "p95_intended<=1010"] },
      ["dropped<1", "dropped<=3", "/a:p50_intended<11", "p99<20"],
    );
    const results = evaluateThresholds(defs, stats, T0 + 10_000);
    assert.deepEqual(
      results.map((r) => [r.metric, r.measured === null ? null : Math.round(r.measured * 10) / 10, r.passed]),
      [
        ["p(99)_intended", 1009.9, false],
        ["p(99.9)_intended", 1009.9, true],
        ["p(95)_intended", 1009.9, true],
        ["dropped", 3, false],
        ["dropped", 3, true],
        ["p(50)_intended", 10.5, true],
        ["p(99)", 10, true],
      ],
    );
  });

  it("interrupted counts the iterations the stop cut off (0 while the test runs); passed time thresholds are marked", () => {
    const stats = openModelStats();
    const defs = parseThresholds(undefined, ["interrupted<1", "interrupted<=2", "p99<20", "failRate<1%"]);
    const results = evaluateThresholds(defs, stats, T0 + 10_000);
    assert.deepEqual(
      results.map((r) => [r.metric, r.measured, r.passed]),
      [
        ["interrupted", 2, false],
        ["interrupted", 2, true],
        ["p(99)", 10, true],
        ["failRate", 0, true],
      ],
    );
    const marked = markInterrupted(results, stats.iterations.interrupted);
    assert.deepEqual(
      marked.map((r) => r.interruptedIterations),
      [undefined, undefined, 2, undefined],
      "only a passed response-time threshold carries the count",
    );
    assert.deepEqual(markInterrupted(results, 0), results, "nothing interrupted: nothing marked");
    const lines = formatThresholdSummary(marked);
    assert.match(
      lines[3]!,
      /p99<20\s+measured 10 ms {2}\(⚠ 2 interrupted iterations are not in it: likely higher\)$/,
    );
    assert.doesNotMatch(lines[4]!, /⚠/, "only response times are marked");
    assert.doesNotMatch(lines[2]!, /⚠/);
    // The files say it too: the JSON (valid), the JUnit case's output and the HTML row.
    const input = reportInputFromStats(stats, sampleMeta(), T0 + 10_000, marked);
    const json = buildJsonReport(input);
    assert.equal(json.thresholds[2]!.interruptedIterations, 2);
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(json))), []);
    const junit = renderJunitXml(marked, sampleMeta());
    assert.match(
      junit,
      /<system-out>measured 10 ms\n⚠ 2 interrupted iterations are not in it: likely higher<\/system-out>/,
    );
    assert.equal(junit.match(/⚠/g)?.length, 1);
    const html = renderHtmlReport(input);
    assert.match(
      html,
      /<span class="warn" data-interrupted="2">⚠ 2 interrupted iterations are not in it: likely higher<\/span>/,
    );
    // While a test runs nothing is interrupted yet: an abortOnFail `interrupted<1` cannot fire on in-flight ones.
    stats.iterations.setTargetRate(10);
    assert.equal(evaluateThresholds(defs, stats, T0 + 10_000)[0]!.measured, 0);
    assert.throws(
      () => parseThresholds(undefined, ["/a:interrupted<1"]),
      /'interrupted' counts the test's interrupted iterations/,
    );
    assert.throws(() => parseThresholds(undefined, ["interrupted[10s]<1"]), /it has no window/);
  });

  it("are 'no data' in a closed-model run, and dropped takes no request name", () => {
    const results = evaluateThresholds(
      parseThresholds(undefined, ["p99_intended<500", "dropped<1"]),
      sampleStats(),
      T0,
    );
    assert.deepEqual(
      results.map((r) => r.reason),
      [
        "no data: no response time from an intended start (only arrival-rate tests have them)",
        "no data: not an arrival-rate test (--arrival-rate)",
      ],
    );
    assert.throws(
      () => parseThresholds(undefined, ["/a:dropped<1"]),
      (error: unknown) =>
        error instanceof UsageError && /'dropped' counts the test's dropped iterations/.test(error.message),
    );
    assert.throws(() => parseThresholds(undefined, ["dropped<1%"]), /'%' only applies to failRate/);
  });
});
