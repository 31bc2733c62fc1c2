import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArrivalSchedule } from "../../../src/runner/index.js";

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );

describe("ArrivalSchedule", () => {
  it("puts the n-th iteration of a constant rate at exactly n / rate from the start", () => {
    const schedule = new ArrivalSchedule(1000, 5000);
    for (const n of [0, 1, 2, 4999, 5000, 299_999])
      close(schedule.timeOf(n), 1000 + n / 5, 1e-6, `timeOf(${n})`);
    assert.equal(schedule.dueCount(999.9), 0);
    assert.equal(schedule.dueCount(1000), 1, "the first iteration is due at the start");
    assert.equal(schedule.dueCount(1000 + 60_000), 300_001);
    assert.equal(schedule.rateAt(50_000), 5000);
  });

  it("ramps linearly: 100 → 1000/s over 60 s schedules (100 + 1000) / 2 × 60 iterations", () => {
    const schedule = new ArrivalSchedule(0, 100);
    schedule.changeRate(0, 1000, 60_000);
    close(schedule.countAt(60_000), 33_000, 1e-6, "count at the end of the ramp");
    close(schedule.rateAt(30_000), 550, 1e-9, "rate halfway");
    close(schedule.countAt(30_000), 100 * 30 + (900 / 60 / 2) * 30 * 30, 1e-6, "count halfway");
    // After the ramp the rate stays at 1000/s.
    close(schedule.countAt(70_000), 43_000, 1e-6, "count 10 s after the ramp");
    // timeOf is the inverse of the count, and increasing.
    let previous = -1;
    for (let n = 0; n < 43_000; n += 97) {
      const t = schedule.timeOf(n);
      assert.ok(t > previous, `timeOf(${n}) increases`);
      close(schedule.countAt(t), n, 1e-6, `countAt(timeOf(${n}))`);
      previous = t;
    }
  });

  it("ramps from 0 (the first iteration still starts the test) and down to 0 (then none)", () => {
    const up = new ArrivalSchedule(0, 0);
    up.changeRate(0, 100, 10_000);
    assert.equal(up.timeOf(0), 0);
    close(up.timeOf(500), 10_000, 1e-6, "the 500th iteration ends the ramp up");
    close(up.timeOf(50), Math.sqrt((2 * 50) / (100 / 10_000 / 1000)), 1e-6, "t = sqrt(2n/b)");

    const down = new ArrivalSchedule(0, 100);
    down.changeRate(0, 0, 10_000);
    close(down.countAt(10_000), 500, 1e-6, "the ramp down schedules 500");
    assert.equal(down.dueCount(60_000), 500, "nothing after the rate reached 0");
    close(
      down.timeOf(499),
      10_000 - Math.sqrt((2 * 1) / (100 / 10_000 / 1000)),
      1e-6,
      "the last: 1 before the end",
    );
    assert.equal(down.timeOf(500), Number.POSITIVE_INFINITY);
    assert.equal(down.rateAt(20_000), 0);
  });

  it("cuts a ramp in progress short when the rate changes again, keeping what was due", () => {
    const schedule = new ArrivalSchedule(0, 0);
    schedule.changeRate(0, 1000, 10_000);
    const dueAt5s = schedule.countAt(5000);
    schedule.changeRate(5000, 200);
    close(schedule.countAt(5000), dueAt5s, 1e-9, "the count is continuous");
    close(schedule.countAt(15_000), dueAt5s + 2000, 1e-6, "200/s from then on");
    assert.equal(schedule.rampEndAfter(6000), undefined);
    assert.equal(schedule.finalRate, 200);
  });

  it("forgets old segments without changing the times of later iterations", () => {
    const schedule = new ArrivalSchedule(0, 10);
    for (let i = 1; i <= 20; i++) schedule.changeRate(i * 1000, 10 + i);
    const later = schedule.dueCount(20_500);
    const expected = schedule.timeOf(later);
    schedule.forgetBefore(later - 5);
    assert.ok(schedule.segmentCount <= 2, `kept ${schedule.segmentCount} segments`);
    assert.equal(schedule.timeOf(later), expected);
  });

  it("has nothing due at a rate of 0, not even a first iteration, until the rate rises", () => {
    const paused = new ArrivalSchedule(0, 0);
    assert.equal(paused.dueCount(0), 0);
    assert.equal(paused.dueCount(60_000), 0);
    assert.equal(paused.timeOf(0), Number.POSITIVE_INFINITY);
    paused.changeRate(3000, 10);
    assert.equal(paused.timeOf(0), 3000, "the first when the rate rises");
    assert.equal(paused.dueCount(2999), 0);
    assert.equal(paused.dueCount(3000), 1);
    assert.equal(paused.dueCount(4000), 11);
    // A stop to 0 and a restart: none at the stop, the next at the restart.
    paused.changeRate(5000, 0);
    assert.equal(paused.dueCount(9000), 20);
    paused.changeRate(10_000, 10);
    assert.equal(paused.timeOf(20), 10_000);
    assert.equal(paused.dueCount(10_000), 21);
  });

  it("refuses a negative or non-finite rate", () => {
    assert.throws(() => new ArrivalSchedule(0, -1), RangeError);
    assert.throws(() => new ArrivalSchedule(0, Number.NaN), RangeError);
    assert.throws(() => new ArrivalSchedule(0, 1).changeRate(5, Number.POSITIVE_INFINITY), RangeError);
  });
});
