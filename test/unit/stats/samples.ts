// Seeded sample generators and an exact nearest-rank oracle shared by the stats tests.

/** mulberry32: a small, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Integer samples of a lognormal distribution clamped to [low, high]. */
export function lognormalSamples(
  n: number,
  seed: number,
  medianValue: number,
  sigma: number,
  low: number,
  high: number,
): number[] {
  const random = seededRandom(seed);
  const mu = Math.log(medianValue);
  return Array.from({ length: n }, () =>
    Math.min(high, Math.max(low, Math.round(Math.exp(mu + sigma * normal(random))))),
  );
}

/** Percentiles as basis points (p × 100), so ranks can be computed with exact integer arithmetic. */
export const BASIS_POINTS = [1, 100, 1000, 2500, 5000, 6600, 7500, 9000, 9500, 9900, 9990, 9999];

/** Exact nearest-rank value: the ceil(bp/10000 · n)-th smallest sample (at least the first). */
export function exactPercentile(sorted: ArrayLike<number>, basisPoints: number): number {
  const rank = Math.max(1, Math.ceil((basisPoints * sorted.length) / 10000));
  return sorted[rank - 1]!;
}

/** Samples sorted ascending, numerically. */
export function sortedCopy(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}
