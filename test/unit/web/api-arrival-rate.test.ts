import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CliOptions } from "../../../src/cli/options.js";
import { buildReportMeta } from "../../../src/cli/report-meta.js";
import { LocalRunner } from "../../../src/runner/index.js";
import { EnvironmentError } from "../../../src/shared/errors.js";
import { HttpUser, task } from "../../../src/user/index.js";
import type { FullUpdate, IterationsResponse } from "../../../src/web/api-types.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, startTarget, type Target } from "./helpers.js";

/** One GET /ok per iteration. */
class Visit extends HttpUser {
  @task async ok() {
    await this.client.get("/ok");
  }
}

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

describe("POST /swarm with an arrival rate", () => {
  it("starts an arrival-rate test, shows it in the status and /api/iterations, changes its rate, refuses users meanwhile", async () => {
    const run = await makeWebRun({ userClasses: [Visit] });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { arrival_rate: "50", max_users: "7", max_queue_time: "0.5s", host: target.url },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.ok(await waitFor(() => target.requests >= 20, 5000), `${target.requests} requests`);
      assert.equal(run.runner.loadModel, "arrival-rate");
      assert.deepEqual(run.runner.openModel, { maxUsers: 7, maxQueueMs: 500 });
      // The caps alone: what they do, not "user_count is required".
      const capsAlone = await run.app.inject({ method: "POST", url: "/swarm", payload: { max_users: 3 } });
      assert.equal(capsAlone.statusCode, 400, capsAlone.body);
      assert.deepEqual(
        (capsAlone.json().errors as Array<{ field: string; message: string }>).map((e) => e.field),
        ["max_users"],
      );
      assert.match(capsAlone.body, /apply to a new arrival-rate test: stop this one to change them/);

      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json() as FullUpdate;
      assert.equal(state.status.loadModel, "arrival-rate");
      assert.equal(state.status.openModel?.targetRate, 50);
      assert.ok((state.status.openModel?.started ?? 0) >= 20);
      assert.equal(state.status.openModel?.dropped, 0);

      const users = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 2, spawn_rate: 1 },
      });
      assert.equal(users.statusCode, 409);
      assert.match(users.json().message, /an arrival-rate test is running/);

      const changed = await run.app.inject({ method: "POST", url: "/swarm", payload: { arrival_rate: 10 } });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().message, "Test changed");
      assert.ok(await waitFor(() => run.runner.arrivalRate === 10, 2000));
      // The caps belong to a new test: an edit that sends them is told they were kept.
      const capped = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { arrival_rate: 12, max_users: 3 },
      });
      assert.equal(capped.statusCode, 200, capped.body);
      assert.match(
        capped.json().message,
        /its arrival rate only \(max_users and max_queue_time apply to a new test/,
      );
      assert.deepEqual(run.runner.openModel, { maxUsers: 7, maxQueueMs: 500 });

      // The history sampler runs once a second: the session's series shows the test.
      assert.ok(
        await waitFor(() => run.environment.stats.history.sessionJSON().iterations !== undefined, 3000),
      );
      const series = (
        await run.app.inject({ method: "GET", url: "/api/iterations" })
      ).json() as IterationsResponse;
      assert.ok(series.iterations!.timeMs.length >= 1);
      assert.equal(series.iterations!.targetRate.length, series.iterations!.timeMs.length);

      // Stopped, the test asks for no iterations: the header's arrival rate reads 0, as its
      // user count does, not the last rate the test ran at.
      await run.app.inject({ method: "GET", url: "/stop" });
      assert.ok(await waitFor(() => run.runner.state === "stopped", 3000), run.runner.state);
      const stopped = (await run.app.inject({ method: "GET", url: "/api/state" })).json() as FullUpdate;
      assert.equal(stopped.status.openModel?.targetRate, 0);
      assert.ok((stopped.status.openModel?.started ?? 0) >= 20, "the stopped test's counts stay");
    } finally {
      await run.close();
    }
  });

  it("the report and the start form describe the arrival-rate test POST /swarm asked for, not the command line's", async () => {
    const run = await makeWebRun({ userClasses: [Visit] });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: {
          arrival_rate: "10:30",
          ramp: "3s",
          run_time: "1s",
          max_users: "7",
          max_queue_time: "0.5s",
          host: target.url,
        },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.ok(await waitFor(() => run.runner.state === "stopped", 5000), run.runner.state);
      // The command line asked for another rate and other limits: the report must not quote them.
      const commandLine = { arrivalRate: "20", maxUsers: 50, maxQueueTime: 2000 } as unknown as CliOptions;
      const meta = buildReportMeta({
        environment: run.environment,
        runner: run.runner,
        options: commandLine,
        locustfile: "locustfile.ts",
        flags: [],
        endTimeMs: null,
        nowMs: Date.now(),
      });
      assert.equal(meta.loadModel, "arrival-rate");
      assert.deepEqual(meta.arrivalRate, { from: 10, to: 30, rampMs: 3000 });
      assert.equal(meta.runTimeMs, 1000);
      assert.deepEqual(meta.openModel, { maxUsers: 7, maxQueueTimeMs: 500 });

      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json() as FullUpdate;
      assert.equal(state.status.lastTest?.runTime, "1s");
      assert.deepEqual(state.status.lastTest?.arrival, {
        arrivalRate: "10:30",
        ramp: "3s",
        maxUsers: 7,
        maxQueueTime: "0.5s",
      });
    } finally {
      await run.close();
    }
  });

  it("is refused in its answer, not only in the log, when the runner cannot run a rate (a master with Locust workers only)", async () => {
    class LocustWorkersOnly extends LocalRunner {
      override arrivalRateRefusal() {
        return new EnvironmentError(
          "CICADA_ERR_NO_CICADA_WORKER",
          "an arrival rate runs only on Cicada workers",
          {
            hint: "Start Cicada workers",
          },
        );
      }
    }
    const run = await makeWebRun({ userClasses: [Visit], runner: (env) => new LocustWorkersOnly(env) });
    try {
      const refused = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { arrival_rate: "50", host: target.url },
      });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.deepEqual(refused.json().success, false);
      assert.match(
        refused.json().message,
        /^an arrival rate runs only on Cicada workers\. Start Cicada workers$/,
      );
      assert.equal(run.runner.state, "ready");
    } finally {
      await run.close();
    }
  });

  it("reports every bad field at once, and refuses users with a rate", async () => {
    const run = await makeWebRun({ userClasses: [Visit], host: target.url });
    try {
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ arrival_rate: "0" }, "arrival_rate", /arrival_rate must be more than 0 iterations per second/],
        [{ arrival_rate: "-3" }, "arrival_rate", /must be more than 0/],
        [{ arrival_rate: "lots" }, "arrival_rate", /must be a number of iterations per second/],
        [{ arrival_rate: "1e309" }, "arrival_rate", /is too large to be a rate, got '1e309'/],
        [{ arrival_rate: "1:1e309", ramp: "1s" }, "arrival_rate", /is too large to be a rate/],
        [{ arrival_rate: "1e308" }, "arrival_rate", /give at most 1,000,000 iterations per second/],
        [{ ramp: "5s", user_count: "2", spawn_rate: "1" }, "ramp", /^ramp needs arrival_rate A:B/],
        [{ arrival_rate: "10:100" }, "ramp", /ramp is required/],
        [{ arrival_rate: "10", ramp: "30s" }, "ramp", /ramp needs a ramp in arrival_rate, A:B such as 0:10/],
        [{ ramp: "10s" }, "ramp", /^ramp needs arrival_rate A:B/],
        [{ arrival_rate: "10", max_users: "0" }, "max_users", /max_users must be a whole number from 1/],
        [
          { arrival_rate: "10", max_queue_time: "soon" },
          "max_queue_time",
          /max_queue_time must be a time span/,
        ],
        [{ arrival_rate: "10", user_count: "5" }, "user_count", /give user_count .* or arrival_rate/],
      ];
      for (const [payload, field, message] of cases) {
        const response = await run.app.inject({ method: "POST", url: "/swarm", payload });
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        const problem = (response.json().errors as Array<{ field: string; message: string }>).find(
          (e) => e.field === field,
        );
        assert.ok(problem, `${JSON.stringify(payload)}: ${response.body}`);
        assert.match(problem.message, message);
      }
      // A ramp alone is one mistake: not also "user_count is required".
      const rampAlone = await run.app.inject({ method: "POST", url: "/swarm", payload: { ramp: "10s" } });
      assert.deepEqual(
        (rampAlone.json().errors as Array<{ field: string }>).map((e) => e.field),
        ["ramp"],
      );
      assert.equal(run.runner.state, "ready", "nothing started");
    } finally {
      await run.close();
    }
  });
});
