import assert from "node:assert/strict";
import { test } from "node:test";
import { constant, task, User } from "../../../src/user/index.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

class Alpha extends User {
  override waitTime = constant(0.01);
  @task work() {}
}
class Beta extends User {
  override waitTime = constant(0.01);
  @task work() {}
}

test("applyUserClassCounts sets absolute per-class counts at once and starts the test once", async () => {
  const { runner, environment, logs } = makeRun([Alpha, Beta]);
  let starts = 0;
  environment.events.testStart.addListener(() => {
    starts += 1;
  });
  const states: string[] = [];
  runner.stateChanged.addListener((s) => {
    states.push(s);
  });
  await runner.applyUserClassCounts({ Alpha: 3, Beta: 1 });
  assert.deepEqual(runner.userClassesCount, { Alpha: 3, Beta: 1 });
  assert.equal(runner.state, "running");
  await runner.applyUserClassCounts({ Alpha: 5, Beta: 2 });
  assert.deepEqual(runner.userClassesCount, { Alpha: 5, Beta: 2 });
  // Down: counts drop at once (stopping users no longer count).
  await runner.applyUserClassCounts({ Alpha: 1 });
  assert.deepEqual(runner.userClassesCount, { Alpha: 1, Beta: 0 });
  await runner.applyUserClassCounts({ Alpha: 1, Gamma: 4 });
  assert.ok(logs.some((l) => l.level === "WARNING" && /Gamma/.test(l.message)));
  assert.equal(starts, 1);
  assert.deepEqual(states.slice(0, 2), ["spawning", "running"]);
  await runner.stopAndWait();
  assert.equal(runner.userCount, 0);
  // A new test after a stop starts again.
  await runner.applyUserClassCounts({ Beta: 2 });
  assert.equal(starts, 2);
  assert.ok(await waitFor(() => runner.userCount === 2));
  await sleep(20);
  await runner.quitAndWait();
});

test("applyUserClassCounts after quit is refused", async () => {
  const { runner } = makeRun([Alpha]);
  await runner.quitAndWait();
  await assert.rejects(runner.applyUserClassCounts({ Alpha: 1 }), /quit/);
});
