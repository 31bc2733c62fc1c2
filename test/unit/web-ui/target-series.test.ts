import assert from "node:assert/strict";
import { describe, it } from "node:test";
import uPlot from "uplot";
import { loadColumns } from "../../../src/monitor/load-rate.js";
import type { MonitorChart, MonitorResponse } from "../../../src/web/api-types.js";
import {
  chartData,
  emptyTargetPoints,
  MAX_TARGET_POINTS,
  mergeTargetPoints,
} from "../../../web-ui/src/target-series.js";

const REQUESTS_CHART: MonitorChart = {
  id: "requests",
  title: "Requests per second (completed in each interval)",
  unit: "/s",
  yMax: null,
  level: null,
  lines: [{ host: "load", series: "rps", label: "Requests/s", dash: false, source: "load" }],
};

/** A response holding the load's counts `requests` at `timeMs` (seconds after 0). */
function response(timeMs: number[], requests: number[]): MonitorResponse {
  return {
    configured: true,
    running: true,
    intervalMs: 1000,
    startTimeMs: 0,
    lastTimeMs: null,
    charts: [REQUESTS_CHART],
    hosts: [],
    generator: { stride: 1, timeMs: [], cpuPercent: [], lagMs: [], workerCpuPercent: null },
    load: loadColumns(
      1,
      timeMs,
      requests,
      requests.map(() => 0),
    ),
    lastLoadTimeMs: timeMs.at(-1) ?? null,
    endpoints: [],
    finding: null,
  };
}

describe("the Target tab's load points", () => {
  it("adds the load's new counts, and draws the rate between neighbours: 10/s, then 80/s at once", () => {
    let points = mergeTargetPoints(emptyTargetPoints(), response([0, 1000, 2000], [0, 10, 20]), true);
    points = mergeTargetPoints(points, response([2000, 3000, 4000], [20, 100, 180]), false);
    assert.equal(points.lastLoadTimeMs, 4000);
    assert.deepEqual(chartData(REQUESTS_CHART, points, uPlot.join), [
      [0, 1, 2, 3, 4],
      [null, 10, 10, 80, 80],
    ]);
  });

  it("past its bound each pair keeps its later count: the rates are the exact means over the merged spans", () => {
    const n = MAX_TARGET_POINTS + 2;
    const times = Array.from({ length: n }, (_, i) => i * 1000);
    // 10 requests in the seconds ending at an odd one, 30 in the others: 20/s over each pair.
    const counts = times.map((_, i) => (i % 2 === 1 ? 20 * i - 10 : 20 * i));
    const points = mergeTargetPoints(emptyTargetPoints(), response(times, counts), true);
    const [, rates] = chartData(REQUESTS_CHART, points, uPlot.join);
    assert.ok(points.load.timeMs.length <= MAX_TARGET_POINTS / 2 + 1, String(points.load.timeMs.length));
    assert.deepEqual(new Set(rates!.slice(1)), new Set([20]));
  });
});
