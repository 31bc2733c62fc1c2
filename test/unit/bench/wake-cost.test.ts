/**
 * The open-rate benchmark's account of wake-ups (bench/lib/wake-cost.mjs): the share of the
 * open model's extra CPU per request that its extra event-loop wake-ups explain, on exact
 * figures, and the probe that prices one wake-up on a real Node process.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { measureWakeCost, weighWakeUps } from "../../../bench/lib/wake-cost.mjs";

describe("weighWakeUps", () => {
  it("charges the open model's extra wake-ups at the measured price and compares the rest", () => {
    // 0.3 wake-ups per request against 0.1, at 20 µs each: 4 µs of the 25 − 20 = 5 µs; the
    // other 21 µs are 1.05× the closed model's 20 µs. At 5 µs a wake-up, 21 + 0.2 × 5 = 22 µs
    // would be 1.10× the closed model's: the price below which the bound holds.
    const weights = weighWakeUps({
      openCpuUsPerRequest: 25,
      closedCpuUsPerRequest: 20,
      openSleepsPerRequest: 0.3,
      closedSleepsPerRequest: 0.1,
      wakeCostUs: 20,
    });
    const near = (actual: number | null, expected: number) =>
      assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
    near(weights.extraWakesPerRequest, 0.2);
    near(weights.extraWakeCpuUs, 4);
    near(weights.cpuDifferenceUs, 5);
    near(weights.cpuRatioBesideWakeUps, 1.05);
    near(weights.boundWakeCostUs, 5);
  });

  it("gives nulls, not NaN, when a run is missing (a smoke run, a failed run)", () => {
    const weights = weighWakeUps({
      openCpuUsPerRequest: 25,
      closedCpuUsPerRequest: null,
      openSleepsPerRequest: 0.3,
      closedSleepsPerRequest: null,
      wakeCostUs: 20,
    });
    assert.deepEqual(weights, {
      extraWakesPerRequest: null,
      extraWakeCpuUs: null,
      cpuDifferenceUs: null,
      cpuRatioBesideWakeUps: null,
      boundWakeCostUs: null,
    });
  });
});

describe("measureWakeCost", () => {
  it("prices an idle wake-up of a real Node process pinned to a core", { timeout: 30_000 }, async () => {
    // 100 wake-ups of 1 ms: a wake-up costs CPU (more than nothing), and far less than the
    // millisecond it waited (the process sleeps between them rather than spinning).
    const cost = await measureWakeCost(0, 100);
    assert.equal(typeof cost, "number");
    assert.ok(cost !== null && cost > 0 && cost < 1000, `cost per wake-up ${cost} µs`);
  });
});
