import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadColumns } from "../../../src/monitor/load-rate.js";
import { type CountPoint, RequestStats, SettledCounts, StatsEntry } from "../../../src/stats/index.js";

const T0 = 1_767_323_045_000; // a whole second

/** The rates between the points (as the monitor derives them). */
function ratesOf(points: CountPoint[]): Array<number | null> {
  return loadColumns(
    1,
    points.map((p) => p.timeMs),
    points.map((p) => p.requests),
    points.map((p) => p.failures),
  ).rps;
}

/** `perSecond[k]` requests spread evenly over second k after T0 (completion times inside it). */
function* completions(perSecond: number[]): Generator<number> {
  for (const [k, n] of perSecond.entries()) {
    for (let j = 0; j < n; j++) yield T0 + k * 1000 + ((j + 0.5) * 1000) / n;
  }
}

describe("SettledCounts: the load's completed requests beside the target", () => {
  it("a local run: the count at each read, so a step from 10 to 80 req/s reads 80 in the very next interval", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const counts = new SettledCounts(stats);
    const perSecond = [10, 10, 10, 10, 80, 80, 80];
    const points = counts.read(T0, "begin");
    const times = [...completions(perSecond)];
    for (let k = 1; k <= perSecond.length; k++) {
      for (const t of times.filter((t) => t > T0 + (k - 1) * 1000 && t <= T0 + k * 1000))
        stats.record("GET", "/", 5, 0, k === 6 ? "boom" : null, t);
      points.push(...counts.read(T0 + k * 1000, "tick"));
    }
    assert.deepEqual(
      points.map((p) => p.timeMs - T0),
      [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000],
    );
    assert.deepEqual(ratesOf(points), [null, 10, 10, 10, 10, 80, 80, 80]);
    assert.deepEqual(
      points.map((p) => p.failures),
      [0, 0, 0, 0, 0, 0, 80, 80],
    );
    // Locust's "current" rate at the same moment still averages the 10/s before the step.
    assert.equal(stats.total.currentRps(T0 + 5500), 24);
    assert.deepEqual(counts.read(T0 + 7000, "tick"), [], "nothing new: no point twice");
  });

  it("a master: the points trail by 5 s, so a rate never reads low while the workers' reports are on their way", () => {
    const master = new RequestStats({ nowMs: T0, currentWindowLagSeconds: 3 });
    const counts = new SettledCounts(master);
    // Two workers at 40 req/s each, reporting every 3 s (one at .0, the other at .5 s).
    const workers = [0, 1500].map((phaseMs) => ({
      phaseMs,
      entry: new StatsEntry("", "Aggregated", T0),
      times: [...completions(Array(12).fill(40))],
    }));
    const points = counts.read(T0, "begin");
    let reportedRequests = 0;
    for (let now = T0 + 100; now <= T0 + 12_000; now += 100) {
      for (const worker of workers) {
        while (worker.times.length > 0 && worker.times[0]! <= now)
          worker.entry.log(5, 0, worker.times.shift()!);
        if ((now - T0 - worker.phaseMs) % 3000 === 0 && now - T0 >= worker.phaseMs + 3000) {
          reportedRequests += worker.entry.numRequests;
          master.mergeEntry(worker.entry, now);
          worker.entry.reset(now);
        }
      }
      // The monitor reads every 500 ms.
      if ((now - T0) % 500 === 0) points.push(...counts.read(now, "tick"));
    }
    assert.equal(master.total.numRequests, reportedRequests);
    assert.ok(reportedRequests < 12 * 80, "some requests are still unreported at the end");
    // Whole seconds, the newest 5 s back: complete, each 80 req/s exactly.
    assert.deepEqual(
      points.map((p) => p.timeMs - T0),
      [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000],
    );
    assert.deepEqual(ratesOf(points), [null, 80, 80, 80, 80, 80, 80, 80, 80]);
    // The test ends at 12.25 s: the workers' final reports, then the rest and the end itself.
    for (const worker of workers) master.mergeEntry(worker.entry, T0 + 12_250);
    const end = counts.read(T0 + 12_250, "end");
    assert.deepEqual(
      end.map((p) => p.timeMs - T0),
      [9000, 10_000, 11_000, 12_000, 12_250],
    );
    const all = [...points, ...end];
    assert.deepEqual(ratesOf(all).slice(9), [80, 80, 80, 80, 0]);
    assert.equal(all.at(-1)!.requests, 12 * 80);
  });

  it("a Reset stats during the test: the counts stay cumulative from the test's start", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const counts = new SettledCounts(stats);
    const points = counts.read(T0, "begin");
    for (const t of completions([20])) stats.record("GET", "/", 5, 0, null, t);
    points.push(...counts.read(T0 + 1000, "tick"));
    stats.reset(T0 + 1000);
    for (const t of completions([0, 30])) stats.record("GET", "/", 5, 0, null, t);
    points.push(...counts.read(T0 + 2000, "tick"));
    assert.deepEqual(
      points.map((p) => p.requests),
      [0, 20, 50],
    );
    // A new test starts from zero again (its stats were reset before it began).
    stats.reset(T0 + 3000);
    assert.deepEqual(counts.read(T0 + 3000, "begin"), [{ timeMs: T0 + 3000, requests: 0, failures: 0 }]);
    counts.close();
  });
});
