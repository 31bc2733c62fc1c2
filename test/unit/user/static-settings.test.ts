import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  adoptStaticSettings,
  between,
  constant,
  createUser,
  HttpUser,
  TaskSet,
  task,
  User,
} from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

// docs/api.md: "Settings may be instance fields or static fields". The code reads instance
// fields; these tests fail if a static setting is not adopted by new instances.
describe("settings written as static fields", () => {
  it("a running user waits its static waitTime between tasks", async () => {
    const starts: number[] = [];
    class Paced extends User {
      static waitTime = constant(0.05);
      @task async work() {
        starts.push(performance.now());
      }
    }
    const { runner } = makeRun([Paced]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => starts.length >= 4, 5000));
    await runner.quitAndWait();
    const gaps = starts.slice(1, 4).map((t, i) => t - starts[i]!);
    assert.ok(
      gaps.every((gap) => gap >= 45),
      `gaps ${gaps.map((g) => g.toFixed(1)).join(", ")} ms`,
    );
  });

  it("a new user adopts static client settings, inherited ones too; a set instance field wins", () => {
    const { environment } = makeRun([]);
    class Base extends HttpUser {
      static networkTimeout = 7;
      static http2 = "auto" as const;
    }
    class Child extends Base {
      static responseTimeout = 9;
      override http2 = false as const;
    }
    const user = createUser(Child, environment) as Child;
    assert.equal(user.networkTimeout, 7);
    assert.equal(user.responseTimeout, 9);
    assert.equal(user.http2, false);
    assert.equal(Object.hasOwn(user, "abstract"), false);
  });

  it("a task set adopts its static waitTime", () => {
    const { environment } = makeRun([]);
    const wait = between(1, 2);
    class Browse extends TaskSet {
      static waitTime = wait;
    }
    const parent = createUser(User, environment);
    const set = adoptStaticSettings(new Browse(parent));
    assert.equal(set.waitTime, wait);
  });
});
