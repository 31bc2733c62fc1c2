/** Percentiles (0..1) reported in tables, CSV and JSON: Locust's list. */
export const PERCENTILES_TO_REPORT: readonly number[] = [
  0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1,
];

/** Locust's column label of a percentile (0..1): 0.5 → "50%", 0.999 → "99.9%", 1 → "100%". */
export function percentileLabel(p: number): string {
  return `${Number((p * 100).toFixed(6))}%`;
}
