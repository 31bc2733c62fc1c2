/**
 * Rates from cumulative counts taken at moments (the load beside the target): each point's
 * rate is the increase per second since the point before it. Pure, shared by the monitor,
 * the reports and the web UI's charts.
 */

/**
 * The shortest span a rate is taken over, ms. A count over a few milliseconds is too
 * coarse to be a rate: the test's end 20 ms after the last scrape held 1 request at
 * 80/s and read 50/s, and a count taken at a capacity step's change does the same. A
 * point closer than this to the one before it takes its rate over the span back to the
 * latest point at least this far before it (the first point, if none is).
 */
export const MIN_RATE_SPAN_MS = 250;

/** Per-second increase of `counts` at each point since the point before it (see above); null at the first. */
export function ratesFromCounts(timeMs: readonly number[], counts: readonly number[]): Array<number | null> {
  return counts.map((count, i) => {
    if (i === 0) return null;
    let from = i - 1;
    while (from > 0 && timeMs[i]! - timeMs[from]! < MIN_RATE_SPAN_MS) from--;
    const seconds = (timeMs[i]! - timeMs[from]!) / 1000;
    return seconds > 0 ? Math.max(0, count - counts[from]!) / seconds : null;
  });
}
