/**
 * Thresholds while a run goes on: `abortOnFail` ones are judged about once a second, and
 * windowed ones (`p95[30s]<300`) have their windows closed at each window's end (a timer
 * for the next one), so a window holds what happened within it. Either can abort the run.
 * At any moment `evaluate` gives every threshold's result so far (reports during the run,
 * the verdict at its end).
 */
import type { TargetMonitor } from "../monitor/target-monitor.js";
import {
  type AbortDecision,
  evaluateThresholds,
  type JsonThresholdResult,
  ThresholdAbortTracker,
  type ThresholdDefinition,
  type ThresholdSource,
  ThresholdWindows,
} from "../reports/index.js";
import type { Environment, Runner } from "../runner/index.js";

/** Watches a run's thresholds (see the file comment). */
export class ThresholdWatch {
  /** The target's monitor, for `host:` thresholds (set when monitoring starts). */
  monitor: TargetMonitor | undefined;
  private readonly abortTracker: ThresholdAbortTracker;
  private readonly windows: ThresholdWindows;
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private runner: Runner | undefined;
  private aborted: AbortDecision | undefined;
  private stopped = false;

  constructor(
    readonly thresholds: readonly ThresholdDefinition[],
    private readonly environment: Environment,
    private readonly onAbort: (decision: AbortDecision) => void,
  ) {
    this.abortTracker = new ThresholdAbortTracker(thresholds);
    this.windows = new ThresholdWindows(thresholds);
  }

  /** Whether anything must be judged during the run (otherwise only at its end). */
  get needsTicks(): boolean {
    return this.abortTracker.active || this.windows.active;
  }

  /** Starts watching `runner`'s tests: the last window of each is judged when it stops. */
  begin(runner: Runner): void {
    this.runner = runner;
    if (!this.windows.active) return;
    runner.stateChanged.addListener((state) => {
      if (state !== "stopped") return;
      const stats = this.environment.stats;
      this.windows.finish(this.source(), stats.total.startTimeMs, this.environment.now());
    });
  }

  /** About once a second. */
  tick(): void {
    this.tickWindows();
    if (this.aborted === undefined && this.abortTracker.active) {
      const decision = this.abortTracker.check(this.source(), this.environment.now());
      if (decision !== undefined) this.abort(decision);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.windowTimer !== undefined) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
  }

  /** Every threshold's result at `nowMs`; the one that aborted the run is marked and counts as failed. */
  evaluate(nowMs: number): JsonThresholdResult[] {
    const results = evaluateThresholds(this.thresholds, this.source(), nowMs);
    const index = this.aborted ? this.thresholds.indexOf(this.aborted.definition) : -1;
    if (index >= 0) results[index] = { ...results[index]!, aborted: true, passed: false };
    return results;
  }

  /**
   * What thresholds read: the statistics (rows, iterations, checks, custom metrics), the
   * monitored series, and the windows judged so far.
   */
  private source(): ThresholdSource {
    const stats = this.environment.stats;
    return {
      total: stats.total,
      entries: () => stats.entries(),
      iterations: stats.iterations,
      checks: stats.checks,
      metrics: stats.metrics,
      monitor: this.monitor,
      windows: this.windows,
    };
  }

  /** Closes the windows that ended (while a test runs), and sets a timer for the next window's end. */
  private tickWindows(): void {
    const runner = this.runner;
    if (!this.windows.active || runner === undefined || this.stopped) return;
    if (runner.state !== "spawning" && runner.state !== "running") return;
    const now = this.environment.now();
    const runStart = this.environment.stats.total.startTimeMs;
    const source = this.source();
    const closed = this.windows.tick(source, runStart, now);
    if (this.aborted === undefined) {
      const decision = this.abortTracker.windowFailed(closed, source, runStart, now);
      if (decision !== undefined) this.abort(decision);
    }
    if (this.windowTimer !== undefined) clearTimeout(this.windowTimer);
    const next = this.windows.nextBoundaryMs();
    if (next === undefined) return;
    this.windowTimer = setTimeout(() => this.tickWindows(), Math.max(0, next - now));
    this.windowTimer.unref?.();
  }

  private abort(decision: AbortDecision): void {
    this.aborted = decision;
    this.onAbort(decision);
  }
}
