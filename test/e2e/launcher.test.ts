// The installed `cicada` command (bin/cicada.js) runs Cicada in a child Node process with
// a larger young generation (src/cli/launcher.ts). These tests check that the launcher is
// invisible: the flag reaches the child, a terminal's Ctrl-C (the whole process group)
// is one interrupt, SIGKILL of the launcher takes the child with it, and the launcher
// ends as its child ended.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { type TestContext, test } from "node:test";
import {
  alive,
  CLI,
  childProcesses,
  startCicada,
  startTarget,
  writeLocustfile,
} from "./distributed-helpers.js";

/** The Node children of `pid` that run the CLI script (not esbuild's service), with their arguments. */
function cliChildren(pid: number): { pid: number; args: string }[] {
  return childProcesses(pid).filter((child) => child.args.includes("bin/cicada.js"));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = performance.now();
  while (!condition() && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

// One user: an Alpha (Locust's order at 3:1 is A B A A ...), so nothing fails and the exit code is 0.
const RUN = ["-f", "locustfile.ts", "--headless", "-u", "1", "-r", "1", "-t", "30s", "--only-summary"];

test("cicada runs in a child Node with --max-semi-space-size=32; CICADA_RELAUNCH=0 runs in place", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startCicada(t, RUN, { cwd });
  await run.waitFor(/All users spawned/);
  const children = cliChildren(run.child.pid!);
  assert.equal(children.length, 1, "one child runs Cicada");
  assert.match(children[0]!.args, /--max-semi-space-size=32 .*bin\/cicada\.js -f locustfile\.ts --headless/);
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0, run.output());
  assert.ok(!alive(children[0]!.pid), "the child ended with the launcher");

  const inPlace = startCicada(t, RUN, { cwd, env: { CICADA_RELAUNCH: "0" } });
  await inPlace.waitFor(/All users spawned/);
  assert.deepEqual(cliChildren(inPlace.child.pid!), []);
  inPlace.child.kill("SIGTERM");
  assert.equal(await inPlace.exited, 0, inPlace.output());
});

/** Starts the CLI as a terminal would: in its own process group, so the group can get a Ctrl-C. */
function startInGroup(t: TestContext, cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...RUN], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  t.after(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
  });
  return { child, output: () => text };
}

test("a terminal's Ctrl-C reaches launcher and child: one interrupt, the summary printed, exit 0", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startInGroup(t, cwd);
  const exited = new Promise<number | null>((resolve) => run.child.on("close", resolve));
  assert.ok(await until(() => run.output().includes("All users spawned"), 30_000), run.output());
  process.kill(-run.child.pid!, "SIGINT"); // the whole group, as the terminal does
  assert.equal(await exited, 0, run.output());
  const out = run.output();
  assert.equal(out.match(/SIGINT received/g)?.length, 1, out);
  assert.doesNotMatch(out, /received again/);
  assert.match(out, /Aggregated/);
});

test("SIGKILL of the launcher ends the child; a child killed by a signal ends the launcher the same way", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const first = startCicada(t, RUN, { cwd });
  await first.waitFor(/All users spawned/);
  const [child] = cliChildren(first.child.pid!);
  assert.ok(child);
  t.after(() => {
    if (alive(child.pid)) process.kill(child.pid, "SIGKILL");
  });
  first.child.kill("SIGKILL");
  assert.ok(await until(() => !alive(child.pid), 10_000), "the child outlived its launcher");

  const second = startCicada(t, RUN, { cwd });
  await second.waitFor(/All users spawned/);
  const signalled = new Promise<NodeJS.Signals | null>((resolve) =>
    second.child.on("exit", (_code, signal) => resolve(signal)),
  );
  process.kill(cliChildren(second.child.pid!)[0]!.pid, "SIGKILL");
  assert.equal(await signalled, "SIGKILL");
});
