import assert from "node:assert/strict";
import { test } from "node:test";
import {
  aggregated,
  cicadaPid,
  freePort,
  masterPerWorker,
  startCicada,
  startMaster,
  startTarget,
  sum,
  workerTotals,
  writeLocustfile,
} from "./distributed-helpers.js";

test("a worker killed mid-run is missing within ~5 s, its users move, and what it reported stays", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const { master, port } = await startMaster(t, cwd, [
    "--headless",
    "-u",
    "6",
    "-r",
    "6",
    "-t",
    "14s",
    "--only-summary",
    "--expect-workers",
    "3",
  ]);
  const workers = [1, 2, 3].map(() =>
    startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd }),
  );
  await master.waitFor(/All users spawned/);
  const victim = workers[2]!;
  const victimId = (await victim.waitFor(/Worker (\S+) connecting/))[1]!;
  // Let it report at least once (reports go out every 3 s).
  await new Promise((resolve) => setTimeout(resolve, 4000));
  // The worker process itself (under its launcher), as the OOM killer would pick it.
  const victimPid = cicadaPid(victim);
  process.kill(victimPid, "SIGKILL");
  const killedAt = performance.now();
  await master.waitFor(
    new RegExp(`Worker ${victimId} \\(index \\d\\) failed to send heartbeats: it is missing`),
    15_000,
  );
  const detectSeconds = (performance.now() - killedAt) / 1000;
  await master.waitFor(new RegExp(`Re-dispatching the users of ${victimId}`), 5000);
  const code = await master.exited;
  const out = master.output();
  assert.equal(code, 1, out);
  assert.ok(detectSeconds < 7, `took ${detectSeconds.toFixed(1)} s to notice the killed worker`);
  t.diagnostic(`killed worker detected as missing after ${detectSeconds.toFixed(2)} s`);

  const survivors = new Map(workers.slice(0, 2).flatMap((w) => [...workerTotals(w.output())]));
  assert.equal(survivors.size, 2, "both survivors print their totals");
  const perWorker = masterPerWorker(out);
  const fromVictim = perWorker.get(victimId);
  assert.ok(fromVictim && fromVictim.requests > 0, `nothing kept from the killed worker:\n${out}`);
  const servedToVictim = target.served.get(String(victimPid)) ?? 0;
  assert.ok(fromVictim.requests <= servedToVictim, "the master cannot hold more than the killed worker sent");
  // Final totals = what the survivors measured + what the killed worker reported before it died.
  assert.deepEqual(aggregated(out), sum([...survivors.values(), fromVictim]));
  for (const [id, own] of survivors) assert.deepEqual(perWorker.get(id), own);
  // Its users were started on the others: after the kill, the survivors ran all 6.
  assert.match(out, /Re-dispatching/);
});

test("a restarted master: the workers notice, stop their users, rejoin and run the next test", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const { master: first, port } = await startMaster(t, cwd, [
    "--headless",
    "-u",
    "2",
    "-r",
    "2",
    "-t",
    "60s",
    "--only-summary",
  ]);
  const worker = startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd });
  await first.waitFor(/All users spawned/);
  first.child.kill("SIGKILL");
  await first.exited;
  await worker.waitFor(/no heartbeat from the master .* stopping users/, 15_000);
  const servedWhileLost = [...target.served.values()].reduce((a, b) => a + b, 0);
  // The second master on the same port: the worker knows no other.
  const { master: second } = await startMaster(
    t,
    cwd,
    ["--headless", "-u", "1", "-r", "1", "-t", "3s", "--only-summary"],
    { port },
  );
  await worker.waitFor(/reconnected to the master/, 20_000);
  const code = await second.exited;
  assert.equal(code, 0, second.output()); // the first user at 3:1 is an Alpha (A B A A ...): no failures
  assert.equal(await worker.exited, 0, worker.output());
  assert.ok(aggregated(second.output()).requests > 0, "the rejoined worker ran the second master's test");
  assert.ok([...target.served.values()].reduce((a, b) => a + b, 0) > servedWhileLost);
});

test("a worker with no master gives up after --master-timeout with a clear error and exit code 4", async (t) => {
  const cwd = writeLocustfile(t, "http://127.0.0.1:9");
  const port = await freePort();
  const worker = startCicada(
    t,
    ["-f", "locustfile.ts", "--worker", "--master-port", String(port), "--master-timeout", "2s"],
    {
      cwd,
    },
  );
  assert.equal(await worker.exited, 4);
  assert.match(
    worker.output(),
    /Error: no master answered at 127\.0\.0\.1:\d+ within 2 s\nHint: Start the master first/,
  );
  assert.doesNotMatch(worker.output(), /at .*\.js:\d+/, "no stack trace");
});
