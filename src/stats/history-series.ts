import { BoundedSeries, type MergeKind } from "./bounded-series.js";

/** One point of a history series. Rates and percentiles are "current" (10 s window) values. */
export interface HistoryPoint {
  timeMs: number;
  userCount: number;
  rps: number;
  failPerSec: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Cumulative average response time, ms. */
  avgResponseTimeMs: number;
}

/** A series as columns (compact JSON): one array per field, null where no percentile existed. */
export interface SeriesColumns {
  /** How many samples each stored point now stands for. */
  stride: number;
  timeMs: number[];
  userCount: number[];
  rps: number[];
  failPerSec: number[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
  avgResponseTimeMs: number[];
}

const [TIME, USERS, RPS, FAIL, P50, P95, P99, AVG] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
/** How each field merges, in field order (see BoundedSeries). */
const KINDS: readonly MergeKind[] = ["last", "last", "mean", "mean", "max", "max", "max", "last"];

const fromNullable = (value: number | null): number => (value === null ? Number.NaN : value);
const toNullable = (value: number): number | null => (Number.isNaN(value) ? null : value);

/**
 * A bounded series of {@link HistoryPoint}s (see BoundedSeries): when it is full,
 * neighbouring points merge (rates averaged, percentiles maxed, the later time, user count
 * and cumulative average kept) and the stride doubles.
 */
export class HistorySeries {
  private readonly series: BoundedSeries;
  private readonly row = new Float64Array(KINDS.length);

  /** @param maxPoints upper bound of points returned, at least 2. */
  constructor(readonly maxPoints: number) {
    this.series = new BoundedSeries(maxPoints, KINDS);
  }

  /** Samples each stored point stands for. */
  get stride(): number {
    return this.series.stride;
  }

  /** Points a read returns (stored plus the trailing partial one). */
  get size(): number {
    return this.series.size;
  }

  /** Adds one sample. */
  add(point: HistoryPoint): void {
    const r = this.row;
    r[TIME] = point.timeMs;
    r[USERS] = point.userCount;
    r[RPS] = point.rps;
    r[FAIL] = point.failPerSec;
    r[P50] = fromNullable(point.p50);
    r[P95] = fromNullable(point.p95);
    r[P99] = fromNullable(point.p99);
    r[AVG] = point.avgResponseTimeMs;
    this.series.add(r);
  }

  /** The points, oldest first. */
  points(): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    this.series.forEachRow((row) =>
      out.push({
        timeMs: row[TIME]!,
        userCount: row[USERS]!,
        rps: row[RPS]!,
        failPerSec: row[FAIL]!,
        p50: toNullable(row[P50]!),
        p95: toNullable(row[P95]!),
        p99: toNullable(row[P99]!),
        avgResponseTimeMs: row[AVG]!,
      }),
    );
    return out;
  }

  /** The points as columns. */
  toColumns(): SeriesColumns {
    const c: SeriesColumns = {
      stride: this.series.stride,
      timeMs: [],
      userCount: [],
      rps: [],
      failPerSec: [],
      p50: [],
      p95: [],
      p99: [],
      avgResponseTimeMs: [],
    };
    this.series.forEachRow((row) => {
      c.timeMs.push(row[TIME]!);
      c.userCount.push(row[USERS]!);
      c.rps.push(row[RPS]!);
      c.failPerSec.push(row[FAIL]!);
      c.p50.push(toNullable(row[P50]!));
      c.p95.push(toNullable(row[P95]!));
      c.p99.push(toNullable(row[P99]!));
      c.avgResponseTimeMs.push(row[AVG]!);
    });
    return c;
  }
}
