/**
 * `cicada --worker -f - --processes N` (docs/distributed.md): one command starting N worker
 * processes for a remote master. A signal to it reaches each worker once, and each leaves.
 */
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import {
  alive,
  childProcesses,
  cicadaPid,
  freePort,
  type Proc,
  startCicada,
  startTarget,
  writeLocustfile,
} from "./distributed-helpers.js";

/** A master expecting 2 workers for `seconds`, and `cicada --worker -f - --processes 2` joining it. */
async function masterAndGroup(t: TestContext, seconds: number): Promise<{ master: Proc; group: Proc }> {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const port = await freePort();
  const masterFlags = ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port)];
  const runFlags = ["--headless", "-u", "4", "-r", "4", "-t", `${seconds}s`, "--only-summary"];
  const master = startCicada(
    t,
    ["-f", "locustfile.ts", ...masterFlags, ...runFlags, "--expect-workers", "2"],
    { cwd },
  );
  await master.waitFor(/Master listening/);
  const group = startCicada(t, ["--worker", "-f", "-", "--master-port", String(port), "--processes", "2"], {
    cwd,
  });
  await master.waitFor(/All users spawned/);
  return { master, group };
}

/** The worker processes of a group: the children of the process running Cicada (not esbuild's). */
function groupWorkers(group: Proc): number[] {
  return childProcesses(cicadaPid(group))
    .filter((child) => child.args.includes("--worker"))
    .map((child) => child.pid);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = performance.now();
  while (!condition() && performance.now() - started < timeoutMs)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

test("--worker --processes 2: SIGTERM to one worker stops it, SIGTERM to the group stops the rest; each leaves the master", async (t) => {
  const { master, group } = await masterAndGroup(t, 30);
  const [first, second] = groupWorkers(group);
  assert.ok(first !== undefined && second !== undefined, `two worker processes:\n${group.output()}`);
  process.kill(first, "SIGTERM");
  assert.ok(await until(() => !alive(first), 4000), `worker ${first} ignored SIGTERM:\n${group.output()}`);
  await master.waitFor(/quit\. 1 worker\(s\) left\./, 2000);
  group.child.kill("SIGTERM");
  const started = performance.now();
  const code = await group.exited;
  assert.ok(performance.now() - started < 4000, `the group took too long to exit:\n${group.output()}`);
  assert.equal(code, 0, group.output());
  assert.ok(!alive(second), "a worker process outlived the group");
  await master.waitFor(/quit\. 0 worker\(s\) left\./, 2000);
  assert.match(group.output(), /\[worker 2\] .*SIGTERM received: stopping users and leaving the master/);
  assert.doesNotMatch(group.output(), /ERROR/, "a worker stopped by a signal is not an error");
});
test("--worker --processes 2: when the master ends the test, the workers exit 0 and nothing is logged as an error", async (t) => {
  const { master, group } = await masterAndGroup(t, 2);
  const [code, groupCode] = await Promise.all([master.exited, group.exited]);
  assert.equal(code, 1, master.output()); // Beta's requests fail (500)
  assert.equal(groupCode, 0, group.output());
  assert.match(group.output(), /\[worker 1\] .*reported \d+ requests/);
  assert.doesNotMatch(group.output(), /ERROR/);
  assert.match(group.output(), /INFO\/cicada: worker process 1 exited with code 0/);
});
