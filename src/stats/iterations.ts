import { CurrentWindow, completeSecondLag } from "./current-window.js";

/** The open model's counts at one moment, as plain data (reports, the web UI, thresholds). */
export interface IterationSnapshot {
  /** The arrival rate asked for now, iterations per second. */
  targetRate: number;
  /** Iterations whose scheduled start has come. */
  scheduled: number;
  /** Iterations a user started. */
  started: number;
  /**
   * Started iterations whose task ended by itself (normally, with an error, or with the
   * user's own StopUser/StopTest), including those finishing during a graceful stop.
   */
  completed: number;
  /**
   * started − completed. During the test: the iterations running now. After it ended: the
   * iterations **interrupted** (still running when the users were stopped; their requests
   * were aborted and are in no statistics).
   */
  inFlight: number;
  /**
   * Once the test has stopped: `inFlight`, the iterations its stop cut off. 0 while it
   * runs (none has been interrupted yet).
   */
  interrupted: number;
  /**
   * Iterations that never started: those that found no free user within --max-queue-time,
   * and those still waiting for one when the test stopped ({@link droppedAtStop}).
   */
  dropped: number;
  /**
   * Of `dropped`, the iterations still waiting for a free user when the test stopped: the
   * stop ended their wait, not --max-queue-time. They are in no per-second count (a stop
   * is a moment, not a rate). 0 while the test runs.
   */
  droppedAtStop: number;
  /** Iterations waiting for a free user now: scheduled − started − dropped. */
  waiting: number;
  /**
   * A master's estimate of the iterations that fell due on workers that went missing and
   * are in no other count: those after each one's last report (lost with it) and until the
   * master moved its share (scheduled nowhere). 0 without such a worker.
   */
  lostWithWorkers: number;
  /**
   * Iterations started in the last whole second (on a master, the newest second all its
   * workers have reported): the achieved rate, to set beside the target rate. Not the 10-second average of Locust's
   * current RPS: that one lagged a rate change or a ramp by about five seconds.
   */
  currentRate: number;
  /** Iterations dropped in that second. */
  currentDroppedPerSec: number;
  /** That second (epoch seconds). */
  currentSecond: number;
  /**
   * The target rate over that second, to set beside `currentRate`: on a master, 5 s back,
   * the target rate now would be compared with an older achieved rate (a ramp read short).
   */
  currentTargetRate: number;
  /** Started per second over the test so far, or up to its stop once it stops. */
  totalRate: number;
}

/** {@link IterationStats} counters as plain data: a worker's delta since its previous report. */
export interface SerializedIterations {
  scheduled: number;
  started: number;
  completed: number;
  dropped: number;
  /** Of `dropped`, those still waiting when the test stopped (in no second of `droppedPerSec`). */
  droppedAtStop: number;
  /** `[epochSecond, count]` pairs of the seconds still in the ring. */
  startedPerSec: Array<[second: number, count: number]>;
  droppedPerSec: Array<[second: number, count: number]>;
}

/**
 * The open model's iteration counters: scheduled, started, completed and dropped, in total
 * and (started, dropped) per second (a ring of recent seconds, like a stats row's requests
 * and failures), and the target rate the runner sets. `active` tells an arrival-rate test
 * from a closed one, so reports show the iteration blocks only when they mean something.
 *
 * The runner keeps `scheduled === started + dropped + waiting` and
 * `started === completed + inFlight` at every moment; when a test stops, the iterations
 * still waiting are dropped, so at the end `dropped === scheduled − started` exactly, and
 * the ones still in flight are the interrupted ones. Those dropped at the stop are counted
 * apart too (`droppedAtStop`, part of `dropped`) and in no second of the per-second drops:
 * dropped in one instant, divided by the stop's part of a second, they drew a rate that
 * never was (110 waiting at a stop 0.206 s into its second read 534 dropped/s).
 */
export class IterationStats {
  private isActive = false;
  /** The test has stopped: what is still in flight was interrupted. */
  private stopped = false;
  /** When the test began to stop (epoch ms): no iteration starts after it; null before. */
  private endMs: number | null = null;
  private target = 0;
  /**
   * Iterations the schedule had made due when each recent second began ([epoch second,
   * count], oldest first; a count is a real number): the target over second s is the
   * difference of s + 1's and s's, the integral of the rate, exact for a ramp or a step.
   */
  private readonly dueAtSecond: Array<[number, number]> = [];
  /** The schedule's count of iterations due by an epoch ms (see {@link followSchedule}). */
  private dueBy: ((epochMs: number) => number) | undefined;
  /** The due count when the counts were last reset, and that second: the reset second's target starts there. */
  private dueAtReset: [second: number, count: number] | undefined;
  private scheduledCount = 0;
  private startedCount = 0;
  private completedCount = 0;
  private droppedCount = 0;
  private droppedAtStopCount = 0;
  private lostCount = 0;
  private start: number;
  /** "requests" counts started iterations, "failures" dropped ones. */
  private readonly window: CurrentWindow;

  /** How old the second of the achieved rate is: the newest complete one (see completeSecondLag). */
  private readonly achievedLagSeconds: number;

  constructor(nowMs: number, lagSeconds = 1) {
    this.start = nowMs;
    this.window = new CurrentWindow(lagSeconds);
    this.achievedLagSeconds = completeSecondLag(lagSeconds);
  }

  /** When the test began to stop (epoch ms), or null while it runs. */
  get stoppingAtMs(): number | null {
    return this.endMs;
  }

  /** When the counts began (the test's start or their last reset), epoch ms. */
  get startMs(): number {
    return this.start;
  }

  /** True while the test (or the last one) ran at an arrival rate. */
  get active(): boolean {
    return this.isActive;
  }

  get targetRate(): number {
    return this.target;
  }

  get scheduled(): number {
    return this.scheduledCount;
  }

  get started(): number {
    return this.startedCount;
  }

  get completed(): number {
    return this.completedCount;
  }

  /** Started and not completed: running now, or (after the test) interrupted. */
  get inFlight(): number {
    return Math.max(0, this.startedCount - this.completedCount);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Of {@link dropped}, the iterations still waiting for a free user when the test stopped. */
  get droppedAtStop(): number {
    return this.droppedAtStopCount;
  }

  /** The iterations the test's stop cut off; 0 until it has stopped. */
  get interrupted(): number {
    return this.stopped ? this.inFlight : 0;
  }

  /** An arrival-rate test runs, from `nowMs` at `rate` iterations per second. */
  setTargetRate(rate: number, nowMs = Date.now()): void {
    this.isActive = true;
    this.stopped = false;
    this.target = rate;
    this.noteDueUpTo(nowMs);
  }

  /**
   * The schedule the target over each second is read from: `dueBy(epochMs)` is the count of
   * iterations due by then (a real number), from a schedule that began at or after the
   * start of the second `nowMs` is in. The runner that schedules calls it when a schedule
   * begins (a new one counts from 0 again), and calls {@link setTargetRate} at least once
   * a second: each second's count is noted at the first call after the second began, while
   * the schedule still holds that moment (it forgets old ones).
   */
  followSchedule(dueBy: (epochMs: number) => number, nowMs = Date.now()): void {
    this.dueBy = dueBy;
    const second = Math.floor(nowMs / 1000);
    this.noteDueAt(second, dueBy(second * 1000));
  }

  /** Notes the due count at the start of every second begun since the last one noted, up to `nowMs`. */
  private noteDueUpTo(nowMs: number): void {
    const dueBy = this.dueBy;
    if (dueBy === undefined) return;
    const last = this.dueAtSecond.at(-1)?.[0];
    // A stopped test's schedule ends at its stop: nothing falls due after it, so the start of
    // the second after the stop is known already (the stop's own second is read up to it).
    const until = this.endMs ?? Number.POSITIVE_INFINITY;
    const newest = Math.max(
      Math.floor(nowMs / 1000),
      this.endMs === null ? Number.NEGATIVE_INFINITY : Math.floor(this.endMs / 1000) + 1,
    );
    for (
      let second = last === undefined ? newest : Math.max(last + 1, newest - 16);
      second <= newest;
      second++
    ) {
      this.noteDueAt(second, dueBy(Math.min(second * 1000, until)));
    }
  }

  private noteDueAt(second: number, count: number): void {
    const last = this.dueAtSecond.at(-1);
    if (last !== undefined && last[0] === second) last[1] = count;
    else this.dueAtSecond.push([second, count]);
    // Enough for the master's lag (5 s).
    if (this.dueAtSecond.length > 16) this.dueAtSecond.shift();
  }

  /**
   * The target over epoch second `second`: the iterations due in it, its mean rate, to
   * compare with the iterations started in it. A second the counts cover only in part (the
   * test began, was reset or ended in it) is read over that part, as the achieved rate is
   * (see CurrentWindow.lastSecondRate). 0 when its counts are not noted.
   */
  private targetOver(second: number): number {
    const startMs = Math.max(second * 1000, this.start);
    const endMs = Math.min((second + 1) * 1000, this.endMs ?? Number.POSITIVE_INFINITY);
    if (endMs <= startMs) return 0;
    const atStart =
      this.dueAtReset?.[0] === second
        ? this.dueAtReset[1]
        : this.dueAtSecond.find(([at]) => at === second)?.[1];
    const atEnd = this.dueAtSecond.find(([at]) => at === second + 1)?.[1];
    if (atStart === undefined || atEnd === undefined) return 0;
    return roundRate(Math.max(0, atEnd - atStart) / (Math.max(endMs - startMs, 100) / 1000));
  }

  /** The test runs users, not a rate (a closed-model test after an open one). */
  deactivate(): void {
    this.isActive = false;
    this.stopped = false;
    this.target = 0;
    this.dueAtSecond.length = 0;
    this.dueBy = undefined;
    this.dueAtReset = undefined;
  }

  /** The test begins to stop at `nowMs`: the whole-test rate is measured up to here. */
  markStopping(nowMs: number): void {
    this.endMs ??= nowMs;
  }

  /**
   * The test has stopped and its users have ended: the iterations still in flight were
   * interrupted (the runner that holds the totals calls it; a worker does not).
   */
  markStopped(): void {
    this.stopped = true;
  }

  /** `count` more iterations reached their scheduled start. */
  countScheduled(count: number): void {
    this.scheduledCount += count;
  }

  /** One iteration started on a user at `nowMs`. */
  countStarted(nowMs: number): void {
    this.startedCount++;
    this.window.countRequests(Math.floor(nowMs / 1000), 1);
  }

  /** One started iteration ended by itself (not cut off by a hard stop). */
  countCompleted(): void {
    this.completedCount++;
  }

  /** `count` waiting iterations were dropped at `nowMs`: they waited out --max-queue-time. */
  countDropped(count: number, nowMs: number): void {
    if (count <= 0) return;
    this.droppedCount += count;
    this.window.countFailures(Math.floor(nowMs / 1000), count);
  }

  /**
   * `count` iterations were still waiting when the test stopped, and are dropped: counted
   * in `dropped` and `droppedAtStop`, in no second's rate.
   */
  countDroppedAtStop(count: number): void {
    if (count <= 0) return;
    this.droppedCount += count;
    this.droppedAtStopCount += count;
  }

  /** A master's estimate of `count` iterations due on a worker that went missing (see the snapshot's lostWithWorkers). */
  countLostWithWorker(count: number): void {
    if (count > 0) this.lostCount += count;
  }

  /** The counts at `nowMs`; the per-second ones of `second` when given (by default the newest complete one). */
  snapshot(nowMs: number, second?: number): IterationSnapshot {
    this.noteDueUpTo(nowMs);
    // Over the test so far, or up to its stop: at a constant rate R for T s, R exactly (up
    // to the last start it read high: 30 starts at 5/s in 6 s gave 5.17/s).
    const durationS = Math.max(1, (Math.min(nowMs, this.endMs ?? nowMs) - this.start) / 1000);
    const lag = this.achievedLagSeconds;
    // `second`: the seconds after the newest complete one, once the last reports are in (see history.ts).
    const currentSecond = second ?? Math.floor(nowMs / 1000) - lag;
    const secondReadAt = (currentSecond + lag) * 1000;
    const end = this.endMs ?? Number.POSITIVE_INFINITY;
    return {
      targetRate: roundRate(this.target),
      scheduled: this.scheduledCount,
      started: this.startedCount,
      completed: this.completedCount,
      inFlight: this.inFlight,
      interrupted: this.interrupted,
      dropped: this.droppedCount,
      droppedAtStop: this.droppedAtStopCount,
      waiting: Math.max(0, this.scheduledCount - this.startedCount - this.droppedCount),
      lostWithWorkers: this.lostCount,
      currentRate: this.window.lastSecondRate("requests", secondReadAt, this.start, lag, end),
      currentDroppedPerSec: this.window.lastSecondRate("failures", secondReadAt, this.start, lag, end),
      currentSecond,
      currentTargetRate: this.targetOver(currentSecond),
      totalRate: this.startedCount / durationS,
    };
  }

  /** The counters as plain data (a worker's report). */
  serialize(): SerializedIterations {
    const startedPerSec: Array<[number, number]> = [];
    const droppedPerSec: Array<[number, number]> = [];
    this.window.forEachCountedSecond((second, started, dropped) => {
      if (started !== 0) startedPerSec.push([second, started]);
      if (dropped !== 0) droppedPerSec.push([second, dropped]);
    });
    return {
      scheduled: this.scheduledCount,
      started: this.startedCount,
      completed: this.completedCount,
      dropped: this.droppedCount,
      droppedAtStop: this.droppedAtStopCount,
      startedPerSec,
      droppedPerSec,
    };
  }

  /** Adds another node's counters (a worker's delta) exactly. */
  merge(other: SerializedIterations): void {
    this.scheduledCount += other.scheduled;
    this.startedCount += other.started;
    this.completedCount += other.completed;
    this.droppedCount += other.dropped;
    this.droppedAtStopCount += other.droppedAtStop;
    for (const [second, count] of other.startedPerSec) this.window.countRequests(second, count);
    for (const [second, count] of other.droppedPerSec) this.window.countFailures(second, count);
  }

  /**
   * Restarts the counts at `nowMs`; the target rate and `active` are the runner's and stay.
   * The iterations unfinished at that moment (waiting or in flight) are carried into the
   * new counts as scheduled (and started, when in flight), so the identities above still
   * hold when they start, finish or are dropped after the reset; after the test stopped
   * nothing is unfinished any more. A worker's report is a delta instead
   * (`carryUnfinished` false): its master keeps the totals.
   */
  reset(nowMs: number, carryUnfinished = true): void {
    if (this.stopped) carryUnfinished = false;
    const waiting = Math.max(0, this.scheduledCount - this.startedCount - this.droppedCount);
    const inFlight = this.inFlight;
    this.scheduledCount = carryUnfinished ? waiting + inFlight : 0;
    this.startedCount = carryUnfinished ? inFlight : 0;
    this.completedCount = 0;
    this.droppedCount = 0;
    this.droppedAtStopCount = 0;
    this.lostCount = 0;
    this.start = nowMs;
    this.endMs = null;
    this.window.reset();
    if (this.dueBy !== undefined) {
      this.noteDueUpTo(nowMs);
      this.dueAtReset = [Math.floor(nowMs / 1000), this.dueBy(nowMs)];
    }
  }
}

/** A rate to the millionth: a difference of two schedule counts carries float noise (44.41122288799999). */
function roundRate(rate: number): number {
  return Math.round(rate * 1e6) / 1e6;
}

/**
 * The end-of-test note when iterations were still waiting for a free user as the test
 * stopped (counted as dropped, at the stop); undefined when none were. Information: the
 * stop ended their wait, not --max-queue-time, so the first-drop warning does not apply.
 */
export function droppedAtStopNote(count: number): string | undefined {
  if (count <= 0) return undefined;
  const subject = count === 1 ? "1 iteration was" : `${count} iterations were`;
  return `${subject} still waiting for a free user when the test stopped: counted as dropped (at the stop, not for --max-queue-time)`;
}

/**
 * Below this share of interrupted iterations (0.1 %), no percentile can move by more than
 * 0.1 points (p99 stays between the measured p99 and p99.1): the end-of-test note is
 * information, not a warning. At any arrival rate a hard stop cuts off about rate × the
 * iteration time (Little's law), 1 of 4,000 in a 20 s test at 200/s: a warning every run.
 */
const NEGLIGIBLE_INTERRUPTED_SHARE = 0.001;

/**
 * The end-of-test note when iterations were still running as the users were stopped
 * (their requests in flight were aborted and are in no statistics); undefined when none were.
 * `serious`: enough of them to move a percentile by 0.1 points or more (a warning; else
 * information). `stopTimeoutMs`: the test's --stop-timeout (0: users were stopped at once;
 * null: unknown). `capacitySearch`: the test was a capacity search, whose steps are judged on
 * what completed within each step's hold: then it is information, whatever the share.
 */
export function interruptedIterationsWarning(
  counts: { started: number; inFlight: number },
  stopTimeoutMs: number | null,
  capacitySearch = false,
): { text: string; serious: boolean } | undefined {
  const interrupted = counts.inFlight;
  if (interrupted <= 0) return undefined;
  const fraction = interrupted / Math.max(1, counts.started);
  // Two decimals, as the summary: 2 of 6,000 reads 0.03 %, not 0.0 %.
  const share = (fraction * 100).toFixed(2);
  const fix =
    stopTimeoutMs !== null && stopTimeoutMs > 0
      ? `A --stop-timeout (-s) longer than ${stopTimeoutMs / 1000} s lets in-flight iterations finish.`
      : "--stop-timeout (-s), e.g. -s 30s, lets in-flight iterations finish.";
  const what =
    `${interrupted} of ${counts.started} started iterations (${share}%) were interrupted: still running when the test ` +
    "stopped, their requests in flight were aborted and are not in the statistics.";
  if (capacitySearch) {
    // Those in flight at the stop belong to no judged step: the last one had ended, or was
    // cut short and is not judged.
    return {
      text: `${what} The capacity search's steps and answer are unaffected (each step is judged on what completed within its own hold); only the whole run's totals lack them.`,
      serious: false,
    };
  }
  if (fraction < NEGLIGIBLE_INTERRUPTED_SHARE) {
    return {
      text: `${what} Too few to move a response time percentile by more than ${share} points. ${fix}`,
      serious: false,
    };
  }
  return {
    text: `${what} They are likely the slowest, so the response time percentiles (pN_intended and the service times) are too low. ${fix}`,
    serious: true,
  };
}
