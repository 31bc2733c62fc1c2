import assert from "node:assert/strict";
import { test } from "node:test";
import {
  aggregated,
  alive,
  childProcesses,
  masterPerWorker,
  startCicada,
  startMaster,
  startTarget,
  sum,
  workerTotals,
  writeLocustfile,
} from "./distributed-helpers.js";

/**
 * The worker processes under a `cicada --processes` command: the grandchildren of the
 * process the test started (the launcher, whose child is the master; the master also has
 * esbuild's service process).
 */
function workerPids(launcher: number): number[] {
  return childProcesses(launcher)
    .flatMap((master) => childProcesses(master.pid))
    .filter((child) => child.args.includes("--worker"))
    .map((child) => child.pid);
}

test("a master and 3 worker processes: users split by class, merged totals equal the sum of the workers' own", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const { master, port } = await startMaster(t, cwd, [
    "--headless",
    "-u",
    "8",
    "-r",
    "8",
    "-t",
    "4s",
    "--only-summary",
    "--expect-workers",
    "3",
  ]);
  const workers = [1, 2, 3].map(() =>
    startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd }),
  );
  const code = await master.exited;
  const codes = await Promise.all(workers.map((w) => w.exited));
  const out = master.output();
  assert.equal(code, 1, `exit code 1 (requests failed):\n${out}`);
  assert.deepEqual(codes, [0, 0, 0]);
  // 8 users at weights 3:1.
  assert.match(out, /All users spawned: \{"Alpha":6,"Beta":2\} \(8 total users\)/);
  const own = new Map(workers.flatMap((w) => [...workerTotals(w.output())]));
  assert.equal(own.size, 3);
  const merged = aggregated(out);
  assert.ok(merged.requests > 50, out);
  assert.deepEqual(merged, sum(own.values()), "merged totals = sum of what the workers measured");
  assert.deepEqual(masterPerWorker(out), own, "the master's per-worker counts match each worker's own");
  // Every worker generated load: users spread over all three.
  for (const [pid, count] of target.served) if (pid !== "?") assert.ok(count > 0, `worker ${pid} idle`);
  assert.equal(target.served.size, 3);
});

test("--processes 2: one command, a master and two workers; exit code and totals from the workers", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startCicada(
    t,
    ["-f", "locustfile.ts", "--processes", "2", "--oversubscribe", "--headless", "-u", "4", "-r", "4"].concat(
      ["-t", "3s", "--only-summary", "-L", "DEBUG"],
    ),
    { cwd },
  );
  const code = await run.exited;
  const out = run.output();
  assert.equal(code, 1, out);
  assert.match(out, /Started 2 worker process\(es\)/);
  const own = workerTotals(out); // -L DEBUG streams the workers' output, prefixed
  assert.equal(own.size, 2, out);
  assert.match(out, /\[worker 1\] /);
  assert.deepEqual(aggregated(out), sum(own.values()));
  assert.equal(target.served.size, 2, "two worker processes made requests");
});

test("--processes 2 with Ctrl-C: everything stops, what was measured is printed", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startCicada(
    t,
    [
      "-f",
      "locustfile.ts",
      "--processes",
      "2",
      "--oversubscribe",
      "--headless",
      "-u",
      "4",
      "-r",
      "4",
      "--only-summary",
    ],
    {
      cwd,
    },
  );
  await run.waitFor(/All users spawned/);
  // The parent's children: the two workers (and esbuild's service process).
  const children = workerPids(run.child.pid!);
  assert.equal(children.length, 2, "two worker processes");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // A terminal's Ctrl-C reaches the whole process group; SIGINT to the parent alone must be enough too.
  run.child.kill("SIGINT");
  const code = await run.exited;
  const out = run.output();
  assert.equal(code, 1, out);
  assert.ok(aggregated(out).requests > 0, out);
  for (const pid of children) {
    assert.ok(!alive(pid), "worker process still running after the parent exited");
  }
});

test("--processes: if the parent dies (SIGKILL), its workers shut down at once", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startCicada(
    t,
    ["-f", "locustfile.ts", "--processes", "2", "--oversubscribe", "--headless", "-u", "2", "-r", "2"],
    { cwd },
  );
  await run.waitFor(/All users spawned/);
  const children = workerPids(run.child.pid!);
  assert.equal(children.length, 2);
  t.after(() => {
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });
  run.child.kill("SIGKILL");
  const started = performance.now();
  const gone = () => children.every((pid) => !alive(pid));
  while (!gone() && performance.now() - started < 10_000)
    await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(gone(), "worker processes outlived their parent");
});
