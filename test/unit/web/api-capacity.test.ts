import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalRunner } from "../../../src/runner/index.js";
import { HttpUser, LoadTestShape, task } from "../../../src/user/index.js";
import type { FullUpdate } from "../../../src/web/api-types.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, startTarget, type Target } from "./helpers.js";

class Visit extends HttpUser {
  @task async ok() {
    await this.client.get("/ok");
  }
}

class Steps extends LoadTestShape {
  tick() {
    return { users: 1, spawnRate: 1 };
  }
}

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

describe("POST /swarm with find_capacity", () => {
  it("an arrival-rate search runs under the command line's --max-users and --max-queue-time, not an earlier test's", async () => {
    // --max-users 40 --max-queue-time 2s: set before the server starts, as main does.
    const run = await makeWebRun({
      userClasses: [Visit],
      runner: (environment) => {
        const runner = new LocalRunner(environment);
        runner.openModel = { maxUsers: 40, maxQueueMs: 2000 };
        return runner;
      },
    });
    const app = run.app;
    try {
      const earlier = await app.inject({
        method: "POST",
        url: "/swarm",
        payload: { arrival_rate: "5", max_users: "5", max_queue_time: "0", run_time: "1s", host: target.url },
      });
      assert.equal(earlier.statusCode, 200, earlier.body);
      assert.ok(await waitFor(() => run.runner.state === "stopped", 5000), run.runner.state);
      assert.deepEqual(run.runner.openModel, { maxUsers: 5, maxQueueMs: 0 });

      // A rate without the limits: the command line's, not the last test's.
      const bare = await app.inject({ method: "POST", url: "/swarm", payload: { arrival_rate: "5" } });
      assert.equal(bare.statusCode, 200, bare.body);
      assert.ok(await waitFor(() => run.runner.state === "running", 2000));
      assert.deepEqual(run.runner.openModel, { maxUsers: 40, maxQueueMs: 2000 });
      await run.runner.stopAndWait();

      run.runner.openModel = { maxUsers: 5, maxQueueMs: 0 };
      const search = await app.inject({
        method: "POST",
        url: "/swarm",
        payload: {
          find_capacity: "true",
          capacity_model: "arrival-rate",
          slo: "p95<300ms",
          capacity_start: "5",
          capacity_hold: "1s:2s",
          capacity_max: "5",
        },
      });
      assert.equal(search.statusCode, 200, search.body);
      assert.deepEqual(run.runner.openModel, { maxUsers: 40, maxQueueMs: 2000 });
      await run.runner.stopAndWait();
    } finally {
      await run.close();
    }
  });

  it("starts a search: the status carries its progress; edits and a second start are refused; Stop ends it", async () => {
    const run = await makeWebRun({ userClasses: [Visit] });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: {
          find_capacity: "true",
          slo: "p95<300ms, failRate<1%",
          capacity_start: "2",
          capacity_hold: "1s:2s",
          capacity_max: "4",
          host: target.url,
        },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.ok(await waitFor(() => run.runner.userCount === 2, 3000));
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json() as FullUpdate;
      const progress = state.status.capacity!;
      assert.equal(progress.running, true);
      assert.deepEqual(progress.slos, ["p95<300ms", "failRate<1%"]);
      assert.equal(progress.current?.load, 2);
      const edit = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 9, spawn_rate: 9 },
      });
      assert.equal(edit.statusCode, 409);
      assert.match(edit.json().message, /a capacity search sets the load of this test/);
      const again = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { find_capacity: true, slo: "p95<1s" },
      });
      assert.equal(again.statusCode, 409);
      assert.match(again.json().message, /a test is running: stop it before finding the capacity/);
      await run.app.inject({ method: "GET", url: "/stop" });
      assert.ok(await waitFor(() => run.environment.capacity?.result !== undefined, 3000));
      assert.equal(run.environment.capacity?.result?.ended, "stopped");
    } finally {
      await run.close();
    }
  });

  it("reports every bad field at once: SLOs, settings, a fixed load beside it, a load shape", async () => {
    const run = await makeWebRun({ userClasses: [Visit], host: target.url });
    try {
      const response = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: {
          find_capacity: "on",
          slo: ["p95 under 300", "rps<5"],
          capacity_growth: "double",
          capacity_hold: "1s:0.5s",
          capacity_start: "10",
          capacity_max: "5",
          user_count: "5",
        },
      });
      assert.equal(response.statusCode, 400);
      const fields = (response.json().errors as Array<{ field: string; message: string }>).map((e) => [
        e.field,
        e.message,
      ]);
      const has = (field: string, message: RegExp) =>
        assert.ok(
          fields.some(([f, m]) => f === field && message.test(m!)),
          `${field} ${message}: ${JSON.stringify(fields)}`,
        );
      has("slo", /cannot parse 'p95 under 300'/);
      has("slo", /rps is not a service level/);
      has("capacity_growth", /expected x FACTOR/);
      has("capacity_hold", /the maximum hold/);
      has("capacity_max", /the upper bound capacity_max 5 is below the start capacity_start 10/);
      has("user_count", /find_capacity searches the load itself: leave user_count out/);
      // A valid model beside a bad field: the SLOs are checked against that model, only the bad field is said.
      const startOnly = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: {
          find_capacity: "on",
          capacity_model: "arrival-rate",
          capacity_start: "abc",
          slo: "p95_intended<125ms",
        },
      });
      assert.equal(startOnly.statusCode, 400);
      assert.deepEqual(
        (startOnly.json().errors as Array<{ field: string }>).map((e) => e.field),
        ["capacity_start"],
      );
      const empty = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { find_capacity: "true" },
      });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.json().message, /slo is required/);
    } finally {
      await run.close();
    }
    const shaped = await makeWebRun({ userClasses: [Visit], host: target.url, shapeClass: Steps });
    try {
      const response = await shaped.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { find_capacity: "true", slo: "p95<300ms" },
      });
      assert.equal(response.statusCode, 400);
      assert.match(response.json().message, /a capacity search sets the load itself: choose no load shape/);
    } finally {
      await shaped.close();
    }
  });
});
