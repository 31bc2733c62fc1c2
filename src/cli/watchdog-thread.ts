/**
 * The watchdog's own thread (started by watchdog.ts). CPU-bound code in a task (a
 * synchronous loop) blocks the main thread's event loop: no timer fires (-t passes),
 * no signal handler runs (Ctrl-C and SIGTERM are ignored), the launcher's death goes
 * unnoticed. This thread keeps its own event loop and watches:
 *
 * - the main thread's heartbeat (a time it stores in shared memory every 100 ms): silent
 *   for the stall timeout, or past the run's end (-t) by a second, it is stalled;
 * - the launcher's control pipe: the signals it forwarded (two arriving while the main
 *   thread is silent are a second, unanswered Ctrl-C), and its end (the launcher is gone).
 *
 * Then it pauses the main thread through the inspector (V8 interrupts even a busy loop),
 * learns where it was (the stack, source-mapped), and calls the emergency function the
 * main thread registered: it writes the summary and every report from the paused state
 * and exits. If the main thread cannot be paused (stuck in native code), this thread says
 * so on stderr and kills the process.
 */
import { writeSync } from "node:fs";
import { Session } from "node:inspector";
import { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import {
  EMERGENCY_KEY,
  KILL_ME,
  type StallEvent,
  type WatchdogCommand,
  type WatchdogData,
  WatchdogSlot,
} from "./watchdog-protocol.js";

const data = workerData as WatchdogData;
const shared = new BigInt64Array(data.shared);
/** How often the heartbeat is checked. */
const CHECK_MS = 100;
/** A main thread silent this long has not answered a signal yet. */
const UNANSWERED_MS = 1000;
/** How long to wait for the main thread to pause before killing the process. */
const PAUSE_WAIT_MS = 3000;

let stallTimeoutMs = data.stallTimeoutMs;
let runEndsAtMs: number | undefined;
let unansweredSignals = 0;
let acting = false;

const silentForMs = () => Date.now() - Number(Atomics.load(shared, WatchdogSlot.heartbeat));

parentPort?.on("message", (command: WatchdogCommand) => {
  if (command.kind === "stall-timeout") stallTimeoutMs = command.ms;
  else if (command.kind === "run-ends-at") runEndsAtMs = command.epochMs;
});

setInterval(() => {
  const silent = silentForMs();
  if (silent < UNANSWERED_MS) unansweredSignals = 0;
  if (stallTimeoutMs > 0 && silent >= stallTimeoutMs) act({ reason: "stalled", silentMs: silent });
  else if (runEndsAtMs !== undefined && silent >= UNANSWERED_MS && Date.now() > runEndsAtMs + UNANSWERED_MS) {
    act({ reason: "run-time", silentMs: silent });
  }
}, CHECK_MS);

if (data.controlFd !== undefined) watchLauncher(data.controlFd);

/** Reads the launcher's control pipe: a line per forwarded signal; its end: the launcher is gone. */
function watchLauncher(fd: number): void {
  const control = new Socket({ fd, readable: true, writable: false });
  control.setEncoding("utf8");
  control.on("error", () => {});
  control.on("data", (text: string) => {
    for (const signal of text.split("\n").filter(Boolean)) {
      if (silentForMs() < UNANSWERED_MS) continue;
      unansweredSignals++;
      if (unansweredSignals >= 2) act({ reason: "signal", silentMs: silentForMs(), signal });
    }
  });
  control.on("close", () => {
    // A live main thread ends by itself (launcher.ts followLauncher); a stalled one cannot.
    setTimeout(() => {
      if (silentForMs() >= UNANSWERED_MS) act({ reason: "launcher-gone", silentMs: silentForMs() });
    }, UNANSWERED_MS).unref();
  });
}

/** Pauses the main thread and has it end the run from where it stands. */
function act(event: Omit<StallEvent, "stack">): void {
  if (acting) return;
  acting = true;
  const killer = setTimeout(() => kill(event), PAUSE_WAIT_MS);
  let session: Session;
  try {
    session = new Session();
    session.connectToMainThread();
  } catch {
    kill(event);
    return;
  }
  session.once("Debugger.paused", (message) => {
    clearTimeout(killer);
    const frame = (message.params as { callFrames: Array<{ callFrameId: string }> }).callFrames[0];
    // Runs on the main thread, in the paused state: it writes the reports and exits.
    const expression = `globalThis[Symbol.for(${JSON.stringify(EMERGENCY_KEY)})]?.(${JSON.stringify(event)}, new Error("stalled here").stack)`;
    session.post(
      "Debugger.evaluateOnCallFrame",
      { callFrameId: frame?.callFrameId ?? "", expression },
      (_error, reply) => {
        // The reports are written and the exit code announced to the launcher: end here.
        if ((reply as { result?: { value?: unknown } } | undefined)?.result?.value === KILL_ME) {
          process.kill(process.pid, "SIGKILL");
        }
        // Still alive: the main thread could not end the run (no emergency function?).
        kill(event);
      },
    );
  });
  session.post("Debugger.enable", () => session.post("Debugger.pause"));
}

/** The main thread could not be paused: say why on stderr (directly: it cannot print) and end the process. */
function kill(event: Omit<StallEvent, "stack">): void {
  writeSync(
    2,
    `Error: the event loop has been blocked for ${(event.silentMs / 1000).toFixed(1)} s and could not be interrupted: ` +
      "ending Cicada without reports (SIGKILL).\nHint: a task runs synchronous, CPU-bound code; await between steps\n",
  );
  process.kill(process.pid, "SIGKILL");
}
