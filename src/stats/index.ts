/**
 * The statistics layer: HDR histograms, per-(method, name) entries, the aggregated
 * table, failures, exceptions, current-rate windows, history, merge and serialize.
 * Pure (no Node APIs, time passed as arguments), so it also runs in the browser.
 */

export { BoundedSeries, type MergeKind } from "./bounded-series.js";
export {
  type CheckSnapshot,
  CheckStats,
  OTHER_CHECK_NAME,
  type SerializedChecks,
} from "./checks.js";
export type { SerializedSecond, SerializedWindow } from "./current-window.js";
export {
  CustomMetrics,
  type GaugeMerge,
  type MetricDeclaration,
  type MetricKind,
  type MetricSnapshot,
  metricClassName,
  type SerializedMetric,
  TREND_SCALE,
  trendPercentiles,
} from "./custom-metrics.js";
export { ErrorTable, ExceptionTable, MAX_ERROR_LENGTH, MAX_TRACEBACK_LENGTH } from "./failure-tables.js";
export {
  decodeV2,
  encodeV2,
  V2_COMPRESSED_ENCODING_COOKIE,
  V2_ENCODING_COOKIE,
  V2_HEADER_SIZE,
  type V2Header,
} from "./hdr-encoding.js";
export { Histogram, nearestRank } from "./histogram.js";
export { histogramDifference } from "./histogram-diff.js";
export {
  type HistoryPoint,
  type HistorySource,
  type RunStart,
  type SeriesColumns,
  type SessionHistoryJSON,
  StatsHistory,
  type StatsHistoryJSON,
  type StatsHistoryOptions,
} from "./history.js";
export { HistorySeries } from "./history-series.js";
export {
  clampedPercentiles,
  decodeIntendedHistogram,
  IntendedTimes,
  type SerializedIntendedTimes,
} from "./intended-times.js";
export { type IterationColumns, type IterationPoint, IterationSeries } from "./iteration-series.js";
export {
  droppedAtStopNote,
  type IterationSnapshot,
  IterationStats,
  interruptedIterationsWarning,
  type SerializedIterations,
} from "./iterations.js";
export {
  PERCENTILES_TO_REPORT,
  PERCENTILES_TO_STATISTICS,
  percentileLabel,
  percentileValue,
  snapshotPercentiles,
} from "./percentiles.js";
export {
  AGGREGATED_NAME,
  countsInTotal,
  OTHER_NAME,
  RequestStats,
  type RequestStatsOptions,
  TRANSACTION_TYPE,
  VITAL_TYPE,
} from "./request-stats.js";
export { type CountMoment, type CountPoint, type CountSource, SettledCounts } from "./settled-counts.js";
export type {
  EntrySnapshot,
  ErrorSnapshot,
  ExceptionSnapshot,
  IntendedSnapshot,
  SnapshotOptions,
  StatsSnapshot,
} from "./snapshot.js";
export { snapshotEntry } from "./snapshot.js";
export {
  decodeEntryHistogram,
  type RunSpan,
  runSpanOf,
  type SerializedStatsEntry,
  StatsEntry,
  type StatsEntryOptions,
} from "./stats-entry.js";
export { formatScore, isScoreRow } from "./vital-rows.js";
