/**
 * The worker child processes of `--processes N`: `cicada --worker -f -` on 127.0.0.1,
 * fetching the locustfile from the parent's master. Their output is kept quiet (the
 * last lines are buffered) and shown, prefixed, when one fails; with -L DEBUG it is
 * streamed. They are stopped on every path: they quit when the master tells them to,
 * and are terminated, then killed, if they do not.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { EnvironmentError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { settlesWithin } from "../shared/timers.js";
import type { CliIO } from "./io.js";
import { hasSemiSpaceSize, RELAUNCHED_ENV, SEMI_SPACE_FLAG, WATCHDOG_FD_ENV } from "./launcher.js";
import type { CliOptions } from "./options.js";

/** Lines of each child's output kept to show if it fails. */
const KEPT_LINES = 200;
/** How long children may take to quit by themselves before SIGTERM, then before SIGKILL. */
const QUIT_GRACE_MS = 5000;
const TERM_GRACE_MS = 3000;

/** The worker child processes of a `--processes` run. */
export interface WorkerProcesses {
  /** Calls `listener` if a child exits before `stop()` (it failed to start or crashed). */
  onEarlyExit(listener: ((error: Error) => void) | undefined): void;
  /**
   * The children are about to be told to quit (the master's quit): one that exits with 0
   * from now on is ending, not failing. Call it before the quit is sent.
   */
  expectQuit(): void;
  /** Waits for the children to exit, terminating and then killing those that do not. */
  stop(): Promise<void>;
  /** Sends a signal to every child still running. */
  signal(name: NodeJS.Signals): void;
  /** Waits for every child to exit by itself; their exit codes (1 for one killed by a signal). */
  exitCodes(): Promise<number[]>;
}

interface Child {
  index: number;
  process: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** How to start the children and what to do with their output. */
interface ChildrenSpec {
  /** Node's arguments: the CLI script and its flags. */
  args: string[];
  env: Record<string, string>;
  /** Stream every line (prefixed) to stderr; otherwise keep the last ones to show on failure. */
  stream: boolean;
  /** A process group of their own: terminal signals reach only the parent, which forwards them. */
  detached: boolean;
  /**
   * They end by themselves (the master's quit, a signal), not by `stop()`: a clean exit
   * (code 0) is their normal end, not a failure.
   */
  quitByThemselves: boolean;
}

/**
 * Node's arguments for a child: the larger young generation every Cicada process gets
 * (launcher.ts), given directly (no launcher in the children), then the CLI script.
 */
function cliArgs(io: CliIO): string[] {
  if (!io.cliScript) throw new Error("--processes needs the path of the CLI script (CliIO.cliScript)");
  return [...(hasSemiSpaceSize([], io.env.NODE_OPTIONS) ? [] : [SEMI_SPACE_FLAG]), io.cliScript];
}

/**
 * What the launcher tells only its own child (launcher.ts): a child started here has no
 * launcher. With them its watchdog reads fd 4 as the launcher's control pipe, but there fd 4
 * is a pipe of its own Node's (libuv's signal handling): it then never saw a SIGTERM or SIGINT.
 */
const LAUNCHER_ONLY_ENV: readonly string[] = [RELAUNCHED_ENV, WATCHDOG_FD_ENV];

/** A child's environment: this one's (without CICADA_* unless `withCicadaVariables`), and the child marker. */
function childEnv(io: CliIO, childMarkerEnv: string, withCicadaVariables: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(io.env)) {
    if (value === undefined || LAUNCHER_ONLY_ENV.includes(key)) continue;
    if (withCicadaVariables || !key.startsWith("CICADA_")) env[key] = value;
  }
  env[childMarkerEnv] = "1";
  return env;
}

/** Starts `count` workers connecting to the master on 127.0.0.1:`port`. */
export function startWorkerProcesses(
  count: number,
  master: { port: number; secret: string },
  options: CliOptions,
  io: CliIO,
  logger: Logger,
  childMarkerEnv: string,
): WorkerProcesses {
  // The children get their settings from flags and from the master, not from CICADA_* variables.
  // The master's secret goes in the environment: in argv, `ps` would show it.
  const env = { ...childEnv(io, childMarkerEnv, false), CICADA_CLUSTER_SECRET: master.secret };
  const args = [
    ...cliArgs(io),
    "--worker",
    "-f",
    "-",
    "--master-host",
    "127.0.0.1",
    "--master-port",
    String(master.port),
    "--loglevel",
    options.loglevel,
  ];
  return startChildren(
    count,
    { args, env, stream: logger.isEnabled("DEBUG"), detached: false, quitByThemselves: false },
    io,
    logger,
  );
}

/** The command line without `--processes N` (or `--processes=N`). */
export function withoutProcessesFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === "--processes") i++;
    else if (!arg.startsWith("--processes=")) out.push(arg);
  }
  return out;
}

/**
 * `--worker --processes N`: N worker processes on this machine, each running this same
 * command without `--processes`, so one command serves a load machine. Their output is
 * streamed with a `[worker n]` prefix; a signal to this process is passed on to them (they
 * are in a process group of their own, so a terminal's Ctrl-C reaches each once).
 */
export function startWorkerGroup(
  count: number,
  io: CliIO,
  logger: Logger,
  childMarkerEnv: string,
): WorkerProcesses {
  // Each runs this same command, with this same environment (CICADA_* included).
  const args = [...cliArgs(io), ...withoutProcessesFlag(io.argv)];
  return startChildren(
    count,
    { args, env: childEnv(io, childMarkerEnv, true), stream: true, detached: true, quitByThemselves: true },
    io,
    logger,
  );
}

function startChildren(count: number, spec: ChildrenSpec, io: CliIO, logger: Logger): WorkerProcesses {
  let stopping = false;
  let earlyExit: ((error: Error) => void) | undefined;
  const children: Child[] = [];
  for (let index = 1; index <= count; index++) {
    // stdin stays open as a lifeline: if the parent dies (even by SIGKILL), the pipe closes
    // and the worker shuts down instead of waiting for --master-timeout.
    const proc = spawn(process.execPath, spec.args, {
      cwd: io.cwd,
      env: spec.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: spec.detached,
    });
    const child: Child = { index, process: proc, lines: [], exited: exited(proc) };
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream! }).on("line", (line) => {
        const prefixed = `[worker ${index}] ${line}`;
        if (spec.stream) io.stderr.write(`${prefixed}\n`);
        child.lines.push(prefixed);
        if (child.lines.length > KEPT_LINES) child.lines.shift();
      });
    }
    proc.on("error", (error) => logger.error(`worker process ${index} could not start: ${error.message}`));
    proc.on("exit", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (code === 0 && (stopping || spec.quitByThemselves)) {
        if (!stopping) logger.info(`worker process ${index} ${how}`);
        return;
      }
      if (!stopping || (code !== 0 && signal === null)) {
        logger.error(`worker process ${index} ${how}${spec.stream ? "" : "; its last output:"}`);
        if (!spec.stream) io.stderr.write(`${child.lines.join("\n")}\n`);
      }
      if (!stopping) {
        earlyExit?.(
          new EnvironmentError("CICADA_ERR_WORKER_PROCESS", `worker process ${index} ${how}`, {
            hint: "Its output is shown above",
          }),
        );
      }
    });
    children.push(child);
  }
  logger.info(`Started ${count} worker process(es)`);
  return {
    onEarlyExit(listener) {
      earlyExit = listener;
    },
    signal(name) {
      for (const c of children) if (running(c.process)) c.process.kill(name);
    },
    async exitCodes() {
      await Promise.all(children.map((c) => c.exited));
      return children.map((c) => c.process.exitCode ?? 1);
    },
    expectQuit() {
      stopping = true;
    },
    async stop() {
      stopping = true;
      const all = Promise.all(children.map((c) => c.exited)).then(() => {});
      if (await settlesWithin(all, QUIT_GRACE_MS)) return;
      for (const c of children) if (running(c.process)) c.process.kill("SIGTERM");
      if (await settlesWithin(all, TERM_GRACE_MS)) return;
      for (const c of children) if (running(c.process)) c.process.kill("SIGKILL");
      await all;
    },
  };
}
