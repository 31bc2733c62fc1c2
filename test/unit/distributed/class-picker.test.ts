/**
 * A master with a class picker's choice dispatches only the chosen classes: the spawn
 * messages a worker receives (read here by a raw ZeroMQ worker, as a Locust worker would)
 * name only those classes, and a Cicada worker runs only them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Dealer } from "zeromq";
import { decodeMasterMessage, encodeMessage } from "../../../src/distributed/index.js";
import { waitFor } from "../../helpers/env.js";
import { startCluster, VERSION } from "./cluster-helpers.js";

test("the master sends counts only for the chosen classes, to raw and Cicada workers alike", async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 50 });
  t.after(() => cluster.close());
  const raw = new Dealer({ routingId: "raw_1", linger: 0 });
  t.after(() => raw.close());
  raw.connect(`tcp://127.0.0.1:${cluster.master.port}`);
  const spawns: Array<Record<string, number>> = [];
  void (async () => {
    for await (const [frame] of raw) {
      const decoded = decodeMasterMessage(frame!);
      if (!decoded.ok) continue;
      if (decoded.message.type === "spawn") spawns.push(decoded.message.data.user_classes_count);
      // As a worker does: confirm the stop, then be ready for the next test.
      if (decoded.message.type === "stop") {
        await raw.send(encodeMessage("client_stopped", null, "raw_1"));
        await raw.send(encodeMessage("client_ready", VERSION, "raw_1"));
      }
      if (decoded.message.type === "quit") await raw.send(encodeMessage("quit", null, "raw_1"));
    }
  })().catch(() => {});
  await raw.send(encodeMessage("client_ready", VERSION, "raw_1"));
  const cicada = cluster.addWorker("cicada_1");
  await cluster.master.waitForWorkers(2, 10_000);

  cluster.master.environment.selectUserClasses(["Beta"]);
  await cluster.master.start(6, 100);
  assert.ok(await waitFor(() => spawns.length > 0 && cicada.runner.userCount === 3, 5000));
  for (const counts of spawns) assert.deepEqual(Object.keys(counts), ["Beta"]);
  assert.equal(spawns.at(-1)!.Beta, 3);
  assert.deepEqual(cicada.runner.userClassesCount, { Alpha: 0, Beta: 3 });
  assert.equal(cluster.master.userClassesCount.Alpha ?? 0, 0);

  // The next test may choose again; without a choice every class runs, by weight.
  await cluster.master.stopAndWait();
  spawns.length = 0;
  cluster.master.environment.selectUserClasses(undefined);
  await cluster.master.start(8, 100);
  assert.ok(await waitFor(() => spawns.length > 0 && cicada.runner.userCount === 4, 5000));
  assert.deepEqual(Object.keys(spawns.at(-1)!).sort(), ["Alpha", "Beta"]);
});

test("a start limited to some classes (a shape's tick) splits the same count anew over the workers", async (t) => {
  const cluster = await startCluster({ heartbeatIntervalMs: 200, heartbeatLiveness: 50 });
  t.after(() => cluster.close());
  const cicada = cluster.addWorker("cicada_1");
  await cluster.master.waitForWorkers(1, 10_000);
  await cluster.master.start(4, 100, { userClasses: ["Beta"] });
  assert.ok(
    await waitFor(() => cicada.runner.userClassesCount.Beta === 4, 5000),
    JSON.stringify(cicada.runner.userClassesCount),
  );
  // The same 4 users, every class again: no ramp step to take, the split still changes.
  await cluster.master.start(4, 100);
  assert.ok(
    await waitFor(() => (cicada.runner.userClassesCount.Alpha ?? 0) > 0, 5000),
    JSON.stringify(cicada.runner.userClassesCount),
  );
  assert.equal(cicada.runner.userCount, 4);
});
