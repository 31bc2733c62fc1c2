/**
 * The JSON report (schema in json-schema.ts): a pure function of a ReportInput.
 */
import {
  type EntrySnapshot,
  type IterationColumns,
  PERCENTILES_TO_REPORT,
  type SeriesColumns,
  type StatsHistoryJSON,
  type StatsSnapshot,
} from "../stats/index.js";
import { capacityJson } from "./capacity-json.js";
import { toJsonHistogram } from "./hdr-base64.js";
import {
  JSON_REPORT_SCHEMA_VERSION,
  type JsonEntry,
  type JsonHistory,
  type JsonIntended,
  type JsonIterationSeries,
  type JsonIterations,
  type JsonReport,
  type JsonSeries,
  PERCENTILE_KEYS,
  type PercentileKey,
} from "./json-schema.js";
import { monitorJson } from "./monitor-report.js";
import type { HistogramLookup, ReportInput } from "./report-input.js";
import { checksJson, metricsJson } from "./scripting-json.js";

/** Rounds to 3 decimals (µs for times): keeps the history compact without losing information. */
const round3 = (value: number): number => Math.round(value * 1000) / 1000;
const round3OrNull = (value: number | null): number | null => (value === null ? null : round3(value));

function percentilesOf(pairs: EntrySnapshot["percentiles"]): Record<PercentileKey, number | null> {
  const out = {} as Record<PercentileKey, number | null>;
  PERCENTILE_KEYS.forEach((key, i) => {
    const p = PERCENTILES_TO_REPORT[i];
    const pair = pairs.find(([q]) => q === p);
    out[key] = pair?.[1] ?? null;
  });
  return out;
}

function intendedOf(entry: EntrySnapshot, histograms: HistogramLookup | undefined): JsonIntended | null {
  const intended = entry.intended;
  if (intended === undefined) return null;
  const histogram = histograms?.(entry.method, entry.name);
  return {
    count: intended.count,
    minResponseTimeMs: intended.minMs,
    maxResponseTimeMs: intended.maxMs,
    avgResponseTimeMs: intended.avgMs,
    medianResponseTimeMs: intended.medianMs,
    percentiles: percentilesOf(intended.percentiles),
    histogram: histogram ? toJsonHistogram(histogram) : null,
  };
}

function entryOf(
  entry: EntrySnapshot,
  histograms: HistogramLookup | undefined,
  intendedHistograms: HistogramLookup | undefined,
): JsonEntry {
  const timed = entry.numRequests - entry.numNoneRequests > 0;
  const histogram = histograms?.(entry.method, entry.name);
  return {
    method: entry.method,
    name: entry.name,
    numRequests: entry.numRequests,
    numFailures: entry.numFailures,
    numNoneRequests: entry.numNoneRequests,
    failRatio: entry.failRatio,
    minResponseTimeMs: timed ? entry.minResponseTimeMs : null,
    maxResponseTimeMs: timed ? entry.maxResponseTimeMs : null,
    avgResponseTimeMs: timed ? entry.avgResponseTimeMs : null,
    medianResponseTimeMs: entry.medianResponseTimeMs,
    percentiles: percentilesOf(entry.percentiles),
    rps: entry.totalRps,
    failPerSec: entry.totalFailPerSec,
    totalContentLength: entry.totalContentLength,
    avgContentLength: entry.avgContentLength,
    startTimeMs: entry.startTimeMs,
    lastRequestTimeMs: entry.lastRequestTimeMs,
    histogram: histogram ? toJsonHistogram(histogram) : null,
    intended: intendedOf(entry, intendedHistograms),
  };
}

function iterationsOf(snapshot: StatsSnapshot): JsonIterations | null {
  const it = snapshot.iterations;
  if (it === undefined) return null;
  return {
    targetRate: it.targetRate,
    scheduled: it.scheduled,
    started: it.started,
    completed: it.completed,
    interrupted: it.interrupted,
    dropped: it.dropped,
    droppedAtStop: it.droppedAtStop,
    waiting: it.waiting,
    lostWithWorkers: it.lostWithWorkers,
    rate: it.totalRate,
  };
}

function iterationSeriesOf(columns: IterationColumns | undefined): JsonIterationSeries | null {
  if (columns === undefined) return null;
  return {
    stride: columns.stride,
    timeMs: columns.timeMs.map(Math.round),
    targetRate: columns.targetRate.map(round3),
    rate: columns.rate.map(round3),
    droppedPerSec: columns.droppedPerSec.map(round3),
  };
}

function seriesOf(columns: SeriesColumns): JsonSeries {
  return {
    stride: columns.stride,
    timeMs: columns.timeMs.map(Math.round),
    userCount: columns.userCount,
    rps: columns.rps.map(round3),
    failPerSec: columns.failPerSec.map(round3),
    p50: columns.p50.map(round3OrNull),
    p95: columns.p95.map(round3OrNull),
    p99: columns.p99.map(round3OrNull),
    avgResponseTimeMs: columns.avgResponseTimeMs.map(round3),
  };
}

/** The history in the report's form (rounded to 3 decimals). */
export function historyOf(history: StatsHistoryJSON): JsonHistory {
  return {
    total: seriesOf(history.total),
    entries: history.entries.map((series) => ({
      method: series.method,
      name: series.name,
      ...seriesOf(series),
    })),
    iterations: iterationSeriesOf(history.iterations),
  };
}

/**
 * The JSON report of `input`. Cost: one compressed histogram per row (a few KB and well
 * under a millisecond each), so it is cheap enough to build on demand during a run.
 */
export function buildJsonReport(input: ReportInput): JsonReport {
  const { snapshot, histograms, intendedHistograms } = input;
  return {
    schemaVersion: JSON_REPORT_SCHEMA_VERSION,
    generator: "cicada",
    generatedAtMs: snapshot.timeMs,
    meta: input.meta,
    total: entryOf(snapshot.total, histograms, intendedHistograms),
    entries: snapshot.entries.map((entry) => entryOf(entry, histograms, intendedHistograms)),
    failures: snapshot.errors.map((e) => ({
      method: e.method,
      name: e.name,
      error: e.error,
      occurrences: e.occurrences,
      firstSeenMs: e.firstSeenMs,
      lastSeenMs: e.lastSeenMs,
    })),
    droppedFailures: snapshot.droppedErrors,
    exceptions: snapshot.exceptions.map((e) => ({
      count: e.count,
      message: e.message,
      traceback: e.traceback,
      nodes: [...e.nodes],
    })),
    droppedExceptions: snapshot.droppedExceptions,
    collapsedNames: snapshot.collapsedNames,
    resentRequests: snapshot.resentRequests ?? 0,
    abortedRequests: snapshot.abortedRequests ?? 0,
    abortedUnsentRequests: snapshot.abortedUnsentRequests ?? 0,
    history: historyOf(input.history),
    thresholds: [...(input.thresholds ?? [])],
    monitor: input.monitor ? monitorJson(input.monitor) : null,
    capacity: input.capacity ? capacityJson(input.capacity) : null,
    iterations: iterationsOf(snapshot),
    checks: checksJson(snapshot),
    metrics: metricsJson(snapshot),
  };
}

/** The report as JSON text: compact (one line) by default, indented with `pretty`. */
export function renderJsonReport(input: ReportInput, options: { pretty?: boolean } = {}): string {
  return JSON.stringify(buildJsonReport(input), null, options.pretty ? 2 : undefined);
}
