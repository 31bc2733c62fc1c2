/**
 * Runs users in this process: ramps to a user count at a spawn rate (one user every
 * 1/rate seconds, smoothly, rather than Locust's one burst per second), follows a load
 * shape, stops after the run time, and samples the stats history every second.
 */
import { EventHook } from "../shared/event-hook.js";
import { type LoadTestShape, normaliseShapeTick, type RunnerState } from "../user/index.js";
import type { Environment } from "./environment.js";
import type { Runner, WorkerSummary } from "./runner.js";
import { SpawnSequence } from "./spawn-sequence.js";
import { UserPool } from "./user-pool.js";

export interface LocalRunnerOptions {
  /** -s/--stop-timeout: how long users may finish their task when stopped (0 = stop at once). */
  stopTimeoutMs?: number;
  /** How often the stats history is sampled. */
  historyIntervalMs?: number;
}

export interface StartOptions {
  /** -t/--run-time: stop the test after this long (from this start). */
  runTimeMs?: number | undefined;
}

/** The shortest gap between two ramp steps: faster rates spawn several users per step. */
const MIN_RAMP_STEP_MS = 20;

export class LocalRunner implements Runner {
  state: RunnerState = "ready";
  targetUserCount = 0;
  spawnRate = 1;
  /** Epoch ms when the current test started, or undefined before the first start. */
  startedAtMs: number | undefined;

  private readonly pool: UserPool;
  private readonly sequence: SpawnSequence;
  private readonly stopTimeoutMs: number;
  private rampTimer: ReturnType<typeof setTimeout> | undefined;
  private rampFrom = 0;
  private rampStartedAt = 0;
  private rampPositions = 0;
  private rampDone: (() => void) | undefined;
  private runTimeTimer: ReturnType<typeof setTimeout> | undefined;
  private shapeTimer: ReturnType<typeof setInterval> | undefined;
  private shape: LoadTestShape | undefined;
  private readonly historyTimer: ReturnType<typeof setInterval>;
  private stopping: Promise<void> | undefined;
  private resolveQuit!: () => void;
  private hasQuit = false;
  /** Settles when `quit()` has finished: every user stopped and the runner closed. */
  readonly whenQuit: Promise<void>;
  /** Fired on every state change (the web UI and the CLI listen). */
  readonly stateChanged = new EventHook<RunnerState>();

  constructor(
    readonly environment: Environment,
    options: LocalRunnerOptions = {},
  ) {
    environment.runner = this;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 0;
    this.pool = new UserPool(environment, () => this.onUserEnded());
    this.sequence = new SpawnSequence(environment.userClassInfos);
    this.whenQuit = new Promise((resolve) => {
      this.resolveQuit = resolve;
    });
    this.historyTimer = setInterval(() => {
      if (this.state === "spawning" || this.state === "running") {
        this.environment.stats.history.sample(this.environment.stats, this.environment.now(), this.userCount);
      }
    }, options.historyIntervalMs ?? 1000);
  }

  get userCount(): number {
    return this.pool.count;
  }

  get userClassesCount(): Record<string, number> {
    return this.pool.countsByClass();
  }

  workers(): WorkerSummary[] {
    return [];
  }

  /**
   * Starts a test, or changes the user count and spawn rate of the running one. Resolves
   * when the ramp has reached `userCount` (or a later start/stop replaced it).
   */
  async start(userCount: number, spawnRate: number, options: StartOptions = {}): Promise<void> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.stopping) await this.stopping;
    if (this.state === "ready" || this.state === "stopped") {
      this.environment.stats.reset(this.environment.now());
      this.startedAtMs = this.environment.now();
      this.setState("spawning");
      await this.environment.events.testStart.fireAsync({ environment: this.environment });
      if ((this.state as RunnerState) !== "spawning") return; // stopped from a testStart listener
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
    const done = new Promise<void>((resolve) => {
      this.rampDone?.();
      this.rampDone = resolve;
    });
    this.rampFrom = this.rampPositions;
    this.rampStartedAt = performance.now();
    this.rampStep();
    return done;
  }

  /**
   * Sets the number of users of each class at once, without a ramp: a worker's master
   * paces the ramp and sends absolute counts. Starts a test when none is running; classes
   * not named keep no users; unknown class names are ignored with a warning.
   */
  async applyUserClassCounts(counts: Readonly<Record<string, number>>): Promise<void> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.stopping) await this.stopping;
    if (this.state === "ready" || this.state === "stopped") {
      this.environment.stats.reset(this.environment.now());
      this.startedAtMs = this.environment.now();
      this.setState("spawning");
      await this.environment.events.testStart.fireAsync({ environment: this.environment });
      if ((this.state as RunnerState) !== "spawning") return;
    }
    this.clearTimers();
    const targets = new Map<string, number>();
    for (const info of this.environment.userClassInfos) targets.set(info.name, 0);
    for (const [name, count] of Object.entries(counts)) {
      if (targets.has(name)) targets.set(name, Math.max(0, Math.floor(count)));
      else if (count > 0)
        this.environment.logger.warning(`no user class named ${name} here: ignoring its ${count} user(s)`);
    }
    this.targetUserCount = [...targets.values()].reduce((a, b) => a + b, 0);
    this.rampPositions = this.targetUserCount;
    this.setState("spawning");
    this.pool
      .reconcile(targets, interleave(targets), this.stopTimeoutMs)
      .catch((error: unknown) => this.environment.logger.error(`stopping users failed: ${String(error)}`));
    this.setState("running");
    this.environment.events.spawningComplete.fire({ userCount: this.userCount });
    this.rampDone?.();
    this.rampDone = undefined;
  }

  /** Follows the environment's load shape until it returns null. */
  startShape(): void {
    const ShapeClass = this.environment.shapeClass;
    if (!ShapeClass) throw new Error("no load shape in this locustfile");
    this.shape = new ShapeClass();
    this.shape.runner = this;
    this.shape.resetTime();
    let last = "";
    const tick = () => {
      const wanted = normaliseShapeTick(this.shape!.tick());
      if (wanted === null) {
        this.environment.logger.info("the load shape returned null: stopping");
        this.stop();
        return;
      }
      const key = `${wanted.users}/${wanted.spawnRate}`;
      if (key !== last) {
        last = key;
        this.start(wanted.users, wanted.spawnRate).catch((error: unknown) =>
          this.environment.logger.error(String(error)),
        );
      }
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

  /** Requests the end of Cicada (returns at once); `whenQuit` settles when done. */
  quit(): void {
    this.quitAndWait().catch((error: unknown) =>
      this.environment.logger.error(`quitting failed: ${String(error)}`),
    );
  }

  /** Stops every user; resolves when they have all finished onStop. */
  stopAndWait(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === "ready" || this.state === "stopped") return Promise.resolve();
    this.stopping = this.doStop().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  async quitAndWait(): Promise<void> {
    if (this.hasQuit) return this.whenQuit;
    this.hasQuit = true;
    await this.stopAndWait();
    clearInterval(this.historyTimer);
    this.resolveQuit();
  }

  private async doStop(): Promise<void> {
    this.clearTimers();
    this.setState("stopping");
    await this.environment.events.testStopping.fireAsync({ environment: this.environment });
    this.targetUserCount = 0;
    this.rampPositions = 0;
    await this.pool.stopAll(this.stopTimeoutMs);
    this.environment.stats.history.sample(this.environment.stats, this.environment.now(), 0);
    this.setState("stopped");
    this.rampDone?.();
    this.rampDone = undefined;
    await this.environment.events.testStop.fireAsync({ environment: this.environment });
  }

  private rampStep(): void {
    this.rampTimer = undefined;
    const elapsedSec = (performance.now() - this.rampStartedAt) / 1000;
    // The first user of a ramp starts at once, the n-th after (n-1)/rate seconds.
    const due = Math.floor(elapsedSec * this.spawnRate + 1e-9) + 1;
    const from = this.rampFrom;
    const target = this.targetUserCount;
    const next = target >= from ? Math.min(target, from + due) : Math.max(target, from - due);
    const previous = this.rampPositions;
    this.rampPositions = next;
    const spawnOrder: string[] = [];
    for (let i = previous; i < next; i++) spawnOrder.push(this.sequence.classAt(i)!);
    this.pool
      .reconcile(this.sequence.countsFor(next), spawnOrder, this.stopTimeoutMs)
      .catch((error: unknown) => this.environment.logger.error(`ramp-down failed: ${String(error)}`));
    if (next === target) {
      this.setState("running");
      this.environment.events.spawningComplete.fire({ userCount: this.userCount });
      this.environment.logger.info(
        `All users spawned: ${JSON.stringify(this.userClassesCount)} (${this.userCount} total users)`,
      );
      this.rampDone?.();
      this.rampDone = undefined;
      return;
    }
    const nextDueSec = (Math.abs(next - from) + 0) / this.spawnRate;
    const delayMs = Math.max(MIN_RAMP_STEP_MS, nextDueSec * 1000 - (performance.now() - this.rampStartedAt));
    this.rampTimer = setTimeout(() => this.rampStep(), delayMs);
  }

  private scheduleRunTime(runTimeMs: number): void {
    if (this.runTimeTimer) clearTimeout(this.runTimeTimer);
    this.runTimeTimer = setTimeout(() => {
      this.environment.logger.info(`--run-time limit reached (${runTimeMs / 1000} s), stopping`);
      this.stop();
    }, runTimeMs);
  }

  private onUserEnded(): void {
    if (this.state === "running" && this.userCount === 0 && this.targetUserCount > 0 && !this.shape) {
      this.environment.logger.info("every user has stopped by itself (StopUser): stopping the test");
      this.stop();
    }
  }

  private clearTimers(): void {
    if (this.rampTimer) clearTimeout(this.rampTimer);
    if (this.runTimeTimer) clearTimeout(this.runTimeTimer);
    if (this.shapeTimer) clearInterval(this.shapeTimer);
    this.rampTimer = undefined;
    this.runTimeTimer = undefined;
    this.shapeTimer = undefined;
  }

  private setState(state: RunnerState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateChanged.fire(state);
  }
}

/** Class names round-robin by their counts (A:3 B:1 → A B A A), so a step's users mix classes. */
function interleave(targets: ReadonlyMap<string, number>): string[] {
  const left = new Map(targets);
  const order: string[] = [];
  let added = true;
  while (added) {
    added = false;
    for (const [name, count] of left) {
      if (count <= 0) continue;
      order.push(name);
      left.set(name, count - 1);
      added = true;
    }
  }
  return order;
}
