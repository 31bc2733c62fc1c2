/**
 * Reports: pure functions of a stats snapshot (plus history, run metadata and threshold
 * results) that render the console tables, Locust's CSV files, the JSON report, the HTML
 * report and JUnit XML; and the thresholds (parse, evaluate, format). No file is written
 * here: the CLI (and the web UI) decide where the text goes.
 */
export { formatCapacitySteps, formatCapacitySummary } from "./capacity-console.js";
export { capacityJson, type JsonCapacity } from "./capacity-json.js";
export { parseSlo, parseSlos, SLO_METRICS } from "./capacity-slo.js";
export * from "./console.js";
export * from "./csv.js";
export {
  decodeHistogramBase64,
  decodeJsonHistogram,
  encodeHistogramBase64,
  histogramPercentilesMs,
  mergeEntryHistograms,
  toJsonHistogram,
} from "./hdr-base64.js";
export { type HtmlReportOptions, renderHtmlReport } from "./html.js";
export { loadReportAssets, type ReportAssets } from "./html-assets.js";
export { formatUtc, type HtmlLimits } from "./html-sections.js";
export { buildJsonReport, historyOf, renderJsonReport } from "./json.js";
export * from "./json-schema.js";
export { assertJsonReport, validateJsonReport } from "./json-validate.js";
export { renderJunitXml } from "./junit.js";
export { formatMonitorSummary } from "./monitor-console.js";
export { MONITOR_CSV_FILE, type MonitorCsvLoad, monitorCsvHeader, monitorCsvRow } from "./monitor-csv.js";
export { type MonitorReport, monitorJson, monitorReportOf, saturationJson } from "./monitor-report.js";
export {
  isHostKey,
  type MonitorAggregate,
  type MonitorThresholdContext,
  type MonitorThresholdSource,
} from "./monitor-thresholds.js";
export {
  type HistogramLookup,
  type ReportInput,
  reportInputFromStats,
  statsHistograms,
} from "./report-input.js";
export {
  allChecks,
  CHECKS_CSV_COLUMNS,
  checksCsv,
  describeMetric,
  formatChecks,
  formatCustomMetrics,
  METRICS_CSV_COLUMNS,
  metricsCsv,
} from "./scripting-tables.js";
export { type AbortDecision, abortMoment, ThresholdAbortTracker } from "./threshold-abort.js";
export {
  describeMeasured,
  evaluateThreshold,
  evaluateThresholds,
  formatMeasured,
  formatThresholdSummary,
  interruptedWarning,
  markInterrupted,
  type ThresholdSource,
} from "./threshold-eval.js";
export {
  type ClosedWindow,
  type JudgedWindow,
  ThresholdWindows,
  type WindowSummary,
} from "./threshold-windows.js";
export {
  parseThresholdExpression,
  parseThresholdKey,
  parseThresholds,
  parseWindow,
  splitCliThreshold,
  THRESHOLD_METRICS,
  type ThresholdDefinition,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdSpec,
  type Thresholds,
  type ThresholdTarget,
} from "./thresholds.js";
