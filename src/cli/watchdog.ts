/**
 * The watchdog: a thread of its own (watchdog-thread.ts) that ends Cicada cleanly when the
 * main thread's event loop is blocked (a task running CPU-bound, synchronous code), when a
 * second Ctrl-C goes unanswered, or when the launcher is gone while the loop is blocked.
 *
 * The main thread stores a heartbeat in shared memory every 100 ms and registers an
 * emergency function. When the watchdog steps in, it pauses the main thread (the inspector
 * interrupts even a busy loop) and calls that function there: the run in progress writes
 * its summary and every report from the paused state (stalled-run.ts), and the process
 * exits with ExitCode.stalled. Costs: one thread (about 8 MB of memory), a 100 ms timer.
 */
import { Worker } from "node:worker_threads";
import { userTraceback } from "../runner/index.js";
import { ExitCode } from "../shared/errors.js";
import { parseTimespan } from "../shared/timespan.js";
import type { TextSink } from "./io.js";
import { exitAnnouncement } from "./launcher.js";
import {
  EMERGENCY_KEY,
  KILL_ME,
  type StallEvent,
  type WatchdogCommand,
  type WatchdogData,
  WatchdogSlot,
} from "./watchdog-protocol.js";

/** --stall-timeout's default. */
export const DEFAULT_STALL_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 100;

/**
 * --stall-timeout (or CICADA_STALL_TIMEOUT) as given, read before the options are parsed:
 * the watchdog also guards the loading of the locustfile. Undefined when absent or bad
 * (the option parser reports a bad value).
 */
export function earlyStallTimeout(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): number | undefined {
  const index = argv.findIndex((arg) => arg === "--stall-timeout" || arg.startsWith("--stall-timeout="));
  const text =
    index < 0
      ? env.CICADA_STALL_TIMEOUT
      : argv[index]!.includes("=")
        ? argv[index]!.split("=")[1]
        : argv[index + 1];
  return text === undefined ? undefined : parseTimespan(text);
}

/** How a run ends from a stall: synchronously, returning the exit code. */
export type StallHandler = (event: StallEvent) => number;

export interface Watchdog {
  /** How long the event loop may be blocked (0: a stall alone never ends the run). */
  setStallTimeout(ms: number): void;
  /** When the run time ends (epoch ms), or undefined when there is none or the run is over. */
  setRunEnd(epochMs: number | undefined): void;
  /** The run's way to end (the latest subscriber wins); returns the unsubscribe function. */
  onStall(handler: StallHandler): () => void;
}

/**
 * Starts the watchdog thread; undefined when Node has no inspector (then nothing can
 * interrupt a blocked main thread). `controlFd` is the launcher's control pipe.
 */
export function startWatchdog(options: {
  stallTimeoutMs: number;
  controlFd: number | undefined;
  stderr: TextSink;
}): Watchdog | undefined {
  if (!process.features.inspector) return undefined;
  const shared = new SharedArrayBuffer(8);
  const heartbeat = new BigInt64Array(shared);
  const beat = () => Atomics.store(heartbeat, WatchdogSlot.heartbeat, BigInt(Date.now()));
  beat();
  setInterval(beat, HEARTBEAT_MS).unref();

  const data: WatchdogData = { shared, stallTimeoutMs: options.stallTimeoutMs, controlFd: options.controlFd };
  // The thread's module beside this one: .js when built, .ts when run from source (tsx).
  const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const worker = new Worker(new URL(`./watchdog-thread${extension}`, import.meta.url), { workerData: data });
  worker.unref();
  // A watchdog that fails must not take the run with it.
  worker.on("error", (error) => options.stderr.write(`warning: the watchdog stopped: ${error.message}\n`));
  const send = (command: WatchdogCommand) => worker.postMessage(command);

  const handlers: StallHandler[] = [];
  const emergency = (event: Omit<StallEvent, "stack">, stack: string): string => {
    let code: number = ExitCode.stalled;
    try {
      const full: StallEvent = { ...event, stack: pausedStack(stack) };
      const handler = handlers.at(-1);
      code = handler ? handler(full) : endWithoutRun(full, options.stderr);
    } catch (error) {
      options.stderr.write(`Error: could not end the stalled run cleanly: ${String(error)}\n`);
    }
    return exitFromPause(code);
  };
  (globalThis as Record<symbol, unknown>)[Symbol.for(EMERGENCY_KEY)] = emergency;

  return {
    setStallTimeout: (ms) => send({ kind: "stall-timeout", ms }),
    setRunEnd: (epochMs) => send({ kind: "run-ends-at", epochMs }),
    onStall(handler) {
      handlers.push(handler);
      return () => {
        const index = handlers.indexOf(handler);
        if (index >= 0) handlers.splice(index, 1);
      };
    },
  };
}

/**
 * Ends the process from the paused main thread. `process.exit` (or a `process.kill` of
 * itself) here makes Node print "Waiting for the debugger to disconnect..." (the
 * watchdog's inspector session is open). Under the launcher, the exit code is announced
 * on the IPC channel (written at once: the channel is empty) and the watchdog's thread
 * ends the process by SIGKILL (KILL_ME), which prints nothing; the launcher then exits
 * with the announced code (launcher.ts). Without a launcher, process.exit.
 */
function exitFromPause(code: number): string {
  if (process.send !== undefined && process.connected) {
    process.send(exitAnnouncement(code));
    return KILL_ME;
  }
  process.exit(code);
}

/** The stack of the paused code: the user's frames (not Cicada's, Node's or the watchdog's evaluation). */
function pausedStack(stack: string): string {
  const frames = stack.split("\n").filter((line) => !line.includes("at eval (eval at"));
  return userTraceback(Object.assign(new Error(), { stack: frames.join("\n") }), "")
    .split("\n")
    .filter((line) => line !== "")
    .join("\n");
}

/** A stall outside a run (loading the locustfile, say): nothing to report but the message. */
function endWithoutRun(event: StallEvent, stderr: TextSink): number {
  stderr.write(
    `Error: the event loop was blocked for ${(event.silentMs / 1000).toFixed(1)} s: ending Cicada\n${event.stack}\n` +
      "Hint: the locustfile runs synchronous, CPU-bound code; await between steps\n",
  );
  return ExitCode.stalled;
}
