/**
 * Runs users in this process: ramps to a user count at a spawn rate (one user every
 * 1/rate seconds, smoothly, rather than Locust's one burst per second), follows a load
 * shape, stops after the run time, and samples the stats history every second.
 */
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { BaseRunner, type StartOptions } from "./base-runner.js";
import type { Environment } from "./environment.js";
import type { WorkerSummary } from "./runner.js";
import { UserPool } from "./user-pool.js";

export interface LocalRunnerOptions {
  /** -s/--stop-timeout: how long users may finish their task when stopped (0 = stop at once). */
  stopTimeoutMs?: number;
  /** How often the stats history is sampled. */
  historyIntervalMs?: number;
}

/** The shortest gap between two ramp steps: faster rates spawn several users per step. */
const MIN_RAMP_STEP_MS = 20;

export class LocalRunner extends BaseRunner {
  private readonly pool: UserPool;
  private readonly stopTimeoutMs: number;
  private rampTimer: TimerHandle | undefined;
  private rampFrom = 0;
  private rampStartedAt = 0;
  private rampPositions = 0;
  private rampDone: (() => void) | undefined;

  constructor(environment: Environment, options: LocalRunnerOptions = {}) {
    super(environment, options.historyIntervalMs);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 0;
    this.pool = new UserPool(environment, () => this.onUserEnded());
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
    if (!(await this.beginStart(userCount, spawnRate, options))) return;
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
    if ((this.state === "ready" || this.state === "stopped") && !(await this.beginTest())) return;
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

  protected async stopUsers(): Promise<void> {
    this.rampPositions = 0;
    await this.pool.stopAll(this.stopTimeoutMs);
    this.rampDone?.();
    this.rampDone = undefined;
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
    this.rampTimer = startTimer(() => this.rampStep(), delayMs);
  }

  private onUserEnded(): void {
    if (this.state === "running" && this.userCount === 0 && this.targetUserCount > 0 && !this.shape) {
      this.environment.logger.info("every user has stopped by itself (StopUser): stopping the test");
      this.stop();
    }
  }

  protected override clearTimers(): void {
    super.clearTimers();
    stopTimer(this.rampTimer);
    this.rampTimer = undefined;
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
