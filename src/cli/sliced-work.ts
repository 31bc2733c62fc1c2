/**
 * Work on many items without blocking the event loop: half a millisecond of it at a time,
 * then the users' I/O and timers run, then the next slice. With 2,000 request names a
 * snapshot of the stats costs 50-150 ms; in one piece it would stall every user for that
 * long each second, and the response times Cicada measures would include the stall.
 */

/**
 * The longest slice of work between two yields to the event loop. A response that arrives
 * during a slice waits for its end: with 2 ms slices, `--csv` at 2,000 names still raised
 * p99 from 0.7 to 2.2 ms and p99.9 2.3-fold (`npm run bench -- --scenario csv-names`); at
 * 0.5 ms both are the same as without `--csv`, for no measurable CPU (docs/reliability.md).
 */
export const SLICE_MS = 0.5;

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
