/**
 * The load beside the target: rates of completed requests from cumulative counts taken
 * at moments whose counts are complete (LoadColumns). A rate between two counts is exact
 * however the points were merged (a merged point keeps the later count), and the rate
 * over any interval, such as a scrape's, interpolates the counts linearly between points.
 * Pure.
 */
import { ratesFromCounts } from "../shared/count-rates.js";
import type { LoadColumns, RequestCountPoint } from "./types.js";

/** Columns without a point. */
export function emptyLoadColumns(): LoadColumns {
  return { stride: 1, timeMs: [], requests: [], failures: [], rps: [], failPerSec: [] };
}

/** The columns of cumulative counts, with the rates between neighbours. */
export function loadColumns(
  stride: number,
  timeMs: number[],
  requests: number[],
  failures: number[],
): LoadColumns {
  return {
    stride,
    timeMs,
    requests,
    failures,
    rps: ratesFromCounts(timeMs, requests),
    failPerSec: ratesFromCounts(timeMs, failures),
  };
}

/** The points after `sinceMs` (the rates keep the interval before each one, also for the first kept). */
export function loadSince(load: LoadColumns, sinceMs: number): LoadColumns {
  const from = load.timeMs.findIndex((t) => t > sinceMs);
  const start = from < 0 ? load.timeMs.length : from;
  return {
    stride: load.stride,
    timeMs: load.timeMs.slice(start),
    requests: load.requests.slice(start),
    failures: load.failures.slice(start),
    rps: load.rps.slice(start),
    failPerSec: load.failPerSec.slice(start),
  };
}

/** The load columns as count points (oldest first). */
export function countPoints(load: LoadColumns): RequestCountPoint[] {
  return load.timeMs.map((timeMs, i) => ({
    timeMs,
    requests: load.requests[i]!,
    failures: load.failures[i]!,
  }));
}

/** The cumulative count at `t`, linear between points; undefined outside their span. */
function countAt(timeMs: readonly number[], counts: readonly number[], t: number): number | undefined {
  const n = timeMs.length;
  if (n === 0 || t < timeMs[0]! || t > timeMs[n - 1]!) return undefined;
  let lo = 0;
  let hi = n - 1;
  // The last point at or before t.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (timeMs[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  if (timeMs[lo] === t || lo === n - 1) return counts[lo]!;
  const share = (t - timeMs[lo]!) / (timeMs[lo + 1]! - timeMs[lo]!);
  return counts[lo]! + share * (counts[lo + 1]! - counts[lo]!);
}

/**
 * Requests (or failures) completed per second in (fromMs, toMs]: the interval a scrape at
 * `toMs` measured. The interval is cut to the counts' first point (the test's start: no
 * request came before it); null when the counts do not reach `toMs` yet (a master's last
 * seconds during the test) or nothing of the interval is left.
 */
export function rateOver(
  load: LoadColumns,
  fromMs: number,
  toMs: number,
  kind: "requests" | "failures" = "requests",
): number | null {
  const counts = kind === "requests" ? load.requests : load.failures;
  const from = Math.max(fromMs, load.timeMs[0] ?? Number.POSITIVE_INFINITY);
  if (!(toMs > from)) return null;
  const end = countAt(load.timeMs, counts, toMs);
  const start = countAt(load.timeMs, counts, from);
  if (end === undefined || start === undefined) return null;
  return Math.max(0, end - start) / ((toMs - from) / 1000);
}
