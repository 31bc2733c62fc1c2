/**
 * The life of one simulated user: onStart, then tasks and waits until stopped, then
 * onStop, with Locust's semantics for RescheduleTask, InterruptTaskSet, StopUser and task
 * exceptions (counted, then the user waits and carries on).
 *
 * Two ways to stop a user, as in Locust:
 * - `requestStop()` (graceful, with --stop-timeout): the user finishes its current task and
 *   stops at its next wait, or at once if it is waiting.
 * - `interrupt()` (hard): waits end at once and in-flight requests are aborted without
 *   being counted; the user's code sees StopUser at its next await on Cicada.
 * Either way `onStop` runs (of every task set the user is in, innermost first, then the user's).
 *
 * In the open model (`iterations: true`) the user does not loop by itself: after onStart
 * it runs one task (picked by weight, as always) per iteration the runner hands it with
 * {@link UserLifecycle.runIteration}, with no wait time in between, and waits for the next.
 */
import {
  InterruptTaskSet,
  RescheduleTask,
  RescheduleTaskImmediately,
  StopTest,
  StopUser,
} from "../shared/control-flow.js";
import { countLoopTurn, loopTurns } from "../shared/loop-turns.js";
import { describeThrown } from "../shared/thrown.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import {
  kBeginIteration,
  kDispose,
  kInterrupt,
  kResume,
  kStart,
  kTaskEnded,
  kTaskQueue,
} from "./internal.js";
import { IterationHandoff } from "./iteration-handoff.js";
import { adoptStaticSettings } from "./static-settings.js";
import { pickTransition, pickWeighted, type TaskDefinition, type TaskPlan } from "./task-plan.js";
import { SequentialTaskSet, type TaskSet } from "./task-set.js";
import type { User } from "./user.js";
import type { WaitTimeFunction } from "./wait-time.js";

type Owner = User | TaskSet;

/**
 * The budget of `-i/--iterations`: one permit per task run, for the whole test. A task
 * that gets no permit is never started: its user stops instead (onStop runs).
 */
export interface IterationGate {
  /** True (or a promise of true) to run one more task; false once the budget is spent. */
  acquire(): boolean | Promise<boolean>;
}

/**
 * Arms one shared immediate (at most one per turn of the event loop, whatever the number
 * of users) that counts a loop turn, and returns the count. See shared/loop-turns.ts.
 */
let turnArmed = false;
function onImmediate(): void {
  turnArmed = false;
  countLoopTurn();
}
function currentTurn(): number {
  if (!turnArmed) {
    turnArmed = true;
    setImmediate(onImmediate);
  }
  return loopTurns();
}

export class UserLifecycle {
  private stopRequested = false;
  private interrupted = false;
  private waiting = false;
  private sleepTimer: TimerHandle | ReturnType<typeof setImmediate> | undefined;
  private sleepIsImmediate = false;
  private sleepReject: ((reason: unknown) => void) | undefined;
  private running: Promise<void> | undefined;
  /** Open model: where the user waits for its next iteration. */
  private readonly handoff: IterationHandoff | undefined;
  /** Open model: an iteration was handed over and has not ended yet. */
  private iterationOpen = false;
  /**
   * True from the start until the user's onStart has ended (or it ended without one): a
   * capacity search begins a step's hold only when its new users have logged in.
   */
  starting = true;

  /** @param iterations open model: run one task per {@link runIteration}, not a loop of tasks and waits. */
  constructor(
    readonly user: User,
    private readonly plan: TaskPlan,
    iterations = false,
  ) {
    this.handoff = iterations ? new IterationHandoff() : undefined;
  }

  /**
   * Open model: hands the user one iteration that was scheduled to start at
   * `intendedStartMs` (epoch ms). The user must be free: not started yet (the iteration
   * then runs after onStart) or between iterations ({@link onIterationDone} was called).
   */
  runIteration(intendedStartMs: number): void {
    this.user[kBeginIteration](intendedStartMs);
    this.iterationOpen = true;
    this.handoff!.give();
  }

  /**
   * Open model: called when an iteration has ended and the user is free for the next
   * (the runner's pool hands it one here, or later). Not called when the user stops.
   */
  protected onIterationDone(): void {}

  /**
   * Open model: called once per iteration that ended by itself (its task returned, threw,
   * or stopped its user or the test; or onStart ended the user), also during a graceful
   * stop; never for one cut off by a hard stop ({@link interrupt}), which is what an
   * interrupted iteration is. A closed-model user never calls it.
   */
  protected onIterationFinished(): void {}

  /**
   * Starts the user; the promise resolves (it never rejects) when the user has stopped
   * and run its onStop, just after `onEnded()`.
   */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /**
   * Called once when the user has ended, whatever the way. For the pool running the user
   * (a subclass): a hook costs nothing per user, where a `.then()` on `start()` would keep
   * a promise, a reaction and two closures alive per user for the whole test.
   */
  protected onEnded(): void {}

  /** The test's iteration budget, if it has one (the pool running the user supplies it). */
  protected iterationGate(): IterationGate | undefined {
    return undefined;
  }

  get isStopping(): boolean {
    return this.stopRequested || this.interrupted;
  }

  /**
   * Graceful stop: finish the current task, stop at the next wait (or now, if waiting). In
   * the open model an iteration handed over runs to its end: the waits between a TaskSet's
   * tasks inside it are part of it, so only a hard stop cuts them short.
   */
  requestStop(): void {
    this.stopRequested = true;
    if (this.waiting && !this.iterationOpen) this.cancelSleep();
  }

  /** Hard stop: end waits now and abort in-flight requests (not counted). */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    this.cancelSleep();
    this.user[kInterrupt]();
  }

  private async run(): Promise<void> {
    const user = this.user;
    try {
      try {
        const preparing = this.prepare();
        if (preparing) await preparing;
        const onStartRan = await this.runOnStart();
        this.starting = false;
        if (!onStartRan) {
          // onStart threw: Locust logs it and the user's greenlet ends there, without on_stop.
          this.endIteration();
          await this.dispose();
          return;
        }
        await this.runTasks(user, this.plan, false);
      } catch (thrown) {
        const error = inspectable(thrown);
        if (!(error instanceof StopUser)) this.report(error);
      }
      // The first iteration when onStart stopped the user or a hard stop cut it short.
      this.endIteration();
      // onStop runs even after a hard stop (as Locust's GreenletExit handler does), so let
      // its requests through again.
      if (this.interrupted) user[kResume]();
      await this.guard(() => user.onStop());
      await this.dispose();
    } catch {
      // A StopUser from onStop, or a user_error listener that threw: the user has ended anyway.
    } finally {
      this.starting = false;
      this.onEnded();
    }
  }

  /**
   * What the user needs before onStart (a browser user's page). If that fails the error
   * is counted and the user stops: its tasks could not run.
   */
  private prepare(): Promise<void> | undefined {
    const failed = (thrown: unknown): never => {
      const error = inspectable(thrown);
      if (!(error instanceof StopUser) && !this.interrupted) this.report(error);
      throw new StopUser();
    };
    let started: void | Promise<void>;
    try {
      started = this.user[kStart]();
    } catch (error) {
      return failed(error);
    }
    // Most users need nothing: onStart then runs in this same turn, as it always did
    // (--reset-stats at the end of a ramp must not find the last user's onStart pending).
    return started instanceof Promise ? started.catch(failed) : undefined;
  }

  /**
   * Runs onStart. False when it threw an error (counted in the exceptions table): the
   * user then ends without running tasks or onStop. StopUser (and StopTest) go on to
   * onStop, as in Locust.
   */
  private async runOnStart(): Promise<boolean> {
    try {
      await this.user.onStart();
      return true;
    } catch (thrown) {
      // A Proxy or a value without a string form must not stop the user for good (issue 11).
      const error = inspectable(thrown);
      if (error instanceof StopUser) throw error;
      if (error instanceof StopTest) {
        this.user.environment.runner?.stop();
        throw new StopUser();
      }
      if (isSteering(error)) return true;
      this.report(error);
      return false;
    } finally {
      this.user[kTaskEnded]();
    }
  }

  /** Releases the user's connections. */
  private async dispose(): Promise<void> {
    try {
      await this.user[kDispose]();
    } catch (thrown) {
      this.report(inspectable(thrown));
    }
  }

  /** Runs a hook; control flow other than StopUser is ignored, errors are counted. */
  private async guard(hook: () => unknown): Promise<void> {
    try {
      await hook();
    } catch (thrown) {
      const error = inspectable(thrown);
      if (error instanceof StopUser) throw error;
      if (error instanceof StopTest) {
        this.user.environment.runner?.stop();
        throw new StopUser();
      }
      if (!isSteering(error)) this.report(error);
    } finally {
      this.user[kTaskEnded]();
    }
  }

  private async runTasks(owner: Owner, plan: TaskPlan, sequential: boolean): Promise<never> {
    const queue = owner[kTaskQueue];
    const iterating = this.handoff !== undefined && owner === this.user;
    const markov = plan.markov;
    let position = 0;
    for (;;) {
      // An iteration handed over runs even while a graceful stop waits (as a closed-model
      // user's current task finishes); only a hard stop cuts it off.
      if (iterating) await this.nextIteration();
      let next = queue.shift();
      if (next === undefined) {
        if (markov) {
          // A MarkovTaskSet starts at its first task and follows its transitions.
          next = plan.tasks[position]!;
          position = pickTransition(markov, position, Math.random());
        } else if (sequential) next = plan.sequence[position++ % plan.sequence.length]!;
        else next = pickWeighted(plan, Math.random());
      }
      if (iterating) this.checkInterrupted();
      else this.checkStop();
      // The open model paces iterations by their schedule: no wait time at the top level.
      const waitTime: WaitTimeFunction | undefined = iterating
        ? undefined
        : (owner.waitTime ?? this.user.waitTime);
      const startedAtMs = waitTime === undefined ? 0 : performance.now();
      const turn = currentTurn();
      let waitAfter = true;
      try {
        const task: TaskDefinition = next;
        if (task.run) {
          const gate = this.iterationGate();
          if (gate !== undefined && !(await gate.acquire())) throw new StopUser();
          await task.run(owner);
        } else await this.runNested(owner, task);
      } catch (thrown) {
        const error = inspectable(thrown);
        if (error instanceof RescheduleTaskImmediately) waitAfter = false;
        else if (error instanceof RescheduleTask) waitAfter = true;
        else if (error instanceof InterruptTaskSet) {
          if (owner !== this.user) throw error;
          waitAfter = !error.reschedule;
        } else if (error instanceof StopTest) {
          this.user.environment.runner?.stop();
          throw new StopUser();
        } else if (error instanceof StopUser) throw error;
        // After a hard stop, an error is the abort's echo (a browser page closed under the task).
        else if (this.interrupted) throw new StopUser();
        else this.report(error);
      } finally {
        this.user[kTaskEnded]();
        if (iterating) {
          // The iteration is over: requests outside one (onStop) have no intended start.
          this.user.intendedStartMs = undefined;
          this.endIteration();
        }
      }
      const ms = waitAfter && waitTime !== undefined ? this.waitMs(owner, waitTime, startedAtMs) : 0;
      this.checkStop();
      // A wait between a TaskSet's tasks inside an iteration is think time the user chose, not
      // lateness: the next request's intended start moves on by it, so the latency from the
      // intended start keeps what the target and the queue cost, not the journey's pauses.
      if (this.iterationOpen && ms > 0 && this.user.intendedStartMs !== undefined)
        this.user.intendedStartMs += ms;
      if (iterating) this.onIterationDone();
      // Even "no wait" yields to the event loop unless the task already did (it awaited
      // real I/O): a loop of tasks that never reach I/O (RescheduleTaskImmediately,
      // interrupt()) would otherwise starve timers and other users.
      if (ms > 0 || loopTurns() === turn) await this.pause(ms);
    }
  }

  /** Open model: takes the iteration handed over, or waits (stoppably) for one. */
  private async nextIteration(): Promise<void> {
    const gate = this.handoff!;
    if (gate.take()) return;
    // A graceful stop asked for as the last iteration ended (the pool retiring a user above
    // a lowered cap): no wait to cut short, so end here rather than wait for nothing.
    if (this.stopRequested) throw new StopUser();
    this.waiting = true;
    try {
      await gate.wait();
    } finally {
      this.waiting = false;
    }
    this.checkInterrupted();
  }

  /** Open model: the iteration handed over has ended; counts it unless a hard stop cut it off. */
  private endIteration(): void {
    if (!this.iterationOpen) return;
    this.iterationOpen = false;
    if (!this.interrupted) this.onIterationFinished();
  }

  /** Runs a nested TaskSet task until it is interrupted (its InterruptTaskSet becomes a reschedule). */
  private async runNested(owner: Owner, task: TaskDefinition): Promise<void> {
    const TaskSetClass = task.taskSet as unknown as new (parent: Owner) => TaskSet;
    const child = adoptStaticSettings(new TaskSetClass(owner));
    try {
      await this.runTaskSet(child, task.plan!());
    } catch (thrown) {
      const error = inspectable(thrown);
      if (error instanceof InterruptTaskSet) {
        throw error.reschedule ? new RescheduleTaskImmediately() : new RescheduleTask();
      }
      throw error;
    }
  }

  private async runTaskSet(taskSet: TaskSet, plan: TaskPlan): Promise<never> {
    await taskSet.onStart();
    try {
      return await this.runTasks(taskSet, plan, taskSet instanceof SequentialTaskSet);
    } catch (thrown) {
      const error = inspectable(thrown);
      if (error instanceof InterruptTaskSet || error instanceof StopUser) {
        if (this.interrupted) this.user[kResume]();
        await this.guard(() => taskSet.onStop());
      }
      throw error;
    }
  }

  /** The wait after a task, in ms, from the owner's wait time function. */
  private waitMs(owner: Owner, waitTime: WaitTimeFunction, taskStartedAtMs: number): number {
    let seconds = waitTime.call(owner, { taskStartedAtMs, nowMs: performance.now() });
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
      this.report(new TypeError(`waitTime must return a number of seconds ≥ 0, got ${String(seconds)}`));
      seconds = 1;
    }
    return seconds * 1000;
  }

  /** Sleeps in a way a stop can cut short. */
  private async pause(ms: number): Promise<void> {
    this.waiting = true;
    try {
      await this.sleep(ms);
    } finally {
      this.waiting = false;
    }
  }

  /** Ends the user if it must stop: at once after a hard stop, else outside an iteration. */
  private checkStop(): void {
    if (this.interrupted || (this.stopRequested && !this.iterationOpen)) throw new StopUser();
  }

  private checkInterrupted(): void {
    if (this.interrupted) throw new StopUser();
  }

  /** Waits `ms`; a zero wait still yields to the event loop so a user can never starve it. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sleepReject = reject;
      const done = () => {
        this.sleepTimer = undefined;
        this.sleepReject = undefined;
        resolve();
      };
      this.sleepIsImmediate = ms <= 0;
      // startTimer: a wait beyond setTimeout's 24.8 days is chained, not cut to 1 ms.
      this.sleepTimer = ms <= 0 ? setImmediate(done) : startTimer(done, ms);
    });
  }

  private cancelSleep(): void {
    this.handoff?.cancel();
    if (this.sleepTimer === undefined) return;
    if (this.sleepIsImmediate) clearImmediate(this.sleepTimer as ReturnType<typeof setImmediate>);
    else stopTimer(this.sleepTimer as TimerHandle);
    this.sleepTimer = undefined;
    const reject = this.sleepReject;
    this.sleepReject = undefined;
    reject?.(new StopUser());
  }

  /** Counts a task's exception. Never throws: a failing report must not end the user. */
  private report(error: unknown): void {
    try {
      this.user.environment.reportUserError(this.user, error);
    } catch {
      // The environment's own reporting failed (a custom UserEnvironment): the user carries on.
    }
  }
}

/**
 * The thrown value, or an Error describing it when even `instanceof` on it throws (a Proxy
 * whose traps throw): the control-flow checks below must not fail on a user's value.
 */
function inspectable(thrown: unknown): unknown {
  try {
    void (thrown instanceof Object); // runs a Proxy's getPrototypeOf trap
    return thrown;
  } catch {
    return new TypeError(describeThrown(thrown));
  }
}

function isSteering(error: unknown): boolean {
  return (
    error instanceof RescheduleTask ||
    error instanceof RescheduleTaskImmediately ||
    error instanceof InterruptTaskSet
  );
}
