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
import {
  addToTrend,
  clash,
  declarationExtras,
  type Metric,
  type MetricDeclaration,
  type MetricKind,
  type MetricSnapshot,
  newMetric,
  type SerializedMetric,
  serializeMetric,
  setGauge,
  snapshotOf,
} from "./custom-metric-kinds.js";
import { Histogram } from "./histogram.js";

export {
  type GaugeMerge,
  type MetricDeclaration,
  type MetricKind,
  type MetricSnapshot,
  metricClassName,
  type SerializedMetric,
  TREND_SCALE,
  trendPercentiles,
} from "./custom-metric-kinds.js";

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
