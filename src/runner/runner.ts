import type { EventHook } from "../shared/event-hook.js";
import type { RunnerControl, RunnerState } from "../user/index.js";
import type { StartOptions } from "./base-runner.js";
import type { Environment } from "./environment.js";
import type { TestLog } from "./test-record.js";

/** A worker as a master sees it (empty for a local runner). */
export interface WorkerSummary {
  id: string;
  state: RunnerState;
  userCount: number;
  cpuPercent: number;
  memoryBytes: number;
}

/**
 * What the CLI and the web UI drive: the local runner, or a master spreading users over
 * workers. Both take the same commands and report the same way.
 */
export interface Runner extends RunnerControl {
  readonly environment: Environment;
  readonly targetUserCount: number;
  readonly spawnRate: number;
  readonly userClassesCount: Record<string, number>;
  /** Epoch ms when the current test started. */
  readonly startedAtMs: number | undefined;
  readonly stateChanged: EventHook<RunnerState>;
  /** The tests of this session: the current (or last) one as it was asked for. */
  readonly tests: TestLog;
  /** Settles when quit has finished. */
  readonly whenQuit: Promise<void>;
  /** Starts a test or changes the running one; resolves when the ramp is done. */
  start(userCount: number, spawnRate: number, options?: StartOptions): Promise<void>;
  /** Follows the environment's LoadTestShape. */
  startShape(): void;
  stopAndWait(): Promise<void>;
  quitAndWait(): Promise<void>;
  /** Workers, for a master; empty otherwise. */
  workers(): WorkerSummary[];
}
