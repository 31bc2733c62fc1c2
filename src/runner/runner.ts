import type { CicadaError, EnvironmentError } from "../shared/errors.js";
import type { EventHook } from "../shared/event-hook.js";
import type { RunnerControl, RunnerState } from "../user/index.js";
import type { StartOptions } from "./base-runner.js";
import type { Environment } from "./environment.js";
import type { OpenModelSettings } from "./open-model.js";
import type { TestLog } from "./test-record.js";

/** The two ways a test makes load: a number of users (closed), or an arrival rate (open). */
export type LoadModel = "users" | "arrival-rate";

/** An arrival-rate test (the open model), as `--arrival-rate A[:B] --ramp D` asks for it. */
export interface ArrivalRateStart extends StartOptions {
  /** Iterations started per second at the start (≥ 0). */
  rate: number;
  /** With `rampMs`: the rate then moves linearly from `rate` to this one over `rampMs`. */
  rampTo?: number | undefined;
  rampMs?: number | undefined;
}

/**
 * Who stops a test, where it changes what its end says: a capacity search stops it after
 * judging its last step, so the iterations it interrupts belong to no step.
 */
export type StopCause = "capacity-search";

/** A worker as a master sees it (empty for a local runner). */
export interface WorkerSummary {
  id: string;
  state: RunnerState;
  userCount: number;
  cpuPercent: number;
  memoryBytes: number;
  /**
   * Its last two stats reports: the requests it had reported in all by each, and when the
   * master merged it (epoch ms). A rate between two reports is the worker's own; one over
   * the master's clock depends on how many reports fell into the window. Undefined before
   * a report (and for a local runner's summary).
   */
  reports?: { last: ReportMark; previous: ReportMark | null };
}

/** A worker's stats report as a point of its running total of requests. */
export interface ReportMark {
  /** Requests reported so far, in all. */
  requests: number;
  /** When the master merged the report, epoch ms. */
  atMs: number;
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
  /**
   * Users of this process still in their onStart (a login, say): they run no task yet.
   * Undefined where it is not known (a master: its workers do not report it).
   */
  readonly usersStarting: number | undefined;
  /**
   * Starts an arrival-rate test, or changes the rate of the running one. Iterations start
   * at the rate whatever the response times, on users created on demand up to
   * `openModel.maxUsers`. Rejects when a test with users is running.
   */
  startArrivalRate(start: ArrivalRateStart): Promise<void>;
  /**
   * Why an arrival rate cannot start now (a master with no Cicada worker: Locust workers
   * take user counts only), so a caller can refuse the request before answering it; else
   * undefined. `startArrivalRate` rejects with the same reason.
   */
  arrivalRateRefusal(): EnvironmentError | undefined;
  /**
   * Changes the target rate of the running arrival-rate test: linearly over `rampMs`
   * (0: at once). For controllers that steer the rate while the test runs.
   * @throws Error when no arrival-rate test is running.
   */
  setArrivalRate(rate: number, rampMs?: number): void;
  /** The target arrival rate now, iterations per second; undefined unless an arrival-rate test runs. */
  readonly arrivalRate: number | undefined;
  /** How the current (or last) test makes load. */
  readonly loadModel: LoadModel;
  /** --max-users and --max-queue-time of arrival-rate tests (settable between tests). */
  openModel: OpenModelSettings;
  /** Follows the environment's LoadTestShape. Throws a UsageError when its first tick is invalid. */
  startShape(): void;
  /** Why a load shape ended the test (an invalid tick), if it did: the CLI exits with its code. */
  readonly shapeFailure: Error | undefined;
  /**
   * A master's: why its workers did not run the test as asked (one lacks user classes it
   * was sent); the run goes on and reports everything, then the CLI exits with its code.
   */
  readonly clusterProblem?: CicadaError | undefined;
  /** Requests a stop (returns at once). */
  stop(cause?: StopCause): void;
  /** Stops the test; resolves when every user has stopped. */
  stopAndWait(cause?: StopCause): Promise<void>;
  /**
   * Hard-stops every user of this process now, synchronously, those a stop is waiting for
   * (`--stop-timeout`) too: their waits end and their requests in flight are aborted and
   * counted (`abortedRequests`, `abortedUnsentRequests`), as when the stop timeout runs out.
   * A second Ctrl-C does it before the CLI stops waiting and writes the reports. A master
   * has no users of its own: it does nothing.
   */
  interruptUsers(): void;
  quitAndWait(): Promise<void>;
  /** Workers, for a master; empty otherwise. */
  workers(): WorkerSummary[];
  /** --stop-timeout, ms: how long stopping users may finish their task (0: stopped at once). */
  readonly stopTimeoutMs: number;
  /**
   * The stop's users were hard-stopped before the stop timeout was out (a second Ctrl-C):
   * what they had in flight was cut off by that, not by the timeout (the reports say which).
   */
  readonly stopCutShort: boolean;
}
