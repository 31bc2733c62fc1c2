import { decodeV2, encodeV2 } from "./hdr-encoding.js";
import {
  BUCKET_COUNT,
  bucketOfIndex,
  bucketOfValue,
  chunkLength,
  countsIndex,
  countsIndexOfValue,
  highestEquivalentValue,
  lowestEquivalentValue,
  MAX_RECORDABLE_VALUE,
  medianEquivalentValue,
  offsetInBucket,
  offsetOfIndex,
} from "./hdr-layout.js";

/** The tables of a histogram without chunks; never written (allocateChunk replaces them first). */
const NO_CHUNKS: Array<Float64Array | undefined> = Object.freeze(
  new Array(BUCKET_COUNT).fill(undefined),
) as Array<Float64Array | undefined>;
const NO_CHUNK_TOTALS = new Float64Array(BUCKET_COUNT);

/**
 * An HdrHistogram-compatible histogram of non-negative integers (Cicada records
 * microseconds): 3 significant digits, lowest discernible value 1, and a range that grows
 * on demand up to 2^53 - 1. Its counts use HdrHistogram's exact index layout (see
 * hdr-layout.ts), so `encode()` is a standard V2 payload and merges are exact.
 *
 * Storage is one Float64Array chunk per power-of-two bucket, allocated the first time a
 * value lands in that bucket: a histogram that only saw 1–50 ms holds a handful of 8 KiB
 * chunks. Float64 counts stay exact up to 2^53 per slot.
 *
 * **Percentile definition (nearest rank).** For p in (0, 100) and n recorded values,
 * rank = max(1, ceil(p/100 · n)) (a product within 1e-9 of an integer counts as that
 * integer, so 95 % of 100 is rank 95, not 96 because of floating-point noise). The answer
 * is the median-equivalent value (middle of the range) of the counts slot holding the
 * rank-th smallest value, clamped to the exact [min, max] recorded. A slot spans at most
 * 1/1024 of its values, so the error is at most half of that: ≤ 0.05 %. p = 0 returns the
 * exact min, p = 100 the exact max, an empty histogram 0.
 *
 * **Sparse form.** A decoded histogram (a worker's report: a few dozen distinct values) is
 * held as sorted (index, count) pairs instead of 8 KiB chunks, and adding it elsewhere
 * touches only those pairs; so does adding sparse histograms into an empty or sparse one,
 * up to {@link SPARSE_LIMIT} pairs. Anything else converts it to chunks first. That keeps
 * a master merging hundreds of worker reports a second from allocating and scanning
 * chunks that are almost all zeros.
 */
export class Histogram {
  // Shared empty tables until the first chunk is allocated (see allocateChunk): most
  // histograms of a master are decoded reports that never need them.
  private chunks: Array<Float64Array | undefined> = NO_CHUNKS;
  /** Sum of counts per chunk, so percentile walks skip whole chunks. */
  private chunkTotals: Float64Array = NO_CHUNK_TOTALS;
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  /** The sparse form: ascending counts indices and their counts; null when held in chunks. */
  private sparseIndices: number[] | null = null;
  private sparseCounts: number[] | null = null;

  /**
   * Records `value` (rounded to an integer; negatives clamp to 0, values above 2^53 - 1
   * clamp there) `count` times. Allocation-free once the value's bucket has a chunk.
   * @throws RangeError when value is NaN (a bug in the caller, never data).
   */
  record(value: number, count = 1): void {
    this.recordReturningIndex(value, count);
  }

  /** Like {@link record}, returning the counts index the value landed in (-1 if count is 0). */
  recordReturningIndex(value: number, count = 1): number {
    if (this.sparseIndices !== null) this.densify();
    let v = Math.round(value);
    if (!(v >= 0)) {
      if (Number.isNaN(v)) throw new RangeError("Histogram.record: value is NaN");
      v = 0;
    } else if (v > MAX_RECORDABLE_VALUE) {
      v = MAX_RECORDABLE_VALUE;
    }
    if (count <= 0) return -1;
    const bucket = bucketOfValue(v);
    const chunk = this.chunks[bucket] ?? this.allocateChunk(bucket);
    const offset = offsetInBucket(v, bucket);
    chunk[offset]! += count;
    this.chunkTotals[bucket]! += count;
    this.total += count;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    return countsIndex(bucket, offset);
  }

  /**
   * Adds `lengths` (index, count) pairs known to come from values within [minValue, maxValue]
   * (exact bounds carried alongside, e.g. by a per-second snapshot).
   */
  addSparse(
    indices: Int32Array,
    counts: Float64Array,
    length: number,
    minValue: number,
    maxValue: number,
  ): void {
    if (this.sparseIndices !== null) this.densify();
    for (let k = 0; k < length; k++) this.addAtIndex(indices[k]!, counts[k]!);
    if (length > 0) this.includeRange(minValue, maxValue);
  }

  /** Adds another histogram exactly (counts slot by slot, exact min and max). */
  add(other: Histogram): void {
    if (other.total === 0) return;
    if (other.sparseIndices !== null) {
      this.addSparsePairs(other.sparseIndices, other.sparseCounts!);
      this.total += other.total;
      this.includeRange(other.min, other.max);
      return;
    }
    if (this.sparseIndices !== null) this.densify();
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      const source = other.chunks[bucket];
      if (source === undefined || other.chunkTotals[bucket] === 0) continue;
      const target = this.chunks[bucket] ?? this.allocateChunk(bucket);
      for (let i = 0; i < source.length; i++) target[i]! += source[i]!;
      this.chunkTotals[bucket]! += other.chunkTotals[bucket]!;
    }
    this.total += other.total;
    this.includeRange(other.min, other.max);
  }

  /**
   * Adds another histogram exactly, like {@link add}, and appends to `newIndices` every
   * counts index that held zero before, so the caller knows all non-zero indices (for
   * {@link resetIndices}). This histogram is held in chunks afterwards.
   */
  addNotingNewIndices(other: Histogram, newIndices: IndexList): void {
    if (other.total === 0) return;
    if (this.sparseIndices !== null) this.densify();
    const sparse = other.sparseIndices;
    if (sparse !== null) {
      const counts = other.sparseCounts!;
      for (let k = 0; k < sparse.length; k++) this.addNoting(sparse[k]!, counts[k]!, newIndices);
    } else {
      for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
        const source = other.chunks[bucket];
        if (source === undefined || other.chunkTotals[bucket] === 0) continue;
        for (let offset = 0; offset < source.length; offset++) {
          this.addNoting(countsIndex(bucket, offset), source[offset]!, newIndices);
        }
      }
    }
    this.total += other.total;
    this.includeRange(other.min, other.max);
  }

  /** Clears all counts in place, keeping the allocated chunks for reuse. */
  reset(): void {
    this.sparseIndices = null;
    this.sparseCounts = null;
    if (this.chunks === NO_CHUNKS) {
      this.total = 0;
      this.min = Number.POSITIVE_INFINITY;
      this.max = 0;
      return;
    }
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      if (this.chunkTotals[bucket] !== 0) this.chunks[bucket]!.fill(0);
    }
    this.chunkTotals.fill(0);
    this.total = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  /**
   * Like {@link reset}, but zeroes only the given counts indices: cheaper for a sparse
   * histogram whose caller tracks every index it touched (they must include all non-zero ones).
   */
  resetIndices(indices: Int32Array, length: number): void {
    if (this.sparseIndices !== null || this.chunks === NO_CHUNKS) {
      this.reset();
      return;
    }
    for (let k = 0; k < length; k++) {
      const index = indices[k]!;
      const chunk = this.chunks[bucketOfIndex(index)];
      if (chunk !== undefined) chunk[offsetOfIndex(index)] = 0;
    }
    this.chunkTotals.fill(0);
    this.total = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  /** Number of values recorded. */
  get totalCount(): number {
    return this.total;
  }

  /** Exact smallest recorded value; 0 when the histogram is empty. */
  get minValue(): number {
    return this.total === 0 ? 0 : this.min;
  }

  /** Exact largest recorded value; 0 when the histogram is empty. */
  get maxValue(): number {
    return this.total === 0 ? 0 : this.max;
  }

  /** Count stored at an HdrHistogram counts index (0 outside the allocated range). */
  countAtIndex(index: number): number {
    const sparse = this.sparseIndices;
    if (sparse !== null) {
      const at = lowerBound(sparse, index);
      return at < sparse.length && sparse[at] === index ? this.sparseCounts![at]! : 0;
    }
    const chunk = this.chunks[bucketOfIndex(index)];
    return chunk === undefined ? 0 : (chunk[offsetOfIndex(index)] ?? 0);
  }

  /**
   * Replaces min and max with exact values carried separately (after `decode`, they are
   * otherwise the bounds of the lowest and highest non-empty slots).
   */
  restoreExactRange(minValue: number, maxValue: number): void {
    if (this.total === 0) return;
    this.min = minValue;
    this.max = maxValue;
  }

  /** Value at `percentile` (0..100), nearest rank; see the class comment for the exact definition. */
  valueAtPercentile(percentile: number): number {
    return this.valuesAtPercentiles([percentile])[0]!;
  }

  /** Values at several percentiles (each 0..100, any order) in one pass over the counts. */
  valuesAtPercentiles(percentiles: readonly number[]): number[] {
    if (this.sparseIndices !== null) this.densify();
    const values = new Array<number>(percentiles.length).fill(this.max);
    if (this.total === 0) return values.fill(0);
    const order = percentiles.map((_, i) => i).sort((a, b) => percentiles[a]! - percentiles[b]!);
    let next = 0;
    while (next < order.length && percentiles[order[next]!]! <= 0) values[order[next++]!] = this.min;
    let rank = next < order.length ? this.rankOf(percentiles[order[next]!]!) : 0;
    let seen = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT && next < order.length; bucket++) {
      const inChunk = this.chunkTotals[bucket]!;
      if (seen + inChunk < rank) {
        seen += inChunk;
        continue;
      }
      const chunk = this.chunks[bucket]!;
      for (let offset = 0; offset < chunk.length && next < order.length; offset++) {
        seen += chunk[offset]!;
        while (next < order.length && seen >= rank) {
          values[order[next++]!] = this.clamp(medianEquivalentValue(countsIndex(bucket, offset)));
          if (next < order.length) rank = this.rankOf(percentiles[order[next]!]!);
        }
      }
    }
    return values;
  }

  /** Rank to look for; p >= 100 maps past the end so the exact max (the fill value) stays. */
  private rankOf(percentile: number): number {
    return percentile >= 100 ? Number.POSITIVE_INFINITY : nearestRank(percentile, this.total);
  }

  /** Calls `callback` for every non-empty slot in ascending order; `highValue` is inclusive. */
  forEachBucket(callback: (lowValue: number, highValue: number, count: number) => void): void {
    this.forEachIndex((index, count) =>
      callback(lowestEquivalentValue(index), highestEquivalentValue(index), count),
    );
  }

  /** Calls `callback` for every non-empty counts index in ascending order. */
  forEachIndex(callback: (index: number, count: number) => void): void {
    const sparse = this.sparseIndices;
    if (sparse !== null) {
      const counts = this.sparseCounts!;
      for (let k = 0; k < sparse.length; k++) if (counts[k] !== 0) callback(sparse[k]!, counts[k]!);
      return;
    }
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      if (this.chunkTotals[bucket] === 0) continue;
      const chunk = this.chunks[bucket]!;
      for (let offset = 0; offset < chunk.length; offset++) {
        const count = chunk[offset]!;
        if (count !== 0) callback(countsIndex(bucket, offset), count);
      }
    }
  }

  /** An independent copy. */
  clone(): Histogram {
    const copy = new Histogram();
    copy.add(this);
    return copy;
  }

  /**
   * HdrHistogram V2 uncompressed encoding (see hdr-encoding.ts). highestTrackableValue is
   * the top of the bucket holding the max, so standard decoders size their arrays to fit.
   */
  encode(): Uint8Array {
    const indices: number[] = [];
    const counts: number[] = [];
    this.forEachIndex((index, count) => {
      indices.push(index);
      counts.push(count);
    });
    const countsLimit = countsIndexOfValue(this.maxValue) + 1;
    const highestTrackable = Math.min(
      MAX_RECORDABLE_VALUE,
      Math.max(2047, 2 ** (bucketOfValue(this.maxValue) + 11) - 1),
    );
    return encodeV2(indices, counts, indices.length, countsLimit, highestTrackable);
  }

  /**
   * Inverse of {@link encode}; also reads V2 payloads written by other HdrHistogram
   * implementations with 3 significant digits and lowest value 1. Without `exactRange`, min
   * and max are the bounds of the lowest and highest non-empty slots. With `keepSparse`,
   * the sparse form is kept whatever the number of pairs: for a histogram that is only
   * added into others (a worker's report on a master), where chunks would be allocated,
   * zeroed and scanned just to be added once.
   */
  static decode(
    bytes: Uint8Array,
    exactRange?: { min: number; max: number },
    options: { keepSparse?: boolean } = {},
  ): Histogram {
    const histogram = new Histogram();
    const indices: number[] = [];
    const counts: number[] = [];
    let ascending = true;
    decodeV2(bytes, (index, count) => {
      if (bucketOfIndex(index) >= BUCKET_COUNT)
        throw new RangeError(`Histogram: counts index ${index} out of range`);
      if (indices.length > 0 && index <= indices[indices.length - 1]!) ascending = false;
      indices.push(index);
      counts.push(count);
      histogram.total += count;
    });
    if (ascending && (indices.length <= SPARSE_LIMIT || options.keepSparse === true)) {
      histogram.sparseIndices = indices;
      histogram.sparseCounts = counts;
    } else {
      histogram.total = 0;
      for (let k = 0; k < indices.length; k++) histogram.addAtIndex(indices[k]!, counts[k]!);
    }
    if (histogram.total > 0 && exactRange !== undefined) {
      histogram.restoreExactRange(exactRange.min, exactRange.max);
    } else if (histogram.total > 0) {
      let low = Number.POSITIVE_INFINITY;
      let high = 0;
      histogram.forEachIndex((index) => {
        if (low === Number.POSITIVE_INFINITY) low = lowestEquivalentValue(index);
        high = highestEquivalentValue(index);
      });
      histogram.restoreExactRange(low, high);
    }
    return histogram;
  }

  /**
   * Adds ascending (index, count) pairs (the caller updates total and range): merged into
   * the sparse form while that stays small, else into the chunks.
   */
  private addSparsePairs(indices: readonly number[], counts: readonly number[]): void {
    if (
      this.chunks === NO_CHUNKS &&
      this.total === 0 &&
      this.sparseIndices === null &&
      indices.length <= SPARSE_LIMIT
    ) {
      // Empty and never held in chunks: take the pairs as they are. A histogram that has
      // chunks (a reset one, e.g. a window's open second) adds into them without allocating.
      this.sparseIndices = indices.slice();
      this.sparseCounts = counts.slice();
      return;
    }
    const mine = this.sparseIndices;
    if (mine !== null && mine.length + indices.length <= SPARSE_LIMIT) {
      const mineCounts = this.sparseCounts!;
      const outIndices: number[] = [];
      const outCounts: number[] = [];
      let i = 0;
      let j = 0;
      while (i < mine.length || j < indices.length) {
        const a = i < mine.length ? mine[i]! : Number.POSITIVE_INFINITY;
        const b = j < indices.length ? indices[j]! : Number.POSITIVE_INFINITY;
        if (a < b) {
          outIndices.push(a);
          outCounts.push(mineCounts[i++]!);
        } else if (b < a) {
          outIndices.push(b);
          outCounts.push(counts[j++]!);
        } else {
          outIndices.push(a);
          outCounts.push(mineCounts[i++]! + counts[j++]!);
        }
      }
      this.sparseIndices = outIndices;
      this.sparseCounts = outCounts;
      return;
    }
    if (mine !== null) this.densify();
    for (let k = 0; k < indices.length; k++) this.addToChunk(indices[k]!, counts[k]!);
  }

  /** Moves the sparse pairs into chunks. */
  private densify(): void {
    const indices = this.sparseIndices!;
    const counts = this.sparseCounts!;
    this.sparseIndices = null;
    this.sparseCounts = null;
    for (let k = 0; k < indices.length; k++) this.addToChunk(indices[k]!, counts[k]!);
  }

  /** Adds `count` at `index` in the chunks (total and range are the caller's). */
  private addToChunk(index: number, count: number): void {
    const bucket = bucketOfIndex(index);
    const chunk = this.chunks[bucket] ?? this.allocateChunk(bucket);
    chunk[offsetOfIndex(index)]! += count;
    this.chunkTotals[bucket]! += count;
  }

  /** Adds `count` at `index` in the chunks, noting the index if it was empty (total and range are the caller's). */
  private addNoting(index: number, count: number, newIndices: IndexList): void {
    if (count === 0) return;
    const bucket = bucketOfIndex(index);
    const chunk = this.chunks[bucket] ?? this.allocateChunk(bucket);
    const offset = offsetOfIndex(index);
    if (chunk[offset] === 0) newIndices.push(index);
    chunk[offset]! += count;
    this.chunkTotals[bucket]! += count;
  }

  private addAtIndex(index: number, count: number): void {
    const bucket = bucketOfIndex(index);
    if (bucket >= BUCKET_COUNT) throw new RangeError(`Histogram: counts index ${index} out of range`);
    const chunk = this.chunks[bucket] ?? this.allocateChunk(bucket);
    chunk[offsetOfIndex(index)]! += count;
    this.chunkTotals[bucket]! += count;
    this.total += count;
  }

  private includeRange(minValue: number, maxValue: number): void {
    if (minValue < this.min) this.min = minValue;
    if (maxValue > this.max) this.max = maxValue;
  }

  private clamp(value: number): number {
    return value < this.min ? this.min : value > this.max ? this.max : value;
  }

  private allocateChunk(bucket: number): Float64Array {
    if (this.chunks === NO_CHUNKS) {
      this.chunks = new Array(BUCKET_COUNT).fill(undefined);
      this.chunkTotals = new Float64Array(BUCKET_COUNT);
    }
    const chunk = new Float64Array(chunkLength(bucket));
    this.chunks[bucket] = chunk;
    return chunk;
  }
}

/** A growable list of counts indices, reused from second to second (see CurrentWindow). */
export class IndexList {
  items: Int32Array = new Int32Array(0);
  length = 0;

  /** Appends one index, growing the storage when full. */
  push(index: number): void {
    if (this.length === this.items.length) {
      const bigger = new Int32Array(Math.max(64, this.items.length * 2));
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = index;
  }
}

/** Pairs up to which a histogram may stay in the sparse form (see {@link Histogram}). */
export const SPARSE_LIMIT = 256;

/** First position in ascending `sorted` whose value is ≥ `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Nearest rank of percentile p (0..100) among n values: max(1, ceil(p/100 · n)), treating
 * a product within 1e-9 (relative) of an integer as that integer.
 */
export function nearestRank(percentile: number, n: number): number {
  const exact = (percentile * n) / 100;
  const rounded = Math.round(exact);
  const rank = Math.abs(exact - rounded) <= 1e-9 * Math.max(1, exact) ? rounded : Math.ceil(exact);
  return Math.min(n, Math.max(1, rank));
}
