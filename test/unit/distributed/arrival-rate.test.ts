import assert from "node:assert/strict";
import { test } from "node:test";
import {
  arrivalShares,
  decodeMasterMessage,
  decodeWorkerMessage,
  encodeMessage,
  WorkerStatsReporter,
} from "../../../src/distributed/index.js";
import { readStatsFrame } from "../../../src/distributed/stats-frame.js";
import { formatIterations } from "../../../src/reports/console.js";
import { Environment } from "../../../src/runner/index.js";
import { task, User } from "../../../src/user/index.js";
import { RowBuilder } from "../../../src/web/rows.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { rawPeer, startCluster, VERSION } from "./cluster-helpers.js";

/** One "request" per iteration, carrying its intended start as a custom protocol's event would. */
class Iterating extends User {
  @task work() {
    const now = performance.timeOrigin + performance.now();
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/it",
      responseTimeMs: 2,
      responseLength: 0,
      startTimeMs: now - 2,
      intendedStartMs: this.intendedStartMs,
    });
  }
}

test("arrivalShares splits the rate, its ramp and --max-users evenly over the workers", () => {
  const shares = arrivalShares(["a", "b", "c"], {
    rate: 90,
    rampTo: 300,
    rampMs: 5000,
    maxUsers: 12,
    maxQueueMs: 1000,
  });
  assert.deepEqual(shares.get("b"), { rate: 30, rate_to: 100, ramp_s: 5, max_users: 4, max_queue_s: 1 });
  assert.equal(
    [...shares.values()].reduce((sum, s) => sum + s.rate, 0),
    90,
  );
  assert.equal(
    arrivalShares([], { rate: 1, rampTo: undefined, rampMs: 0, maxUsers: 1, maxQueueMs: 0 }).size,
    0,
  );
});

test("a spawn's cicada_arrival and a report's cicada_iterations and cicada_intended cross the wire; both stats decoders agree", () => {
  const spawn = decodeMasterMessage(
    encodeMessage(
      "spawn",
      {
        timestamp: 1,
        user_classes_count: { Iterating: 0 },
        host: null,
        stop_timeout: null,
        parsed_options: {},
        cicada_arrival: { rate: 12.5, rate_to: null, ramp_s: 0, max_users: 3, max_queue_s: 0.5 },
      },
      "master",
    ),
  );
  assert.ok(spawn.ok && spawn.message.type === "spawn");
  assert.deepEqual(spawn.message.data.cicada_arrival, {
    rate: 12.5,
    rate_to: null,
    ramp_s: 0,
    max_users: 3,
    max_queue_s: 0.5,
  });
  const bad = decodeMasterMessage(
    encodeMessage("spawn", { timestamp: 1, user_classes_count: {}, cicada_arrival: { rate: -1 } }, "m"),
  );
  assert.ok(!bad.ok && bad.kind === "malformed");

  const environment = new Environment({ userClasses: [Iterating] });
  const reporter = new WorkerStatsReporter(environment);
  environment.stats.iterations.setTargetRate(10);
  environment.stats.iterations.countScheduled(3);
  environment.stats.iterations.countStarted(Date.now());
  environment.stats.iterations.countStarted(Date.now());
  environment.stats.iterations.countCompleted();
  environment.stats.iterations.countDropped(1, Date.now());
  environment.stats.iterations.countScheduled(2);
  environment.stats.iterations.countDroppedAtStop(2);
  const start = performance.timeOrigin + performance.now();
  environment.events.request.fire({
    requestType: "GET",
    name: "/it",
    responseTimeMs: 4,
    responseLength: 0,
    startTimeMs: start,
    intendedStartMs: start - 100,
  });
  const frame = encodeMessage("stats", reporter.takeReport({ Iterating: 1 }), "w_1");
  const direct = readStatsFrame(frame);
  assert.ok(direct, "the direct reader takes an open-model report");
  const general = decodeWorkerMessage(Buffer.concat([frame]));
  assert.ok(general.ok && general.message.type === "stats");
  const iterations = direct.data.cicada_iterations!;
  assert.deepEqual(
    [
      iterations.scheduled,
      iterations.started,
      iterations.completed,
      iterations.dropped,
      iterations.dropped_at_stop,
    ],
    [5, 2, 1, 3, 2],
  );
  assert.equal(iterations.dropped_per_sec.size, 1, "the stop's 2 are in no second");
  assert.deepEqual(direct.data.cicada_iterations, general.message.data.cicada_iterations);
  // A worker of a Cicada before `completed` and `dropped_at_stop` sends none: both decoders read 0.
  const {
    completed: _absent,
    dropped_at_stop: _absentToo,
    ...older
  } = reporter.takeReport({ Iterating: 1 }).cicada_iterations!;
  const olderFrame = encodeMessage(
    "stats",
    { ...reporter.takeReport({ Iterating: 1 }), cicada_iterations: older },
    "w_1",
  );
  assert.equal(readStatsFrame(olderFrame)!.data.cicada_iterations!.completed, 0);
  assert.equal(readStatsFrame(olderFrame)!.data.cicada_iterations!.dropped_at_stop, 0);
  const olderGeneral = decodeWorkerMessage(olderFrame);
  assert.ok(olderGeneral.ok && olderGeneral.message.type === "stats");
  assert.equal(olderGeneral.message.data.cicada_iterations!.completed, 0);
  assert.equal(olderGeneral.message.data.cicada_iterations!.dropped_at_stop, 0);
  const row = direct.data.stats[0]!;
  assert.ok(Math.abs(row.cicada_intended!.max_ms - 104) < 0.01);
  assert.deepEqual(row.cicada_intended, general.message.data.stats[0]!.cicada_intended);
});

test("master + 2 workers: each runs half the rate, a lost worker's half moves, the master merges both latencies and the iterations", async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 2 }, [Iterating]);
  t.after(() => cluster.close());
  const [a, b] = [
    cluster.addWorker("h_1", { statsIntervalMs: 300, heartbeatIntervalMs: 200 }),
    cluster.addWorker("h_2", { statsIntervalMs: 300, heartbeatIntervalMs: 200 }),
  ];
  await cluster.master.waitForWorkers(2, 10_000);
  cluster.master.openModel = { maxUsers: 10, maxQueueMs: 1000 };
  await cluster.master.startArrivalRate({ rate: 100 });
  assert.equal(cluster.master.loadModel, "arrival-rate");
  assert.ok(await waitFor(() => a!.runner.arrivalRate === 50 && b!.runner.arrivalRate === 50, 3000));
  assert.equal(a!.runner.openModel.maxUsers, 5);
  await sleep(600);
  await b!.shutdown();
  assert.ok(await waitFor(() => a!.runner.arrivalRate === 100, 3000), `a runs ${a!.runner.arrivalRate}/s`);
  assert.ok(
    cluster.masterLogs.some((l) =>
      /Moving the arrival rate of h_2 to the remaining Cicada workers/.test(l.message),
    ),
  );
  await sleep(600);
  await cluster.master.stopAndWait();
  const stats = cluster.master.environment.stats;
  const it = stats.iterations;
  assert.equal(it.snapshot(Date.now()).lostWithWorkers, 0, "a worker that quits sent its last report");
  assert.ok(it.started >= 100, `started ${it.started} in about 1.2 s at 100/s`);
  assert.equal(it.dropped, it.scheduled - it.started, "dropped == scheduled − started on the master too");
  const row = stats.get("GET", "/it")!;
  assert.equal(row.numRequests, it.started, "one request per started iteration");
  assert.equal(row.intended?.count, row.numRequests, "the intended-start histograms were merged");
  // The master's web UI builds its table from these rows: the intended-start columns have times.
  const rows = new RowBuilder(stats.statisticsPercentiles);
  for (const entry of [row, stats.total]) {
    const tableRow = rows.row(entry, Date.now());
    const intended = [tableRow.intendedMedianMs, ...(tableRow.intendedPercentilesMs ?? [])];
    assert.ok(
      intended.length === 3 && intended.every((ms) => typeof ms === "number" && ms > 0),
      String(intended),
    );
  }
});

test("with only Locust workers left, an arrival-rate test stops (the rate would run nowhere); with none at the start it is refused", async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 2 }, [Iterating]);
  t.after(() => cluster.close());
  const [cicada] = [
    cluster.addWorker("h_1", { statsIntervalMs: 300, heartbeatIntervalMs: 200 }),
    // Announced with a plain version, as Locust's workers are: the master gives it no share.
    cluster.addWorker("h_2", { statsIntervalMs: 300, heartbeatIntervalMs: 200, wireVersion: "2.12.1" }),
  ];
  await cluster.master.waitForWorkers(2, 10_000);
  await cluster.master.startArrivalRate({ rate: 40 });
  assert.ok(await waitFor(() => cicada!.runner.arrivalRate === 40, 3000));
  await cicada!.shutdown();
  assert.ok(await waitFor(() => cluster.master.state === "stopped", 5000), `state ${cluster.master.state}`);
  assert.ok(
    cluster.masterLogs.some((l) =>
      /The last Cicada worker quit: the arrival rate runs nowhere now/.test(l.message),
    ),
  );
  await assert.rejects(
    cluster.master.startArrivalRate({ rate: 40 }),
    /CICADA_ERR_NO_CICADA_WORKER|none is connected/,
  );
});

test("the master's console says when iterations are dropped on a worker, once a test", async (t) => {
  class Slow extends User {
    @task async work() {
      await sleep(300);
    }
  }
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 2 }, [Slow]);
  t.after(() => cluster.close());
  cluster.addWorker("h_1", { statsIntervalMs: 200, heartbeatIntervalMs: 200 });
  await cluster.master.waitForWorkers(1, 10_000);
  // 2 users of 300 ms iterations carry about 7/s: at 40/s with no queue time most are dropped.
  cluster.master.openModel = { maxUsers: 2, maxQueueMs: 0 };
  await cluster.master.startArrivalRate({ rate: 40 });
  assert.ok(await waitFor(() => cluster.master.environment.stats.iterations.dropped > 10, 5000));
  await sleep(500);
  await cluster.master.stopAndWait();
  const warnings = cluster.masterLogs.filter((l) =>
    /Dropping iterations \(first on worker h_1\)/.test(l.message),
  );
  assert.equal(warnings.length, 1, "once, though every report after the first has drops");
});

test("iterations a worker's stop dropped are no queue-time drop on the master: no warning, one note of them, no Dropped/s", async (t) => {
  class Slow extends User {
    @task async work() {
      await sleep(1000);
    }
  }
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 2 }, [Slow]);
  t.after(() => cluster.close());
  cluster.addWorker("h_1", { statsIntervalMs: 200, heartbeatIntervalMs: 200 });
  await cluster.master.waitForWorkers(1, 10_000);
  // One user busy 1 s, a queue time of 10 s: stopped after 0.4 s, no iteration waited it out.
  cluster.master.openModel = { maxUsers: 1, maxQueueMs: 10_000 };
  await cluster.master.startArrivalRate({ rate: 40 });
  await sleep(400);
  await cluster.master.stopAndWait();
  const stats = cluster.master.environment.stats;
  const it = stats.iterations.snapshot(Date.now());
  assert.ok(it.dropped >= 5, `dropped ${it.dropped}`);
  assert.equal(it.dropped, it.scheduled - it.started, "dropped == scheduled − started");
  assert.equal(it.droppedAtStop, it.dropped, "every one at the worker's stop");
  const messages = cluster.masterLogs.map((l) => `${l.level} ${l.message}`);
  assert.ok(!messages.some((m) => /Dropping iterations/.test(m)), messages.join("\n"));
  assert.ok(
    messages.includes(
      `INFO ${it.dropped} iterations were still waiting for a free user when the test stopped: counted as dropped (at the stop, not for --max-queue-time)`,
    ),
    messages.join("\n"),
  );
  assert.ok(stats.history.toJSON().iterations!.droppedPerSec.every((rate) => rate === 0));
});

test("a worker that goes silent (as if killed) takes its part of the rate with it: the master estimates and says how many iterations are in no count", async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 3 }, [Iterating]);
  t.after(() => cluster.close());
  const alive = cluster.addWorker("h_1", { statsIntervalMs: 300, heartbeatIntervalMs: 200 });
  // A Cicada worker that registers, takes its share and never says anything again.
  const silent = rawPeer(t, cluster.master.port, "silent_1");
  await silent.dealer.send(encodeMessage("client_ready", VERSION, "silent_1"));
  await cluster.master.waitForWorkers(2, 10_000);
  await cluster.master.startArrivalRate({ rate: 100 });
  assert.ok(await waitFor(() => silent.replies.includes("spawn"), 3000), silent.replies.join());
  assert.ok(
    await waitFor(() => alive.runner.arrivalRate === 100, 5000),
    `h_1 runs ${alive.runner.arrivalRate}/s`,
  );
  const warning = cluster.masterLogs.find((l) => /Worker silent_1 went missing: about/.test(l.message));
  assert.ok(warning, cluster.masterLogs.map((l) => l.message).join("\n"));
  // Half the rate (50/s) for as long as it was gone unreported: the estimate is that product.
  const [, lost, seconds] = /about (\d+) iterations .* in the (\d+\.\d) s since its last report/.exec(
    warning.message,
  )!;
  assert.ok(Math.abs(Number(lost) - 50 * Number(seconds)) <= 3, warning.message);
  assert.ok(Number(seconds) >= 0.5, "three heartbeats of 200 ms went by");
  await sleep(300);
  await cluster.master.stopAndWait();
  const it = cluster.master.environment.stats.iterations.snapshot(Date.now());
  assert.equal(it.lostWithWorkers, Number(lost));
  assert.equal(it.dropped, it.scheduled - it.started, "the counts themselves still add up");
  const summary = formatIterations(cluster.master.environment.stats.snapshot(Date.now()), false).join("\n");
  assert.match(summary, new RegExp(`About ${lost} more iterations fell due on workers that went missing`));
});
