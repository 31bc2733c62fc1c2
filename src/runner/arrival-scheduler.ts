/**
 * The open model's clock: starts iterations when the schedule says, whatever the response
 * times, on whatever user the pool has free, and counts what it could not start.
 *
 * - One timer, armed for the next moment something is due (an iteration's start, or the
 *   deadline of the oldest waiting one), never one per iteration: at 5,000/s a wake-up
 *   starts every iteration due since the last one. A late timer loses nothing: what is
 *   due is computed from the schedule, and each iteration keeps its intended start, so the
 *   lateness shows in the latency from the intended start instead of being hidden.
 * - An iteration that finds no free user waits, as an index, not an object: the waiting
 *   ones are the indices from `oldestWaiting` to `scheduled`, and their intended starts
 *   come from the schedule. A user that becomes free takes the oldest at once, or one
 *   that fell due since the timer last ran (so most iterations start in the turn that
 *   read a response, on its hot connection, rather than on a timer wake-up of their own).
 * - One that waited longer than `maxQueueMs` is dropped and counted.
 *
 * Invariant: scheduled = started + dropped + waiting, at every moment; `stop()` drops
 * those still waiting, so at the end dropped = scheduled − started exactly. Those are
 * counted apart (`countDroppedAtStop`): the stop ended their wait, not --max-queue-time.
 */
import { ArrivalSchedule } from "./arrival-schedule.js";

/** Time and timers, injectable so tests run the scheduler on a fake clock. */
export interface SchedulerClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Epoch milliseconds at monotonic 0 (`performance.timeOrigin`). */
  readonly epochOffsetMs: number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Where libuv's loop clock stands against performance.now(), ms, once the CLI has measured
 * it ({@link calibrateLoopClock}): both count the same monotonic clock, but libuv's counts
 * whole milliseconds from another origin, so its millisecond boundaries fall at a fraction
 * of a performance.now() millisecond. Undefined: timers are not aimed (a library use).
 */
let loopClockOffsetMs: number | undefined;

/**
 * Tells the scheduler where libuv's millisecond boundaries fall: `offsetMs` is the process's
 * monotonic clock in ms minus performance.now() (the CLI passes
 * `Number(process.hrtime.bigint()) / 1e6 - performance.now()`; only it reads `process`).
 */
export function calibrateLoopClock(offsetMs: number): void {
  loopClockOffsetMs = offsetMs;
}

/**
 * The delay to give setTimeout for a timer due `delayMs` from now. Node fires timers when
 * libuv's whole-millisecond loop clock reaches their due time, so a due time between two
 * of its boundaries fired at the earlier one, up to a millisecond early: before the
 * iteration it was armed for was due, a wake-up that started nothing and armed the timer
 * again for the next boundary. Aimed at that next boundary at once, the iteration starts
 * at the same moment with one wake-up fewer (at 500/s: 2,700-3,400 wake-ups in 5 s instead
 * of 4,600, 46 % of them empty; none at 5,000/s, whose every millisecond has iterations due).
 */
export function loopAlignedDelay(delayMs: number, nowMs: number, offsetMs = loopClockOffsetMs): number {
  if (offsetMs === undefined) return delayMs;
  const dueOnLoopClock = nowMs + offsetMs + delayMs;
  return Math.ceil(dueOnLoopClock) - (nowMs + offsetMs) + 0.001;
}

/** The process's clock: performance.now() and setTimeout (aimed at libuv's millisecond boundaries). */
export const realClock: SchedulerClock = {
  now: () => performance.now(),
  epochOffsetMs: performance.timeOrigin,
  setTimer: (callback, delayMs) => setTimeout(callback, loopAlignedDelay(delayMs, performance.now())),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Who carries iterations: the runner's pool of users. */
export interface IterationStarter {
  /**
   * Starts one iteration meant to begin at `intendedStartMs` (epoch ms) on a free user (or
   * a new one); false when every user is busy and no other may be created.
   */
  tryStart(intendedStartMs: number): boolean;
}

/** Where the scheduler counts (the stats' IterationStats). Times are epoch ms. */
export interface IterationCounters {
  setTargetRate(rate: number): void;
  /** The schedule that began: `dueBy(epochMs)` iterations are due by then (the target per second). */
  followSchedule(dueBy: (epochMs: number) => number): void;
  countScheduled(count: number): void;
  countStarted(nowMs: number): void;
  /** `count` iterations waited longer than --max-queue-time and were dropped at `nowMs`. */
  countDropped(count: number, nowMs: number): void;
  /** `count` iterations were still waiting when the schedule stopped, and are dropped. */
  countDroppedAtStop(count: number): void;
}

export interface ArrivalSchedulerOptions {
  clock: SchedulerClock;
  starter: IterationStarter;
  counters: IterationCounters;
  /** How long an iteration may wait for a free user before it is dropped, ms. */
  maxQueueMs: number;
  /**
   * Called once, when the first iteration is dropped for waiting longer than `maxQueueMs`
   * (the runner warns); not for those the stop drops.
   */
  onFirstDrop?: () => void;
}

/** The shortest timer delay, ms (Node fires timers on whole milliseconds anyway). */
const MIN_TIMER_MS = 0.001;

/** How many started iterations between two clean-ups of the schedule's old segments. */
const FORGET_EVERY = 4096;

export class ArrivalScheduler {
  private schedule: ArrivalSchedule | undefined;
  /** Iterations due so far: indices 0 .. scheduled − 1. */
  private scheduled = 0;
  /** Every index below it is started or dropped; those from it to `scheduled` wait. */
  private oldestWaiting = 0;
  private droppedAny = false;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private sinceForget = 0;
  /** The end of the schedule (monotonic ms): iterations due at or after it never fall due. */
  private endAtMs: number | undefined;
  private readonly o: ArrivalSchedulerOptions;

  constructor(options: ArrivalSchedulerOptions) {
    this.o = options;
  }

  /** Iterations waiting for a free user now. */
  get waiting(): number {
    return this.scheduled - this.oldestWaiting;
  }

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.schedule !== undefined;
  }

  /** The rate asked for now, iterations per second (0 when stopped). */
  get targetRate(): number {
    return this.schedule?.rateAt(this.o.clock.now()) ?? 0;
  }

  /** The rate once the ramp in progress (if any) is done, iterations per second. */
  get finalRate(): number {
    return this.schedule?.finalRate ?? 0;
  }

  /** When the ramp in progress ends, ms from now; 0 when the rate is constant. */
  get rampLeftMs(): number {
    const now = this.o.clock.now();
    const end = this.schedule?.rampEndAfter(now);
    return end === undefined ? 0 : end - now;
  }

  /**
   * Starts the schedule at `ratePerSec` (the first iteration is due at once), ramping to
   * `ramp.to` over `ramp.ms` from the same instant if given (a ramp set a moment later would
   * add that moment at the first rate: 20:0 over 2 s would schedule 21, not 20). It starts
   * now, or at `atMs` (the clock's ms) a moment ago: when the test began, whose run time
   * the schedule must fill exactly (what fell due since then starts at once, late).
   */
  start(ratePerSec: number, ramp?: { to: number; ms: number }, atMs?: number): void {
    if (this.schedule !== undefined) throw new Error("the scheduler is already running");
    const now = Math.min(atMs ?? Number.POSITIVE_INFINITY, this.o.clock.now());
    this.schedule = new ArrivalSchedule(now, ratePerSec);
    if (ramp !== undefined && ramp.ms > 0) this.schedule.changeRate(now, ramp.to, ramp.ms);
    this.scheduled = 0;
    this.oldestWaiting = 0;
    this.droppedAny = false;
    const schedule = this.schedule;
    const epoch = this.o.clock.epochOffsetMs;
    this.o.counters.followSchedule((epochMs) => schedule.countAt(epochMs - epoch));
    this.o.counters.setTargetRate(ratePerSec);
    this.wake();
  }

  /**
   * Moves the rate from its value now to `ratePerSec`, linearly over `rampMs` (0: at once).
   * Iterations already due keep their intended starts.
   */
  setRate(ratePerSec: number, rampMs = 0): void {
    const schedule = this.schedule;
    if (schedule === undefined) throw new Error("the scheduler is not running");
    schedule.changeRate(this.o.clock.now(), ratePerSec, rampMs);
    this.wake();
  }

  /**
   * A user became free (or a slot opened): the oldest waiting iteration starts on it, or
   * one that fell due since the timer last ran. Taking a due iteration here, in the turn
   * that read the user's response, sends its request on a connection that is still hot
   * (the request carries the TCP acknowledgement of the response) instead of waiting for
   * the timer's next wake-up; its intended start is the same either way.
   */
  onUserFree(): void {
    const schedule = this.schedule;
    if (schedule === undefined) return;
    const now = this.o.clock.now();
    // Those already waiting waited for a user: past --max-queue-time they are dropped. Those
    // that fell due since the timer ran did not (a user is free now), as in tick().
    this.dropExpired(now);
    this.scheduleDue(schedule, now);
    this.dispatch(now);
  }

  /**
   * Ends the schedule at `atMs` (the clock's ms; undefined: none): the test stops then, so
   * an iteration due at that moment or later is not scheduled, started or counted.
   */
  endAt(atMs: number | undefined): void {
    this.endAtMs = atMs;
    if (this.schedule !== undefined) this.wake();
  }

  /**
   * Stops scheduling; the iterations still waiting for a user are dropped, counted as
   * dropped at the stop, apart from those that waited out --max-queue-time (a test stopped
   * 2 s in has made none wait 10 s). At the schedule's end (the run time), what fell due
   * since the timer last ran starts first, as the timer would have started it: the
   * run-time stop and the timer's wake-up race by a millisecond, and at 2,000/s the
   * schedule used to end 1 or 2 short. Any other stop (Ctrl-C, the web UI) ends the
   * schedule where the timer last ran: an iteration started only to be interrupted at once
   * would measure nothing.
   */
  stop(): void {
    const schedule = this.schedule;
    if (schedule === undefined) return;
    this.clearTimer();
    const now = this.o.clock.now();
    if (this.endAtMs !== undefined && now >= this.endAtMs) {
      this.scheduleDue(schedule, now);
      this.dispatch(now);
    }
    // Those whose wait ran out before the stop, and whose timer has not fired yet, were dropped for it.
    this.dropExpired(now);
    this.o.counters.countDroppedAtStop(this.scheduled - this.oldestWaiting);
    this.oldestWaiting = this.scheduled;
    this.schedule = undefined;
  }

  /** Runs a tick now, in place of the armed one. */
  private wake(): void {
    this.clearTimer();
    this.tick();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const schedule = this.schedule;
    if (schedule === undefined) return;
    const now = this.o.clock.now();
    this.scheduleDue(schedule, now);
    this.o.counters.setTargetRate(schedule.rateAt(now));
    // Start first, then drop: an iteration still waiting here while a user is free did not
    // wait for a user (a user that frees up takes the oldest waiting one at once), only for
    // this timer, and a late timer must cost latency, never iterations (with
    // --max-queue-time 0 a timer 1 ms late used to drop everything).
    this.dispatch(now);
    this.dropExpired(now);
    this.arm(now);
  };

  /** Counts the iterations that fell due by `now` as scheduled (they wait until started). */
  private scheduleDue(schedule: ArrivalSchedule, now: number): void {
    const due = Math.min(schedule.dueCount(now), this.lastCount(schedule));
    if (due > this.scheduled) {
      this.o.counters.countScheduled(due - this.scheduled);
      this.scheduled = due;
    }
  }

  /** Starts waiting iterations, oldest first, while the pool has users for them. */
  private dispatch(now: number): void {
    const schedule = this.schedule!;
    const epoch = this.o.clock.epochOffsetMs;
    while (this.oldestWaiting < this.scheduled) {
      if (!this.o.starter.tryStart(epoch + schedule.timeOf(this.oldestWaiting))) break;
      this.oldestWaiting++;
      this.o.counters.countStarted(epoch + now);
      if (++this.sinceForget >= FORGET_EVERY) {
        this.sinceForget = 0;
        schedule.forgetBefore(this.oldestWaiting);
      }
    }
  }

  /** Drops the waiting iterations whose intended start is more than maxQueueMs ago. */
  private dropExpired(now: number): void {
    const schedule = this.schedule!;
    const limit = now - this.o.maxQueueMs;
    if (this.oldestWaiting === this.scheduled || schedule.timeOf(this.oldestWaiting) >= limit) return;
    // The first index still in time, from the schedule's arithmetic (a loop over the
    // expired ones would take seconds at an absurd rate such as 10⁹/s), then corrected by a
    // step or two where the count and timeOf() round differently.
    let firstKept = Math.min(this.scheduled, Math.max(this.oldestWaiting + 1, schedule.dueCount(limit)));
    while (firstKept > this.oldestWaiting + 1 && schedule.timeOf(firstKept - 1) >= limit) firstKept--;
    while (firstKept < this.scheduled && schedule.timeOf(firstKept) < limit) firstKept++;
    const count = firstKept - this.oldestWaiting;
    this.oldestWaiting = firstKept;
    this.drop(count, now);
  }

  private drop(count: number, now: number): void {
    if (count <= 0) return;
    this.o.counters.countDropped(count, this.o.clock.epochOffsetMs + now);
    if (!this.droppedAny) {
      this.droppedAny = true;
      this.o.onFirstDrop?.();
    }
  }

  /** How many iterations the schedule has in all: unbounded without an end. */
  private lastCount(schedule: ArrivalSchedule): number {
    return this.endAtMs === undefined ? Number.POSITIVE_INFINITY : schedule.dueBefore(this.endAtMs);
  }

  /** Arms the one timer for the next iteration due, or the oldest waiting one's deadline. */
  private arm(now: number): void {
    const schedule = this.schedule!;
    let at =
      this.scheduled < this.lastCount(schedule) ? schedule.timeOf(this.scheduled) : Number.POSITIVE_INFINITY;
    if (this.oldestWaiting < this.scheduled) {
      at = Math.min(at, schedule.timeOf(this.oldestWaiting) + this.o.maxQueueMs);
    }
    // A rate of 0 has nothing due: a later setRate() arms the timer again.
    if (at === Number.POSITIVE_INFINITY || at >= this.timerAt) return;
    this.clearTimer();
    // Never "due now" again: rounding must not spin the timer without the clock moving.
    this.timerAt = Math.max(at, now + MIN_TIMER_MS);
    this.timer = this.o.clock.setTimer(this.tick, this.timerAt - now);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
