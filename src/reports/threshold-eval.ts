/**
 * Evaluates thresholds against the live statistics, and formats the verdict for the
 * console. A threshold whose request name never appeared fails with "no data": a name the
 * locustfile never requested cannot be known before the run, so this is only found here.
 */

import { formatMonitorValue } from "../monitor/format.js";
import {
  type CheckStats,
  type CustomMetrics,
  type IterationStats,
  isScoreRow,
  type RunSpan,
  runSpanOf,
  StatsEntry,
} from "../stats/index.js";
import type { JsonThresholdResult } from "./json-schema.js";
import { isHostKey, type MonitorThresholdSource, measureMonitored } from "./monitor-thresholds.js";
import { measureScripting, resultUnit } from "./threshold-scripting.js";
import type { ThresholdWindows } from "./threshold-windows.js";
import {
  compare,
  isTimeMetric,
  metricName,
  type ThresholdDefinition,
  type ThresholdMetric,
} from "./thresholds.js";

/** What evaluation reads: RequestStats satisfies it. */
export interface ThresholdSource {
  readonly total: StatsEntry;
  entries(): StatsEntry[];
  /** The target's monitored series, for `host:` thresholds (absent when nothing is monitored). */
  readonly monitor?: MonitorThresholdSource | undefined;
  /** The open model's iterations (for `dropped` and `interrupted`). */
  readonly iterations?: IterationStats;
  /** The locustfile's checks (`checks`, `check:"name"` keys). */
  readonly checks?: CheckStats;
  /** The locustfile's custom metrics. */
  readonly metrics?: CustomMetrics;
  /** The windows of windowed thresholds (`p95[30s]<300`), judged as the test goes. */
  readonly windows?: ThresholdWindows | undefined;
}

/** The rows a threshold's key matches (several for a bare name with several methods). */
export function rowsFor(definition: ThresholdDefinition, source: ThresholdSource): StatsEntry[] {
  const target = definition.target;
  if (target.kind === "total") return [source.total];
  if (target.kind !== "name") return [];
  const entries = source.entries();
  if (target.method !== undefined) {
    const exact = entries.filter((e) => e.method === target.method && e.name === target.name);
    if (exact.length > 0) return exact;
    // "GET /x" may also be a name that itself contains a space and an upper-case word.
    return entries.filter((e) => e.name === definition.key.trim());
  }
  return entries.filter((e) => e.name === target.name);
}

function combine(rows: StatsEntry[], nowMs: number): StatsEntry {
  if (rows.length === 1) return rows[0]!;
  const start = Math.min(...rows.map((r) => r.startTimeMs));
  const merged = new StatsEntry("", rows[0]!.name, start);
  for (const row of rows) merged.merge(row, nowMs);
  return merged;
}

/**
 * The value of `metric` for `entry`, or null when it needs response times and there are none.
 * `rps` is measured over `runSpan` (the whole test's: {@link runSpanOf}), as the table's
 * Requests/s column, `_stats.csv` and the JSON report's `rps` are; without it, over the
 * row's own first and last request.
 */
export function measure(metric: ThresholdMetric, entry: StatsEntry, runSpan?: RunSpan): number | null {
  switch (metric.kind) {
    case "percentile":
      return entry.percentile(metric.percentile / 100);
    case "intendedPercentile":
      return entry.intended?.percentiles([metric.percentile / 100])[0] ?? null;
    case "dropped":
    case "interrupted":
      // Not a row's: evaluateThreshold reads the iterations.
      return null;
    case "avg":
      return entry.numRequests - entry.numNoneRequests > 0 ? entry.avgResponseTimeMs : null;
    case "min":
      return entry.minResponseTimeMs;
    case "max":
      return entry.numRequests - entry.numNoneRequests > 0 ? entry.maxResponseTimeMs : null;
    case "med":
      return entry.medianResponseTimeMs;
    case "rps":
      // The table's figure exactly: from the test's start to its last request (Locust's
      // total_rps), not to the moment of evaluation, which would count the stop's tail.
      return entry.totalRps(undefined, runSpan);
    case "failRate":
      return entry.failRatio;
    case "failures":
      return entry.numFailures;
    case "count":
      return entry.numRequests;
    case "monitor":
    case "rate":
    case "passes":
    case "fails":
    case "value":
      // Not a row's: monitored series, checks and custom metrics are read elsewhere.
      return null;
  }
}

/**
 * Evaluates one threshold at `nowMs`. `rps` is the rate so far over the test's span (its
 * start to its last request, {@link runSpanOf}), the figure the table shows. A key with no
 * request, or a response-time metric with no response time, is "no data" and fails.
 */
export function evaluateThreshold(
  definition: ThresholdDefinition,
  source: ThresholdSource,
  nowMs: number,
): JsonThresholdResult {
  const rows = rowsFor(definition, source);
  // A CLS row's "times" are a unitless score: "measured 0.154", not "0.2 ms".
  const scored = isTimeMetric(metricName(definition.metric)) && rows.length > 0 && rows.every(isScoreEntry);
  const unit = resultUnit(definition) ?? (scored ? "" : undefined);
  const base = {
    key: definition.key,
    expression: definition.expression,
    metric: metricName(definition.metric),
    operator: definition.operator,
    limit: definition.limit,
    abortOnFail: definition.abortOnFail,
    aborted: false,
    ...(unit === undefined ? {} : { unit }),
  };
  if (definition.windowMs !== undefined) return windowedResult(definition, source, base);
  const target = definition.target;
  if (target.kind === "checks" || target.kind === "check" || target.kind === "metric") {
    const { measured, reason } = measureScripting(definition, source, nowMs);
    if (measured === null) return { ...base, measured, passed: false, reason };
    return { ...base, measured, passed: compare(measured, definition.operator, definition.limit), reason };
  }
  if (definition.target.kind === "host" && definition.metric.kind === "monitor") {
    const { measured, reason, unit } = measureMonitored(
      definition.target.host,
      definition.metric.series,
      definition.metric.aggregate,
      source.monitor,
    );
    if (measured === null) return { ...base, measured: null, passed: false, reason };
    return {
      ...base,
      // The series' own unit: 35.5 of a "%" series is 35.5 %, not a ratio.
      ...(unit === undefined ? {} : { unit }),
      measured,
      passed: compare(measured, definition.operator, definition.limit),
      reason: null,
    };
  }
  if (definition.metric.kind === "dropped" || definition.metric.kind === "interrupted") {
    const iterations = source.iterations;
    if (iterations === undefined || !iterations.active) {
      return {
        ...base,
        measured: null,
        passed: false,
        reason: "no data: not an arrival-rate test (--arrival-rate)",
      };
    }
    // `interrupted` is 0 until the test has stopped: no abortOnFail fires on iterations in flight.
    const measured = definition.metric.kind === "dropped" ? iterations.dropped : iterations.interrupted;
    return {
      ...base,
      measured,
      passed: compare(measured, definition.operator, definition.limit),
      reason: null,
    };
  }
  const requested = rows.reduce((sum, row) => sum + row.numRequests, 0);
  if (rows.length === 0 || requested === 0) {
    const reason =
      definition.target.kind === "total"
        ? "no data: no request completed (none was made, or none had its response by the end)"
        : "no data: no request with this name";
    return { ...base, measured: null, passed: false, reason };
  }
  const measured = measure(definition.metric, combine(rows, nowMs), runSpanOf(source.total));
  if (measured === null) {
    const reason =
      definition.metric.kind === "intendedPercentile"
        ? "no data: no response time from an intended start (only arrival-rate tests have them)"
        : "no data: no response time";
    return { ...base, measured: null, passed: false, reason };
  }
  return {
    ...base,
    measured,
    passed: compare(measured, definition.operator, definition.limit),
    reason: null,
  };
}

/** A windowed threshold: it passes when every window judged so far held; `measured` is the worst window's. */
function windowedResult(
  definition: ThresholdDefinition,
  source: ThresholdSource,
  base: Omit<JsonThresholdResult, "measured" | "passed" | "reason">,
): JsonThresholdResult {
  const summary = source.windows?.summary(definition);
  const lengthMs = definition.windowMs!;
  const window = summary ?? { lengthMs, judged: 0, failed: 0, worst: null };
  const worst = window.worst;
  const json = {
    ...base,
    window: {
      lengthMs,
      judged: window.judged,
      failed: window.failed,
      worst: worst === null ? null : { startMs: worst.startMs, endMs: worst.endMs, value: worst.value },
    },
  };
  if (worst === null) {
    return {
      ...json,
      measured: null,
      passed: false,
      reason: `no data: no window of ${formatSeconds(lengthMs)} with data was judged`,
    };
  }
  return { ...json, measured: worst.value, passed: window.failed === 0, reason: null };
}

function formatSeconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** Evaluates every threshold, in order. */
export function evaluateThresholds(
  definitions: readonly ThresholdDefinition[],
  source: ThresholdSource,
  nowMs: number,
): JsonThresholdResult[] {
  return definitions.map((definition) => evaluateThreshold(definition, source, nowMs));
}

/**
 * A measured value for people: "123.4 ms", "0.034 (3.40%)", "1520", "12 KB" (a Trend's unit),
 * and a monitored host's series in its unit: "35.5 %", "5.0 MB/s".
 */
export function formatMeasured(
  result: Pick<JsonThresholdResult, "metric" | "measured" | "unit"> &
    Partial<Pick<JsonThresholdResult, "operator" | "limit">> & { key?: string },
): string {
  if (result.measured === null) return "no data";
  const value = result.measured;
  if (result.key !== undefined && isHostKey(result.key) && result.unit !== undefined)
    return formatMonitorValue(value, result.unit);
  const shown = (digits: number) => String(faithfulRound(value, digits, result));
  if (result.metric === "failRate" || result.unit === "%")
    return `${shown(4)} (${(value * 100).toFixed(2)}%)`;
  if (result.unit !== undefined && result.metric !== "count") {
    return result.unit === "" ? shown(2) : `${shown(2)} ${result.unit}`;
  }
  return isTimeMetric(result.metric) ? `${shown(1)} ms` : shown(2);
}

/**
 * `value` to `digits` decimals, with more where fewer would mislead: at least three
 * significant digits (0.0312, not 0.03 or 0), and as many as it takes for the shown value
 * to compare with the limit as the measured one did (a failed "< 0.1" never reads "0.1"
 * measured 0.1 when the limit is "<= 0.1").
 */
function faithfulRound(
  value: number,
  digits: number,
  verdict: Partial<Pick<JsonThresholdResult, "operator" | "limit">>,
): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const significant = Math.max(digits, 2 - Math.floor(Math.log10(Math.abs(value))));
  const { operator, limit } = verdict;
  for (let decimals = significant; decimals < 17; decimals++) {
    const shown = round(value, decimals);
    if (operator === undefined || limit === undefined) return shown;
    if (compare(shown, operator, limit) === compare(value, operator, limit)) return shown;
  }
  return value;
}

/** The measured value, with its windows for a windowed threshold: "512 ms (worst of 12 windows of 30 s, 2 failed)". */
export function describeMeasured(result: JsonThresholdResult): string {
  return `${formatMeasured(result)}${windowNote(result)}`;
}

/** " (worst of 12 windows of 30 s, 2 failed)" for a windowed threshold. */
function windowNote(result: JsonThresholdResult): string {
  const window = result.window;
  if (window === undefined || window.worst === null) return "";
  const failed = window.failed > 0 ? `, ${window.failed} failed` : "";
  return ` (worst of ${window.judged} window${window.judged === 1 ? "" : "s"} of ${formatSeconds(window.lengthMs)}${failed})`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function isScoreEntry(entry: StatsEntry): boolean {
  return isScoreRow(entry.method, entry.name);
}

/** Metrics of response times, which iterations cut off by the stop leave too low. */
const RESPONSE_TIME_METRIC = /^(p\(.*|avg|max|med)$/;

/**
 * The results with `interruptedIterations` set on each passed response-time threshold, when
 * the stop of an arrival-rate test interrupted iterations: their requests in flight are in no statistic,
 * so it passed on incomplete data (they are likely the slowest). Marked, not failed:
 * `interrupted<1` is the threshold that fails on it.
 */
export function markInterrupted(
  results: readonly JsonThresholdResult[],
  interrupted: number,
): JsonThresholdResult[] {
  return results.map((result) =>
    interrupted > 0 &&
    result.passed &&
    result.measured !== null &&
    result.unit === undefined &&
    RESPONSE_TIME_METRIC.test(result.metric)
      ? { ...result, interruptedIterations: interrupted }
      : result,
  );
}

/** "⚠ 3 interrupted iterations are not in it: likely higher" for a marked result, else "". */
export function interruptedWarning(result: JsonThresholdResult): string {
  const n = result.interruptedIterations;
  if (n === undefined || n <= 0) return "";
  return `⚠ ${n} interrupted iteration${n === 1 ? " is" : "s are"} not in it: likely higher`;
}

/**
 * One line per threshold ("✓ GET /coupons  p(95) < 300  measured 123.4 ms"), then a verdict;
 * a result {@link markInterrupted} marked carries its warning.
 */
export function formatThresholdSummary(results: readonly JsonThresholdResult[]): string[] {
  if (results.length === 0) return [];
  const keyWidth = Math.min(60, Math.max(...results.map((r) => r.key.length)));
  const exprWidth = Math.min(40, Math.max(...results.map((r) => r.expression.length)));
  const lines = ["Thresholds"];
  for (const r of results) {
    const measured = r.reason ?? `measured ${describeMeasured(r)}`;
    const aborted = r.aborted ? "  (aborted the run)" : "";
    const warning = interruptedWarning(r);
    const note = warning ? `  (${warning})` : "";
    lines.push(
      `  ${r.passed ? "✓" : "✗"} ${r.key.padEnd(keyWidth)}  ${r.expression.padEnd(exprWidth)}  ${measured}${aborted}${note}`,
    );
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push(
    failed === 0
      ? `${results.length === 1 ? "The threshold" : `All ${results.length} thresholds`} passed`
      : `${failed} of ${results.length} threshold${results.length === 1 ? "" : "s"} failed`,
    "",
  );
  return lines;
}
