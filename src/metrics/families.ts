/**
 * The exporter's neutral model of a metric: a family (name, help, kind) and its samples,
 * one per label set. Every output is made from it: the Prometheus/OpenMetrics text of
 * /metrics (through prom-client), remote write's time series, and OTLP's data points, so
 * the three always carry the same series.
 *
 * Names follow Prometheus's conventions (base units, `_total` on counters); OTLP drops
 * the `_total` (otlp.ts), as OpenTelemetry's own Prometheus translation adds it back.
 */
import { countsIndexOfValue } from "../stats/hdr-layout.js";
import type { Histogram } from "../stats/index.js";

export type Labels = Readonly<Record<string, string>>;

export interface ValueSample {
  labels: Labels;
  value: number;
}

/** One labelled histogram: counts per bucket in Prometheus's cumulative form. */
export interface HistogramSample {
  labels: Labels;
  /** `cumulativeCounts[i]` = observations ≤ `bounds[i]`; same length as the family's bounds. */
  cumulativeCounts: number[];
  /** All observations (the +Inf bucket). */
  count: number;
  /** Sum of the observations, in the family's unit. */
  sum: number;
  /** Exact smallest and largest observation (OTLP carries them); undefined when count is 0. */
  min?: number | undefined;
  max?: number | undefined;
}

interface FamilyBase {
  /** Prometheus name, e.g. cicada_requests_total. */
  name: string;
  help: string;
  /** UCUM unit for OTLP ("s", "By", "1", "{request}"). */
  unit: string;
}

export interface CounterFamily extends FamilyBase {
  kind: "counter";
  samples: ValueSample[];
}

export interface GaugeFamily extends FamilyBase {
  kind: "gauge";
  samples: ValueSample[];
}

export interface HistogramFamily extends FamilyBase {
  kind: "histogram";
  /** Upper bounds, ascending, without +Inf. */
  bounds: readonly number[];
  samples: HistogramSample[];
}

export type MetricFamily = CounterFamily | GaugeFamily | HistogramFamily;

/**
 * Upper bounds of the response-time histograms, seconds: about 1.5x apart from 1 ms to
 * 3 s, so histogram_quantile's linear interpolation stays within a bucket's width of the
 * truth where web latencies live, then coarser up to a minute. The exact percentiles
 * stay Cicada's own (HDR), in its tables and reports.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5,
  2, 3, 5, 10, 30, 60,
];

export function counter(name: string, help: string, unit: string, samples: ValueSample[]): CounterFamily {
  return { kind: "counter", name, help, unit, samples };
}

export function gauge(name: string, help: string, unit: string, samples: ValueSample[]): GaugeFamily {
  return { kind: "gauge", name, help, unit, samples };
}

/**
 * Cumulative counts of an HDR histogram of microseconds at `boundsSeconds`. A slot counts
 * below a bound when its lowest value is ≤ the bound: exact for bounds below 2.048 ms
 * (1 µs slots), and otherwise off only by values within a slot (0.1 %) above the bound.
 */
export function cumulativeCountsUs(histogram: Histogram, boundsSeconds: readonly number[]): number[] {
  // A slot's lowest value is ≤ a bound exactly when its index is ≤ the bound's own slot.
  const boundIndices = boundsSeconds.map((s) => countsIndexOfValue(Math.round(s * 1e6)));
  const perBucket = new Array<number>(boundIndices.length).fill(0);
  let b = 0;
  histogram.forEachIndex((index, count) => {
    while (b < boundIndices.length && index > boundIndices[b]!) b++;
    if (b < boundIndices.length) perBucket[b]! += count;
  });
  let running = 0;
  return perBucket.map((count) => {
    running += count;
    return running;
  });
}

/** Adds `more` into `into` element by element (arrays of the same length). */
export function addCounts(into: number[], more: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i]! += more[i] ?? 0;
}
