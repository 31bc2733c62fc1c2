/**
 * How a field of a {@link BoundedSeries} merges when points are merged: `last` keeps the
 * later value (times, counts, cumulative values), `mean` averages (rates), `max` keeps the
 * larger and ignores NaN, the "no value" marker (percentiles).
 */
export type MergeKind = "last" | "mean" | "max";

/** max that ignores NaN (the "no value" marker). */
const maxOf = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

/**
 * A bounded time series of numeric fields in typed-array columns. When it reaches
 * `maxPoints` it halves itself by merging neighbouring points (each field by its
 * {@link MergeKind}) and doubles its stride, so later samples are merged `stride` at a time
 * before they are stored. The samples not yet merged are shown as one trailing point, so
 * reads always include the latest data. Memory stays bounded however long the run.
 */
export class BoundedSeries {
  private columns: Float64Array[];
  private length = 0;
  private strideSamples = 1;
  private readonly pending: Float64Array;
  private pendingCount = 0;

  /**
   * @param maxPoints upper bound of points returned, at least 2.
   * @param kinds how each field merges; a row has one value per kind, in this order.
   */
  constructor(
    readonly maxPoints: number,
    private readonly kinds: readonly MergeKind[],
  ) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2)
      throw new RangeError("maxPoints must be an integer >= 2");
    this.pending = new Float64Array(kinds.length);
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

  /** Adds one sample: one value per field (NaN for "no value"). */
  add(values: ArrayLike<number>): void {
    const p = this.pending;
    const first = this.pendingCount === 0;
    for (let f = 0; f < this.kinds.length; f++) {
      const value = values[f]!;
      const kind = this.kinds[f];
      if (first || kind === "last") p[f] = value;
      else if (kind === "mean") p[f] = p[f]! + value;
      else p[f] = maxOf(p[f]!, value);
    }
    this.pendingCount++;
    if (this.pendingCount === this.strideSamples) this.flushPending();
  }

  /** Calls `callback` with every point, oldest first (the row is reused between calls). */
  forEachRow(callback: (row: Float64Array) => void): void {
    const row = new Float64Array(this.kinds.length);
    for (let i = 0; i < this.length; i++) {
      for (let f = 0; f < this.kinds.length; f++) row[f] = this.columns[f]![i]!;
      callback(row);
    }
    if (this.pendingCount > 0) callback(this.averagedPending());
  }

  private averagedPending(): Float64Array {
    const row = Float64Array.from(this.pending);
    for (let f = 0; f < this.kinds.length; f++) {
      if (this.kinds[f] === "mean") row[f] = row[f]! / this.pendingCount;
    }
    return row;
  }

  private flushPending(): void {
    const row = this.averagedPending();
    this.pendingCount = 0;
    if (this.length === this.columns[0]!.length) this.grow();
    for (let f = 0; f < this.kinds.length; f++) this.columns[f]![this.length] = row[f]!;
    this.length++;
    if (this.length >= this.maxPoints) this.halve();
  }

  /** Merges points (0,1), (2,3), ... in place; an odd last point stays as it is. */
  private halve(): void {
    let out = 0;
    for (let i = 0; i < this.length; i += 2, out++) {
      const j = i + 1 < this.length ? i + 1 : i;
      for (let f = 0; f < this.kinds.length; f++) {
        const column = this.columns[f]!;
        const kind = this.kinds[f];
        column[out] =
          kind === "last"
            ? column[j]!
            : kind === "mean"
              ? (column[i]! + column[j]!) / 2
              : maxOf(column[i]!, column[j]!);
      }
    }
    this.length = out;
    this.strideSamples *= 2;
  }

  private grow(): void {
    const bigger = this.allocate(Math.min(this.maxPoints, this.columns[0]!.length * 2));
    for (let f = 0; f < this.kinds.length; f++) bigger[f]!.set(this.columns[f]!.subarray(0, this.length));
    this.columns = bigger;
  }

  private allocate(capacity: number): Float64Array[] {
    return Array.from({ length: this.kinds.length }, () => new Float64Array(capacity));
  }
}
