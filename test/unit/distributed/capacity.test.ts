/**
 * A capacity search on a master: the search runs on the master's runner, the workers only
 * follow the user counts it sends, and the steps are judged from their merged reports.
 * Real ZeroMQ, real HTTP users, the known-capacity target; workers report every 250 ms
 * (3 s in real runs, where each step is held longer: runner-probe.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startCapacityServer, trueCapacity } from "../../../bench/targets/capacity-server.mjs";
import { CapacitySearch, runnerProbe } from "../../../src/runner/index.js";
import type { CapacityResult, CapacitySettings } from "../../../src/shared/capacity.js";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { startCluster } from "./cluster-helpers.js";

test("a search on a master: workers follow its steps; the answer is the target's capacity within ±20 %", async (t) => {
  const target = await startCapacityServer({ slots: 20, serviceMs: 100 });
  t.after(() => target.close());
  class Visitor extends HttpUser {
    override host = target.url;
    override waitTime = constant(0);
    @task async home() {
      await this.client.get("/");
    }
  }
  const cluster = await startCluster({}, [Visitor]);
  t.after(() => cluster.close());
  cluster.addWorker("host_1", { statsIntervalMs: 250 });
  cluster.addWorker("host_2", { statsIntervalMs: 250 });
  await cluster.master.waitForWorkers(2, 10_000);

  const settings: CapacitySettings = {
    model: "users",
    slos: [
      { expression: "p95<250ms", metric: { kind: "percentile", percentile: 95 }, operator: "<", limit: 250 },
    ],
    start: 30,
    growth: { kind: "multiply", factor: 2 },
    max: 1000,
    minHoldMs: 1000,
    maxHoldMs: 3000,
    precision: 0.1,
  };
  // A step shows in the master's stats one report after the workers reached it.
  const search = new CapacitySearch({
    settings,
    probe: runnerProbe(cluster.master, settings),
    settleMs: 400,
  });
  const finished = new Promise<CapacityResult>((resolve) => search.finished.addListener(resolve));
  const usersSeen = new Set<string>();
  const watch = setInterval(() => {
    usersSeen.add(cluster.workers.map((w) => w.runner.userCount).join("+"));
  }, 100);
  t.after(() => clearInterval(watch));
  search.start();
  const result = await finished;

  const truth = trueCapacity({ model: "users", slots: 20, serviceMs: 100, p95LimitMs: 250 });
  const steps = JSON.stringify(result.steps.map((s) => [s.load, s.p95Ms, s.reason]));
  assert.equal(result.outcome, "found", steps);
  // ±20 %, not the search's 10 % precision: to bracket 50 users within 10 % the search must
  // pass a step of 46 (p95 230 ms for the 250 ms SLO), and here the target, the master, both
  // workers and every user share one event loop: with that loop held up to 60 ms now and then
  // (a busy machine), the step broke and the search found 42 in 6 runs of 8. A wrong merge is
  // far off (one worker's reports: half the rate). The 10 % accuracy is proven through the
  // real CLI, in a process of its own (e2e/capacity.test.ts).
  assert.ok(
    Math.abs(result.capacity! - truth.load) <= 0.2 * truth.load,
    `found ${result.capacity} users, expected ${truth.load} ± 20 %: ${steps}`,
  );
  // Each worker ran half of the search's users at its steps (30 = 15 + 15, 60 = 30 + 30).
  assert.ok(usersSeen.has("15+15") && usersSeen.has("30+30"), [...usersSeen].join(", "));
  // The master's merged stats are what the steps were judged on: one worker's reports alone
  // would be half the target's rate. ±30 %: with the shared loop held up to 60 ms now and then,
  // a step's rate read 152/s and 227/s for 200/s (reports of 250 ms arriving late or bunched).
  const rps = result.best!.rps;
  assert.ok(Math.abs(rps - truth.rps) <= 0.3 * truth.rps, `${rps} req/s for ${truth.rps}`);
  assert.ok(["stopping", "stopped"].includes(cluster.master.state), "the search stops the test when it ends");
});
