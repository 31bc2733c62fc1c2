/**
 * The master's --stop-timeout reaches its workers (in the spawn message, as Locust's
 * workers take it): users taken away by a lower count or by a stop finish the request
 * they are in, and it is counted. Real ZeroMQ, real HTTP, a slow target.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { startTarget } from "../../helpers/cli.js";
import { waitFor } from "../../helpers/env.js";
import { startCluster } from "./cluster-helpers.js";

test("a worker takes the master's stop timeout: in-flight requests of users stopped finish and are counted", async (t) => {
  // Each request takes 400 ms: a lower count or a stop always finds users mid-request.
  const target = await startTarget((_req, res) => {
    setTimeout(() => res.end("slow"), 400);
  });
  t.after(() => target.close());
  class Waiter extends HttpUser {
    override host = target.url;
    override waitTime = constant(0);
    @task async slow() {
      await this.client.get("/slow");
    }
  }
  const cluster = await startCluster({ stopTimeoutMs: 3000 }, [Waiter]);
  t.after(() => cluster.close());
  // The worker has no -s of its own: the master's is the one that counts.
  cluster.addWorker("host_1", { statsIntervalMs: 100 });
  await cluster.master.waitForWorkers(1, 10_000);

  await cluster.master.start(4, 100);
  assert.ok(await waitFor(() => target.requests >= 4, 5000), "four requests in flight");
  await cluster.master.start(2, 100);
  assert.ok(await waitFor(() => cluster.workers[0]!.runner.userCount === 2, 5000));
  await cluster.master.stopAndWait();
  const received = target.requests;
  // Every request the target received was answered and reported; none was cut off.
  assert.ok(
    await waitFor(() => cluster.master.environment.stats.total.numRequests === received, 5000),
    `the master counted ${cluster.master.environment.stats.total.numRequests} of the ${received} requests the target received`,
  );
  assert.equal(cluster.master.environment.stats.total.numFailures, 0);
});
