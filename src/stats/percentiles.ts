/** Percentiles (0..1) reported in tables, CSV and JSON: Locust's list. */
export const PERCENTILES_TO_REPORT: readonly number[] = [
  0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1,
];

/** Locust's column label of a percentile (0..1): 0.5 → "50%", 0.999 → "99.9%", 1 → "100%". */
export function percentileLabel(p: number): string {
  return `${Number((p * 100).toFixed(6))}%`;
}

/** The percentiles (0..1) the web UI's statistics table shows by default: Locust's PERCENTILES_TO_STATISTICS. */
export const PERCENTILES_TO_STATISTICS: readonly number[] = [0.95, 0.99];

/**
 * The percentiles a snapshot computes: `reported` (what tables and CSV files show, set by
 * --percentiles) and Locust's list (the JSON report's fixed keys), each once, ascending.
 */
export function snapshotPercentiles(reported: readonly number[]): number[] {
  return [...new Set([...PERCENTILES_TO_REPORT, ...reported])].sort((a, b) => a - b);
}

/** The value of percentile `p` among a snapshot entry's pairs; null when it has none. */
export function percentileValue(
  pairs: ReadonlyArray<readonly [number, number | null]> | undefined,
  p: number,
): number | null {
  return pairs?.find(([q]) => Math.abs(q - p) < 1e-12)?.[1] ?? null;
}
