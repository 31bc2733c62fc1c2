import { CurrentWindow } from "./current-window.js";

/** The open model's counts at one moment, as plain data (reports, the web UI, thresholds). */
export interface IterationSnapshot {
  /** The arrival rate asked for now, iterations per second. */
  targetRate: number;
  /** Iterations whose scheduled start has come. */
  scheduled: number;
  /** Iterations a user started. */
  started: number;
  /** Iterations that found no free user within --max-queue-time (or were still waiting when the test ended). */
  dropped: number;
  /** Iterations waiting for a free user now: scheduled − started − dropped. */
  waiting: number;
  /** Iterations started per second over the current window (the last 10 whole seconds). */
  currentRate: number;
  /** Iterations dropped per second over the current window. */
  currentDroppedPerSec: number;
  /** Started per second over the whole test (like a row's total RPS). */
  totalRate: number;
}

/** {@link IterationStats} counters as plain data: a worker's delta since its previous report. */
export interface SerializedIterations {
  scheduled: number;
  started: number;
  dropped: number;
  /** When the latest iteration started, epoch ms; null when none did. */
  lastStartedMs: number | null;
  /** `[epochSecond, count]` pairs of the seconds still in the ring. */
  startedPerSec: Array<[second: number, count: number]>;
  droppedPerSec: Array<[second: number, count: number]>;
}

/**
 * The open model's iteration counters: scheduled, started and dropped, in total and per
 * second (a ring of recent seconds, like a stats row's requests and failures), and the
 * target rate the runner sets. `active` tells an arrival-rate test from a closed one, so
 * reports show the iteration blocks only when they mean something.
 *
 * The runner keeps `scheduled === started + dropped + waiting` at every moment; when a
 * test stops, the iterations still waiting are dropped, so at the end
 * `dropped === scheduled − started` exactly.
 */
export class IterationStats {
  private isActive = false;
  private target = 0;
  private scheduledCount = 0;
  private startedCount = 0;
  private droppedCount = 0;
  private start: number;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** "requests" counts started iterations, "failures" dropped ones. */
  private readonly window: CurrentWindow;

  constructor(nowMs: number, lagSeconds = 1) {
    this.start = nowMs;
    this.window = new CurrentWindow(lagSeconds);
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

  get dropped(): number {
    return this.droppedCount;
  }

  /** An arrival-rate test runs, now at `rate` iterations per second. */
  setTargetRate(rate: number): void {
    this.isActive = true;
    this.target = rate;
  }

  /** The test runs users, not a rate (a closed-model test after an open one). */
  deactivate(): void {
    this.isActive = false;
    this.target = 0;
  }

  /** `count` more iterations reached their scheduled start. */
  countScheduled(count: number): void {
    this.scheduledCount += count;
  }

  /** One iteration started on a user at `nowMs`. */
  countStarted(nowMs: number): void {
    this.startedCount++;
    if (nowMs > this.lastStart) this.lastStart = nowMs;
    this.window.countRequests(Math.floor(nowMs / 1000), 1);
  }

  /** `count` waiting iterations were dropped at `nowMs`. */
  countDropped(count: number, nowMs: number): void {
    if (count <= 0) return;
    this.droppedCount += count;
    this.window.countFailures(Math.floor(nowMs / 1000), count);
  }

  /** The counts at `nowMs`. */
  snapshot(nowMs: number): IterationSnapshot {
    const durationS = Math.max(
      1,
      ((Number.isFinite(this.lastStart) ? this.lastStart : nowMs) - this.start) / 1000,
    );
    return {
      targetRate: this.target,
      scheduled: this.scheduledCount,
      started: this.startedCount,
      dropped: this.droppedCount,
      waiting: Math.max(0, this.scheduledCount - this.startedCount - this.droppedCount),
      currentRate: this.window.currentRate("requests", nowMs, this.start),
      currentDroppedPerSec: this.window.currentRate("failures", nowMs, this.start),
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
      dropped: this.droppedCount,
      lastStartedMs: Number.isFinite(this.lastStart) ? this.lastStart : null,
      startedPerSec,
      droppedPerSec,
    };
  }

  /** Adds another node's counters (a worker's delta) exactly. */
  merge(other: SerializedIterations): void {
    this.scheduledCount += other.scheduled;
    this.startedCount += other.started;
    this.droppedCount += other.dropped;
    if (other.lastStartedMs !== null && other.lastStartedMs > this.lastStart)
      this.lastStart = other.lastStartedMs;
    for (const [second, count] of other.startedPerSec) this.window.countRequests(second, count);
    for (const [second, count] of other.droppedPerSec) this.window.countFailures(second, count);
  }

  /** Zeroes the counters and restarts at `nowMs`; the target rate and `active` are the runner's and stay. */
  reset(nowMs: number): void {
    this.scheduledCount = 0;
    this.startedCount = 0;
    this.droppedCount = 0;
    this.start = nowMs;
    this.lastStart = Number.NEGATIVE_INFINITY;
    this.window.reset();
  }
}
