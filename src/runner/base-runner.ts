/**
 * What every Runner shares, whether it runs users itself (LocalRunner) or spreads them over
 * workers (the distributed MasterRunner): the state machine and its event, starting a
 * test (stats reset, testStart), the run-time limit, following a load shape, sampling the
 * stats history, and stop/quit requests that never run twice at once.
 */
import { isArrivalRate, MAX_ARRIVAL_RATE } from "../shared/arrival-rate.js";
import { CicadaError, type EnvironmentError, LocustfileError, UsageError } from "../shared/errors.js";
import { EventHook } from "../shared/event-hook.js";
import { describeThrown, firstFrame, stackOf } from "../shared/thrown.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { droppedAtStopNote, interruptedIterationsWarning } from "../stats/index.js";
import {
  isArrivalRateTick,
  type LoadTestShape,
  type MessageListener,
  normaliseShapeTick,
  type RunnerState,
} from "../user/index.js";
import { MessageRegistry } from "./custom-messages.js";
import type { Environment } from "./environment.js";
import { DEFAULT_OPEN_MODEL, type OpenModelSettings } from "./open-model.js";
import type { ArrivalRateStart, LoadModel, Runner, StopCause, WorkerSummary } from "./runner.js";
import { SpawnSequence } from "./spawn-sequence.js";
import { TestLog } from "./test-record.js";

export interface StartOptions {
  /** -t/--run-time: stop the test after this long (from this start). */
  runTimeMs?: number | undefined;
  /**
   * Only these user classes, by their weights, as a load shape's tick may ask (Locust's third
   * item); the others' users stop. Undefined: every class the test runs.
   */
  userClasses?: readonly string[] | undefined;
}

export abstract class BaseRunner implements Runner {
  state: RunnerState = "ready";
  targetUserCount = 0;
  spawnRate = 1;
  /** Epoch ms when the current test started, or undefined before the first start. */
  startedAtMs: number | undefined;
  /** How the current (or last) test makes load. */
  loadModel: LoadModel = "users";
  /** --max-users and --max-queue-time for arrival-rate tests. */
  openModel: OpenModelSettings = { ...DEFAULT_OPEN_MODEL };
  /** Why a load shape ended the test, if it did. */
  shapeFailure: Error | undefined;
  /**
   * False on a worker: its statistics are deltas sent to its master, so the totals, and the
   * warnings about them at the end of a test, are the master's.
   */
  ownsTotals = true;
  /** Fired on every state change (the web UI and the CLI listen). */
  readonly stateChanged = new EventHook<RunnerState>();
  /** Settles when `quit()` has finished. */
  readonly whenQuit: Promise<void>;
  /** The tests of this session as they were asked for (what the reports describe). */
  readonly tests = new TestLog();
  /** The listeners of custom messages (`registerMessage`). */
  readonly messages: MessageRegistry;
  /**
   * Which class the n-th user belongs to (weights, fixedCount, interleaving) among the
   * classes of the current test (all of them, or the class picker's choice).
   */
  protected sequence: SpawnSequence;
  /** The classes `sequence` is limited to by a shape's tick (sorted, comma-joined); undefined: all. */
  private sequenceClasses: string | undefined;
  /** The load shape being followed, if any. */
  protected shape: LoadTestShape | undefined;
  /** --stop-timeout, ms (0: users are stopped at once). */
  abstract readonly stopTimeoutMs: number;
  /** See Runner.stopCutShort; false again when a new test begins. */
  stopCutShort = false;
  protected hasQuit = false;
  protected stopping: Promise<void> | undefined;
  private resolveQuit!: () => void;
  private runTimeTimer: TimerHandle | undefined;
  /** When the run time ends (performance.now() ms), while a run time is set. */
  protected runEndsAtMs: number | undefined;
  /** --reset-stats in an arrival-rate test: fires when its ramp is done. */
  private rampResetTimer: TimerHandle | undefined;
  private shapeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly historyTimer: ReturnType<typeof setInterval>;

  constructor(
    readonly environment: Environment,
    historyIntervalMs = 1000,
  ) {
    environment.runner = this;
    this.messages = new MessageRegistry(environment, environment.logger);
    this.sequence = new SpawnSequence(environment.activeUserClassInfos);
    this.whenQuit = new Promise((resolve) => {
      this.resolveQuit = resolve;
    });
    this.historyTimer = setInterval(() => {
      if (this.state === "spawning" || this.state === "running") {
        const rate = this.arrivalRate;
        // A ramp moves the target between scheduler ticks (and a master has no scheduler).
        if (rate !== undefined) this.environment.stats.iterations.setTargetRate(rate);
        this.environment.stats.history.sample(this.environment.stats, this.environment.now(), this.userCount);
      }
    }, historyIntervalMs);
    // A sampler: a runner made by a library user must not keep the process alive by itself.
    this.historyTimer.unref();
    // --reset-stats, as Locust: the statistics start again each time a ramp completes.
    environment.events.spawningComplete.addListener(() => {
      if (environment.resetStatsAfterRamp && (this.state === "running" || this.state === "spawning")) {
        environment.logger.info("Resetting stats (--reset-stats)");
        environment.resetStats();
      }
    });
  }

  abstract get userCount(): number;
  /** Users still in their onStart; undefined where it is not known (see Runner.usersStarting). */
  get usersStarting(): number | undefined {
    return undefined;
  }
  abstract get userClassesCount(): Record<string, number>;
  abstract workers(): WorkerSummary[];
  abstract start(userCount: number, spawnRate: number, options?: StartOptions): Promise<void>;
  abstract startArrivalRate(start: ArrivalRateStart): Promise<void>;
  arrivalRateRefusal(): EnvironmentError | undefined {
    return undefined;
  }
  abstract setArrivalRate(rate: number, rampMs?: number): void;
  abstract get arrivalRate(): number | undefined;
  /** Sends a custom message (see RunnerControl.sendMessage). */
  abstract sendMessage(type: string, data?: unknown, clientId?: string): void;

  /** Listens to custom messages of `type` (see RunnerControl.registerMessage). */
  registerMessage<T = unknown>(type: string, listener: MessageListener<T>): void {
    this.messages.register(type, listener as MessageListener);
  }
  /** Stops the users (this process's or the workers'), from "stopping" to "stopped". */
  protected abstract stopUsers(): Promise<void>;
  /** See Runner.interruptUsers. */
  abstract interruptUsers(): void;
  /** Work when quitting, after the last stop (closing sockets, final reports). */
  protected async closeOnQuit(): Promise<void> {}

  /**
   * The first steps of `start`: waits for a stop in progress, begins a new test when none
   * runs (stats reset, "spawning", testStart), sets the run time and the target count.
   * Returns false when the start must not go on (a testStart listener stopped the test).
   */
  protected async beginStart(userCount: number, spawnRate: number, options: StartOptions): Promise<boolean> {
    if (!(await this.beginModel("users"))) return false;
    if (options.runTimeMs !== undefined) this.scheduleRunTime(options.runTimeMs);
    this.spawnClasses(options.userClasses);
    this.targetUserCount = Math.min(userCount, this.sequence.capacity);
    if (userCount > this.sequence.capacity) {
      this.environment.logger.warning(
        `every user class has a fixedCount (${this.sequence.capacity} users in all): not spawning more than that`,
      );
    }
    this.spawnRate = spawnRate;
    this.tests.requested(this.environment.now(), userCount, spawnRate, options.runTimeMs);
    this.setState("spawning");
    return true;
  }

  /**
   * The first steps of `startArrivalRate`: begins a new test when none runs, sets the run
   * time, and the state "running" (an arrival rate has no ramp of users). False when the
   * start must not go on.
   */
  protected async beginArrivalRate(start: ArrivalRateStart): Promise<boolean> {
    checkArrivalRate(start.rate);
    if (start.rampTo !== undefined) checkArrivalRate(start.rampTo);
    if (!(await this.beginModel("arrival-rate"))) return false;
    if (start.runTimeMs !== undefined) this.scheduleRunTime(start.runTimeMs);
    const ramp = start.rampTo !== undefined && (start.rampMs ?? 0) > 0;
    this.tests.requestedArrivalRate(
      this.environment.now(),
      { from: start.rate, to: ramp ? start.rampTo! : null, rampMs: ramp ? start.rampMs! : null },
      this.openModel,
      start.runTimeMs,
    );
    this.targetUserCount = 0;
    this.setState("running");
    if (ramp && this.environment.resetStatsAfterRamp)
      this.resetStatsAfterRateRamp(start.rampMs!, start.rampTo!);
    return true;
  }

  /**
   * --reset-stats for an arrival rate: as with users, the statistics start again when the
   * ramp is done (here the rate's ramp, there being no users to spawn).
   */
  private resetStatsAfterRateRamp(rampMs: number, rate: number): void {
    stopTimer(this.rampResetTimer);
    this.rampResetTimer = startTimer(() => {
      this.rampResetTimer = undefined;
      if (this.state !== "running") return;
      this.environment.logger.info(`Resetting stats (--reset-stats): the arrival rate reached ${rate}/s`);
      this.environment.resetStats();
    }, rampMs);
  }

  /**
   * Waits for a stop in progress and begins a new test of `model` when none runs. A test
   * of the other model cannot be changed into this one.
   */
  private async beginModel(model: LoadModel): Promise<boolean> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.stopping) await this.stopping;
    if (this.state === "ready" || this.state === "stopped") {
      this.stopCutShort = false;
      this.loadModel = model;
      return this.beginTest();
    }
    if (this.loadModel !== model) {
      throw new Error(
        model === "users"
          ? "an arrival-rate test is running: stop it before starting a test with a number of users"
          : "a test with a number of users is running: stop it before starting an arrival-rate test",
      );
    }
    return true;
  }

  /**
   * Spawns users of `names` only (a load shape's tick), or of every class the test runs
   * (undefined): the spawn sequence is rebuilt when the set changes.
   * @throws UsageError when none of `names` is a class of this test.
   */
  private spawnClasses(names: readonly string[] | undefined): void {
    const key = names === undefined ? undefined : [...names].sort().join(",");
    if (key === this.sequenceClasses) return;
    const active = this.environment.activeUserClassInfos;
    const chosen = names === undefined ? active : active.filter((info) => names.includes(info.name));
    if (chosen.length === 0) {
      throw new UsageError(
        "CICADA_ERR_SHAPE_TICK",
        `the load shape's tick() asked for the user classes ${names!.join(", ")}, none of which this test runs (${active.map((info) => info.name).join(", ")})`,
        {
          hint: "Name classes of the locustfile (the class objects), or leave the third item out for every class",
        },
      );
    }
    this.sequence = new SpawnSequence(chosen);
    this.sequenceClasses = key;
  }

  /** A new test: stats reset, state "spawning", testStart. False if a listener stopped it. */
  protected async beginTest(): Promise<boolean> {
    // The class picker may have chosen other classes since the last test.
    this.sequence = new SpawnSequence(this.environment.activeUserClassInfos);
    this.sequenceClasses = undefined;
    this.environment.stats.reset(this.environment.now());
    // The iteration counters report only for arrival-rate tests (the scheduler activates them).
    if (this.loadModel === "users") this.environment.stats.iterations.deactivate();
    this.startedAtMs = this.environment.now();
    // A shape's timer is set before its first tick starts the test.
    const shape = this.shapeTimer !== undefined ? this.environment.shapeClass?.name : undefined;
    this.tests.begin(this.startedAtMs, this.environment.host, shape, this.environment.activeUserClassInfos);
    // The overload counts of a report are its test's.
    this.environment.generatorMonitor?.beginTest();
    // The web UI's charts mark each new test of the session ("Run #2", ...).
    this.environment.stats.history.beginRun(this.startedAtMs);
    // The target's resources are recorded on the test's own clock, from its first moment.
    this.environment.targetMonitor?.beginTest(this.startedAtMs);
    this.setState("spawning");
    await this.environment.events.testStart.fireAsync({ environment: this.environment });
    return (this.state as RunnerState) === "spawning";
  }

  /**
   * Follows the environment's LoadTestShape (one tick a second) until it returns null.
   * Its ticks ask for users or for an arrival rate, one kind for the whole test.
   * @throws UsageError when the first tick is invalid (later ones stop the test instead).
   */
  startShape(): void {
    const ShapeClass = this.environment.shapeClass;
    if (!ShapeClass) throw new Error("no load shape in this locustfile");
    const shape = new ShapeClass();
    this.shape = shape;
    this.shapeFailure = undefined;
    shape.runner = this;
    shape.resetTime();
    let last = "";
    let kind: LoadModel | undefined;
    const onError = (error: unknown) => this.environment.logger.error(String(error));
    const tick = () => {
      const wanted = normaliseShapeTick(callTick(shape, ShapeClass.name));
      if (wanted === null) {
        this.environment.logger.info("the load shape returned null: stopping");
        this.stop();
        return;
      }
      const wantedKind: LoadModel = isArrivalRateTick(wanted) ? "arrival-rate" : "users";
      if (kind !== undefined && wantedKind !== kind) throw mixedShapeError(kind);
      kind = wantedKind;
      const classes = isArrivalRateTick(wanted) ? undefined : wanted.userClasses?.map((cls) => cls.name);
      const key = isArrivalRateTick(wanted)
        ? `rate ${wanted.arrivalRate}`
        : `${wanted.users}/${wanted.spawnRate}/${classes?.join(",") ?? ""}`;
      if (key === last) return;
      last = key;
      if (isArrivalRateTick(wanted)) this.startArrivalRate({ rate: wanted.arrivalRate }).catch(onError);
      else this.start(wanted.users, wanted.spawnRate, { userClasses: classes }).catch(onError);
    };
    // The timer first: the first tick begins the test, whose record must know it follows a shape.
    this.shapeTimer = setInterval(() => {
      try {
        tick();
      } catch (error) {
        this.shapeFailure = error instanceof Error ? error : new Error(String(error));
        this.environment.logger.error(
          `the load shape failed, stopping the test: ${this.shapeFailure.message}`,
        );
        this.stop();
      }
    }, 1000);
    try {
      tick();
    } catch (error) {
      this.stopShape();
      throw error;
    }
  }

  /** Requests a stop (returns at once). */
  stop(cause?: StopCause): void {
    this.stopAndWait(cause).catch((error: unknown) =>
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
  stopAndWait(cause?: StopCause): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === "ready" || this.state === "stopped") return Promise.resolve();
    this.stopping = this.doStop(cause).finally(() => {
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

  private async doStop(cause: StopCause | undefined): Promise<void> {
    this.clearTimers();
    this.environment.stats.iterations.markStopping(this.environment.now());
    this.setState("stopping");
    await this.environment.events.testStopping.fireAsync({ environment: this.environment });
    this.targetUserCount = 0;
    await this.stopUsers();
    this.warnAboutInterruptedIterations(cause);
    this.environment.stats.history.sample(this.environment.stats, this.environment.now(), 0, true);
    this.tests.end(this.environment.now());
    this.environment.targetMonitor?.endTest(this.environment.now());
    this.setState("stopped");
    await this.environment.events.testStop.fireAsync({ environment: this.environment });
  }

  /**
   * The users have ended: the iterations still in flight were interrupted. An arrival-rate
   * test whose stop cut some off says how many, and what it means; and how many were still
   * waiting for a free user (dropped at the stop).
   */
  private warnAboutInterruptedIterations(cause: StopCause | undefined): void {
    if (this.loadModel !== "arrival-rate" || !this.ownsTotals) return;
    const iterations = this.environment.stats.iterations;
    iterations.markStopped();
    const atStop = droppedAtStopNote(iterations.droppedAtStop);
    if (atStop !== undefined) this.environment.logger.info(atStop);
    const warning = interruptedIterationsWarning(iterations, this.stopTimeoutMs, cause === "capacity-search");
    if (warning === undefined) return;
    if (warning.serious) this.environment.logger.warning(warning.text);
    else this.environment.logger.info(warning.text);
  }

  protected scheduleRunTime(runTimeMs: number): void {
    stopTimer(this.runTimeTimer);
    const endsAtMs = performance.now() + runTimeMs;
    this.runEndsAtMs = endsAtMs;
    const expire = () => {
      // Node times a timer on the event loop's cached, whole-millisecond clock, so it can
      // fire a moment before performance.now() reaches the end; the open model's schedule
      // ends exactly there, and a stop before it would leave its last iterations out.
      const leftMs = endsAtMs - performance.now();
      if (leftMs > 0) {
        this.runTimeTimer = startTimer(expire, leftMs);
        return;
      }
      this.environment.logger.info(`--run-time limit reached (${runTimeMs / 1000} s), stopping`);
      this.stop();
    };
    // Any length: a run time beyond setTimeout's 24.8 days is chained (shared/timers.ts).
    this.runTimeTimer = startTimer(expire, runTimeMs);
  }

  /** Cancels the run-time limit and the shape (subclasses add their own timers). */
  protected clearTimers(): void {
    stopTimer(this.runTimeTimer);
    this.runTimeTimer = undefined;
    this.runEndsAtMs = undefined;
    stopTimer(this.rampResetTimer);
    this.rampResetTimer = undefined;
    this.stopShape();
  }

  /** Stops following the load shape (its ticks start no more ramps). */
  protected stopShape(): void {
    if (this.shapeTimer) clearInterval(this.shapeTimer);
    this.shapeTimer = undefined;
  }

  protected setState(state: RunnerState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateChanged.fire(state);
  }
}

function mixedShapeError(first: LoadModel): UsageError {
  return new UsageError(
    "CICADA_ERR_SHAPE_TICK",
    first === "users"
      ? "the load shape asked for users, then for an arrival rate: a shape stays with one kind for the whole test"
      : "the load shape asked for an arrival rate, then for users: a shape stays with one kind for the whole test",
    {
      hint: "Return { arrivalRate: N } on every tick (the open model), or { users, spawnRate } on every tick (the closed model)",
    },
  );
}

/**
 * A rate this runner takes from code (the command line, the web form and load shapes say
 * it first, in their own words): a number from 0 to MAX_ARRIVAL_RATE. Above it the
 * schedule's indices pass 2^53 within hours and stop counting; 1e16 spun the scheduler.
 * @throws RangeError otherwise.
 */
export function checkArrivalRate(rate: number): void {
  if (!isArrivalRate(rate)) {
    throw new RangeError(
      `an arrival rate must be a number from 0 to ${MAX_ARRIVAL_RATE} iterations per second, got ${rate}`,
    );
  }
}

/**
 * The shape's tick(), whose own error is the locustfile's: one message naming the shape and
 * the line, exit 3, everything measured reported (it was an internal error, exit 70 and a
 * stack, on the first tick, and ended a run with 0 on a later one).
 */
function callTick(shape: LoadTestShape, shapeName: string): ReturnType<LoadTestShape["tick"]> {
  try {
    return shape.tick();
  } catch (error) {
    if (error instanceof CicadaError) throw error;
    const where = firstFrame(stackOf(error) ?? "");
    throw new LocustfileError(
      "CICADA_ERR_SHAPE_THREW",
      `the load shape ${shapeName}'s tick() threw: ${describeThrown(error)}${where ? ` (at ${where})` : ""}`,
      {
        hint: "Fix the line named above; tick() returns { users, spawnRate }, { arrivalRate } or null (see docs/api.md#load-shapes)",
        cause: error,
      },
    );
  }
}
