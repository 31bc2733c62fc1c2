/**
 * The four kinds of custom metric (custom-metrics.ts): their declarations and plain-data
 * forms, and how each records, merges, serializes and reads a value.
 */
import { Histogram } from "./histogram.js";
import { clampedPercentiles } from "./intended-times.js";
import { PERCENTILES_TO_REPORT } from "./percentiles.js";

/** The four kinds of custom metric. */
export type MetricKind = "counter" | "gauge" | "rate" | "trend";
/** How a master combines the last values of a gauge on its workers. */
export type GaugeMerge = "sum" | "max";

/** What a locustfile declares about a metric. */
export interface MetricDeclaration {
  name: string;
  kind: MetricKind;
  /** Gauges only (default "max"). */
  merge?: GaugeMerge;
  /** Trends only: a unit shown beside the values ("ms", "bytes"); none by default. */
  unit?: string;
}

/** A metric as plain data, for reports, the web UI and thresholds. */
export type MetricSnapshot =
  | { kind: "counter"; name: string; count: number; ratePerSec: number }
  | {
      kind: "gauge";
      name: string;
      merge: GaugeMerge;
      /** The last value (merged over workers); null when never set. */
      value: number | null;
      min: number | null;
      max: number | null;
    }
  | { kind: "rate"; name: string; trues: number; total: number; rate: number }
  | {
      kind: "trend";
      name: string;
      unit: string;
      count: number;
      avg: number | null;
      min: number | null;
      max: number | null;
      med: number | null;
      /** One pair per PERCENTILES_TO_REPORT entry (p in 0..1). */
      percentiles: Array<[percentile: number, value: number | null]>;
    };

/** A metric's change since a node's previous report (a worker's delta). */
export type SerializedMetric =
  | { kind: "counter"; name: string; sum: number }
  | { kind: "gauge"; name: string; merge: GaugeMerge; value: number; min: number; max: number }
  | { kind: "rate"; name: string; trues: number; total: number }
  | {
      kind: "trend";
      name: string;
      unit: string;
      /** HdrHistogram V2 bytes of the values × 1000, rounded. */
      histogram: Uint8Array;
      min: number;
      max: number;
      sum: number;
    };

/** A trend's values are recorded × 1000 (µs for ms): 3 significant digits down to 0.001. */
export const TREND_SCALE = 1000;

export interface Counter {
  kind: "counter";
  sum: number;
}
export interface Gauge {
  kind: "gauge";
  merge: GaugeMerge;
  /** The last value per node ("" in a process that sets it itself). */
  nodes: Map<string, number>;
  /** Since the last report: set at least once (a worker sends only such gauges). */
  changed: boolean;
  periodMin: number;
  periodMax: number;
  min: number;
  max: number;
}
export interface RateMetric {
  kind: "rate";
  trues: number;
  total: number;
}
export interface Trend {
  kind: "trend";
  unit: string;
  histogram: Histogram;
  min: number;
  max: number;
  sum: number;
}
export type Metric = Counter | Gauge | RateMetric | Trend;

const KIND_NAMES: Record<MetricKind, string> = {
  counter: "Counter",
  gauge: "Gauge",
  rate: "Rate",
  trend: "Trend",
};

/** "Counter", "Gauge", ... as a locustfile writes the class. */
export function metricClassName(kind: MetricKind): string {
  return KIND_NAMES[kind];
}

export function newMetric(d: MetricDeclaration): Metric {
  switch (d.kind) {
    case "counter":
      return { kind: "counter", sum: 0 };
    case "gauge":
      return {
        kind: "gauge",
        merge: d.merge ?? "max",
        nodes: new Map(),
        changed: false,
        periodMin: Number.POSITIVE_INFINITY,
        periodMax: Number.NEGATIVE_INFINITY,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
      };
    case "rate":
      return { kind: "rate", trues: 0, total: 0 };
    case "trend":
      return {
        kind: "trend",
        unit: d.unit ?? "",
        histogram: new Histogram(),
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
        sum: 0,
      };
  }
}

export function declarationExtras(metric: Metric): Partial<MetricDeclaration> {
  if (metric.kind === "gauge") return { merge: metric.merge };
  if (metric.kind === "trend") return { unit: metric.unit };
  return {};
}

export function clash(wanted: MetricDeclaration, existing: Metric): string | undefined {
  if (wanted.kind !== existing.kind) {
    return `the metric ${wanted.name} is a ${metricClassName(existing.kind)}, not a ${metricClassName(wanted.kind)}`;
  }
  if (existing.kind === "gauge" && wanted.merge !== undefined && wanted.merge !== existing.merge) {
    return `the Gauge ${wanted.name} is merged by ${existing.merge}, not by ${wanted.merge}`;
  }
  return undefined;
}

/**
 * Sets a gauge's value on `node`; `min` and `max` are the node's own extremes since its
 * previous value (equal to `value` for a local set). The merged value's extremes: exact
 * for "max" (the largest of the nodes' largest); for "sum", the sums seen at each update.
 */
export function setGauge(gauge: Gauge, node: string, value: number, min: number, max: number): void {
  gauge.nodes.set(node, value);
  gauge.changed = true;
  if (min < gauge.periodMin) gauge.periodMin = min;
  if (max > gauge.periodMax) gauge.periodMax = max;
  const merged = mergedGaugeValue(gauge)!;
  const low = gauge.merge === "max" ? Math.min(merged, min) : merged;
  const high = gauge.merge === "max" ? Math.max(merged, max) : merged;
  if (low < gauge.min) gauge.min = low;
  if (high > gauge.max) gauge.max = high;
}

export function mergedGaugeValue(gauge: Gauge): number | null {
  if (gauge.nodes.size === 0) return null;
  let merged = gauge.merge === "sum" ? 0 : Number.NEGATIVE_INFINITY;
  for (const value of gauge.nodes.values()) {
    merged = gauge.merge === "sum" ? merged + value : Math.max(merged, value);
  }
  return merged;
}

export function addToTrend(trend: Trend, value: number): void {
  trend.histogram.record(value * TREND_SCALE);
  trend.sum += value;
  if (value < trend.min) trend.min = value;
  if (value > trend.max) trend.max = value;
}

export function serializeMetric(name: string, metric: Metric): SerializedMetric | undefined {
  switch (metric.kind) {
    case "counter":
      return { kind: "counter", name, sum: metric.sum };
    case "gauge": {
      const value = metric.nodes.get("");
      if (!metric.changed || value === undefined) return undefined;
      return {
        kind: "gauge",
        name,
        merge: metric.merge,
        value,
        min: metric.periodMin,
        max: metric.periodMax,
      };
    }
    case "rate":
      return { kind: "rate", name, trues: metric.trues, total: metric.total };
    case "trend":
      return {
        kind: "trend",
        name,
        unit: metric.unit,
        histogram: metric.histogram.encode(),
        min: metric.min,
        max: metric.max,
        sum: metric.sum,
      };
  }
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function snapshotOf(name: string, metric: Metric, durationSeconds: number): MetricSnapshot {
  switch (metric.kind) {
    case "counter":
      return { kind: "counter", name, count: metric.sum, ratePerSec: metric.sum / durationSeconds };
    case "gauge":
      return {
        kind: "gauge",
        name,
        merge: metric.merge,
        value: mergedGaugeValue(metric),
        min: finiteOrNull(metric.min),
        max: finiteOrNull(metric.max),
      };
    case "rate":
      return {
        kind: "rate",
        name,
        trues: metric.trues,
        total: metric.total,
        rate: metric.total > 0 ? metric.trues / metric.total : 0,
      };
    case "trend": {
      const count = metric.histogram.totalCount;
      const values = trendPercentiles(metric, [0.5, ...PERCENTILES_TO_REPORT]);
      return {
        kind: "trend",
        name,
        unit: metric.unit,
        count,
        avg: count > 0 ? metric.sum / count : null,
        min: finiteOrNull(metric.min),
        max: finiteOrNull(metric.max),
        med: values[0] ?? null,
        percentiles: PERCENTILES_TO_REPORT.map((p, i) => [p, values[i + 1] ?? null]),
      };
    }
  }
}

/** Percentiles (p in 0..1) of a trend's values, clamped to its exact min and max. */
export function trendPercentiles(
  trend: { histogram: Histogram; min: number; max: number },
  ps: readonly number[],
): Array<number | null> {
  // clampedPercentiles divides by 1000 (µs to ms): the same scale as TREND_SCALE.
  return clampedPercentiles(trend.histogram, trend.min, trend.max, ps);
}
