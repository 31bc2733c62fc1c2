// JavaScript can throw anything. A value that cannot be turned into a string
// (Object.create(null), a Proxy whose traps throw, an Error whose message getter throws)
// used to make the error report itself throw, and the user stopped for good.
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeThrown } from "../../../src/shared/thrown.js";
import { constant, task, User } from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error("trap");
    },
    getPrototypeOf() {
      throw new Error("trap");
    },
  },
);
const badMessage = Object.defineProperty(new Error(), "message", {
  get() {
    throw new Error("getter");
  },
});

it("describes any thrown value without throwing", () => {
  assert.equal(describeThrown(Object.create(null)), "a thrown object that cannot be turned into a string");
  assert.equal(describeThrown(hostile), "a thrown value that cannot be turned into a string");
  assert.equal(describeThrown(badMessage), "a thrown Error that cannot be turned into a string");
  assert.equal(describeThrown(new RangeError("r")), "RangeError: r");
  assert.equal(describeThrown(42), "42");
  assert.equal(describeThrown(undefined), "undefined");
});

it("a user that throws an un-stringifiable value keeps running its tasks", async (t) => {
  let runs = 0;
  const values = [Object.create(null), hostile, badMessage];
  class Thrower extends User {
    override waitTime = constant(0);
    @task boom() {
      throw values[runs++ % values.length];
    }
  }
  const { runner, environment } = makeRun([Thrower]);
  t.after(() => runner.quitAndWait());
  await runner.start(1, 100);
  assert.ok(await waitFor(() => runs >= 10, 5000), `the user ran ${runs} tasks`);
  const exceptions = environment.stats.snapshot(Date.now()).exceptions;
  assert.deepEqual(exceptions.map((row) => row.message).sort(), [
    "TypeError: a thrown value that cannot be turned into a string",
    "a thrown Error that cannot be turned into a string",
    "a thrown object that cannot be turned into a string",
  ]);
});
