/**
 * Cicada as a library (docs/api.md): an Environment and a LocalRunner made by a script
 * run a test, and the script's process ends by itself afterwards: nothing the runner made
 * keeps Node's event loop alive (not even a runner that never started).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..", "..");

const SCRIPT = `
import { Environment, LocalRunner, User, task, constant } from "cicada-load";
class Worker extends User {
  waitTime = constant(0.01);
  @task work() {
    this.environment.events.request.fire({ requestType: "JOB", name: "work", responseTimeMs: 1, responseLength: 0 });
  }
}
const idle = new LocalRunner(new Environment({ userClasses: [Worker] }));
void idle; // made, never started
const environment = new Environment({ userClasses: [Worker] });
const runner = new LocalRunner(environment, { iterations: 30 });
await runner.start(3, 100);
await new Promise((resolve) => runner.stateChanged.addListener((s) => s === "stopped" && resolve(undefined)));
await runner.quitAndWait();
console.log("requests", environment.stats.total.numRequests);
`;

test("a script using Environment and LocalRunner ends by itself once its test is over", {
  timeout: 20_000,
}, async (t) => {
  const dir = mkdtempSync(join(ROOT, "test", ".library-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "script.ts"), SCRIPT);
  const child = spawn(process.execPath, ["--import", "tsx", join(dir, "script.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  assert.equal(signal, null, `the process had to be killed: something kept it alive\n${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /requests 30/);
});
