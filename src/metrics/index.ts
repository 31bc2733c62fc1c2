/**
 * Metrics export: the run's series for Prometheus (/metrics, remote write) and
 * OpenTelemetry (OTLP), read from the stats and the runner when asked, never in the
 * request path (docs/metrics.md).
 */

export { type Exposition, renderExposition, wantsOpenMetrics } from "./exposition.js";
export {
  type CounterFamily,
  counter,
  cumulativeCountsUs,
  type GaugeFamily,
  gauge,
  type HistogramFamily,
  LATENCY_BUCKETS_SECONDS,
  type MetricFamily,
} from "./families.js";
export { type Pushers, type PushersOptions, startPushers } from "./pushers.js";
export {
  METRIC_SOURCES,
  type MetricSource,
  type MetricSourceFactory,
  MetricsCollector,
  type MetricsContext,
} from "./sources.js";
