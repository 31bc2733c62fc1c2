/**
 * HdrHistogram's counts-array layout for numberOfSignificantValueDigits = 3 and
 * unitMagnitude = 0 (lowest discernible value 1), written with plain numbers so that
 * values beyond 2^31 (JS bit operators are 32-bit) index correctly.
 *
 * A value v falls in power-of-two bucket b = max(0, floor(log2 v) - 10) and sub-bucket
 * s = floor(v / 2^b). Bucket 0 uses all 2048 sub-buckets (one per value 0..2047); every
 * later bucket uses only its upper half (s in 1024..2047), because its lower half
 * duplicates the previous bucket. The counts index is `(b + 1) * 1024 + (s - 1024)`,
 * which is exactly HdrHistogram's `countsArrayIndex`, so our index i and Java's agree
 * and the V2 encoding can be written and read slot by slot.
 */

/** Half the sub-bucket count: 2^10. */
export const SUB_BUCKET_HALF_COUNT = 1024;
/** Sub-buckets per bucket: 2^11, the smallest power of two above 2 · 10^3. */
export const SUB_BUCKET_COUNT = 2048;
/** Largest value we record; larger values clamp here (doubles are exact up to 2^53). */
export const MAX_RECORDABLE_VALUE = Number.MAX_SAFE_INTEGER;
/** Number of power-of-two buckets needed to reach MAX_RECORDABLE_VALUE (2^53 - 1 is in bucket 42). */
export const BUCKET_COUNT = 43;
/** One past the largest counts index. */
export const COUNTS_LENGTH = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

const TWO_POW_32 = 4294967296;
const TWO_POW_31 = 2147483648;
/** POW2[b] = 2^b, so bucket arithmetic never relies on 32-bit shifts. */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, b) => 2 ** b);

/** Bucket (power-of-two range) of a non-negative integer value. */
export function bucketOfValue(value: number): number {
  if (value < TWO_POW_32) return 21 - Math.clz32(value | 2047);
  return 53 - Math.clz32(Math.floor(value / TWO_POW_32));
}

/** Offset of `value` inside the chunk of its bucket (see {@link chunkLength}). */
export function offsetInBucket(value: number, bucket: number): number {
  return bucket === 0 ? value : Math.floor(value / POW2[bucket]!) - SUB_BUCKET_HALF_COUNT;
}

/** Slots in a bucket's chunk: bucket 0 holds 2048, the others 1024. */
export function chunkLength(bucket: number): number {
  return bucket === 0 ? SUB_BUCKET_COUNT : SUB_BUCKET_HALF_COUNT;
}

/** HdrHistogram counts index of (bucket, offset in chunk). */
export function countsIndex(bucket: number, offset: number): number {
  return bucket === 0 ? offset : (bucket + 1) * SUB_BUCKET_HALF_COUNT + offset;
}

/** HdrHistogram counts index of a value. */
export function countsIndexOfValue(value: number): number {
  const bucket = bucketOfValue(value);
  return countsIndex(bucket, offsetInBucket(value, bucket));
}

/** Bucket holding a counts index (integer ops for every valid index; a huge one still maps past the end). */
export function bucketOfIndex(index: number): number {
  if (index < SUB_BUCKET_COUNT) return 0;
  return index < TWO_POW_31 ? (index >> 10) - 1 : Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1;
}

/** Offset of a counts index inside its bucket's chunk. */
export function offsetOfIndex(index: number): number {
  if (index < SUB_BUCKET_COUNT) return index;
  return index < TWO_POW_31 ? index & (SUB_BUCKET_HALF_COUNT - 1) : index % SUB_BUCKET_HALF_COUNT;
}

/** Smallest value that lands in counts index `index`. */
export function lowestEquivalentValue(index: number): number {
  if (index < SUB_BUCKET_COUNT) return index;
  const bucket = Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1;
  return ((index % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT) * POW2[bucket]!;
}

/** Number of distinct integer values that share counts index `index`. */
export function equivalentRangeSize(index: number): number {
  return index < SUB_BUCKET_COUNT ? 1 : POW2[Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1]!;
}

/** Largest value that lands in counts index `index` (inclusive). */
export function highestEquivalentValue(index: number): number {
  return lowestEquivalentValue(index) + equivalentRangeSize(index) - 1;
}

/** HdrHistogram's "median equivalent": the middle of the index's value range. */
export function medianEquivalentValue(index: number): number {
  return lowestEquivalentValue(index) + Math.floor(equivalentRangeSize(index) / 2);
}
