import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  between,
  constant,
  constantPacing,
  constantThroughput,
  task,
  User,
} from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

describe("wait-time helpers", () => {
  it("between(a, b) stays within [a, b] and spreads over it", () => {
    const wait = between(1, 3);
    const values = Array.from({ length: 5000 }, () => wait.call(undefined));
    assert.ok(values.every((v) => v >= 1 && v <= 3));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 2) < 0.05, `mean ${mean}`);
    assert.ok(Math.min(...values) < 1.05 && Math.max(...values) > 2.95);
  });

  it("constant(s) always returns s", () => {
    assert.equal(constant(2.5).call(undefined), 2.5);
  });

  it("constantPacing subtracts the time the task took, never below zero", () => {
    const pacing = constantPacing(2);
    assert.equal(pacing.call(undefined, { taskStartedAtMs: 1000, nowMs: 1500 }), 1.5);
    assert.equal(pacing.call(undefined, { taskStartedAtMs: 1000, nowMs: 4000 }), 0);
  });

  it("constantThroughput(n) paces one task every 1/n s", () => {
    assert.equal(constantThroughput(4).call(undefined, { taskStartedAtMs: 0, nowMs: 50 }), 0.2);
  });

  it("rejects nonsense arguments with a message naming the helper", () => {
    assert.throws(() => between(3, 1), /between\(\): max/);
    assert.throws(() => constant(-1), /constant\(\)/);
    assert.throws(() => constantThroughput(0), /constantThroughput\(\)/);
  });

  it("constantPacing paces a running user's tasks (tasks of 20 ms every 100 ms)", async () => {
    const starts: number[] = [];
    class Paced extends User {
      override waitTime = constantPacing(0.1);
      @task async work() {
        starts.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const { runner } = makeRun([Paced]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => starts.length >= 6, 5000));
    await runner.quitAndWait();
    const gaps = starts.slice(1, 6).map((t, i) => t - starts[i]!);
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(meanGap > 90 && meanGap < 140, `mean gap ${meanGap} ms`);
  });
});
