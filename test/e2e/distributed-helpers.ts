/**
 * Helpers of the distributed end-to-end tests: a counting target server on 127.0.0.1,
 * Cicada (and Locust) processes that are always killed when a test ends, and parsers
 * for the lines the tests compare.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { freePort } from "../helpers/free-port.js";

export { freePort };

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "cicada.js");

/** An HTTP target counting the requests it served, per `x-worker` header (a worker's pid). */
export interface Target {
  url: string;
  port: number;
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startTarget(t: TestContext, host = "127.0.0.1"): Promise<Target> {
  const served = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const who = String(req.headers["x-worker"] ?? "?");
    served.set(who, (served.get(who) ?? 0) + 1);
    if (req.url === "/fail") {
      res.statusCode = 500;
      res.end("no");
    } else res.end("hello");
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.after(close);
  return { url: `http://${host}:${port}`, port, served, close };
}

/**
 * A locustfile with two classes, Alpha (weight 3, GET /hello) and Beta (weight 1, GET
 * /fail, a 500), each request tagged with the worker's pid. Returns its folder.
 */
export function writeLocustfile(t: TestContext, targetUrl: string, waitSeconds = 0.05): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-dist-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "locustfile.ts"),
    [
      'import { constant, HttpUser, task } from "cicada-load";',
      'const headers = { "x-worker": String(process.pid) };',
      "export class Alpha extends HttpUser {",
      `  override host = ${JSON.stringify(targetUrl)};`,
      `  override waitTime = constant(${waitSeconds});`,
      "  static weight = 3;",
      '  @task async hello() { await this.client.get("/hello", { headers }); }',
      "}",
      "export class Beta extends HttpUser {",
      `  override host = ${JSON.stringify(targetUrl)};`,
      `  override waitTime = constant(${waitSeconds});`,
      '  @task async fail() { await this.client.get("/fail", { headers }); }',
      "}",
      "",
    ].join("\n"),
  );
  return dir;
}

export interface Proc {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts a process that is SIGKILLed when the test ends (or after `timeoutMs`). */
export function startProcess(
  t: TestContext,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Proc {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(killer);
      for (const w of waiters) w();
      resolve(code);
    });
  });
  t.after(() => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited before printing ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}:\n${text}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * A Cicada master of the folder's locustfile.ts on 127.0.0.1 (a free port, or `options.port`),
 * listening: `args` are the run's own flags (headless, users or rate, run time, workers to expect).
 */
export async function startMaster(
  t: TestContext,
  cwd: string,
  args: string[],
  options: { env?: Record<string, string>; port?: number } = {},
): Promise<{ master: Proc; port: number }> {
  const port = options.port ?? (await freePort());
  const master = startCicada(
    t,
    [
      "-f",
      "locustfile.ts",
      "--master",
      "--master-bind-host",
      "127.0.0.1",
      "--master-bind-port",
      String(port),
    ].concat(args),
    { cwd, ...(options.env === undefined ? {} : { env: options.env }) },
  );
  await master.waitFor(/Master listening/);
  return { master, port };
}

/** Starts `node bin/cicada.js ...args`. */
export function startCicada(
  t: TestContext,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Proc {
  return startProcess(t, process.execPath, [CLI, ...args], options);
}

/** The processes whose parent is `pid`, with their command lines (none when it has none). */
export function childProcesses(pid: number): { pid: number; args: string }[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when there is none
  }
  return out
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), args: match[2]! }));
}

/** True while process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pid of the process that runs Cicada for `proc`: the `cicada` command is a launcher
 * whose child Node process does the work (src/cli/launcher.ts); `proc` itself when it
 * runs in place (CICADA_RELAUNCH=0).
 */
export function cicadaPid(proc: Proc): number {
  const launcher = proc.child.pid!;
  return childProcesses(launcher).find((child) => child.args.includes("bin/cicada.js"))?.pid ?? launcher;
}

/** Requests and failures of the first Aggregated row (the final table with --only-summary). */
export function aggregated(output: string): { requests: number; failures: number } {
  const match = /^\s+Aggregated\s+(\d+)\s+(\d+)\(/m.exec(output);
  if (!match) throw new Error(`no Aggregated row in:\n${output}`);
  return { requests: Number(match[1]), failures: Number(match[2]) };
}

/** What each worker process says it reported in all ("Worker <id> reported N requests and F failures in all"). */
export function workerTotals(output: string): Map<string, { requests: number; failures: number }> {
  const totals = new Map<string, { requests: number; failures: number }>();
  for (const m of output.matchAll(/Worker (\S+) reported (\d+) requests and (\d+) failures in all/g)) {
    totals.set(m[1]!, { requests: Number(m[2]), failures: Number(m[3]) });
  }
  return totals;
}

/** What the master says each worker reported ("Worker <id> reported N requests and F failures", at quit). */
export function masterPerWorker(output: string): Map<string, { requests: number; failures: number }> {
  const totals = new Map<string, { requests: number; failures: number }>();
  for (const m of output.matchAll(/Worker (\S+) reported (\d+) requests and (\d+) failures$/gm)) {
    totals.set(m[1]!, { requests: Number(m[2]), failures: Number(m[3]) });
  }
  return totals;
}

export function sum(values: Iterable<{ requests: number; failures: number }>): {
  requests: number;
  failures: number;
} {
  let requests = 0;
  let failures = 0;
  for (const v of values) {
    requests += v.requests;
    failures += v.failures;
  }
  return { requests, failures };
}
