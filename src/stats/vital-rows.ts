/**
 * The type of a browser user's Web Vitals rows (`VITAL LCP /path`, ...). They measure a
 * page, not a request to the target (CLS is not even a time), so they stay out of the
 * Aggregated row too: its requests are what the target received.
 */
export const VITAL_TYPE = "VITAL";

/**
 * Whether a row's "ms" columns hold a unitless score instead of a time: a page's CLS
 * (`VITAL CLS /path`), where 0.1 is good and 0.25 poor. Reports show its decimals, never
 * whole milliseconds.
 */
export function isScoreRow(method: string, name: string): boolean {
  return method === VITAL_TYPE && name.startsWith("CLS ");
}

/** A score for people: three significant digits (0.154, 0.0312), never rounded to 0 or 1. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "0";
  if (Math.abs(value) >= 100) return value.toFixed(1);
  return String(Number(value.toPrecision(3)));
}
