/** Runs the real, built CLI (bin/cicada.js → dist/) as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { tempDir } from "./temp-dir.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "cicada.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Resolves once stdout+stderr contain `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): CliRun {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: Array<() => void> = [];
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    for (const w of watchers) w();
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of watchers) w();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - started });
    });
  });
  return {
    child,
    done,
    waitForOutput(text, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const matches = () =>
          typeof text === "string" ? (stdout + stderr).includes(text) : text.test(stdout + stderr);
        const timer = setTimeout(
          () => reject(new Error(`no '${String(text)}' in output:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (matches()) {
            clearTimeout(timer);
            resolve();
          }
        };
        watchers.push(check);
        check();
      });
    },
  };
}

export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A folder with the given files (e.g. locustfiles), for one test. */
export function fixtureDir(files: Record<string, string>): string {
  const dir = tempDir("cicada-test-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export interface Target {
  url: string;
  port: number;
  requests: number;
  close(): Promise<void>;
}

/** A small HTTP target on 127.0.0.1 port 0. */
export async function startTarget(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Target> {
  const target = { requests: 0 } as Target;
  const server: Server = createServer((req, res) => {
    target.requests++;
    handler(req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  target.port = port;
  target.url = `http://127.0.0.1:${port}`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

/** A port on 127.0.0.1 that nothing listens on (outside the range servers on port 0 draw from). */
export const closedPort = freePort;
