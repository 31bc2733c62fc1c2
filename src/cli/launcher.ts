/**
 * `bin/cicada.js` starts Cicada in a child Node process with a larger young generation.
 *
 * Why: with thousands of users per process, the objects of every request in flight (its
 * promise, the suspended frames of the task awaiting it) outlive V8's young-generation
 * collections at Node's default 16 MB semi-space, get copied and promoted, and the old
 * generation fills with garbage. A 32 MB semi-space lets most of them die young: at 10,000
 * users it measured about a quarter less CPU per request and slightly less memory
 * (docs/performance.md). V8 reads this size only when the process starts, so the one way
 * to give it to every `cicada` command is to start Node again with the flag; that costs
 * one more Node start-up (tens of milliseconds) before the first request.
 *
 * This module stays free of imports beyond Node's own: the launcher must start fast.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";

/** The young generation's semi-space size Cicada's processes get, in MB. */
export const SEMI_SPACE_MB = 32;
/** The V8 flag that carries it. */
export const SEMI_SPACE_FLAG = `--max-semi-space-size=${SEMI_SPACE_MB}`;
/** Set in the child's environment, so it never launches again. */
export const RELAUNCHED_ENV = "CICADA_RELAUNCHED";
/**
 * The fd of the child's control pipe from the launcher: a line per forwarded signal, and
 * its end when the launcher is gone, read by the watchdog's thread (watchdog-thread.ts),
 * which keeps listening when the child's main thread is blocked.
 */
export const WATCHDOG_FD_ENV = "CICADA_WATCHDOG_FD";
const CONTROL_FD = 4;
/** `CICADA_RELAUNCH=0` keeps Cicada in the process `node` started (Node's default heap). */
export const RELAUNCH_SWITCH_ENV = "CICADA_RELAUNCH";

const SEMI_SPACE_ARG = /^--max[-_]semi[-_]space[-_]size(?:=|$)/;

/** What node was started with: its own command-line flags and those in NODE_OPTIONS. */
function nodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? "").split(/\s+/)];
}

/** True when a semi-space size was given to node already, on its command line or in NODE_OPTIONS. */
export function hasSemiSpaceSize(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeFlags(execArgv, nodeOptions).some((arg) => SEMI_SPACE_ARG.test(arg));
}

/** `--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`: a debugger is attached to this process. */
const INSPECT_ARG = /^--inspect(?:-brk|-wait|-port)?(?:=|$)/;

/**
 * Whether to start Cicada again in a child with `SEMI_SPACE_FLAG`: not when it already is
 * that child, not when the user chose a size (or opted out), not under a debugger (it
 * is attached to this process, and a child would want the same port), and not on
 * Windows, where signals cannot be forwarded to a child the way a terminal delivers them.
 */
export function shouldRelaunch(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): boolean {
  if (platform === "win32") return false;
  if (env[RELAUNCHED_ENV] === "1" || env[RELAUNCH_SWITCH_ENV] === "0") return false;
  const flags = nodeFlags(execArgv, env.NODE_OPTIONS);
  return !flags.some((arg) => INSPECT_ARG.test(arg) || SEMI_SPACE_ARG.test(arg));
}

/** Signals the launcher passes on: Ctrl-C, `kill`, a closed terminal. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Starts `script` again in a child Node with the same arguments plus `SEMI_SPACE_FLAG`,
 * and makes this process a transparent stand-in for it: signals are forwarded, and this
 * process ends as the child ended (its exit code, or the same signal). The child shares
 * stdin, stdout and stderr, and an IPC channel whose closing tells it the launcher was
 * killed (even by SIGKILL), so it never outlives it. Returns false when no relaunch is
 * needed (the caller then runs Cicada in this process).
 */
export function relaunchIfNeeded(script: string): boolean {
  if (!shouldRelaunch(process.execArgv, process.env, process.platform)) return false;
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, SEMI_SPACE_FLAG, script, ...process.argv.slice(2)],
    {
      stdio: ["inherit", "inherit", "inherit", "ipc", "pipe"],
      env: { ...process.env, [RELAUNCHED_ENV]: "1", [WATCHDOG_FD_ENV]: String(CONTROL_FD) },
    },
  );
  const control = child.stdio[CONTROL_FD] as Writable;
  control.on("error", () => {}); // the child is gone: its exit follows
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
    // Also to the watchdog: if the child's event loop is blocked, a second one ends it (watchdog.ts).
    control.write(`${signal}\n`);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(`cicada: could not start ${process.execPath}: ${error.message}\n`);
    process.exit(70);
  });
  // The watchdog ends a blocked child by SIGKILL after announcing its exit code (watchdog.ts).
  let announcedCode: number | undefined;
  child.on("message", (message) => {
    announcedCode = announcedExitCode(message) ?? announcedCode;
  });
  child.on("exit", (code, signal) => {
    for (const name of FORWARDED_SIGNALS) process.off(name, forward);
    if (signal === "SIGKILL" && announcedCode === undefined) {
      // The announcement may still be in the channel: read it before deciding.
      setTimeout(() => endAsChild(code, signal, announcedCode), 100);
      return;
    }
    endAsChild(code, signal, announcedCode);
  });
  return true;
}

/** Ends the launcher as its child ended, so a shell or supervisor sees the same thing. */
function endAsChild(code: number | null, signal: NodeJS.Signals | null, announced: number | undefined): void {
  if (signal === "SIGKILL" && announced !== undefined) process.exit(announced);
  if (signal !== null) {
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 70);
}

const EXIT_ANNOUNCEMENT = "cicada-exit-code";

/** The IPC message by which a child that is about to kill itself gives its exit code. */
export function exitAnnouncement(code: number): Record<string, number> {
  return { [EXIT_ANNOUNCEMENT]: code };
}

function announcedExitCode(message: unknown): number | undefined {
  const code = (message as Record<string, unknown> | null)?.[EXIT_ANNOUNCEMENT];
  return typeof code === "number" ? code : undefined;
}

/**
 * In the relaunched child: exit at once when the launcher is gone (its IPC channel closed), as if it
 * had been killed with the launcher; the channel itself does not keep the process alive.
 */
export function followLauncher(onGone: () => void): void {
  if (process.channel === undefined) return;
  process.channel.unref();
  process.on("disconnect", onGone);
}

/**
 * Under the launcher, a terminal's Ctrl-C reaches the child twice: from the terminal (the
 * whole process group gets it) and forwarded by the launcher. One key press must stay one
 * interrupt (a second one means "exit without waiting"), so a repeat of the same signal
 * within a short window of the first is an echo.
 */
export class SignalEchoes {
  private first: { signal: string; atMs: number } | undefined;

  constructor(
    private readonly active: boolean,
    private readonly windowMs = 300,
  ) {}

  /** True when `signal` repeats the previous one within the window. */
  isEcho(signal: string, atMs = performance.now()): boolean {
    if (this.active && this.first?.signal === signal && atMs - this.first.atMs < this.windowMs) return true;
    this.first = { signal, atMs };
    return false;
  }
}

/**
 * In the child, for its whole life: an echo that arrives when the run has no signal
 * handler of its own (before it installs them, or after it removed them to print the
 * summary) would otherwise kill the process by Node's default action. Echoes are dropped;
 * any other such signal still gets the default action, as without the launcher.
 */
export function absorbSignalEchoes(echoes: SignalEchoes): void {
  for (const signal of FORWARDED_SIGNALS) {
    const absorb = () => {
      if (process.listenerCount(signal) > 1) return; // the run's own handler sees it
      if (echoes.isEcho(signal)) return;
      process.off(signal, absorb);
      process.kill(process.pid, signal);
    };
    process.on(signal, absorb);
  }
}
