// The fault suite's tools: the built `cicada` command run as a child process with a
// bound on its time, scratch projects, and what a clean outcome looks like.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "cicada.js");

/** A scratch folder with `files`; removed by `cleanup()`. */
export function project(files) {
  const dir = mkdtempSync(join(tmpdir(), "cicada-faults-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A locustfile of one HttpUser with short timeouts, requesting `path` of `host`. */
export function locustfile(host, path = "/", extra = "") {
  return `import { constant, HttpUser, task } from "cicada-load";
export class Probe extends HttpUser {
  override host = ${JSON.stringify(host)};
  override waitTime = constant(0.05);
  override connectionTimeout = 1;
  override networkTimeout = 1;
  override responseTimeout = 1;
  @task async probe() { ${extra} await this.client.get(${JSON.stringify(path)}); }
}
`;
}

/**
 * Runs `cicada ...args` in `cwd`, killed after `timeoutMs`. `during(child)` may act on the
 * running process (send signals). Resolves with the exit, the output and the time taken.
 */
export function cicada(args, { cwd = ROOT, env = {}, timeoutMs = 20_000, during } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const output = () => stdout + stderr;
  const done = new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
    });
  });
  during?.(child, output);
  return done;
}

/** Waits until `output()` matches `pattern` (at most `ms`). */
export async function waitForOutput(output, pattern, ms = 15_000) {
  const deadline = performance.now() + ms;
  while (!pattern.test(output()) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pattern.test(output());
}

const STACK = /^\s+at .+\(.+:\d+:\d+\)$|node:internal/m;

/** A user's mistake: one of `codes`, an `Error:` line, no stack trace, in time. */
export function cleanRefusal(result, codes) {
  if (result.timedOut) return "hung";
  if (!codes.includes(result.code)) return `exit ${result.code} (expected ${codes.join(" or ")})`;
  if (!/^Error: /m.test(result.stderr)) return "no 'Error:' line";
  if (STACK.test(result.stderr)) return "a stack trace";
  return undefined;
}

/** A run that ended by itself, with a documented code and no stack trace. */
export function cleanRun(result, codes = [0, 1]) {
  if (result.timedOut) return "hung";
  if (!codes.includes(result.code))
    return `exit ${result.code ?? result.signal} (expected ${codes.join(" or ")})`;
  if (STACK.test(result.stdout + result.stderr)) return "a stack trace";
  return undefined;
}
