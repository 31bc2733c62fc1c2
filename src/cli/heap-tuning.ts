/**
 * How much garbage V8 may let pile up in the old generation before a full collection.
 *
 * With thousands of users per process, the objects of every request in flight (its
 * promise, the suspended frames of the task awaiting it) outlive the young-generation
 * collections and are promoted, so the old generation fills with garbage at tens of MB/s.
 * V8 then lets it grow up to 4 times the live size before collecting it (its dynamic
 * factor, as long as full collections look cheap); at 10,000 users that garbage was
 * the larger part of the peak RSS (docs/performance.md). A fixed factor of 2 keeps the
 * peak near twice the live size, at the price of more frequent (incremental, mostly
 * concurrent) full collections.
 *
 * Unlike the young generation's size (`--max-semi-space-size`), this V8 setting is read
 * each time V8 sizes the heap after a full collection, so the CLI can set it for itself
 * at start. A `--heap-growing-percent` given to node itself wins (Node refuses it in
 * NODE_OPTIONS): `node --heap-growing-percent=0 node_modules/cicada/bin/cicada.js ...`
 * gives V8's dynamic factor back.
 */
import { setFlagsFromString } from "node:v8";

/** The old generation grows to (1 + this / 100) times its live size between full collections. */
export const HEAP_GROWING_PERCENT = 100;

/** The V8 flag the CLI sets, or undefined when node was started with its own (`execArgv`). */
export function heapGrowingFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(?:=|$)/.test(arg))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies `heapGrowingFlag` to this process's V8; returns the flag set, if any. */
export function tuneHeapGrowing(execArgv: readonly string[]): string | undefined {
  const flag = heapGrowingFlag(execArgv);
  if (flag !== undefined) setFlagsFromString(flag);
  return flag;
}
