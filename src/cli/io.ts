import type { UnhandledErrorKind } from "../runner/index.js";
import type { Watchdog } from "./watchdog.js";

/**
 * What the CLI needs from the outside world. `main()` fills it from `process`; tests run
 * the whole CLI in-process with their own.
 */
export interface TextSink {
  write(text: string): unknown;
}

/** The signals that stop a run: Ctrl-C, `kill`, a closed terminal (SIGHUP is treated like SIGTERM). */
export type SignalName = "SIGINT" | "SIGTERM" | "SIGHUP";

export interface CliIO {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home?: string | undefined;
  stdout: TextSink;
  stderr: TextSink;
  /** Subscribes to SIGINT/SIGTERM/SIGHUP; returns the unsubscribe function. */
  onSignal(handler: (signal: SignalName) => void): () => void;
  /**
   * Subscribes to errors nothing caught: a promise rejection nothing handled, an exception
   * thrown by a timer's callback. While a subscriber exists the process keeps running.
   * Returns the unsubscribe function. Absent in tests that run the CLI in-process.
   */
  onUnhandledError?(handler: (error: unknown, kind: UnhandledErrorKind) => void): () => void;
  /** CPU time used by this process so far, in microseconds (for load warnings). */
  cpuUsageMicros(): number;
  /** Resident memory of this process, in bytes. */
  memoryBytes(): number;
  /** Number of CPU cores (for --processes -1). */
  cpuCount(): number;
  /** The watchdog of this process (main() starts it; absent when the CLI runs in-process). */
  watchdog?: Watchdog;
  /** Absolute path of the CLI entry script (to start worker processes). */
  cliScript?: string;
}
