import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestStats, type SerializedStatsEntry, StatsEntry } from "../../../src/stats/index.js";
import { seededRandom } from "./samples.js";

const T0 = 1_800_000_000_000;

/**
 * A worker's stats for `seconds` seconds from `fromMs`: rows with failures, null response
 * times and many distinct values (some rows past the sparse limit), then its report
 * (rows and Aggregated row, serialized) and a reset, as a worker does each interval.
 */
function workerReport(worker: RequestStats, seed: number, fromMs: number, seconds: number) {
  const random = seededRandom(seed);
  const names = ["/a", "/b", "/c", "/slow"];
  for (let i = 0; i < 400 * seconds; i++) {
    const name = names[i % names.length]!;
    const atMs = fromMs + Math.floor((i / 400) * 1000);
    const ms = name === "/slow" ? 100 + random() * 5000 : 1 + random() * 40;
    const timed = i % 37 !== 0;
    worker.record("GET", name, timed ? ms : null, 100 + (i % 9), i % 11 === 0 ? "HTTP 500" : null, atMs);
  }
  const report = {
    rows: worker.entries().map((e) => e.serialize({ window: false })),
    total: worker.total.serialize({ window: false }),
  };
  worker.reset(fromMs + seconds * 1000);
  return report;
}

/** Everything a report or the web UI reads from the stats, at several times. */
function observe(stats: RequestStats, times: readonly number[]): string {
  return JSON.stringify(
    times.map((t) => {
      const { entries, total } = stats.snapshot(t);
      const percentiles = [stats.total, ...stats.entries()].map((e) => [
        e.percentiles([0.5, 0.9, 0.99, 1]),
        e.currentPercentiles([0.5, 0.95], t),
        e.currentRps(t),
        e.currentFailPerSec(t),
      ]);
      return { entries, total, percentiles };
    }),
  );
}

describe("RequestStats.mergeSerializedReport (a master merging worker reports)", () => {
  it("gives the rows, total and current windows that merging every row as an entry gives", () => {
    const viaEntries = new RequestStats({ nowMs: T0, currentWindowLagSeconds: 3 });
    const viaReport = new RequestStats({ nowMs: T0, currentWindowLagSeconds: 3 });
    // The workers' stats were last reset before the master's test started: their
    // Aggregated rows start earlier than any request (the master must not take that).
    const workers = [new RequestStats({ nowMs: T0 - 9000 }), new RequestStats({ nowMs: T0 - 5000 })];
    let seed = 1;
    for (let interval = 0; interval < 6; interval++) {
      const fromMs = T0 + 500 + interval * 2000;
      for (const worker of workers) {
        const { rows, total } = workerReport(worker, seed++, fromMs, 2);
        const mergedAt = fromMs + 2100;
        for (const row of rows) viaEntries.mergeEntry(StatsEntry.deserialize(row), mergedAt);
        viaReport.mergeSerializedReport(rows, total, mergedAt);
      }
    }
    assert.equal(viaReport.total.numRequests, 2 * 6 * 800);
    assert.equal(
      viaReport.total.startTimeMs,
      T0,
      "the total starts with the test, not with a worker's reset",
    );
    const times = [T0 + 4000, T0 + 9000, T0 + 13_500];
    assert.equal(observe(viaReport, times), observe(viaEntries, times));
  });

  it("rejects a report with an invalid histogram before merging any of it", () => {
    const worker = new RequestStats({ nowMs: T0 });
    const { rows, total } = workerReport(worker, 7, T0, 1);
    const bad: SerializedStatsEntry = { ...rows[1]!, histogram: new Uint8Array(40).fill(7) };
    const master = new RequestStats({ nowMs: T0 });
    assert.throws(() => master.mergeSerializedReport([rows[0]!, bad, ...rows.slice(2)], total, T0 + 1000));
    assert.throws(() =>
      master.mergeSerializedReport(rows, { ...total, histogram: new Uint8Array(3) }, T0 + 1000),
    );
    assert.deepEqual(master.entries(), []);
    assert.equal(master.total.numRequests, 0);
    assert.equal(master.total.histogram.totalCount, 0);
  });

  it("an empty report (an idle worker) changes nothing, not even the total's start", () => {
    const master = new RequestStats({ nowMs: T0 });
    const idle = new RequestStats({ nowMs: T0 - 60_000 });
    master.mergeSerializedReport([], idle.total.serialize({ window: false }), T0 + 1000);
    assert.equal(master.total.startTimeMs, T0);
    assert.equal(master.total.numRequests, 0);
    assert.equal(master.total.lastRequestTimeMs, null);
    assert.equal(master.total.minResponseTimeMs, null);
  });
});
