/**
 * A Cicada worker against a bare ROUTER that plays a Locust master message by message
 * (real ZeroMQ sockets on 127.0.0.1): what the worker sends, in what shape and order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "../../../src/distributed/index.js";
import { Environment } from "../../../src/runner/index.js";
import { waitFor } from "../../helpers/env.js";
import { Alpha, Beta, type Dict, fakeMaster, field } from "./cluster-helpers.js";

test("a worker speaks Locust's protocol: ready, heartbeats, spawn, stats deltas, stop, quit", async (t) => {
  const master = await fakeMaster();
  t.after(() => master.close());
  const environment = new Environment({ userClasses: [Alpha, Beta] });
  const worker = new Worker(environment, {
    masterHost: "127.0.0.1",
    masterPort: master.port,
    nodeId: "testhost_0123456789abcdef0123456789abcdef",
    wireVersion: "cicada-1.2.3",
    probe: { cpuUsageMicros: () => 5, memoryBytes: () => 4321 },
    heartbeatIntervalMs: 100,
    statsIntervalMs: 300,
  });
  t.after(() => worker.shutdown());
  worker.start();
  const id = worker.nodeId;

  // client_ready carries a version string; node id = routing id (P2, P3).
  assert.ok(await waitFor(() => master.of("client_ready").length > 0, 3000));
  const ready = master.of("client_ready")[0]!;
  assert.deepEqual([ready.data, ready.nodeId, ready.routingId], ["cicada-1.2.3", id, id]);
  await master.send(id, "ack", new Map([["index", 0]]));

  // Heartbeats with Locust's state strings, CPU and memory (P4).
  assert.ok(await waitFor(() => master.of("heartbeat").length >= 2, 3000));
  const beat = master.of("heartbeat")[0]!.data as Map<string, unknown>;
  assert.equal(beat.get("state"), "ready");
  assert.equal(typeof beat.get("current_cpu_usage"), "number");
  assert.equal(beat.get("current_memory_usage"), 4321);

  // A spawn with absolute counts, as a Python master sends it (nil host, options map).
  const spawn = (timestamp: number, counts: Record<string, number>) =>
    master.send(id, "spawn", {
      timestamp,
      user_classes_count: counts,
      host: null,
      stop_timeout: null,
      parsed_options: {},
    });
  await spawn(1000.5, { Alpha: 3, Beta: 1 });
  assert.ok(await waitFor(() => master.of("spawning_complete").length === 1, 3000));
  const complete = master.of("spawning_complete")[0]!.data as Map<string, unknown>;
  assert.deepEqual(
    complete.get("user_classes_count"),
    new Map([
      ["Alpha", 3],
      ["Beta", 1],
    ]),
  );
  assert.equal(complete.get("user_count"), 4);
  assert.ok(master.of("spawning").length >= 1);
  // A spawn not newer than the last one is dropped.
  await spawn(1000.5, { Alpha: 9, Beta: 9 });
  await spawn(999, { Alpha: 9, Beta: 9 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(worker.runner.userCount, 4);
  assert.ok(
    await waitFor(
      () => (master.of("heartbeat").at(-1)!.data as Map<string, unknown>).get("state") === "running",
    ),
  );

  // Stats: deltas every interval, integer histogram keys, nil min when empty (P1, P6).
  assert.ok(
    await waitFor(() => master.of("stats").some((m) => field<unknown[]>(m.data, "stats").length > 0), 3000),
  );
  const report = master.of("stats").find((m) => field<unknown[]>(m.data, "stats").length > 0)!.data as Dict;
  const row = field<Dict[]>(report, "stats")[0]!;
  const buckets = row.get("response_times") as Map<unknown, number>;
  assert.ok(
    [...buckets.keys()].every((k) => typeof k === "number"),
    "integer bucket keys",
  );
  assert.ok(row.has("cicada_hdr"));
  assert.deepEqual(
    report.get("user_classes_count"),
    new Map([
      ["Alpha", 3],
      ["Beta", 1],
    ]),
  );

  // stop: users stop, a last report, client_stopped, then client_ready again.
  const before = master.received.length;
  await master.send(id, "stop", null);
  assert.ok(await waitFor(() => master.received.slice(before).some((m) => m.type === "client_ready"), 3000));
  const afterStop = master.received
    .slice(before)
    .map((m) => m.type)
    .filter((type) => type !== "heartbeat");
  const stopped = afterStop.indexOf("client_stopped");
  assert.ok(stopped > 0 && afterStop.slice(0, stopped).includes("stats"), afterStop.join(","));
  assert.ok(afterStop.indexOf("client_ready") > stopped);
  assert.equal(worker.runner.userCount, 0);

  // Unknown and malformed messages from the master are ignored (P11).
  await master.send(id, "update_user_class", { user_class_name: "Alpha" });
  await master.send(id, "something_new", { x: 1 });
  await master.send(id, "heartbeat", null);

  // quit: the final stats at once, then quit (P5).
  await spawn(2000, { Alpha: 1 });
  assert.ok(await waitFor(() => worker.runner.userCount === 1, 3000));
  const beforeQuit = master.received.length;
  await master.send(id, "quit", null);
  const end = await worker.finished;
  assert.equal(end.reason, "quit");
  await waitFor(() => master.received.slice(beforeQuit).some((m) => m.type === "quit"), 3000);
  const tail = master.received
    .slice(beforeQuit)
    .map((m) => m.type)
    .filter((type) => type !== "heartbeat");
  assert.deepEqual(tail.slice(-2), ["stats", "quit"]);
  // Everything measured was reported: the sum of all reports equals the worker's totals.
  const reported = master
    .of("stats")
    .reduce((n, m) => n + field<number>(field<Dict>(m.data, "stats_total"), "num_requests"), 0);
  assert.equal(reported, worker.totals.requests);
  assert.ok(reported > 0);
});
