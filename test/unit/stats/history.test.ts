import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HistoryPoint, HistorySeries } from "../../../src/stats/history-series.js";
import { RequestStats } from "../../../src/stats/request-stats.js";

const point = (i: number, rps: number, p99: number | null = 10): HistoryPoint => ({
  timeMs: i * 1000,
  userCount: i,
  rps,
  failPerSec: rps / 10,
  p50: p99 === null ? null : p99 / 2,
  p95: p99,
  p99,
  avgResponseTimeMs: 5,
});

describe("HistorySeries downsampling", () => {
  it("stays within maxPoints, keeps equal weights, averages rates and keeps percentile peaks", () => {
    const series = new HistorySeries(1000);
    const inputs: number[] = [];
    for (let i = 0; i < 7200; i++) {
      const rps = 100 + 50 * Math.sin(i / 300);
      inputs.push(rps);
      series.add(point(i, rps, i === 4321 ? 9999 : 10 + (i % 5)));
      assert.ok(series.size <= 1000);
    }
    // 1000 → 500 at stride 2, again at 2000 and 4000 samples: 7200 = 4000 + 400 · 8
    assert.equal(series.stride, 8);
    const points = series.points();
    assert.equal(points.length, 900);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean(points.map((p) => p.rps)) - mean(inputs)) < 1e-9);
    assert.equal(Math.max(...points.map((p) => p.p99!)), 9999);
    assert.equal(points.at(-1)!.timeMs, 7199_000);
    assert.equal(points.at(-1)!.userCount, 7199);
    assert.ok(points.every((p, i) => i === 0 || p.timeMs > points[i - 1]!.timeMs));
    // the shape survives: the point nearest each sine peak is still near 150
    const peak = points.find((p) => Math.abs(p.timeMs / 1000 - 300 * (Math.PI / 2)) < 8)!;
    assert.ok(peak.rps > 145, `${peak.rps}`);
  });

  it("shows samples not yet merged as one trailing point", () => {
    const series = new HistorySeries(4);
    for (let i = 0; i < 4; i++) series.add(point(i, 10));
    assert.equal(series.stride, 2);
    series.add(point(4, 30, null));
    const points = series.points();
    assert.equal(points.length, 3);
    assert.deepEqual(points.at(-1), point(4, 30, null));
    series.add(point(5, 50, 7));
    assert.equal(series.points().length, 3);
    assert.equal(series.points().at(-1)!.rps, 40);
    assert.equal(series.points().at(-1)!.p99, 7);
    const columns = series.toColumns();
    assert.deepEqual(
      columns.rps,
      series.points().map((p) => p.rps),
    );
    assert.throws(() => new HistorySeries(1), RangeError);
  });
});

describe("StatsHistory", () => {
  it("a 2-hour run at one sample per second stays bounded and keeps its shape", () => {
    const stats = new RequestStats({ nowMs: 0 });
    for (let second = 0; second < 7200; second++) {
      const perSecond = second < 3600 ? 5 : 20;
      for (let k = 0; k < perSecond; k++) {
        const nowMs = second * 1000 + k * 10;
        stats.record("GET", "/home", second < 3600 ? 10 : 40, 0, null, nowMs);
        if (second >= 3600) stats.record("POST", "/late", 5, 0, null, nowMs);
      }
      stats.history.sample(stats, second * 1000 + 999, second < 3600 ? 10 : 40);
    }
    const total = stats.history.totalSeries();
    assert.ok(total.length <= 1000, `${total.length} total points`);
    const home = stats.history.seriesFor("GET", "/home")!;
    assert.ok(home.length <= 500, `${home.length} points`);
    const late = stats.history.seriesFor("POST", "/late")!;
    assert.ok(late[0]!.timeMs >= 3600_000, "a series first seen mid-run starts then");
    assert.deepEqual(stats.history.names(), [
      { method: "GET", name: "/home" },
      { method: "POST", name: "/late" },
    ]);
    const firstHour = home.filter((p) => p.timeMs > 60_000 && p.timeMs < 3500_000);
    const secondHour = home.filter((p) => p.timeMs > 3700_000);
    assert.ok(firstHour.every((p) => p.rps === 5 && p.p95 === 10 && p.userCount === 10));
    assert.ok(secondHour.every((p) => p.rps === 20 && p.p95 === 40 && p.userCount === 40));
    assert.ok(total.filter((p) => p.timeMs > 3700_000).every((p) => p.rps === 40));
    const json = stats.history.toJSON();
    assert.equal(json.total.timeMs.length, total.length);
    assert.equal(json.entries.length, 2);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  });

  it("keeps the session's Aggregated series and run starts across resets (the charts' Run #n)", () => {
    const stats = new RequestStats({ nowMs: 0 });
    const runTest = (fromSecond: number, seconds: number) => {
      stats.reset(fromSecond * 1000);
      stats.history.beginRun(fromSecond * 1000);
      for (let second = fromSecond; second < fromSecond + seconds; second++) {
        stats.record("GET", "/home", 10, 0, null, second * 1000);
        stats.history.sample(stats, second * 1000 + 500, 3);
      }
    };
    runTest(0, 5);
    runTest(100, 4);
    runTest(200, 2);
    // The test's own history (reports) has only the last test...
    assert.equal(stats.history.totalSeries().length, 2);
    // ...the session's has all three, with where each began.
    const session = stats.history.sessionJSON();
    assert.equal(session.total.timeMs.length, 11);
    assert.deepEqual(session.runs, [
      { run: 1, timeMs: 0 },
      { run: 2, timeMs: 100_000 },
      { run: 3, timeMs: 200_000 },
    ]);
  });
});
