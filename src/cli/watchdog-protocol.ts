/** What the main thread and the watchdog's thread share (watchdog.ts, watchdog-thread.ts). */

/** Slots of the shared BigInt64Array. */
export const WatchdogSlot = {
  /** Epoch ms of the main thread's last heartbeat. */
  heartbeat: 0,
} as const;

/** The global (a `Symbol.for` key) holding the main thread's emergency function. */
export const EMERGENCY_KEY = "cicada.watchdog.emergency";

/** What the emergency function returns when the watchdog's thread must end the process (watchdog.ts). */
export const KILL_ME = "kill-me";

/** The watchdog thread's start data. */
export interface WatchdogData {
  shared: SharedArrayBuffer;
  stallTimeoutMs: number;
  /** The launcher's control pipe (launcher.ts), when there is a launcher. */
  controlFd: number | undefined;
}

/** Messages from the main thread to the watchdog's. */
export type WatchdogCommand =
  | { kind: "stall-timeout"; ms: number }
  /** When the run time ends (undefined: no run time, or the run is over). */
  | { kind: "run-ends-at"; epochMs: number | undefined };

/** Why the watchdog stepped in, and what the main thread was doing. */
export interface StallEvent {
  reason: "stalled" | "run-time" | "signal" | "launcher-gone";
  /** How long the main thread had been silent. */
  silentMs: number;
  /** The signal that went unanswered twice (reason "signal"). */
  signal?: string;
  /** The main thread's stack where it was paused (source-mapped). */
  stack: string;
}

/** One sentence saying what happened, for the log and the exceptions table. */
export function describeStall(event: StallEvent, stallTimeoutMs: number): string {
  const seconds = (event.silentMs / 1000).toFixed(1);
  switch (event.reason) {
    case "stalled":
      return `the event loop was blocked for ${seconds} s (--stall-timeout ${stallTimeoutMs / 1000} s)`;
    case "run-time":
      return `the run time was over, but the event loop had been blocked for ${seconds} s`;
    case "signal":
      return `${event.signal ?? "a signal"} went unanswered twice: the event loop had been blocked for ${seconds} s`;
    case "launcher-gone":
      return `the cicada launcher is gone, and the event loop had been blocked for ${seconds} s`;
  }
}
