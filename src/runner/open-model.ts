/**
 * The open model inside one process: an {@link ArrivalScheduler} that decides when
 * iterations start, and an {@link IterationPool} of users that carry them. The runner
 * (LocalRunner, or a worker's) begins it for a test, changes its rate, and stops it.
 */
import { ArrivalScheduler, realClock, type SchedulerClock } from "./arrival-scheduler.js";
import type { Environment } from "./environment.js";
import { IterationPool } from "./iteration-pool.js";

/** How the open model carries iterations: the cap on users and how long an iteration may wait. */
export interface OpenModelSettings {
  /** Users created on demand, at most this many (k6's maxVUs). */
  maxUsers: number;
  /** How long an iteration may wait for a free user before it is dropped, ms. */
  maxQueueMs: number;
}

/** Defaults of --max-users and --max-queue-time. */
export const DEFAULT_OPEN_MODEL: Readonly<OpenModelSettings> = { maxUsers: 1000, maxQueueMs: 1000 };

export class OpenModelDriver {
  private scheduler: ArrivalScheduler | undefined;
  private pool: IterationPool | undefined;
  /** Pools of stopped tests whose users are still ending (a graceful stop waits for them). */
  private readonly ending = new Set<IterationPool>();

  constructor(
    private readonly environment: Environment,
    private readonly clock: SchedulerClock = realClock,
  ) {}

  /** True from {@link begin} until {@link stop}. */
  get running(): boolean {
    return this.scheduler !== undefined;
  }

  /** The rate asked for now, iterations per second (undefined when not running). */
  get targetRate(): number | undefined {
    return this.scheduler?.targetRate;
  }

  get userCount(): number {
    return this.pool?.count ?? 0;
  }

  countsByClass(): Record<string, number> | undefined {
    return this.pool?.countsByClass();
  }

  /**
   * Starts iterations at `rate` per second with the test's active user classes, on a
   * schedule that starts now or at `startAtMs` (performance.now() ms, a moment ago).
   */
  begin(
    rate: number,
    settings: OpenModelSettings,
    ramp?: { to: number; ms: number },
    startAtMs?: number,
  ): void {
    if (this.scheduler !== undefined) throw new Error("the open model is already running");
    const environment = this.environment;
    const infos = environment.activeUserClassInfos;
    const fixed = infos.filter((info) => info.fixedCount > 0).map((info) => info.name);
    if (fixed.length > 0) {
      environment.logger.warning(
        `fixedCount does not apply to an arrival rate: ${fixed.join(", ")} get iterations by weight like the other classes`,
      );
    }
    const pool = new IterationPool(environment, infos, settings.maxUsers);
    const scheduler = new ArrivalScheduler({
      clock: this.clock,
      starter: pool,
      counters: environment.stats.iterations,
      maxQueueMs: settings.maxQueueMs,
      onFirstDrop: () =>
        environment.logger.warning(
          `Dropping iterations: every one of the ${settings.maxUsers} users (--max-users) was busy for ` +
            `${settings.maxQueueMs / 1000} s (--max-queue-time). Dropped iterations are counted; raise --max-users, ` +
            "lower the rate, or look at the target's response times",
        ),
    });
    pool.onUserFree = () => scheduler.onUserFree();
    this.pool = pool;
    this.scheduler = scheduler;
    // The CLI and the web UI already said the rate; this says who carries it. A worker whose
    // share of a distributed --max-users is 0 (its rate too) has no one: its master says so.
    if (settings.maxUsers > 0) {
      environment.logger.info(
        `Iterations run on up to ${settings.maxUsers} user${settings.maxUsers === 1 ? "" : "s"} (created on demand); one that finds none free waits at most ${settings.maxQueueMs / 1000} s`,
      );
    }
    scheduler.start(rate, ramp, startAtMs);
  }

  /** No iteration due at or after `atMs` (performance.now() ms) is scheduled; undefined: no end. */
  endScheduleAt(atMs: number | undefined): void {
    this.scheduler?.endAt(atMs);
  }

  /**
   * Changes the cap on users of the running test. Users above a lower cap are retired: the
   * free ones now, the busy ones when their iteration ends (a worker's share of a
   * distributed --max-users shrinks when another worker joins).
   */
  setMaxUsers(maxUsers: number): void {
    this.pool?.setMaxUsers(maxUsers);
  }

  /** Moves the rate to `rate` per second, linearly over `rampMs` (0: at once). */
  setRate(rate: number, rampMs = 0): void {
    if (this.scheduler === undefined) throw new Error("no arrival-rate test is running");
    this.scheduler.setRate(rate, rampMs);
  }

  /** Stops scheduling (waiting iterations are dropped), then stops every user. */
  async stop(stopTimeoutMs: number): Promise<void> {
    const scheduler = this.scheduler;
    const pool = this.pool;
    this.scheduler = undefined;
    this.pool = undefined;
    scheduler?.stop();
    if (pool === undefined) return;
    this.ending.add(pool);
    try {
      await pool.stopAll(stopTimeoutMs);
    } finally {
      this.ending.delete(pool);
    }
  }

  /** Interrupts every user now (see Runner.interruptUsers), those of a stop under way too. */
  interruptAll(): void {
    this.pool?.interruptAll();
    for (const pool of this.ending) pool.interruptAll();
  }
}
