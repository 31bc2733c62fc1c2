import assert from "node:assert/strict";
import { test } from "node:test";
import { dispatchUsers, nextRampCount, orderWorkers, rampPlan } from "../../../src/distributed/index.js";
import { SpawnSequence } from "../../../src/runner/index.js";

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

test("workers are ordered so consecutive ones are on different machines", () => {
  const ids = ["a_3", "a_1", "b_2", "a_2", "c_1", "b_1"];
  assert.deepEqual(orderWorkers(ids), ["a_1", "b_1", "c_1", "a_2", "b_2", "a_3"]);
});

test("users split by weight over workers round-robin, every class present, totals exact", () => {
  const sequence = new SpawnSequence([
    { name: "A", weight: 3, fixedCount: 0 },
    { name: "B", weight: 1, fixedCount: 0 },
  ]);
  const plan = dispatchUsers(["w1", "w2", "w3"], sequence, ["A", "B"], 10);
  const all = [...plan.values()];
  assert.deepEqual(
    all.map((c) => sum(c)),
    [4, 3, 3],
  );
  // 3:1 of 10 → 7.5; Locust's order (A B A A A B A A A B) gives 7 A and 3 B.
  assert.equal(
    all.reduce((n, c) => n + c.A!, 0),
    7,
  );
  assert.equal(
    all.reduce((n, c) => n + c.B!, 0),
    3,
  );
  for (const counts of all) assert.deepEqual(Object.keys(counts), ["A", "B"]);
});

test("fixedCount classes are dispatched first and capped", () => {
  const sequence = new SpawnSequence([
    { name: "Admin", weight: 1, fixedCount: 2 },
    { name: "Visitor", weight: 1, fixedCount: 0 },
  ]);
  const two = dispatchUsers(["w1", "w2"], sequence, ["Admin", "Visitor"], 2);
  assert.deepEqual(
    [...two.values()],
    [
      { Admin: 1, Visitor: 0 },
      { Admin: 1, Visitor: 0 },
    ],
  );
  const many = dispatchUsers(["w1", "w2"], sequence, ["Admin", "Visitor"], 9);
  assert.equal(
    [...many.values()].reduce((n, c) => n + c.Admin!, 0),
    2,
  );
  assert.equal(
    [...many.values()].reduce((n, c) => n + c.Visitor!, 0),
    7,
  );
});

test("ramping down removes the newest users: no worker/class count ever grows on the way down", () => {
  const sequence = new SpawnSequence([
    { name: "A", weight: 5, fixedCount: 0 },
    { name: "B", weight: 2, fixedCount: 0 },
    { name: "C", weight: 1, fixedCount: 0 },
  ]);
  const workers = orderWorkers(["x_1", "x_2", "y_1"]);
  let previous = dispatchUsers(workers, sequence, ["A", "B", "C"], 50);
  for (let n = 49; n >= 0; n--) {
    const next = dispatchUsers(workers, sequence, ["A", "B", "C"], n);
    let removed = 0;
    for (const id of workers) {
      for (const name of ["A", "B", "C"]) {
        const diff = previous.get(id)![name]! - next.get(id)![name]!;
        assert.ok(diff >= 0, `${id}.${name} grew going from ${n + 1} to ${n}`);
        removed += diff;
      }
    }
    assert.equal(removed, 1);
    previous = next;
  }
});

test("with no workers nothing is dispatched", () => {
  const sequence = new SpawnSequence([{ name: "A", weight: 1, fixedCount: 0 }]);
  assert.equal(dispatchUsers([], sequence, ["A"], 5).size, 0);
});

test("ramp pacing follows Locust: max(1, floor(rate)) users per step", () => {
  assert.deepEqual(rampPlan(10), { usersPerStep: 10, intervalMs: 1000 });
  assert.deepEqual(rampPlan(2.5), { usersPerStep: 2, intervalMs: 800 });
  assert.deepEqual(rampPlan(0.5), { usersPerStep: 1, intervalMs: 2000 });
  assert.equal(nextRampCount(0, 25, 10), 10);
  assert.equal(nextRampCount(20, 25, 10), 25);
  assert.equal(nextRampCount(25, 3, 10), 15);
  assert.equal(nextRampCount(5, 3, 10), 3);
});
