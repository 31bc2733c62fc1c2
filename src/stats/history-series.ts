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

const FIELD_COUNT = 8;
const [TIME, USERS, RPS, FAIL, P50, P95, P99, AVG] = [0, 1, 2, 3, 4, 5, 6, 7] as const;

/** max that ignores NaN (our "no percentile" marker). */
const maxOf = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
const fromNullable = (value: number | null): number => (value === null ? Number.NaN : value);
const toNullable = (value: number): number | null => (Number.isNaN(value) ? null : value);

/**
 * A bounded time series in typed-array columns. When it reaches `maxPoints` it halves
 * itself by merging neighbouring points (rates averaged, percentiles maxed, the later
 * time, user count and cumulative average kept) and doubles its stride, so later samples
 * are merged `stride` at a time before they are stored. The samples not yet merged are
 * shown as one trailing point, so reads always include the latest data.
 */
export class HistorySeries {
  private columns: Float64Array[];
  private length = 0;
  private strideSamples = 1;
  private readonly pending = new Float64Array(FIELD_COUNT);
  private pendingCount = 0;

  /** @param maxPoints upper bound of points returned, at least 2. */
  constructor(readonly maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2)
      throw new RangeError("maxPoints must be an integer >= 2");
    this.columns = this.allocate(Math.min(64, maxPoints));
  }

  /** Samples each stored point stands for. */
  get stride(): number {
    return this.strideSamples;
  }

  /** Points a read returns (stored plus the trailing partial one). */
  get size(): number {
    return this.length + (this.pendingCount > 0 ? 1 : 0);
  }

  /** Adds one sample. */
  add(point: HistoryPoint): void {
    const p = this.pending;
    const first = this.pendingCount === 0;
    p[TIME] = point.timeMs;
    p[USERS] = point.userCount;
    p[RPS] = (first ? 0 : p[RPS]!) + point.rps;
    p[FAIL] = (first ? 0 : p[FAIL]!) + point.failPerSec;
    p[P50] = first ? fromNullable(point.p50) : maxOf(p[P50]!, fromNullable(point.p50));
    p[P95] = first ? fromNullable(point.p95) : maxOf(p[P95]!, fromNullable(point.p95));
    p[P99] = first ? fromNullable(point.p99) : maxOf(p[P99]!, fromNullable(point.p99));
    p[AVG] = point.avgResponseTimeMs;
    this.pendingCount++;
    if (this.pendingCount === this.strideSamples) this.flushPending();
  }

  /** The points, oldest first. */
  points(): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    this.forEachRow((row) =>
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
      stride: this.strideSamples,
      timeMs: [],
      userCount: [],
      rps: [],
      failPerSec: [],
      p50: [],
      p95: [],
      p99: [],
      avgResponseTimeMs: [],
    };
    this.forEachRow((row) => {
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

  private forEachRow(callback: (row: Float64Array) => void): void {
    const row = new Float64Array(FIELD_COUNT);
    for (let i = 0; i < this.length; i++) {
      for (let f = 0; f < FIELD_COUNT; f++) row[f] = this.columns[f]![i]!;
      callback(row);
    }
    if (this.pendingCount > 0) callback(this.averagedPending());
  }

  private averagedPending(): Float64Array {
    const row = Float64Array.from(this.pending);
    row[RPS] = row[RPS]! / this.pendingCount;
    row[FAIL] = row[FAIL]! / this.pendingCount;
    return row;
  }

  private flushPending(): void {
    const row = this.averagedPending();
    this.pendingCount = 0;
    if (this.length === this.columns[0]!.length) this.grow();
    for (let f = 0; f < FIELD_COUNT; f++) this.columns[f]![this.length] = row[f]!;
    this.length++;
    if (this.length >= this.maxPoints) this.halve();
  }

  /** Merges points (0,1), (2,3), ... in place; an odd last point stays as it is. */
  private halve(): void {
    const [time, users, rps, fail, p50, p95, p99, avg] = this.columns as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    let out = 0;
    for (let i = 0; i < this.length; i += 2, out++) {
      const j = i + 1 < this.length ? i + 1 : i;
      time[out] = time[j]!;
      users[out] = users[j]!;
      rps[out] = (rps[i]! + rps[j]!) / 2;
      fail[out] = (fail[i]! + fail[j]!) / 2;
      p50[out] = maxOf(p50[i]!, p50[j]!);
      p95[out] = maxOf(p95[i]!, p95[j]!);
      p99[out] = maxOf(p99[i]!, p99[j]!);
      avg[out] = avg[j]!;
    }
    this.length = out;
    this.strideSamples *= 2;
  }

  private grow(): void {
    const bigger = this.allocate(Math.min(this.maxPoints, this.columns[0]!.length * 2));
    for (let f = 0; f < FIELD_COUNT; f++) bigger[f]!.set(this.columns[f]!.subarray(0, this.length));
    this.columns = bigger;
  }

  private allocate(capacity: number): Float64Array[] {
    return Array.from({ length: FIELD_COUNT }, () => new Float64Array(capacity));
  }
}
