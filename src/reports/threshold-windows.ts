/**
 * Thresholds over time: `p95[30s]<300` holds only if it holds in every 30 s window of
 * the test, so a collapse late in a soak test fails the run even when the whole-run p95
 * is fine (k6's users ask for this in k6#2379).
 *
 * Windows are aligned to the test's start. At each window's end the owner calls
 * {@link ThresholdWindows.tick}: the tracker reads the cumulative statistics (counts,
 * sums, HDR histograms) and takes the difference from the copy it kept at the window's
 * start, so a window's percentiles are exact to the histogram's 3 significant digits
 * without keeping any request. When the test stops, the last window counts if it lasted
 * at least half the length (a shorter one has too few samples to judge fairly).
 *
 * A window with no data for a metric that needs some (a percentile, a failure ratio) is
 * not judged; counts and rates are judged in every window (no request at all in a window
 * fails `count[30s]>100`).
 */
import {
  type CheckStats,
  type CustomMetrics,
  Histogram,
  histogramDifference,
  type StatsEntry,
  TREND_SCALE,
} from "../stats/index.js";
import { rowsFor, type ThresholdSource } from "./threshold-eval.js";
import { checkValue } from "./threshold-scripting.js";
import type { ThresholdDefinition, ThresholdMetric } from "./thresholds.js";
import { compare } from "./thresholds.js";

/** One window, judged. */
export interface JudgedWindow {
  startMs: number;
  endMs: number;
  value: number;
  passed: boolean;
}

/** A windowed threshold's outcome so far. */
export interface WindowSummary {
  lengthMs: number;
  /** Windows judged (those with data for the metric). */
  judged: number;
  failed: number;
  /** The first failing window, else the one closest to failing; null when none was judged. */
  worst: JudgedWindow | null;
}

/** A window closed by {@link ThresholdWindows.tick}, for abortOnFail. */
export interface ClosedWindow extends JudgedWindow {
  definition: ThresholdDefinition;
}

/** The cumulative state a window's values are differences of. */
interface Cumulative {
  /** A counter's state is its sum alone: its count and rate are of that sum. */
  counter: boolean;
  count: number;
  failures: number;
  timed: number;
  sum: number;
  histogram: Histogram | undefined;
  intended: Histogram | undefined;
}

const EMPTY: Cumulative = {
  counter: false,
  count: 0,
  failures: 0,
  timed: 0,
  sum: 0,
  histogram: undefined,
  intended: undefined,
};

interface State {
  runStartMs: number;
  windowStartMs: number;
  base: Cumulative;
  judged: number;
  failed: number;
  worst: JudgedWindow | null;
}

/** Tracks the windows of every windowed threshold (see the file comment). */
export class ThresholdWindows {
  private readonly states = new Map<ThresholdDefinition, State>();

  constructor(definitions: readonly ThresholdDefinition[]) {
    for (const definition of definitions) {
      if (definition.windowMs !== undefined) {
        this.states.set(definition, {
          runStartMs: Number.NaN,
          windowStartMs: 0,
          base: EMPTY,
          judged: 0,
          failed: 0,
          worst: null,
        });
      }
    }
  }

  /** Whether any threshold has windows. */
  get active(): boolean {
    return this.states.size > 0;
  }

  /** The next moment a window ends, epoch ms (undefined before the first tick). */
  nextBoundaryMs(): number | undefined {
    let next: number | undefined;
    for (const [definition, state] of this.states) {
      if (Number.isNaN(state.runStartMs)) continue;
      const end = state.windowStartMs + definition.windowMs!;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }

  /**
   * Closes every window that ended by `nowMs` for the test that started at `runStartMs`
   * (a new start begins new windows), and returns the windows judged.
   */
  tick(source: ThresholdSource, runStartMs: number, nowMs: number): ClosedWindow[] {
    const closed: ClosedWindow[] = [];
    for (const [definition, state] of this.states) {
      if (state.runStartMs !== runStartMs) this.restart(state, runStartMs);
      const length = definition.windowMs!;
      while (nowMs >= state.windowStartMs + length) {
        const window = this.close(definition, state, source, state.windowStartMs + length);
        if (window !== undefined) closed.push(window);
      }
    }
    return closed;
  }

  /** The test ended at `endMs`: closes its windows, and judges the last one if it lasted half a window or more. */
  finish(source: ThresholdSource, runStartMs: number, endMs: number): ClosedWindow[] {
    const closed = this.tick(source, runStartMs, endMs);
    for (const [definition, state] of this.states) {
      if (endMs - state.windowStartMs >= definition.windowMs! / 2) {
        const window = this.close(definition, state, source, endMs);
        if (window !== undefined) closed.push(window);
      }
      // Nothing more of this test is judged.
      state.windowStartMs = Number.POSITIVE_INFINITY;
    }
    return closed;
  }

  /** The outcome of a windowed threshold so far; undefined for one without windows. */
  summary(definition: ThresholdDefinition): WindowSummary | undefined {
    const state = this.states.get(definition);
    if (state === undefined) return undefined;
    return { lengthMs: definition.windowMs!, judged: state.judged, failed: state.failed, worst: state.worst };
  }

  private restart(state: State, runStartMs: number): void {
    state.runStartMs = runStartMs;
    state.windowStartMs = runStartMs;
    state.base = EMPTY;
    state.judged = 0;
    state.failed = 0;
    state.worst = null;
  }

  private close(
    definition: ThresholdDefinition,
    state: State,
    source: ThresholdSource,
    endMs: number,
  ): ClosedWindow | undefined {
    const current = cumulative(definition, source);
    const value = windowValue(definition.metric, state.base, current, (endMs - state.windowStartMs) / 1000);
    const startMs = state.windowStartMs;
    state.base = current;
    state.windowStartMs = endMs;
    if (value === null) return undefined;
    const passed = compare(value, definition.operator, definition.limit);
    const window = { startMs, endMs, value, passed };
    state.judged++;
    if (!passed) state.failed++;
    if (
      state.worst === null ||
      (state.worst.passed && (!passed || worse(definition, value, state.worst.value)))
    ) {
      state.worst = window;
    }
    return { ...window, definition };
  }
}

/** Whether `value` is closer to failing than `than`: higher under a `<` limit, lower above a `>` one. */
function worse(definition: ThresholdDefinition, value: number, than: number): boolean {
  if (definition.operator === "<" || definition.operator === "<=") return value > than;
  if (definition.operator === ">" || definition.operator === ">=") return value < than;
  return Math.abs(value - definition.limit) < Math.abs(than - definition.limit);
}

/** The statistics a window is measured from, as they are now (copies of the histograms). */
function cumulative(definition: ThresholdDefinition, source: ThresholdSource): Cumulative {
  const target = definition.target;
  if (target.kind === "checks" || target.kind === "check") return checksState(source.checks, target);
  if (target.kind === "metric") return metricState(source.metrics, target.name);
  return rowsState(rowsFor(definition, source));
}

function rowsState(rows: StatsEntry[]): Cumulative {
  const state = {
    counter: false,
    count: 0,
    failures: 0,
    timed: 0,
    sum: 0,
    histogram: new Histogram(),
    intended: new Histogram(),
  };
  for (const row of rows) {
    state.count += row.numRequests;
    state.failures += row.numFailures;
    state.timed += row.numRequests - row.numNoneRequests;
    state.sum += row.totalResponseTimeMs;
    state.histogram.add(row.histogram);
    if (row.intended !== undefined) state.intended.add(row.intended.histogram);
  }
  return state;
}

function checksState(
  checks: CheckStats | undefined,
  target: { kind: "checks" } | { kind: "check"; name: string },
): Cumulative {
  const counts =
    target.kind === "checks"
      ? { passes: checks?.passes ?? 0, fails: checks?.fails ?? 0 }
      : checks?.get(target.name);
  const passes = counts?.passes ?? 0;
  const fails = counts?.fails ?? 0;
  return { ...EMPTY, count: passes + fails, failures: fails };
}

function metricState(metrics: CustomMetrics | undefined, name: string): Cumulative {
  const metric = metrics?.raw(name);
  if (metric === undefined) return EMPTY;
  switch (metric.kind) {
    case "counter":
      return { ...EMPTY, counter: true, sum: metric.sum };
    case "rate":
      return { ...EMPTY, count: metric.total, failures: metric.total - metric.trues };
    case "trend": {
      const count = metric.histogram.totalCount;
      return { ...EMPTY, count, timed: count, sum: metric.sum, histogram: metric.histogram.clone() };
    }
    case "gauge":
      return EMPTY; // refused when parsed: a gauge has no windows
  }
}

/** The metric over one window: the difference of two cumulative states; null when it needs data and has none. */
function windowValue(
  metric: ThresholdMetric,
  base: Cumulative,
  now: Cumulative,
  seconds: number,
): number | null {
  const count = now.count - base.count;
  const failures = now.failures - base.failures;
  const timed = now.timed - base.timed;
  const sum = now.sum - base.sum;
  const values = () => (now.histogram ? histogramDifference(now.histogram, base.histogram) : new Histogram());
  // A trend's values are × TREND_SCALE in its histogram; response times are µs: both ÷ 1000.
  const percentile = (histogram: Histogram, p: number) =>
    histogram.totalCount === 0 ? null : histogram.valueAtPercentile(p) / TREND_SCALE;
  switch (metric.kind) {
    case "percentile":
      return percentile(values(), metric.percentile);
    case "med":
      return percentile(values(), 50);
    case "intendedPercentile":
      return now.intended
        ? percentile(histogramDifference(now.intended, base.intended), metric.percentile)
        : null;
    case "min":
    case "max": {
      const window = values();
      if (window.totalCount === 0) return null;
      return (metric.kind === "min" ? window.minValue : window.maxValue) / TREND_SCALE;
    }
    case "avg":
      return timed > 0 ? sum / timed : null;
    case "rps":
      return count / Math.max(seconds, 0.001);
    case "failRate":
      return count > 0 ? failures / count : null;
    case "failures":
    case "fails":
      return failures;
    case "passes":
      return count - failures;
    case "count":
      // A counter's count is its sum; a row's or a trend's, the number of values.
      return now.counter ? sum : count;
    case "rate":
      // A counter's rate is per second; a check's or a Rate's, the share that passed.
      return now.counter ? sum / Math.max(seconds, 0.001) : checkValue(metric, count - failures, failures);
    case "value":
    case "dropped":
    case "interrupted":
    case "monitor":
      return null;
  }
}
