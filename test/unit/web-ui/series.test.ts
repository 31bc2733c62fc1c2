import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptySeries, runMarkers, withRunGaps } from "../../../web-ui/src/series.js";

describe("withRunGaps", () => {
  it("breaks the iterations chart's columns between two tests (30/s, idle, 60/s)", () => {
    // Test 1 at 30/s from t=100, test 2 at 60/s from t=112 after 9 s idle.
    const columns = {
      time: [101, 102, 103, 113, 114],
      targetRate: [30, 30, 30, 60, 60],
      rate: [29, 30, 30, 58, 60],
      droppedPerSec: [0, 0, 1, 0, 0],
    };
    const gapped = withRunGaps(columns, [100, 112]);
    assert.deepEqual(gapped, {
      time: [101, 102, 103, 108, 113, 114],
      targetRate: [30, 30, 30, null, 60, 60],
      rate: [29, 30, 30, null, 58, 60],
      droppedPerSec: [0, 0, 1, null, 0, 0],
    });
    assert.deepEqual(columns.time, [101, 102, 103, 113, 114], "the stored columns stay as they are");
  });

  it("puts one gap for several starts between two points (a closed-model test in between)", () => {
    const gapped = withRunGaps({ time: [1, 2, 20], rate: [5, 5, 7] }, [0, 5, 15]);
    assert.deepEqual(gapped, { time: [1, 2, 11, 20], rate: [5, 5, null, 7] });
  });

  it("keeps the request charts' columns, nulls included", () => {
    const series = emptySeries();
    Object.assign(series, {
      time: [1, 10],
      users: [2, 3],
      rps: [4, 5],
      failPerSec: [0, 1],
      p50: [null, 6],
      p95: [7, 8],
      p99: [9, 10],
    });
    assert.deepEqual(withRunGaps(series, [0, 5]), {
      time: [1, 5.5, 10],
      users: [2, null, 3],
      rps: [4, null, 5],
      failPerSec: [0, null, 1],
      p50: [null, null, 6],
      p95: [7, null, 8],
      p99: [9, null, 10],
    });
  });
});

describe("runMarkers", () => {
  it("marks each test on its first point, and nothing for a single test", () => {
    const runs = [
      { run: 1, timeMs: 100_000 },
      { run: 2, timeMs: 112_000 },
    ];
    assert.deepEqual(runMarkers([101, 102, 113], runs), [
      { timeSec: 101, label: "Run #1" },
      { timeSec: 113, label: "Run #2" },
    ]);
    assert.deepEqual(runMarkers([101], runs.slice(0, 1)), []);
  });
});
