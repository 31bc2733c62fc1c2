/**
 * Runs users in this process: ramps to a user count at a spawn rate (one user every
 * 1/rate seconds, smoothly, rather than Locust's one burst per second), or starts
 * iterations at an arrival rate (the open model: {@link OpenModelDriver}), follows a
 * load shape, stops after the run time, and samples the stats history every second.
 */
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import type { IterationGate } from "../user/index.js";
import type { SchedulerClock } from "./arrival-scheduler.js";
import { BaseRunner, checkArrivalRate, type StartOptions } from "./base-runner.js";
import { isProtocolMessageType } from "./custom-messages.js";
import type { Environment } from "./environment.js";
import { LocalIterationGate } from "./iterations.js";
import { OpenModelDriver } from "./open-model.js";
import type { ArrivalRateStart, WorkerSummary } from "./runner.js";
import { UserPool } from "./user-pool.js";

export interface LocalRunnerOptions {
  /** -s/--stop-timeout: how long users may finish their task when stopped (0 = stop at once). */
  stopTimeoutMs?: number;
  /** How often the stats history is sampled. */
  historyIntervalMs?: number;
  /** The open model's clock (tests use a fake one). */
  clock?: SchedulerClock;
  /** -i/--iterations: run exactly this many tasks in each test, then stop. */
  iterations?: number | undefined;
}

/** The shortest gap between two ramp steps: faster rates spawn several users per step. */
const MIN_RAMP_STEP_MS = 20;

export class LocalRunner extends BaseRunner {
  /**
   * Where custom messages go instead of this process's own listeners: a worker sets it
   * to send them to its master.
   */
  messageTransport: ((type: string, data: unknown) => void) | undefined;
  /**
   * Called when the iteration budget is spent and every user has finished: a local run
   * stops (the default); a worker tells its master instead.
   */
  onIterationsDone: () => void = () => {
    this.environment.logger.info("The iteration limit is reached and every user has finished: stopping");
    this.stop();
  };
  private readonly pool: UserPool;
  private readonly openModelDriver: OpenModelDriver;
  /** Bumped by every startArrivalRate: an older call that resumes late must not undo a newer one. */
  private arrivalRequests = 0;
  /** How long stopping users may finish their task (a worker takes its master's, as Locust's does). */
  stopTimeoutMs: number;
  private readonly iterationLimit: number | undefined;
  private gate: IterationGate | undefined;
  /** The gate came from outside (a worker's leases): a new test keeps it. */
  private externalGate = false;
  private gateSpent = false;
  private rampTimer: TimerHandle | undefined;
  private rampFrom = 0;
  private rampStartedAt = 0;
  private rampPositions = 0;
  private rampDone: (() => void) | undefined;

  constructor(environment: Environment, options: LocalRunnerOptions = {}) {
    super(environment, options.historyIntervalMs);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 0;
    this.iterationLimit = options.iterations;
    this.pool = new UserPool(
      environment,
      () => this.onUserEnded(),
      () => this.gate,
    );
    this.openModelDriver = new OpenModelDriver(environment, options.clock);
  }

  /**
   * Uses `gate` for the iteration budget of the coming tests (a worker's leases from its
   * master); undefined removes it.
   */
  setIterationGate(gate: IterationGate | undefined): void {
    this.gate = gate;
    this.externalGate = gate !== undefined;
    this.gateSpent = false;
  }

  /**
   * The budget is spent: no ramp step or shape tick starts more users, and every user
   * stops after its current task (at once if it is waiting). The test ends when the last
   * one has finished (onIterationsDone).
   */
  iterationsSpent(): void {
    if (this.gateSpent) return;
    this.gateSpent = true;
    this.environment.logger.info("The iteration limit is reached: each user stops after its current task");
    this.clearRampAndShape();
    this.pool.requestStopAll();
    if (this.pool.count === 0) this.onIterationsDone();
  }

  /** Sends a custom message: to the master on a worker, else to this process's own listener. */
  sendMessage(type: string, data?: unknown, _clientId?: string): void {
    if (isProtocolMessageType(type))
      throw new RangeError(`sendMessage: "${type}" is a message type of the protocol itself`);
    if (this.messageTransport) {
      this.messageTransport(type, data ?? null);
      return;
    }
    this.environment.logger.debug(`Running locally: sending ${type} message to self`);
    if (!this.messages.deliver(type, data ?? null, "local")) {
      this.environment.logger.warning(`Unknown message type received: ${type}`);
    }
  }

  get userCount(): number {
    return this.pool.count + this.openModelDriver.userCount;
  }

  override get usersStarting(): number {
    return this.pool.starting;
  }

  get userClassesCount(): Record<string, number> {
    return this.openModelDriver.countsByClass() ?? this.pool.countsByClass();
  }

  get arrivalRate(): number | undefined {
    return this.openModelDriver.targetRate;
  }

  /**
   * Starts an arrival-rate test, or changes the rate of the running one: the rate steps to
   * `start.rate`, then ramps to `start.rampTo` over `start.rampMs` if given.
   */
  async startArrivalRate(start: ArrivalRateStart): Promise<void> {
    const request = ++this.arrivalRequests;
    if (!(await this.beginArrivalRate(start))) return;
    if (request !== this.arrivalRequests || (this.state as string) !== "running") return;
    const driver = this.openModelDriver;
    const ramp =
      start.rampTo !== undefined && (start.rampMs ?? 0) > 0
        ? { to: start.rampTo, ms: start.rampMs! }
        : undefined;
    if (driver.running) {
      driver.setMaxUsers(this.openModel.maxUsers);
      driver.setRate(start.rate);
      if (ramp !== undefined) driver.setRate(ramp.to, ramp.ms);
    } else {
      // From the moment the run time began (its timer was set a few ms ago, before the
      // test's start events): the schedule fills the run time, 2,000/s for 3 s is 6,000.
      const runStartMs =
        start.runTimeMs === undefined || this.runEndsAtMs === undefined
          ? undefined
          : this.runEndsAtMs - start.runTimeMs;
      driver.begin(start.rate, this.openModel, ramp, runStartMs);
    }
    // The schedule covers the run time [0, T): an iteration due at T would start as the
    // test stops and be interrupted at once.
    driver.endScheduleAt(this.runEndsAtMs);
  }

  setArrivalRate(rate: number, rampMs = 0): void {
    checkArrivalRate(rate);
    this.openModelDriver.setRate(rate, rampMs);
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
    if (this.gateSpent) return;
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
  /** Why a class the master sent users of runs none here: not defined, or left without tasks by -T/-E. */
  private whyNoClass(name: string): string {
    const defined = this.environment.userClasses.some((cls) => cls.name === name);
    return defined ? `${name} has no task left by -T/-E here` : `no user class named ${name} here`;
  }

  async applyUserClassCounts(counts: Readonly<Record<string, number>>): Promise<void> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.stopping) await this.stopping;
    if (this.state === "ready" || this.state === "stopped") {
      this.loadModel = "users";
      if (!(await this.beginTest())) return;
    }
    this.clearTimers();
    const targets = new Map<string, number>();
    for (const info of this.environment.userClassInfos) targets.set(info.name, 0);
    for (const [name, count] of Object.entries(counts)) {
      if (targets.has(name)) targets.set(name, Math.max(0, Math.floor(count)));
      else if (count > 0)
        this.environment.logger.warning(`${this.whyNoClass(name)}: ignoring its ${count} user(s)`);
    }
    this.targetUserCount = [...targets.values()].reduce((a, b) => a + b, 0);
    this.rampPositions = this.targetUserCount;
    this.setState("spawning");
    this.pool
      .reconcile(targets, interleave(targets), this.stopTimeoutMs)
      .catch((error: unknown) => this.environment.logger.error(`stopping users failed: ${String(error)}`));
    // No spawningComplete here: the master says when its whole ramp is done (Locust ≥ 2.29).
    this.setState("running");
    this.rampDone?.();
    this.rampDone = undefined;
  }

  /** Hard-stops every user now (see Runner.interruptUsers): both models' pools. */
  interruptUsers(): void {
    if (this.state === "stopping" && this.stopTimeoutMs > 0) this.stopCutShort = true;
    this.pool.interruptAll();
    this.openModelDriver.interruptAll();
    // An interrupted iteration never completes: what is in flight now is what the stop cut
    // off, and the reports written at once (a second Ctrl-C) must say so, as the stop would
    // once the users have ended.
    if (this.state === "stopping" && this.loadModel === "arrival-rate" && this.ownsTotals) {
      this.environment.stats.iterations.markStopped();
    }
  }

  protected async stopUsers(): Promise<void> {
    this.rampPositions = 0;
    this.arrivalRequests++;
    await this.openModelDriver.stop(this.stopTimeoutMs);
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

  /** A new test: a fresh iteration budget (-i). */
  protected override async beginTest(): Promise<boolean> {
    if (this.iterationLimit !== undefined && !this.externalGate) {
      this.gate = new LocalIterationGate(this.iterationLimit, () => this.iterationsSpent());
      this.gateSpent = false;
    }
    return super.beginTest();
  }

  private onUserEnded(): void {
    if (this.gateSpent) {
      if (this.userCount === 0 && (this.state === "running" || this.state === "spawning"))
        this.onIterationsDone();
      return;
    }
    if (this.state === "running" && this.userCount === 0 && this.targetUserCount > 0 && !this.shape) {
      this.environment.logger.info("every user has stopped by itself (StopUser): stopping the test");
      this.stop();
    }
  }

  protected override clearTimers(): void {
    super.clearTimers();
    this.clearRampAndShape();
  }

  private clearRampAndShape(): void {
    stopTimer(this.rampTimer);
    this.rampTimer = undefined;
    this.stopShape();
    this.rampDone?.();
    this.rampDone = undefined;
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
