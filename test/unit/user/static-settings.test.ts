import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeUserClasses } from "../../../src/runner/user-classes.js";
import {
  adoptStaticSettings,
  between,
  constant,
  createUser,
  HttpUser,
  TaskSet,
  task,
  User,
  type UserClass,
} from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

// docs/api.md: "Settings may be instance fields or static fields". The code reads instance
// fields; these tests fail if a static setting is not adopted by new instances.
/** Runs one user of `cls` until its task started 4 times (`starts`), and checks it waited 50 ms between. */
async function assertPaced(cls: UserClass, starts: number[]): Promise<void> {
  const { runner } = makeRun([cls]);
  await runner.start(1, 10);
  assert.ok(await waitFor(() => starts.length >= 4, 5000));
  await runner.quitAndWait();
  const gaps = starts.slice(1, 4).map((t, i) => t - starts[i]!);
  assert.ok(
    gaps.every((gap) => gap >= 45),
    `gaps ${gaps.map((g) => g.toFixed(1)).join(", ")} ms`,
  );
}

describe("settings written as static fields", () => {
  it("a running user waits its static waitTime between tasks", async () => {
    const starts: number[] = [];
    class Paced extends User {
      static waitTime = constant(0.05);
      @task async work() {
        starts.push(performance.now());
      }
    }
    await assertPaced(Paced, starts);
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

describe("settings written as methods or getters", () => {
  it("a waitTime() method (Python's def wait_time(self)) paces the user; a getter host is read on the instance", async () => {
    const starts: number[] = [];
    class Paced extends User {
      // @ts-expect-error tsc refuses a method over the base's field; esbuild, which runs locustfiles, does not.
      override waitTime() {
        return 0.05;
      }
      @task async work() {
        starts.push(performance.now());
      }
    }
    await assertPaced(Paced, starts);
    const { environment } = makeRun([]);
    class Hosted extends HttpUser {
      // @ts-expect-error as above, for an accessor.
      override get host() {
        return `http://${this.environment === environment ? "same" : "other"}.example`;
      }
    }
    assert.equal(createUser(Hosted, environment).host, "http://same.example");
  });
});

describe("abstract", () => {
  it("as an instance field is refused with the static way: it cannot say which class it marks", () => {
    class Base extends HttpUser {
      abstract = true;
      @task async a() {}
    }
    class Real extends Base {}
    const { environment } = makeRun([]);
    assert.throws(
      () => describeUserClasses([Base, Real], environment, {}),
      /^TypeError: Base sets abstract as an instance field, which Cicada does not read: write static abstract = true/,
    );
  });
});
