/**
 * Custom metrics a locustfile declares and updates (`new Counter("coupons_issued")`):
 * counters, gauges, rates and trends, k6's four kinds. This is their table in one
 * process, and how a master merges its workers' reports into it:
 *
 * - counter: a sum (adds up across workers);
 * - gauge: the last value set; a master keeps each worker's last value and shows their
 *   sum or their maximum, as the gauge was declared (`merge`);
 * - rate: how many of the values added were true (adds up);
 * - trend: every value in an HDR histogram (3 significant digits, exact min, max and
 *   sum), merged exactly like request response times.
 *
 * Declared metrics stay across resets (a declared counter that never counted shows 0,
 * and a threshold on it passes or fails on 0, not on "no data"). Pure: time is an
 * argument, errors are returned as messages for the caller to throw or log.
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

interface Counter {
  kind: "counter";
  sum: number;
}
interface Gauge {
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
interface RateMetric {
  kind: "rate";
  trues: number;
  total: number;
}
interface Trend {
  kind: "trend";
  unit: string;
  histogram: Histogram;
  min: number;
  max: number;
  sum: number;
}
type Metric = Counter | Gauge | RateMetric | Trend;

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

/** The custom metrics of one process (see the file comment). */
export class CustomMetrics {
  private readonly metrics = new Map<string, Metric>();
  private readonly updated = new Set<string>();
  private start: number;
  private warnedFull = false;
  private updateCount = 0;

  constructor(
    nowMs: number,
    private readonly maxMetrics = 1000,
    private readonly onWarning: (message: string) => void = () => {},
  ) {
    this.start = nowMs;
  }

  /** Updates recorded or merged since the last reset (the web UI refetches when it changes). */
  get updates(): number {
    return this.updateCount;
  }

  /** True when no metric was declared or updated. */
  get isEmpty(): boolean {
    return this.metrics.size === 0;
  }

  /** The kind of `name`, if it is known. */
  kindOf(name: string): MetricKind | undefined {
    return this.metrics.get(name)?.kind;
  }

  /**
   * Makes `name` known with its kind (a declaration, or the first update seen). Returns a
   * message when it is already known as another kind (or a gauge merged another way).
   */
  declare(declaration: MetricDeclaration): string | undefined {
    const existing = this.metrics.get(declaration.name);
    if (existing !== undefined) return clash(declaration, existing);
    if (this.metrics.size >= this.maxMetrics) {
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.onWarning(
          `More than ${this.maxMetrics} custom metrics: ${declaration.name} and later ones are not recorded.`,
        );
      }
      return undefined;
    }
    this.metrics.set(declaration.name, newMetric(declaration));
    return undefined;
  }

  /**
   * Records one update: `value` added to a counter, set on a gauge, added to a rate (true
   * when non-zero) or to a trend. Returns a message when the name belongs to another kind.
   */
  record(declaration: MetricDeclaration, value: number): string | undefined {
    const problem = this.declare(declaration);
    if (problem !== undefined) return problem;
    const metric = this.metrics.get(declaration.name);
    if (metric === undefined) return undefined; // past the limit: warned once
    this.updated.add(declaration.name);
    this.updateCount++;
    switch (metric.kind) {
      case "counter":
        metric.sum += value;
        break;
      case "gauge":
        setGauge(metric, "", value, value, value);
        break;
      case "rate":
        metric.total++;
        if (value !== 0) metric.trues++;
        break;
      case "trend":
        addToTrend(metric, value);
        break;
    }
    return undefined;
  }

  /**
   * Adds another node's report (a worker's deltas): counters, rates and trends add up, a
   * gauge takes the node's last value. Returns one message per metric that clashes with
   * the kind known here (that metric is left out).
   */
  merge(node: string, metrics: readonly SerializedMetric[]): string[] {
    const problems: string[] = [];
    for (const s of metrics) {
      const declaration = { name: s.name, kind: s.kind, ...("merge" in s ? { merge: s.merge } : {}) };
      const problem = this.declare(declaration);
      if (problem !== undefined) {
        problems.push(problem);
        continue;
      }
      const metric = this.metrics.get(s.name);
      if (metric === undefined) continue;
      this.updated.add(s.name);
      this.updateCount++;
      if (metric.kind === "counter" && s.kind === "counter") metric.sum += s.sum;
      else if (metric.kind === "gauge" && s.kind === "gauge") setGauge(metric, node, s.value, s.min, s.max);
      else if (metric.kind === "rate" && s.kind === "rate") {
        metric.trues += s.trues;
        metric.total += s.total;
      } else if (metric.kind === "trend" && s.kind === "trend") {
        const histogram = Histogram.decode(s.histogram, undefined, { keepSparse: true });
        metric.histogram.add(histogram);
        metric.sum += s.sum;
        if (s.min < metric.min) metric.min = s.min;
        if (s.max > metric.max) metric.max = s.max;
      }
    }
    return problems;
  }

  /**
   * The metrics updated since the last reset, as deltas (a worker's report; the reporter
   * resets the stats right after).
   */
  serializeUpdated(): SerializedMetric[] {
    const out: SerializedMetric[] = [];
    for (const name of this.updated) {
      const s = serializeMetric(name, this.metrics.get(name)!);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Zeroes every value and restarts at `nowMs`; declarations stay. */
  reset(nowMs: number): void {
    this.start = nowMs;
    this.updated.clear();
    this.updateCount = 0;
    for (const [name, metric] of this.metrics) {
      this.metrics.set(name, newMetric({ name, kind: metric.kind, ...declarationExtras(metric) }));
    }
  }

  /** A counter's sum, a rate's (trues, total), a trend's histogram: what windowed thresholds difference. */
  raw(name: string): Readonly<Metric> | undefined {
    return this.metrics.get(name);
  }

  /** One metric at `nowMs`, or undefined when unknown. */
  get(name: string, nowMs: number): MetricSnapshot | undefined {
    const metric = this.metrics.get(name);
    return metric === undefined ? undefined : snapshotOf(name, metric, this.durationSeconds(nowMs));
  }

  /** Every metric at `nowMs`, sorted by name. */
  snapshot(nowMs: number): MetricSnapshot[] {
    const seconds = this.durationSeconds(nowMs);
    return [...this.metrics.keys()].sort().map((name) => snapshotOf(name, this.metrics.get(name)!, seconds));
  }

  private durationSeconds(nowMs: number): number {
    return Math.max(1, (nowMs - this.start) / 1000);
  }
}

function newMetric(d: MetricDeclaration): Metric {
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

function declarationExtras(metric: Metric): Partial<MetricDeclaration> {
  if (metric.kind === "gauge") return { merge: metric.merge };
  if (metric.kind === "trend") return { unit: metric.unit };
  return {};
}

function clash(wanted: MetricDeclaration, existing: Metric): string | undefined {
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
function setGauge(gauge: Gauge, node: string, value: number, min: number, max: number): void {
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

function mergedGaugeValue(gauge: Gauge): number | null {
  if (gauge.nodes.size === 0) return null;
  let merged = gauge.merge === "sum" ? 0 : Number.NEGATIVE_INFINITY;
  for (const value of gauge.nodes.values()) {
    merged = gauge.merge === "sum" ? merged + value : Math.max(merged, value);
  }
  return merged;
}

function addToTrend(trend: Trend, value: number): void {
  trend.histogram.record(value * TREND_SCALE);
  trend.sum += value;
  if (value < trend.min) trend.min = value;
  if (value > trend.max) trend.max = value;
}

function serializeMetric(name: string, metric: Metric): SerializedMetric | undefined {
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

function snapshotOf(name: string, metric: Metric, durationSeconds: number): MetricSnapshot {
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
