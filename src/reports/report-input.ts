/**
 * What every report renderer reads: a stats snapshot, the history, the run metadata,
 * threshold results and (for the JSON report) the histograms. Plain data, so a report can
 * be rendered at any moment of a run (the web UI's download tab) or after it.
 */
import type { CapacityResult } from "../shared/capacity.js";
import {
  AGGREGATED_NAME,
  type Histogram,
  type RequestStats,
  type StatsHistoryJSON,
  type StatsSnapshot,
} from "../stats/index.js";
import type { JsonThresholdResult, ReportMeta } from "./json-schema.js";
import type { MonitorReport } from "./monitor-report.js";

/** The response-time histogram (µs) of a row: method "" and name "Aggregated" is the total. */
export type HistogramLookup = (method: string, name: string) => Histogram | undefined;

/** The input of renderHtmlReport and buildJsonReport. */
export interface ReportInput {
  snapshot: StatsSnapshot;
  history: StatsHistoryJSON;
  meta: ReportMeta;
  /** Threshold outcomes to show (default none). */
  thresholds?: readonly JsonThresholdResult[];
  /** Histograms for the JSON report (without it, `histogram` fields are null). */
  histograms?: HistogramLookup;
  /** The target's resources, when they were monitored (`--monitor`, `--prometheus`). */
  monitor?: MonitorReport;
  /** Histograms of the response times from the intended start (open model), for the JSON report. */
  intendedHistograms?: HistogramLookup;
  /** The answer of the capacity search the test was, if it was one. */
  capacity?: CapacityResult | undefined;
  /** The run's --stop-timeout, ms (default 0), for the note on requests a stop aborted. */
  stopTimeoutMs?: number;
  /** A second interrupt cut the stop short (Runner.stopCutShort). */
  stopCutShort?: boolean;
}

/**
 * A ReportInput read from live statistics at `nowMs`. Cheap enough to call once a second:
 * one snapshot, one history copy, no encoding (histograms are encoded only by buildJsonReport).
 */
export function reportInputFromStats(
  stats: RequestStats,
  meta: ReportMeta,
  nowMs: number,
  thresholds: readonly JsonThresholdResult[] = [],
): ReportInput {
  return {
    snapshot: stats.snapshot(nowMs),
    history: stats.history.toJSON(),
    meta,
    thresholds,
    ...statsHistograms(stats),
  };
}

/** The histogram lookups of a ReportInput, from live statistics. */
export function statsHistograms(stats: RequestStats): Pick<ReportInput, "histograms" | "intendedHistograms"> {
  const entry = (method: string, name: string) =>
    method === "" && name === AGGREGATED_NAME ? stats.total : stats.get(method, name);
  return {
    histograms: (method, name) => entry(method, name)?.histogram,
    intendedHistograms: (method, name) => entry(method, name)?.intended?.histogram,
  };
}
