import assert from "node:assert/strict";
import { test } from "node:test";
import { dispatchUsers, orderWorkers } from "../../../src/distributed/index.js";
import { encodeMessage } from "../../../src/distributed/protocol.js";
import { SpawnSequence } from "../../../src/runner/index.js";
import { constant, task, User } from "../../../src/user/index.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { rawPeer, startCluster, VERSION, workerTotals } from "./cluster-helpers.js";

test("master + 3 workers: users split by class and worker as dispatched, totals exact", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const ids = ["hosta_1", "hosta_2", "hostb_1"];
  for (const id of ids) cluster.addWorker(id);
  await cluster.master.waitForWorkers(3, 10_000);
  await cluster.master.start(12, 100);
  assert.equal(cluster.master.state, "running");
  // hostb_1 is second in dispatch order: machines first.
  assert.deepEqual(orderWorkers(ids), ["hosta_1", "hostb_1", "hosta_2"]);
  const expected = dispatchUsers(
    orderWorkers(ids),
    new SpawnSequence([
      { name: "Alpha", weight: 3, fixedCount: 0 },
      { name: "Beta", weight: 1, fixedCount: 0 },
    ]),
    ["Alpha", "Beta"],
    12,
  );
  for (const worker of cluster.workers) {
    assert.deepEqual(worker.runner.userClassesCount, expected.get(worker.nodeId));
  }
  assert.deepEqual(cluster.master.userClassesCount, { Alpha: 9, Beta: 3 });
  const summaries = cluster.master.workers();
  assert.equal(summaries.length, 3);
  assert.ok(summaries.every((w) => w.state === "running" && w.userCount === 4));
  await sleep(1500);
  await cluster.master.quitAndWait();
  const ends = await Promise.all(cluster.workers.map((w) => w.finished));
  assert.ok(ends.every((e) => e.reason === "quit"));
  const totals = workerTotals(cluster.workers);
  const merged = cluster.master.environment.stats.total;
  assert.ok(totals.requests > 100, `only ${totals.requests} requests`);
  assert.equal(merged.numRequests, totals.requests);
  assert.equal(merged.numFailures, totals.failures);
  // Beta's rows and errors merged too, with Cicada's exact histogram.
  const beta = cluster.master.environment.stats.get("GET", "/beta")!;
  assert.equal(beta.numFailures, totals.failures);
  assert.equal(beta.percentile(0.5), 120);
  const errors = cluster.master.environment.stats.snapshot(Date.now()).errors;
  assert.deepEqual(
    errors.map((e) => [e.name, e.error, e.occurrences]),
    [["/beta", "boom", totals.failures]],
  );
  // The master counted each worker's reports: they add up to the merged total.
  const byWorker = [...cluster.master.reportedByWorker().values()];
  assert.equal(
    byWorker.reduce((n, s) => n + s.requests, 0),
    totals.requests,
  );
});

test("the ramp runs at the spawn rate across all workers, one step a second", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  cluster.addWorker("h_1");
  cluster.addWorker("h_2");
  await cluster.master.waitForWorkers(2, 10_000);
  const seen: number[] = [];
  const sample = () => {
    const n = cluster.workers.reduce((sum, w) => sum + w.runner.userCount, 0);
    if (seen.at(-1) !== n) seen.push(n);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  await cluster.master.start(6, 2); // 2 users every second: 2, 4, 6
  const rampSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  assert.ok(rampSeconds >= 1.8 && rampSeconds < 5, `ramp took ${rampSeconds} s`);
  // Each step reaches the two workers a moment apart: on a busy machine the sampler may see
  // one worker's new count before the other's (2 + 3 = 5). The steps are what matters.
  const counts = seen.filter((n) => n > 0);
  assert.ok(
    counts.every((n, i) => i === 0 || n > counts[i - 1]!),
    `the count only grows: ${counts}`,
  );
  for (const step of [2, 4, 6]) assert.ok(counts.includes(step), `step ${step} in ${counts}`);
  assert.equal(counts.at(-1), 6);
  // Ramp down newest first, same pacing.
  await cluster.master.start(2, 100);
  assert.ok(await waitFor(() => cluster.master.userCount === 2, 3000));
});

test("stop, then start again, then quit", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  cluster.addWorker("h_1");
  cluster.addWorker("h_2");
  await cluster.master.waitForWorkers(2, 10_000);
  await cluster.master.start(4, 100);
  await sleep(300);
  await cluster.master.stopAndWait();
  assert.equal(cluster.master.state, "stopped");
  assert.ok(cluster.workers.every((w) => w.runner.userCount === 0));
  const afterStop = cluster.master.environment.stats.total.numRequests;
  assert.equal(afterStop, workerTotals(cluster.workers).requests, "a stop delivers everything measured");
  assert.ok(await waitFor(() => cluster.master.liveWorkers().length === 2, 3000), "workers ready again");
  await cluster.master.start(2, 100);
  assert.equal(cluster.master.state, "running");
  assert.equal(
    cluster.master.environment.stats.total.numRequests < afterStop,
    true,
    "a new test resets the stats",
  );
  await sleep(300);
  await cluster.master.quitAndWait();
  const ends = await Promise.all(cluster.workers.map((w) => w.finished));
  assert.deepEqual(
    ends.map((e) => e.reason),
    ["quit", "quit"],
  );
});

test("a worker joining mid-test gets users (rebalancing); with --disable-rebalancing it does not", async (t) => {
  for (const rebalancing of [true, false]) {
    const cluster = await startCluster({ rebalancing });
    t.after(() => cluster.close());
    cluster.addWorker("h_1");
    await cluster.master.waitForWorkers(1, 10_000);
    await cluster.master.start(4, 100);
    const late = cluster.addWorker("h_2");
    await cluster.master.waitForWorkers(2, 10_000);
    if (rebalancing)
      assert.ok(await waitFor(() => late.runner.userCount === 2, 5000), "the new worker got users");
    else await sleep(500);
    assert.equal(late.runner.userCount, rebalancing ? 2 : 0, `rebalancing ${rebalancing}`);
    assert.equal(cluster.workers[0]!.runner.userCount, rebalancing ? 2 : 4);
    await cluster.close();
  }
});

test("a worker that quits mid-test hands its users to the others; the last one leaving stops the test", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const first = cluster.addWorker("h_1");
  const second = cluster.addWorker("h_2");
  await cluster.master.waitForWorkers(2, 10_000);
  await cluster.master.start(6, 100);
  await sleep(200);
  await first.shutdown();
  assert.ok(
    await waitFor(() => second.runner.userCount === 6, 3000),
    `second has ${second.runner.userCount}`,
  );
  await second.shutdown();
  assert.ok(await waitFor(() => cluster.master.state === "stopped", 3000));
  assert.equal(cluster.master.environment.stats.total.numRequests, workerTotals(cluster.workers).requests);
});

test("a worker of another Cicada version is refused with a clear reason", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const worker = cluster.addWorker("h_1", { wireVersion: "cicada-9.9.9" });
  const end = await worker.finished;
  assert.equal(end.reason, "refused");
  assert.match(
    end.reason === "refused" ? end.message : "",
    /master runs Cicada 0\.0\.0-test and this worker runs 9\.9\.9/,
  );
  assert.equal(cluster.master.workers().length, 0);
});

test("exceptions thrown by users on workers reach the master's exceptions table with the worker's id", async (t) => {
  class Thrower extends User {
    override waitTime = constant(0.05);
    @task work() {
      throw new TypeError("cart is undefined");
    }
  }
  const cluster = await startCluster({}, [Thrower]);
  t.after(() => cluster.close());
  cluster.addWorker("h_1");
  await cluster.master.waitForWorkers(1, 5000);
  await cluster.master.start(1, 100);
  const table = () => cluster.master.environment.stats.snapshot(Date.now()).exceptions;
  assert.ok(await waitFor(() => table().length > 0, 3000));
  const [row] = table();
  assert.match(row!.message, /cart is undefined/);
  assert.match(row!.traceback, /TypeError: cart is undefined/);
  assert.deepEqual(row!.nodes, ["h_1"]);
});

test("a worker that quits: the master counts the workers still connected, a stopped one too", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const port = cluster.master.port;
  // Two raw workers: one reports its test stopped and stays connected, the other quits.
  const stopped = rawPeer(t, port, "stopped_1");
  const leaving = rawPeer(t, port, "leaving_1");
  for (const [peer, id] of [
    [stopped, "stopped_1"],
    [leaving, "leaving_1"],
  ] as const) {
    await peer.dealer.send(encodeMessage("client_ready", VERSION, id));
    assert.ok(await waitFor(() => peer.replies.includes("ack"), 3000));
  }
  await stopped.dealer.send(encodeMessage("client_stopped", null, "stopped_1"));
  await leaving.dealer.send(encodeMessage("quit", null, "leaving_1"));
  const quit = () => cluster.masterLogs.find((r) => /^Worker leaving_1 .* quit\./.test(r.message))?.message;
  assert.ok(await waitFor(() => quit() !== undefined, 3000));
  // It said "0 worker(s) left": a stopped worker is not live, but it is still there.
  assert.match(quit()!, / quit\. 1 worker\(s\) left\.$/);
});
