/**
 * When a value at its saturation level counts as saturation. One value at the level that
 * falls back at once (the burst of starting a test, a garbage collection) is not: it is a
 * spike. So a value at the level counts when a neighbouring value (the one before it or the
 * one after it) is at the level too, and it is a spike when its neighbours are below.
 *
 * Only a neighbour measured under the same load can say so. A capacity search changes the
 * load at once between steps (and the open model pauses the rate after a broken step): a
 * scrape whose interval spans such a change measured two loads, so it neither confirms nor
 * refutes; a value with no neighbour under its own load (a step held for one scrape) counts,
 * since nothing measured under that load contradicts it. The test's last value is judged
 * like any other, by the one before it.
 *
 * The judgement depends on the series and the load changes only, never on the window asked
 * about: a capacity step's finding and the whole test's (the Target tab, the reports) judge
 * every value alike, so they cannot contradict each other.
 */

/**
 * True when the values at `earlier` < `later` were measured under one load: no change of
 * load within what they measured together. A value measured the interval since the scrape
 * before it (a rate; a gauge is more precise, so this errs towards "not the same load");
 * the first scrape, taken as the test began, measured that instant, before the load (a
 * change at that very moment separates it from the rest).
 */
function sameLoad(
  timeMs: readonly number[],
  earlier: number,
  later: number,
  loadChangesMs: readonly number[],
): boolean {
  const to = timeMs[later]!;
  if (earlier === 0) return !loadChangesMs.some((change) => change >= timeMs[0]! && change < to);
  const from = timeMs[earlier - 1]!;
  return !loadChangesMs.some((change) => change > from && change < to);
}

/** The index of the nearest value (not a gap) from `index` in `step` direction, or -1. */
function neighbour(column: ReadonlyArray<number | null>, index: number, step: 1 | -1): number {
  for (let j = index + step; j >= 0 && j < column.length; j += step) if (column[j] != null) return j;
  return -1;
}

/**
 * True when the value at `index` is at `level` and is not a spike (see the module comment).
 * `loadChangesMs`: the moments the load changed at once (the test's start, a capacity
 * search's steps and pauses; empty for a test at one load whose start is unknown).
 */
export function isConfirmed(
  timeMs: readonly number[],
  column: ReadonlyArray<number | null>,
  index: number,
  level: number,
  loadChangesMs: readonly number[] = [],
): boolean {
  if (!(column[index]! >= level)) return false;
  const witnesses: number[] = [];
  const before = neighbour(column, index, -1);
  if (before >= 0 && sameLoad(timeMs, before, index, loadChangesMs)) witnesses.push(column[before]!);
  const after = neighbour(column, index, 1);
  if (after >= 0 && sameLoad(timeMs, index, after, loadChangesMs)) witnesses.push(column[after]!);
  return witnesses.length === 0 || witnesses.some((value) => value >= level);
}
