/**
 * --max-users over the Cicada workers of an arrival-rate test: split exactly (their caps add
 * up to it, never more), each worker's rate in proportion to its users, workers with no
 * users at rate 0 (said once), and a worker whose share shrinks brings its users down.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { arrivalShares, describeUserSplit, splitUsers } from "../../../src/distributed/dispatch.js";
import type { Worker } from "../../../src/distributed/index.js";
import { task, User } from "../../../src/user/index.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { startCluster } from "./cluster-helpers.js";

/** Iterations of 150 ms: at these rates every user a worker may have is busy. */
class Busy extends User {
  @task async work() {
    await sleep(150);
  }
}

const FAST = { statsIntervalMs: 200, heartbeatIntervalMs: 200 };

test("--max-users is split exactly over the workers and the rate follows each worker's users", () => {
  for (let workers = 1; workers <= 7; workers++) {
    for (const maxUsers of [1, 2, 3, 5, 10, 11, 999, 1000]) {
      const ids = Array.from({ length: workers }, (_, i) => `w_${i}`);
      const shares = [
        ...arrivalShares(ids, { rate: 100, rampTo: 700, rampMs: 0, maxUsers, maxQueueMs: 0 }).values(),
      ];
      const users = shares.map((s) => s.max_users);
      assert.equal(
        users.reduce((a, b) => a + b, 0),
        maxUsers,
        `${maxUsers} over ${workers}: ${users}`,
      );
      assert.ok(Math.max(...users) - Math.min(...users) <= 1, `${maxUsers} over ${workers}: ${users}`);
      const rate = shares.reduce((sum, s) => sum + s.rate, 0);
      assert.ok(Math.abs(rate - 100) < 1e-9, `rates add up to ${rate}`);
      for (const share of shares) {
        // Iterations per second per user: the same on every worker as for the whole test.
        assert.ok(Math.abs(share.rate - (100 * share.max_users) / maxUsers) < 1e-9, JSON.stringify(share));
        assert.ok(
          Math.abs(share.rate_to! - (700 * share.max_users) / maxUsers) < 1e-9,
          JSON.stringify(share),
        );
      }
    }
  }
  const plan = { rate: 100, rampTo: undefined, rampMs: 0, maxUsers: 5, maxQueueMs: 0 };
  assert.deepEqual(
    [...arrivalShares(["a", "b"], plan).values()].map((s) => [s.max_users, s.rate]),
    [
      [3, 60],
      [2, 40],
    ],
  );
  assert.deepEqual(
    [...arrivalShares(["a", "b"], { ...plan, maxUsers: 1 }).values()].map((s) => [s.max_users, s.rate]),
    [
      [1, 100],
      [0, 0],
    ],
  );
  assert.deepEqual(splitUsers(7, 3), [3, 2, 2]);
  assert.equal(describeUserSplit([3, 3]), "up to 3 users each (6 in all)");
  assert.equal(describeUserSplit([1, 1]), "up to 1 user each (2 in all)");
  assert.equal(describeUserSplit([3, 2]), "up to 5 users in all (1 worker with 3 users, 1 with 2)");
  assert.equal(describeUserSplit([1, 0]), "up to 1 user in all (1 worker with 1 user, 1 with none)");
  assert.equal(
    describeUserSplit([34, 34, 33]),
    "up to 101 users in all (2 workers with 34 users, 1 with 33)",
  );
  assert.equal(describeUserSplit([1]), "up to 1 user");
});

/** Samples the users alive on `workers` every 10 ms for `ms`: the largest total seen. */
async function peakUsers(workers: Worker[], ms: number): Promise<number> {
  let peak = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    peak = Math.max(
      peak,
      workers.reduce((sum, w) => sum + w.runner.userCount, 0),
    );
    await sleep(10);
  }
  return peak;
}

test("master + 2 workers, --max-users 5: caps of 3 and 2 with 60 and 40 iterations/s, never more than 5 users alive", {
  timeout: 30_000,
}, async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 3 }, [Busy]);
  t.after(() => cluster.close());
  const [a, b] = [cluster.addWorker("h_1", FAST), cluster.addWorker("h_2", FAST)];
  await cluster.master.waitForWorkers(2, 10_000);
  cluster.master.openModel = { maxUsers: 5, maxQueueMs: 0 };
  await cluster.master.startArrivalRate({ rate: 100 });
  assert.ok(
    await waitFor(() => a!.runner.arrivalRate === 60 && b!.runner.arrivalRate === 40, 5000),
    `rates ${a!.runner.arrivalRate} and ${b!.runner.arrivalRate}`,
  );
  assert.deepEqual([a!.runner.openModel.maxUsers, b!.runner.openModel.maxUsers], [3, 2]);
  // 100/s of 150 ms iterations would need 15 users: every worker fills its cap.
  assert.ok(
    await waitFor(() => a!.runner.userCount === 3 && b!.runner.userCount === 2, 5000),
    `${a!.runner.userCount} and ${b!.runner.userCount} users`,
  );
  const peak = await peakUsers([a!, b!], 500);
  assert.ok(peak <= 5, `${peak} users alive over the cluster for --max-users 5`);
  assert.ok(
    await waitFor(() => cluster.master.userCount === 5, 3000),
    `the master counts ${cluster.master.userCount} users`,
  );
  assert.ok(
    cluster.masterLogs.some(
      (l) =>
        l.message ===
        "Sending 100 iterations per second to 2 Cicada workers, up to 5 users in all (1 worker with 3 users, 1 with 2); each worker's share of the rate follows its users",
    ),
    cluster.masterLogs.map((l) => l.message).join("\n"),
  );
  await cluster.master.stopAndWait();
});

test("master + 2 workers, --max-users 1: one worker runs the whole rate on 1 user, the other gets 0 users and rate 0, said once", {
  timeout: 30_000,
}, async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 3 }, [Busy]);
  t.after(() => cluster.close());
  const [a, b] = [cluster.addWorker("h_1", FAST), cluster.addWorker("h_2", FAST)];
  await cluster.master.waitForWorkers(2, 10_000);
  cluster.master.openModel = { maxUsers: 1, maxQueueMs: 0 };
  await cluster.master.startArrivalRate({ rate: 20 });
  assert.ok(
    await waitFor(() => a!.runner.arrivalRate === 20 && b!.runner.arrivalRate === 0, 5000),
    `rates ${a!.runner.arrivalRate} and ${b!.runner.arrivalRate}`,
  );
  assert.deepEqual([a!.runner.openModel.maxUsers, b!.runner.openModel.maxUsers], [1, 0]);
  cluster.master.setArrivalRate(30);
  assert.ok(await waitFor(() => a!.runner.arrivalRate === 30 && b!.runner.arrivalRate === 0, 5000));
  const peak = await peakUsers([a!, b!], 400);
  assert.equal(peak, 1, "one user over the cluster");
  assert.equal(b!.runner.userCount, 0);
  const messages = cluster.masterLogs.map((l) => l.message);
  assert.ok(
    messages.includes(
      "Sending 20 iterations per second to 2 Cicada workers, up to 1 user in all (1 worker with 1 user, 1 with none); each worker's share of the rate follows its users",
    ),
    messages.join("\n"),
  );
  const idle = cluster.masterLogs.filter((l) => /gets no users/.test(l.message));
  assert.equal(idle.length, 1, "said once, though the rate was sent again");
  assert.equal(idle[0]!.level, "WARNING");
  assert.equal(
    idle[0]!.message,
    "--max-users 1 is fewer than the 2 Cicada workers: worker h_2 gets no users and no share of the arrival rate (rate 0); " +
      "the rate runs on the other worker. Raise --max-users or run fewer workers to use them",
  );
  // No worker says it runs iterations on 0 users.
  assert.ok(!cluster.workerLogs[1]!.some((l) => /up to 0 users/.test(l.message)));
  await cluster.master.stopAndWait();
});

test("a worker joining splits --max-users again: the first worker's users above its new cap are retired, the cluster keeps to the cap", {
  timeout: 30_000,
}, async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 3 }, [Busy]);
  t.after(() => cluster.close());
  const a = cluster.addWorker("h_1", FAST);
  await cluster.master.waitForWorkers(1, 10_000);
  cluster.master.openModel = { maxUsers: 4, maxQueueMs: 0 };
  await cluster.master.startArrivalRate({ rate: 100 });
  assert.ok(await waitFor(() => a.runner.userCount === 4, 5000), `${a.runner.userCount} users`);
  const b = cluster.addWorker("h_2", FAST);
  assert.ok(
    await waitFor(() => a.runner.arrivalRate === 50 && b.runner.arrivalRate === 50, 5000),
    `rates ${a.runner.arrivalRate} and ${b.runner.arrivalRate}`,
  );
  assert.deepEqual([a.runner.openModel.maxUsers, b.runner.openModel.maxUsers], [2, 2]);
  // h_1's users above 2 end with their iteration (150 ms); h_2 fills its 2.
  assert.ok(
    await waitFor(() => a.runner.userCount === 2 && b.runner.userCount === 2, 3000),
    `${a.runner.userCount} and ${b.runner.userCount} users`,
  );
  const peak = await peakUsers([a, b], 500);
  assert.ok(peak <= 4, `${peak} users alive over the cluster for --max-users 4`);
  await cluster.master.stopAndWait();
});
