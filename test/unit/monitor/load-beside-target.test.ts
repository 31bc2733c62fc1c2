/**
 * The load beside the target's resources: the requests completed in each interval, counted
 * by the monitor at its own moments (TargetMonitor's `requestCounts`), kept exact through
 * downsampling, and written beside each scrape in PREFIX_monitor.csv once the counts reach
 * it (at once in a local run, ~6 s later on a master). A fake clock and Node's mock timers
 * drive the monitor's interval.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { MonitorCsvOutput } from "../../../src/cli/monitor-output.js";
import { loadAt, loadColumns, rateOver, TargetMonitor } from "../../../src/monitor/index.js";
import type { RequestCountPoint } from "../../../src/monitor/types.js";
import { Environment, LocalRunner } from "../../../src/runner/index.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { SettledCounts } from "../../../src/stats/index.js";
import { bareMonitorConfig } from "./fixtures.js";

const T0 = 1_767_323_045_000; // a whole second

/** A load of 10 req/s for 4 s, then 80 req/s: the requests completed by `t` (ms after T0). */
const completedBy = (t: number) => (t <= 4000 ? t / 100 : 40 + ((t - 4000) * 80) / 1000);

/** A monitor on a fake clock (advanced with the mock timers), with nothing to scrape. */
function monitorOn(
  t: TestContext,
  requestCounts: (nowMs: number, moment: "begin" | "tick" | "end") => RequestCountPoint[],
  maxPoints?: number,
  clock = { now: T0 },
) {
  t.mock.timers.enable({ apis: ["setInterval"] });
  const monitor = new TargetMonitor({
    config: bareMonitorConfig(),
    now: () => clock.now,
    requestCounts,
    ...(maxPoints === undefined ? {} : { maxPoints }),
  });
  t.after(() => monitor.close());
  /** Moves the clock and the monitor's interval on by `ms`. */
  const advance = (ms: number) => {
    clock.now += ms;
    t.mock.timers.tick(ms);
  };
  return { monitor, clock, advance };
}

describe("the load beside the target", () => {
  it("rateOver: the requests completed in an interval, counts interpolated between points", () => {
    const load = loadColumns(1, [T0, T0 + 1000, T0 + 2000], [0, 10, 90], [0, 0, 1]);
    assert.equal(rateOver(load, T0 + 1000, T0 + 2000), 80);
    assert.equal(rateOver(load, T0 + 500, T0 + 1500), 45);
    assert.equal(rateOver(load, T0 + 1000, T0 + 2000, "failures"), 1);
    assert.equal(rateOver(load, T0 - 500, T0 + 500), 10, "cut to the test's start: nothing came before it");
    assert.equal(rateOver(load, T0 + 1500, T0 + 2500), null, "the counts do not reach it yet");
    assert.equal(rateOver(load, T0 - 1000, T0), null, "the scrape taken as the test began measured no load");
  });

  it("the monitor counts at each interval; merged points keep the later count, so rates stay exact means", (t) => {
    const { monitor, advance } = monitorOn(
      t,
      (nowMs) => [{ timeMs: nowMs, requests: completedBy(nowMs - T0), failures: 0 }],
      4,
    );
    const reached: number[] = [];
    monitor.requests.counted.addListener((timeMs) => {
      reached.push(timeMs - T0);
    });
    monitor.beginTest(T0);
    for (let k = 0; k < 9; k++) advance(1000);
    assert.deepEqual(reached, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    const load = monitor.data().load;
    // 10 points in a budget of 4: merged twice (stride 4), the newest two still pending as one.
    assert.deepEqual(
      [load.stride, load.timeMs.map((ms) => ms - T0), load.requests],
      [4, [3000, 7000, 9000], [30, 280, 440]],
    );
    // Seconds 4 to 7 held 10, 80, 80, 80 requests: their mean, then 80.
    assert.deepEqual(load.rps, [null, 62.5, 80]);
  });

  it("_monitor.csv, local run: each row has the requests completed in the interval before its scrape, 80 right after the step", (t) => {
    const { environment, advance, csv } = csvRun(t, 1);
    for (let k = 1; k <= 7; k++) {
      const before = completedBy((k - 1) * 1000);
      const n = completedBy(k * 1000) - before;
      for (let j = 0; j < n; j++)
        environment.stats.record("GET", "/", 5, 0, null, T0 + (k - 1) * 1000 + 10 * j);
      advance(1000);
      csv.sample(T0 + k * 1000);
      assert.equal(csv.rows().length, k + 1, "written at once: the counts reach the scrape");
    }
    assert.deepEqual(
      csv.rows().map((row) => row.rps),
      ["", "10", "10", "10", "10", "80", "80", "80"],
    );
  });

  it("_monitor.csv, master: a row waits until every worker has reported its interval, then has its exact rate", (t) => {
    const { environment, monitor, advance, csv } = csvRun(t, 3);
    const arrivals: Array<{ atMs: number; completedMs: number }> = [];
    for (let k = 1; k <= 10; k++) {
      const n = completedBy(k * 1000) - completedBy((k - 1) * 1000);
      // Each second's requests reach the master with a worker's report 3 s after it ended.
      for (let j = 0; j < n; j++)
        arrivals.push({ atMs: (k + 3) * 1000, completedMs: (k - 1) * 1000 + 10 * j });
    }
    for (let k = 1; k <= 10; k++) {
      for (const a of arrivals.filter((a) => a.atMs === k * 1000))
        environment.stats.record("GET", "/", 5, 0, null, T0 + a.completedMs);
      advance(1000);
      csv.sample(T0 + k * 1000);
      // The seconds up to 5 s back are complete: the rows of their scrapes are written, no others.
      assert.deepEqual(
        csv.rows().map((row) => row.timeMs - T0),
        Array.from({ length: Math.max(1, k - 3) }, (_, i) => i * 1000),
        `after ${k} s`,
      );
    }
    // The test ends (after the final reports): every waiting row is written.
    for (const a of arrivals.filter((a) => a.atMs > 10_000))
      environment.stats.record("GET", "/", 5, 0, null, T0 + a.completedMs);
    monitor.endTest(T0 + 10_000);
    assert.deepEqual(
      csv.rows().map((row) => row.rps),
      ["", "10", "10", "10", "10", "80", "80", "80", "80", "80", "80"],
    );
  });
});

/**
 * A test's monitoring with its CSV, on the fake clock: a local process's stats (window lag
 * 1) or a master's (3), the monitor's counts from them; the test begun at T0 with a scrape.
 */
function csvRun(t: TestContext, currentWindowLagSeconds: number) {
  const clock = { now: T0 };
  const environment = new Environment({ userClasses: [], now: () => clock.now, currentWindowLagSeconds });
  const runner = new LocalRunner(environment);
  t.after(() => runner.quitAndWait());
  const counts = new SettledCounts(environment.stats);
  const { monitor, advance } = monitorOn(t, (nowMs, moment) => counts.read(nowMs, moment), undefined, clock);
  const csv = csvOutput(t, monitor, environment, runner);
  environment.stats.reset(T0);
  monitor.beginTest(T0);
  csv.sample(T0);
  return { environment, monitor, advance, csv };
}

/** A MonitorCsvOutput in a temporary folder; `sample` records a scrape of host "web" at a time. */
function csvOutput(t: TestContext, monitor: TargetMonitor, environment: Environment, runner: LocalRunner) {
  const dir = mkdtempSync(join(tmpdir(), "cicada-monitor-csv-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "out_monitor.csv");
  const output = new MonitorCsvOutput(path, monitor, environment, runner, silentLogger);
  t.after(() => output.stop());
  return {
    output,
    sample: (timeMs: number) =>
      monitor.recorded.fire({ host: "web", timeMs, values: { cpu: 50 }, error: null }),
    rows: () => {
      const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\r\n");
      const rpsColumn = header!.split(",").indexOf("Requests/s");
      return lines.map((line) => ({
        timeMs: Number(line.split(",")[0]) * 1000,
        rps: line.split(",")[rpsColumn],
      }));
    },
  };
}

describe("short spans and changes of load", () => {
  it("a point a few ms after the one before takes its rate over at least 250 ms (the test's end 20 ms after the last scrape)", () => {
    // 80/s held; the end comes 20 ms after the last scrape, with 1 more request.
    const load = loadColumns(1, [T0, T0 + 1000, T0 + 2000, T0 + 2020], [0, 80, 160, 161], [0, 0, 0, 0]);
    assert.deepEqual(load.rps.slice(0, 3), [null, 80, 80]);
    // Over the 20 ms alone it read 50/s; over the span back to the scrape before, 81 in 1.02 s.
    assert.ok(Math.abs(load.rps[3]! - 81 / 1.02) < 1e-9, String(load.rps[3]));
  });

  it("a change of load is counted at its moment (a local run's count then is exact)", (t) => {
    const asked: Array<[number, string]> = [];
    const { monitor } = monitorOn(t, (nowMs, moment) => {
      asked.push([nowMs - T0, moment]);
      return [{ timeMs: nowMs, requests: 0, failures: 0 }];
    });
    monitor.beginTest(T0);
    monitor.markLoadChange(T0 + 700);
    assert.deepEqual(asked, [
      [0, "begin"],
      [700, "tick"],
    ]);
    assert.deepEqual(monitor.requests.columns().timeMs, [T0, T0 + 700]);
  });

  it("a capacity step's rate is the new load's, counted from its change, not a blend with the step before", () => {
    // 40/s until the step at T0 + 1700 (counted then: 68), 80/s after it; scrapes each second.
    const requests = loadColumns(1, [T0, T0 + 1000, T0 + 1700, T0 + 2000], [0, 40, 68, 92], [0, 0, 0, 0]);
    const input = {
      load: { timeMs: [T0 + 2000], userCount: [5], p95: [50] },
      requests,
      intervalMs: 1000,
      loadChangesMs: [T0 + 1700],
    };
    assert.ok(Math.abs(loadAt(input, T0 + 2000)!.rps! - 80) < 1e-9);
    // Without the change known, the scrape's whole interval: 52/s, neither load.
    assert.equal(loadAt({ ...input, loadChangesMs: [] }, T0 + 2000)!.rps, 52);
    // A change too close to the moment leaves too little to count: the whole interval then.
    assert.equal(loadAt({ ...input, loadChangesMs: [T0 + 1900] }, T0 + 2000)!.rps, 52);
  });
});
