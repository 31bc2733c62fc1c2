/**
 * Target monitoring (issue 13): the target's resources scraped from Prometheus exporters
 * or queried from a Prometheus server during the test, recorded beside the load, and what
 * saturated first. Derivations are pure (exposition.ts, node-resources.ts, selector.ts,
 * rates.ts, saturation.ts, load-window.ts, load-rate.ts); the network is at the edge (fetch-text.ts, prometheus.ts).
 */
export { BoundedSeries, type ColumnsSnapshot, type SeriesSummary } from "./bounded-series.js";
export { type ChartLine, type MonitorChart, monitorCharts } from "./chart-layout.js";
export {
  type EndpointSpec,
  type MetricSpec,
  type MonitorConfig,
  normaliseExporterUrl,
  normalisePrometheusUrl,
  parseEndpoints,
  parseLevels,
  parseMetrics,
  parseQueries,
  type QuerySpec,
  seriesDefinitions,
} from "./config.js";
export { type Exposition, ExpositionError, parseExposition, type Sample } from "./exposition.js";
export { describeSaturation, formatMonitorValue } from "./format.js";
export { emptyLoadColumns, loadColumns, rateOver } from "./load-rate.js";
export {
  deriveNodeResources,
  isNodeExporter,
  NODE_SERIES,
  nodeInfo,
  type TimedExposition,
} from "./node-resources.js";
export { checkQueries, PROMETHEUS_HOST } from "./prometheus-source.js";
export { counterIncrease, counterRate } from "./rates.js";
export {
  DEFAULT_SATURATION_LEVELS,
  findSaturation,
  GENERATOR_BUSY_PERCENT,
  LATENCY_RISE_FACTOR,
  LATENCY_RISE_MIN_MS,
  type LoadAtMoment,
  type LoadSeries,
  loadAt,
  type ResourceValue,
  type SaturationFinding,
  type SaturationInput,
} from "./saturation.js";
export { evaluateSelector, type MetricSelector, parseSelector } from "./selector.js";
export {
  type GeneratorReading,
  type HostSample,
  TargetMonitor,
  type TargetMonitorOptions,
  type TestMonitor,
} from "./target-monitor.js";
export type * from "./types.js";
export { SCRAPE_FAILURE_KINDS } from "./types.js";
