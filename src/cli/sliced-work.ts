/**
 * Work on many items without blocking the event loop: a few milliseconds of it at a time,
 * then the users' I/O and timers run, then the next slice. With 2,000 request names a
 * snapshot of the stats costs 50-150 ms; in one piece it would stall every user for that
 * long each second, and the response times Cicada measures would include the stall.
 */
import type { RequestStats, SnapshotOptions, StatsSnapshot } from "../stats/index.js";
import { snapshotEntry } from "../stats/index.js";

/** The longest slice of work between two yields to the event loop. */
export const SLICE_MS = 4;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `items.map(fn)`, yielding to the event loop whenever a slice has run `sliceMs`. */
export async function mapInSlices<T, R>(
  items: readonly T[],
  fn: (item: T) => R,
  sliceMs = SLICE_MS,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    results[i] = fn(items[i]!);
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return results;
}

/**
 * A snapshot of `stats` at `nowMs`, its rows taken a slice at a time. Each row is exact
 * for its own (method, name); the Aggregated row, failures and exceptions are taken last,
 * in one piece, so while users run they may count a few requests more than the rows
 * before them (a live file; the final one is written after the users have stopped).
 */
export async function snapshotInSlices(
  stats: RequestStats,
  nowMs: number,
  options: SnapshotOptions = {},
): Promise<StatsSnapshot> {
  const entries = await mapInSlices(stats.entries(), (entry) => snapshotEntry(entry, nowMs, options));
  return { ...stats.snapshot(nowMs, { ...options, rows: false }), entries };
}
