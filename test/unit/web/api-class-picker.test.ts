/** POST /swarm with --class-picker: user_classes and shape_class choose what the next test runs. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { constant, HttpUser, LoadTestShape, task } from "../../../src/user/index.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, startTarget, type Target, type WebRun } from "./helpers.js";

class AlphaUser extends HttpUser {
  override waitTime = constant(0.05);
  @task async alpha() {
    await this.client.get("/ok", { name: "alpha" });
  }
}

class BetaUser extends HttpUser {
  override waitTime = constant(0.05);
  @task async beta() {
    await this.client.get("/ok", { name: "beta" });
  }
}

class TwoUsers extends LoadTestShape {
  tick() {
    return this.getRunTime() < 30 ? { users: 2, spawnRate: 100 } : null;
  }
}

class ThreeUsers extends LoadTestShape {
  tick() {
    return { users: 3, spawnRate: 100 };
  }
}

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };

function picker(classPicker = true): Promise<WebRun> {
  return makeWebRun({
    userClasses: [AlphaUser, BetaUser],
    host: target.url,
    shapeClass: TwoUsers,
    availableShapeClasses: [TwoUsers, ThreeUsers],
    web: { classPicker },
  });
}

const requestsOf = (run: WebRun, name: string) => run.environment.stats.get("GET", name)?.numRequests ?? 0;

describe("POST /swarm with --class-picker", () => {
  it("runs only the chosen classes; they change only between tests", async () => {
    const run = await picker();
    try {
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.meta.classPicker, true);
      assert.deepEqual(state.meta.userClasses, ["AlphaUser", "BetaUser"]);
      assert.deepEqual(state.meta.shapeClasses, ["TwoUsers", "ThreeUsers"]);

      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 2, spawn_rate: 100, user_classes: ["BetaUser"] },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.deepEqual(started.json(), {
        success: true,
        message: "Swarming started",
        host: target.url,
        user_classes: ["BetaUser"],
      });
      assert.ok(await waitFor(() => requestsOf(run, "beta") >= 5, 5000));
      assert.equal(requestsOf(run, "alpha"), 0);
      assert.deepEqual(run.runner.userClassesCount, { AlphaUser: 0, BetaUser: 2 });
      // No shape was chosen (Locust's "Default"), although the locustfile's first shape is TwoUsers.
      assert.equal(run.environment.shapeClass, undefined);

      const switched = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 2, spawn_rate: 100, user_classes: ["AlphaUser"] },
      });
      assert.equal(switched.statusCode, 409);
      assert.match(switched.json().message, /user classes cannot change while a test runs .*BetaUser/);

      const edited = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 3, spawn_rate: 100 },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.ok(await waitFor(() => run.runner.userCount === 3, 5000));
      assert.deepEqual(run.runner.userClassesCount, { AlphaUser: 0, BetaUser: 3 });

      await run.runner.stopAndWait();
      const both = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: FORM,
        payload: "user_count=4&spawn_rate=100&user_classes=AlphaUser&user_classes=BetaUser",
      });
      assert.equal(both.statusCode, 200, both.body);
      assert.deepEqual(both.json().user_classes, ["AlphaUser", "BetaUser"]);
      assert.ok(await waitFor(() => requestsOf(run, "alpha") > 0 && requestsOf(run, "beta") > 0, 5000));
      assert.ok(await waitFor(() => run.runner.userCount === 4, 5000));
      assert.deepEqual(run.runner.userClassesCount, { AlphaUser: 2, BetaUser: 2 });
    } finally {
      await run.close();
    }
  });

  const refused: Array<{ title: string; payload: string | Record<string, unknown>; message: RegExp }> = [
    {
      title: "an unknown class",
      payload: { user_count: 1, spawn_rate: 1, user_classes: ["BetaUser", "Nobody"] },
      message:
        /user_classes names no user class of this locustfile: Nobody \(this locustfile has AlphaUser, BetaUser\)/,
    },
    {
      title: "an empty JSON list",
      payload: { user_count: 1, spawn_rate: 1, user_classes: [] },
      message: /user_classes chose no user class: choose at least one/,
    },
    {
      title: "an empty form field",
      payload: "user_count=1&spawn_rate=1&user_classes=",
      message: /user_classes chose no user class/,
    },
    {
      title: "an unknown shape",
      payload: { user_count: 1, spawn_rate: 1, shape_class: "Sine" },
      message:
        /shape_class names no LoadTestShape of this locustfile: 'Sine' \(choose one of: Default, TwoUsers, ThreeUsers/,
    },
  ];
  for (const { title, payload, message } of refused) {
    it(`refuses ${title} with 400, starting nothing`, async () => {
      const run = await picker();
      try {
        const response = await run.app.inject({
          method: "POST",
          url: "/swarm",
          ...(typeof payload === "string" ? { headers: FORM } : {}),
          payload,
        });
        assert.equal(response.statusCode, 400, response.body);
        const body = response.json();
        assert.equal(body.success, false);
        assert.match(body.message, message);
        assert.ok(body.errors.length === 1 && /^(user|shape)_class/.test(body.errors[0].field));
        assert.equal(run.runner.state, "ready");
      } finally {
        await run.close();
      }
    });
  }

  it("follows the chosen load shape, with the chosen classes", async () => {
    const run = await picker();
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { shape_class: "ThreeUsers", user_classes: ["AlphaUser"] },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.equal(started.json().message, "Swarming started using shape class");
      assert.ok(await waitFor(() => run.runner.userCount === 3, 5000));
      assert.deepEqual(run.runner.userClassesCount, { AlphaUser: 3, BetaUser: 0 });
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.meta.shapeClass, "ThreeUsers");
      assert.deepEqual(state.meta.activeUserClasses, ["AlphaUser"]);
    } finally {
      await run.close();
    }
  });
});

describe("POST /swarm without --class-picker", () => {
  it("ignores user_classes and shape_class, as Locust does", async () => {
    const run = await makeWebRun({ userClasses: [AlphaUser, BetaUser], host: target.url });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 2, spawn_rate: 100, user_classes: ["BetaUser", "Nobody"], shape_class: "X" },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.deepEqual(started.json(), { success: true, message: "Swarming started", host: target.url });
      assert.ok(await waitFor(() => requestsOf(run, "alpha") > 0 && requestsOf(run, "beta") > 0, 5000));
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.meta.classPicker, false);
    } finally {
      await run.close();
    }
  });
});
