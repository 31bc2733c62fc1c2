import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStatsTable } from "../../../src/reports/console.js";
import { statsCsv } from "../../../src/reports/csv.js";
import { buildJsonReport } from "../../../src/reports/json.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import {
  type AbortDecision,
  abortMoment,
  ThresholdAbortTracker,
} from "../../../src/reports/threshold-abort.js";
import { evaluateThresholds, formatThresholdSummary } from "../../../src/reports/threshold-eval.js";
import { ThresholdWindows } from "../../../src/reports/threshold-windows.js";
import {
  parseThresholdExpression,
  parseThresholdKey,
  parseThresholds,
  splitCliThreshold,
} from "../../../src/reports/thresholds.js";
import { ExitCode, UsageError } from "../../../src/shared/errors.js";
import { RequestStats } from "../../../src/stats/index.js";
import { sampleMeta, sampleStats, T0 } from "./fixtures.js";

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.usage);
    return error.message;
  }
  assert.fail("expected a UsageError");
}

describe("threshold syntax", () => {
  it("parses metrics, operators and units", () => {
    const cases: Array<[string, string, string, number]> = [
      ["p(95) < 300", "percentile", "<", 300],
      ["p95<300", "percentile", "<", 300],
      ["p(99.9) <= 1s", "percentile", "<=", 1000],
      ["avg < 250ms", "avg", "<", 250],
      ["med>=1", "med", ">=", 1],
      ["median != 3", "med", "!=", 3],
      ["min > 0.5", "min", ">", 0.5],
      ["max < 2s", "max", "<", 2000],
      ["rps > 500", "rps", ">", 500],
      ["failRate < 1%", "failRate", "<", 0.01],
      ["failRate < 0.01", "failRate", "<", 0.01],
      ["failures == 0", "failures", "==", 0],
      ["count >= 1e3", "count", ">=", 1000],
    ];
    for (const [text, kind, operator, limit] of cases) {
      const parsed = parseThresholdExpression(text);
      assert.ok(typeof parsed !== "string", `${text}: ${String(parsed)}`);
      assert.equal(parsed.metric.kind, kind, text);
      assert.equal(parsed.operator, operator, text);
      assert.ok(Math.abs(parsed.limit - limit) < 1e-12, `${text}: ${parsed.limit}`);
    }
    const p = parseThresholdExpression("p(99.9) < 1");
    assert.ok(typeof p !== "string" && p.metric.kind === "percentile" && p.metric.percentile === 99.9);
  });

  it("explains what is wrong with a bad expression", () => {
    assert.match(
      String(parseThresholdExpression("p95 300")),
      /cannot parse 'p95 300': expected <metric> <operator> <number>/,
    );
    assert.match(
      String(parseThresholdExpression("latency < 3")),
      /unknown metric 'latency'.*metrics: p\(N\), pN, avg/,
    );
    // A misspelt metric is named, with the list, not "cannot parse".
    assert.match(
      String(parseThresholdExpression("p59_intnded<500")),
      /unknown metric 'p59_intnded' in 'p59_intnded<500' \(metrics: .*pN_intended/,
    );
    assert.match(String(parseThresholdExpression("p(0) < 3")), /above 0 and at most 100/);
    assert.match(String(parseThresholdExpression("p(101) < 3")), /at most 100/);
    assert.match(String(parseThresholdExpression("rps > 3ms")), /'ms' only applies to response times/);
    assert.match(String(parseThresholdExpression("avg < 3%")), /'%' only applies to failRate/);
    assert.match(String(parseThresholdExpression("avg < 1.2.3")), /not a number/);
    // A ratio's limit outside 0..1: "failRate<5" meant 5 % and could never fail.
    assert.equal(
      parseThresholdExpression("failRate<5"),
      "failRate is a ratio from 0 to 1, so 'failRate<5' can never fail (5 % is 0.05 or 5%)",
    );
    assert.match(String(parseThresholdExpression("failRate > 150%")), /so 'failRate > 150%' can never pass$/);
    assert.match(String(parseThresholdExpression("failRate >= -0.1")), /can never fail$/);
    for (const fine of ["failRate<1", "failRate<=0", "failRate<5%", "failRate!=1"]) {
      assert.equal(typeof parseThresholdExpression(fine), "object", fine);
    }
  });

  it("reads keys as total, METHOD name, or a bare name", () => {
    assert.deepEqual(parseThresholdKey("total"), { kind: "total" });
    assert.deepEqual(parseThresholdKey("Aggregated"), { kind: "total" });
    assert.deepEqual(parseThresholdKey("GET /coupons"), { kind: "name", method: "GET", name: "/coupons" });
    assert.deepEqual(parseThresholdKey("/coupons"), { kind: "name", name: "/coupons" });
    assert.deepEqual(parseThresholdKey("login flow"), { kind: "name", name: "login flow" });
  });

  it("splits --threshold at the last colon; without one it is about the total", () => {
    assert.deepEqual(splitCliThreshold("p95<300"), { key: "total", expression: "p95<300" });
    assert.deepEqual(splitCliThreshold("/coupons:failRate<0.01"), {
      key: "/coupons",
      expression: "failRate<0.01",
    });
    assert.deepEqual(splitCliThreshold("GET http://x:8080/a:p(99)<5"), {
      key: "GET http://x:8080/a",
      expression: "p(99)<5",
    });
  });

  it("accepts the locustfile form: strings, lists and option objects", () => {
    const defs = parseThresholds(
      {
        "GET /coupons": ["p(95) < 300", "failRate < 0.01"],
        total: "rps > 5",
        "/coupons": [{ threshold: "p(99) < 1000", abortOnFail: true, delayAbortEval: "10s" }],
      },
      ["p95<300", "/x:count>0"],
    );
    assert.deepEqual(
      defs.map((d) => `${d.source} ${d.key}: ${d.expression}`),
      [
        "locustfile GET /coupons: p(95) < 300",
        "locustfile GET /coupons: failRate < 0.01",
        "locustfile total: rps > 5",
        "locustfile /coupons: p(99) < 1000",
        "--threshold total: p95<300",
        "--threshold /x: count>0",
      ],
    );
    const abort = defs[3]!;
    assert.equal(abort.abortOnFail, true);
    assert.equal(abort.delayAbortEvalMs, 10_000);
    assert.equal(
      parseThresholds({ a: [{ threshold: "count > 0", delayAbortEval: 2.5 }] })[0]!.delayAbortEvalMs,
      2500,
    );
    assert.deepEqual(parseThresholds(undefined, []), []);
  });

  it("rejects every bad threshold at once, saying where each one is", () => {
    const message = usageMessage(() =>
      parseThresholds(
        { "GET /a": ["p95 < 1", "speed < 3"], b: [{ threshold: "avg < 1", abortOnFial: true }], c: [42] },
        ["/d:oops"],
      ),
    );
    assert.match(message, /locustfile thresholds\["GET \/a"\]\[1\]: unknown metric 'speed'/);
    assert.match(message, /locustfile thresholds\["b"\]\[0\]: unknown field\(s\) 'abortOnFial'/);
    assert.match(message, /locustfile thresholds\["c"\]\[0\]: expected an expression string/);
    assert.match(message, /--threshold '\/d:oops': cannot parse 'oops'/);
    assert.doesNotMatch(message, /GET \/a"\]\[0\]/, "the valid one is not reported");
    assert.match(
      usageMessage(() => parseThresholds(["p95<3"])),
      /must be an object/,
    );
    assert.match(
      usageMessage(() => parseThresholds({ a: [{ threshold: "avg<1", delayAbortEval: "soon" }] })),
      /delayAbortEval/,
    );
  });
});

describe("threshold evaluation", () => {
  const stats = sampleStats();
  const now = T0 + 10_000;
  const results = (exported: unknown) => evaluateThresholds(parseThresholds(exported), stats, now);

  it("measures the right row and compares", () => {
    const out = results({
      total: ["count == 125", "failures == 10", "failRate < 0.05", "p(100) <= 200", "rps > 10"],
      "GET /a": ["p(95) < 96", "p(95) < 90", "avg == 50.5", "min >= 1", "max <= 100", "med < 51"],
      "POST /a": ["count == 5", "avg == 200"],
    });
    assert.deepEqual(
      out.map((r) => [`${r.key}: ${r.expression}`, r.passed]),
      [
        ["total: count == 125", true],
        ["total: failures == 10", true],
        ["total: failRate < 0.05", false],
        ["total: p(100) <= 200", true],
        ["total: rps > 10", true],
        ["GET /a: p(95) < 96", true],
        ["GET /a: p(95) < 90", false],
        ["GET /a: avg == 50.5", true],
        ["GET /a: min >= 1", true],
        ["GET /a: max <= 100", true],
        ["GET /a: med < 51", true],
        ["POST /a: count == 5", true],
        ["POST /a: avg == 200", true],
      ],
    );
    const p95 = out[6]!;
    assert.ok(Math.abs(p95.measured! - 95) < 0.1);
    assert.equal(p95.limit, 90);
    assert.equal(p95.reason, null);
  });

  it("a bare name combines every method: counts add up and percentiles cover all", () => {
    const [count, max, rate] = results({ "/a": ["count == 105", "max == 200", "failRate < 0.1"] });
    assert.equal(count!.passed, true, `count ${count!.measured}`);
    assert.equal(max!.passed, true, `max ${max!.measured}`);
    assert.ok(Math.abs(rate!.measured! - 10 / 105) < 1e-12);
  });

  it("a name that never appeared fails with 'no data'", () => {
    const [missing, wrongMethod] = results({ "/nowhere": "count >= 0", "DELETE /a": "count >= 0" });
    for (const r of [missing!, wrongMethod!]) {
      assert.equal(r.passed, false);
      assert.equal(r.measured, null);
      assert.equal(r.reason, "no data: no request with this name");
    }
    const empty = evaluateThresholds(
      parseThresholds({ total: "p95 < 1" }),
      new RequestStats({ nowMs: T0 }),
      T0,
    );
    assert.equal(
      empty[0]!.reason,
      "no data: no request completed (none was made, or none had its response by the end)",
    );
  });

  it("prints each threshold with its measured value and ✓/✗, then the verdict", () => {
    const lines = formatThresholdSummary(
      results({ "GET /a": ["p(95) < 96", "failRate < 0.05"], "/gone": "count > 0" }),
    );
    assert.equal(lines[0], "Thresholds");
    assert.match(lines[1]!, /^ {2}✓ GET \/a\s+p\(95\) < 96\s+measured 95(\.\d)? ms$/);
    assert.match(lines[2]!, /^ {2}✗ GET \/a\s+failRate < 0\.05\s+measured 0\.1 \(10\.00%\)$/);
    assert.match(lines[3]!, /^ {2}✗ \/gone\s+count > 0\s+no data: no request with this name$/);
    assert.equal(lines[4], "2 of 3 thresholds failed");
    assert.deepEqual(formatThresholdSummary([]), []);
  });
});

describe("the rps threshold", () => {
  // A trial's run: 245 requests, the last 9.879 s after the start, evaluated when the run
  // ended 10.007 s after it. The table said 24.80/s (245 / 9.879 s, Locust's total_rps)
  // while `rps>50` said "measured 24.48" (245 / 10.007 s): a limit between them failed a
  // threshold the table showed passing.
  const LAST_MS = 9879;
  const END_MS = 10_007;
  function trialRun(): RequestStats {
    const stats = new RequestStats({ nowMs: T0 });
    for (let i = 1; i <= 245; i++) {
      const path = i % 5 === 0 ? "/b" : "/a";
      stats.record("GET", path, 20, 10, null, T0 + Math.round((i * LAST_MS) / 245));
    }
    return stats;
  }

  it("measures the summary table's, _stats.csv's and the JSON report's total rps, to the last request", () => {
    const stats = trialRun();
    assert.equal(stats.total.lastRequestTimeMs, T0 + LAST_MS);
    const [total, byName, between] = evaluateThresholds(
      parseThresholds(undefined, ["rps>50", "GET /b:rps>0", "rps>24.6"]),
      stats,
      T0 + END_MS,
    );
    const snapshot = stats.snapshot(T0 + END_MS);
    const json = buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + END_MS));
    assert.equal(total!.measured, 245 / (LAST_MS / 1000));
    assert.equal(total!.measured, snapshot.total.totalRps);
    assert.equal(total!.measured, json.total.rps);
    const csvTotal = statsCsv(snapshot).trimEnd().split("\r\n").at(-1)!.split(",");
    assert.equal(Number(csvTotal[9]), total!.measured, "_stats.csv's Requests/s of the Aggregated row");
    assert.match(formatStatsTable(snapshot, false).join("\n"), /Aggregated\s+245\s.*\s24\.80\s/);
    assert.match(formatThresholdSummary([total!])[1]!, /rps>50\s+measured 24\.8$/);
    // A name's rps divides by the same span, as its row in the table does.
    const row = snapshot.entries.find((e) => e.name === "/b")!;
    assert.equal(byName!.measured, row.totalRps);
    assert.equal(byName!.measured, 49 / (LAST_MS / 1000));
    assert.equal(between!.passed, true, "24.80 > 24.6, as the table shows");
  });

  it("rps[5s] divides each window's requests by its length, in windows from the table's start", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const definitions = parseThresholds(undefined, ["rps[5s]>20", "rps>20"]);
    const windows = new ThresholdWindows(definitions);
    const source = { total: stats.total, entries: () => stats.entries(), windows };
    const all = trialRun().total;
    // The same requests, recorded as they come, with the windows closed as the run goes.
    const times: number[] = [];
    for (let i = 1; i <= 245; i++) times.push(T0 + Math.round((i * LAST_MS) / 245));
    for (const time of times) {
      windows.tick(source, stats.total.startTimeMs, time);
      stats.record("GET", "/a", 20, 10, null, time);
    }
    windows.finish(source, stats.total.startTimeMs, T0 + END_MS);
    const [windowed, whole] = evaluateThresholds(definitions, source, T0 + END_MS);
    // Windows 0-5 s and 5-10 s; the last 7 ms (less than half a window) are not judged.
    const first = times.filter((t) => t < T0 + 5000).length;
    const second = times.filter((t) => t >= T0 + 5000 && t < T0 + 10_000).length;
    assert.equal(first + second, all.numRequests, "every request is in a judged window");
    assert.deepEqual([first / 5, second / 5], [24.6, 24.4]);
    assert.deepEqual(windowed!.window, {
      lengthMs: 5000,
      judged: 2,
      failed: 0,
      worst: { startMs: T0 + 5000, endMs: T0 + 10_000, value: second / 5 },
    });
    assert.equal(whole!.measured, stats.snapshot(T0 + END_MS).total.totalRps);
  });
});

describe("abortOnFail", () => {
  it("aborts once a threshold has failed at every check for its delay, not before", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const defs = parseThresholds({
      "GET /slow": [{ threshold: "p(95) < 100", abortOnFail: true, delayAbortEval: "3s" }],
      total: ["count > 1000000"], // not abortOnFail: never aborts
    });
    const tracker = new ThresholdAbortTracker(defs);
    assert.equal(tracker.active, true);
    assert.equal(tracker.check(stats, T0 + 1000), undefined, "no data is not a failure yet");
    stats.record("GET", "/slow", 500, 0, null, T0 + 1500);
    assert.equal(tracker.check(stats, T0 + 2000), undefined, "failing since 2 s");
    assert.equal(tracker.check(stats, T0 + 4000), undefined, "2 s of failing < 3 s");
    // It recovers: the failing streak starts over.
    for (let i = 0; i < 100; i++) stats.record("GET", "/slow", 10, 0, null, T0 + 4100);
    assert.equal(tracker.check(stats, T0 + 5000), undefined);
    for (let i = 0; i < 100; i++) stats.record("GET", "/slow", 900, 0, null, T0 + 5100);
    assert.equal(tracker.check(stats, T0 + 6000), undefined, "failing again since 6 s");
    assert.equal(tracker.check(stats, T0 + 8000), undefined);
    const decision = tracker.check(stats, T0 + 9000);
    assert.ok(decision, "3 s of failing in a row aborts");
    assert.equal(decision.definition.key, "GET /slow");
    assert.equal(decision.failingForMs, 3000);
    assert.equal(decision.result.aborted, true);
    assert.equal(new ThresholdAbortTracker(parseThresholds({ total: "count > 1" })).active, false);
  });
});

describe("the abort's log line", () => {
  it("says when the threshold failed: no 'for 0 s' without a delay", () => {
    const decision = (failingForMs: number, window?: AbortDecision["window"]) =>
      ({ failingForMs, ...(window ? { window } : {}) }) as AbortDecision;
    assert.equal(abortMoment(decision(0)), "at its first failing check");
    assert.equal(abortMoment(decision(12_340)), "for 12.3 s in a row");
    assert.equal(
      abortMoment(decision(0, { fromMs: 0, toMs: 1000 })),
      "in the window from 0s to 1s of the test",
    );
  });
});
