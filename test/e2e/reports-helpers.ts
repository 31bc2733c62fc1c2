/**
 * Helpers for the report end-to-end tests: a small target server on 127.0.0.1 that counts
 * what it serves, a scratch folder with a locustfile, and the whole CLI run in-process.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { CliIO, SignalName } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";

/** A target: GET /ok (fast), /slow (about 30 ms), /fail (HTTP 500). */
export interface Target {
  url: string;
  hits: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

export async function startTarget(t: TestContext): Promise<Target> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const reply = (status: number) => {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "ok" : "broken");
    };
    if (path === "/slow") setTimeout(() => reply(200), 30);
    else if (path === "/fail") reply(500);
    else reply(200);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.after(close);
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close,
  };
}

/** The tasks of a locustfile user: `tasks` lines go inside the class body. */
export function locustfile(tasks: string, extra = ""): string {
  return `import { HttpUser, task, constant } from "cicada-load";
export class Api extends HttpUser {
  override waitTime = constant(0.02);
${tasks}
}
${extra}
`;
}

/** The default user: 3 × GET /ok for 1 × GET /slow. */
export const OK_AND_SLOW = `  @task(3) async ok() { await this.client.get("/ok"); }
  @task async slow() { await this.client.get("/slow"); }`;

/** A scratch folder (removed after the test) holding `locustfile.ts`. */
export function scratch(t: TestContext, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-reports-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "locustfile.ts"), source);
  return dir;
}

/** What an in-process CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A CLI run in progress: `signal` plays a Ctrl-C/SIGTERM to the run's handlers. */
export interface CliRunning {
  done: Promise<CliRun>;
  signal(name: SignalName): void;
}

/** Starts the whole CLI in-process with `argv`, in `cwd`. */
export function startCli(argv: string[], cwd: string): CliRunning {
  let stdout = "";
  let stderr = "";
  const handlers = new Set<(signal: SignalName) => void>();
  const io: CliIO = {
    argv,
    env: {},
    cwd,
    home: cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    onSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    cpuUsageMicros: () => 0,
    memoryBytes: () => 0,
    cpuCount: () => 1,
  };
  const done = run(io).then((code) => ({ code, stdout, stderr }));
  const signal = (name: SignalName) => {
    for (const handler of [...handlers]) handler(name);
  };
  return { done, signal };
}

/** Runs the CLI in-process to the end. */
export function runCli(argv: string[], cwd: string): Promise<CliRun> {
  return startCli(argv, cwd).done;
}

/** Asserts-friendly: true when `text` shows no stack trace and no internal error. */
export function isCleanError(text: string): boolean {
  return !/Internal error|\n\s+at .+:\d+:\d+/.test(text);
}

/**
 * The codes of a report's flags that say how the run went, without "generator-overloaded":
 * that one says how busy the machine was (other test files run beside this one), which a
 * test of the run's logic must not depend on.
 */
export function runFlags(report: { meta: { flags: ReadonlyArray<{ code: string }> } }): string[] {
  return report.meta.flags.map((flag) => flag.code).filter((code) => code !== "generator-overloaded");
}
