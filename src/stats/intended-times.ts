import { Histogram } from "./histogram.js";

/**
 * {@link IntendedTimes} as plain data (bytes are msgpack-safe): the HDR histogram of µs and
 * the exact smallest, largest and summed values in ms. The count is the histogram's.
 */
export interface SerializedIntendedTimes {
  histogram: Uint8Array;
  minMs: number;
  maxMs: number;
  totalMs: number;
}

/**
 * The response times of one stats row measured from each request's *intended* start
 * (the scheduled time of the open-model iteration it belongs to) rather than from its
 * send: a wait for a free user, or a slow earlier request of the same iteration, counts.
 * This is the latency a visitor arriving on schedule would see, the one coordinated
 * omission hides (wrk2's corrected latency). An HDR histogram of µs with exact min, max
 * and sum, as the service times of {@link StatsEntry}.
 */
export class IntendedTimes {
  readonly histogram = new Histogram();
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  /** Records one response time from the intended start, ms. Allocation-free. */
  record(ms: number): void {
    this.total += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.histogram.record(Math.round(ms * 1000));
  }

  /** Response times recorded. */
  get count(): number {
    return this.histogram.totalCount;
  }

  /** Mean, ms (0 when none). */
  get avgMs(): number {
    const n = this.histogram.totalCount;
    return n > 0 ? this.total / n : 0;
  }

  /** Exact smallest, ms; null when none. */
  get minMs(): number | null {
    return this.min === Number.POSITIVE_INFINITY ? null : this.min;
  }

  /** Exact largest, ms (0 when none). */
  get maxMs(): number {
    return this.max;
  }

  /** Percentiles (each p in 0..1) as {@link clampedPercentiles} computes them, ms. */
  percentiles(ps: readonly number[]): Array<number | null> {
    return clampedPercentiles(this.histogram, this.min, this.max, ps);
  }

  /** Adds another row's intended times exactly. */
  merge(other: IntendedTimes): void {
    this.addTotals(other.total, other.min, other.max);
    this.histogram.add(other.histogram);
  }

  /** Adds a serialized row's intended times; `histogram` is {@link decodeIntendedHistogram} of it. */
  mergeSerialized(s: SerializedIntendedTimes, histogram: Histogram): void {
    this.addTotals(s.totalMs, s.minMs, s.maxMs);
    this.histogram.add(histogram);
  }

  serialize(): SerializedIntendedTimes {
    return { histogram: this.histogram.encode(), minMs: this.min, maxMs: this.max, totalMs: this.total };
  }

  static deserialize(s: SerializedIntendedTimes): IntendedTimes {
    const times = new IntendedTimes();
    times.mergeSerialized(s, decodeIntendedHistogram(s));
    return times;
  }

  private addTotals(totalMs: number, minMs: number, maxMs: number): void {
    this.total += totalMs;
    if (minMs < this.min) this.min = minMs;
    if (maxMs > this.max) this.max = maxMs;
  }
}

/**
 * The histogram of serialized intended times with its exact range, sparse (it is only
 * added into others).
 * @throws Error when the bytes are not a valid encoding.
 */
export function decodeIntendedHistogram(s: SerializedIntendedTimes): Histogram {
  const histogram = Histogram.decode(s.histogram, undefined, { keepSparse: true });
  if (histogram.totalCount > 0)
    histogram.restoreExactRange(Math.round(s.minMs * 1000), Math.round(s.maxMs * 1000));
  return histogram;
}

/**
 * Percentiles (each p in 0..1) of a µs histogram in ms, clamped to the exact [min, max]
 * in ms: p ≥ 1 is the exact max, p ≤ 0 the exact min; null for every p when it is empty.
 */
export function clampedPercentiles(
  histogram: Histogram,
  minMs: number,
  maxMs: number,
  ps: readonly number[],
): Array<number | null> {
  if (histogram.totalCount === 0) return ps.map(() => null);
  const micros = histogram.valuesAtPercentiles(ps.map((p) => p * 100));
  return ps.map((p, i) => {
    if (p >= 1) return maxMs;
    if (p <= 0) return minMs;
    return Math.min(maxMs, Math.max(minMs, micros[i]! / 1000));
  });
}
