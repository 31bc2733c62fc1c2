/**
 * What the CLI needs from the outside world. `main()` fills it from `process`; tests run
 * the whole CLI in-process with their own.
 */
export interface TextSink {
  write(text: string): unknown;
}

export type SignalName = "SIGINT" | "SIGTERM";

export interface CliIO {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home?: string | undefined;
  stdout: TextSink;
  stderr: TextSink;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal(handler: (signal: SignalName) => void): () => void;
  /** CPU time used by this process so far, in microseconds (for load warnings). */
  cpuUsageMicros(): number;
  /** Resident memory of this process, in bytes. */
  memoryBytes(): number;
  /** Number of CPU cores (for --processes -1). */
  cpuCount(): number;
  /** Absolute path of the CLI entry script (to start worker processes). */
  cliScript?: string;
}
