/**
 * What every Runner shares, whether it runs users itself (LocalRunner) or spreads them over
 * workers (the distributed MasterRunner): the state machine and its event, starting a
 * test (stats reset, testStart), the run-time limit, following a load shape, sampling the
 * stats history, and stop/quit requests that never run twice at once.
 */
import { EventHook } from "../shared/event-hook.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { type LoadTestShape, normaliseShapeTick, type RunnerState } from "../user/index.js";
import type { Environment } from "./environment.js";
import type { Runner, WorkerSummary } from "./runner.js";
import { SpawnSequence } from "./spawn-sequence.js";

export interface StartOptions {
  /** -t/--run-time: stop the test after this long (from this start). */
  runTimeMs?: number | undefined;
}

export abstract class BaseRunner implements Runner {
  state: RunnerState = "ready";
  targetUserCount = 0;
  spawnRate = 1;
  /** Epoch ms when the current test started, or undefined before the first start. */
  startedAtMs: number | undefined;
  /** Fired on every state change (the web UI and the CLI listen). */
  readonly stateChanged = new EventHook<RunnerState>();
  /** Settles when `quit()` has finished. */
  readonly whenQuit: Promise<void>;
  /**
   * Which class the n-th user belongs to (weights, fixedCount, interleaving) among the
   * classes of the current test (all of them, or the class picker's choice).
   */
  protected sequence: SpawnSequence;
  /** The load shape being followed, if any. */
  protected shape: LoadTestShape | undefined;
  protected hasQuit = false;
  protected stopping: Promise<void> | undefined;
  private resolveQuit!: () => void;
  private runTimeTimer: TimerHandle | undefined;
  private shapeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly historyTimer: ReturnType<typeof setInterval>;

  constructor(
    readonly environment: Environment,
    historyIntervalMs = 1000,
  ) {
    environment.runner = this;
    this.sequence = new SpawnSequence(environment.activeUserClassInfos);
    this.whenQuit = new Promise((resolve) => {
      this.resolveQuit = resolve;
    });
    this.historyTimer = setInterval(() => {
      if (this.state === "spawning" || this.state === "running") {
        this.environment.stats.history.sample(this.environment.stats, this.environment.now(), this.userCount);
      }
    }, historyIntervalMs);
  }

  abstract get userCount(): number;
  abstract get userClassesCount(): Record<string, number>;
  abstract workers(): WorkerSummary[];
  abstract start(userCount: number, spawnRate: number, options?: StartOptions): Promise<void>;
  /** Stops the users (this process's or the workers'), from "stopping" to "stopped". */
  protected abstract stopUsers(): Promise<void>;
  /** Work when quitting, after the last stop (closing sockets, final reports). */
  protected async closeOnQuit(): Promise<void> {}

  /**
   * The first steps of `start`: waits for a stop in progress, begins a new test when none
   * runs (stats reset, "spawning", testStart), sets the run time and the target count.
   * Returns false when the start must not go on (a testStart listener stopped the test).
   */
  protected async beginStart(userCount: number, spawnRate: number, options: StartOptions): Promise<boolean> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.stopping) await this.stopping;
    if (this.state === "ready" || this.state === "stopped") {
      if (!(await this.beginTest())) return false;
    }
    if (options.runTimeMs !== undefined) this.scheduleRunTime(options.runTimeMs);
    this.targetUserCount = Math.min(userCount, this.sequence.capacity);
    if (userCount > this.sequence.capacity) {
      this.environment.logger.warning(
        `every user class has a fixedCount (${this.sequence.capacity} users in all): not spawning more than that`,
      );
    }
    this.spawnRate = spawnRate;
    this.setState("spawning");
    return true;
  }

  /** A new test: stats reset, state "spawning", testStart. False if a listener stopped it. */
  protected async beginTest(): Promise<boolean> {
    // The class picker may have chosen other classes since the last test.
    this.sequence = new SpawnSequence(this.environment.activeUserClassInfos);
    this.environment.stats.reset(this.environment.now());
    this.startedAtMs = this.environment.now();
    // The web UI's charts mark each new test of the session ("Run #2", ...).
    this.environment.stats.history.beginRun(this.startedAtMs);
    this.setState("spawning");
    await this.environment.events.testStart.fireAsync({ environment: this.environment });
    return (this.state as RunnerState) === "spawning";
  }

  /** Follows the environment's LoadTestShape (one tick a second) until it returns null. */
  startShape(): void {
    const ShapeClass = this.environment.shapeClass;
    if (!ShapeClass) throw new Error("no load shape in this locustfile");
    const shape = new ShapeClass();
    this.shape = shape;
    shape.runner = this;
    shape.resetTime();
    let last = "";
    const tick = () => {
      const wanted = normaliseShapeTick(shape.tick());
      if (wanted === null) {
        this.environment.logger.info("the load shape returned null: stopping");
        this.stop();
        return;
      }
      const key = `${wanted.users}/${wanted.spawnRate}`;
      if (key === last) return;
      last = key;
      this.start(wanted.users, wanted.spawnRate).catch((error: unknown) =>
        this.environment.logger.error(String(error)),
      );
    };
    this.shapeTimer = setInterval(tick, 1000);
    tick();
  }

  /** Requests a stop (returns at once). */
  stop(): void {
    this.stopAndWait().catch((error: unknown) =>
      this.environment.logger.error(`stopping failed: ${String(error)}`),
    );
  }

  /** Requests the end of the run (returns at once); `whenQuit` settles when done. */
  quit(): void {
    this.quitAndWait().catch((error: unknown) =>
      this.environment.logger.error(`quitting failed: ${String(error)}`),
    );
  }

  /** Stops the test; resolves when every user has stopped. Concurrent calls share one stop. */
  stopAndWait(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === "ready" || this.state === "stopped") return Promise.resolve();
    this.stopping = this.doStop().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /** Stops, then closes the runner for good. */
  async quitAndWait(): Promise<void> {
    if (this.hasQuit) return this.whenQuit;
    this.hasQuit = true;
    await this.stopAndWait();
    clearInterval(this.historyTimer);
    await this.closeOnQuit();
    this.resolveQuit();
  }

  private async doStop(): Promise<void> {
    this.clearTimers();
    this.setState("stopping");
    await this.environment.events.testStopping.fireAsync({ environment: this.environment });
    this.targetUserCount = 0;
    await this.stopUsers();
    this.environment.stats.history.sample(this.environment.stats, this.environment.now(), 0);
    this.setState("stopped");
    await this.environment.events.testStop.fireAsync({ environment: this.environment });
  }

  private scheduleRunTime(runTimeMs: number): void {
    stopTimer(this.runTimeTimer);
    // Any length: a run time beyond setTimeout's 24.8 days is chained (shared/timers.ts).
    this.runTimeTimer = startTimer(() => {
      this.environment.logger.info(`--run-time limit reached (${runTimeMs / 1000} s), stopping`);
      this.stop();
    }, runTimeMs);
  }

  /** Cancels the run-time limit and the shape (subclasses add their own timers). */
  protected clearTimers(): void {
    stopTimer(this.runTimeTimer);
    if (this.shapeTimer) clearInterval(this.shapeTimer);
    this.runTimeTimer = undefined;
    this.shapeTimer = undefined;
  }

  protected setState(state: RunnerState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateChanged.fire(state);
  }
}
