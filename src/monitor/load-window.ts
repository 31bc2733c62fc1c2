/**
 * The load side of a saturation finding, in a window of the run: the users and p95 at a
 * moment (from the stats history), the requests completed per second in the interval the
 * scrape then measured (from the monitor's request counts), the load generator's own CPU
 * then, and when the p95 rose. Pure, over plain series, like saturation.ts, which asks it.
 */

import { MIN_RATE_SPAN_MS } from "../shared/count-rates.js";
import { rateOver } from "./load-rate.js";
import type { GeneratorColumns, LoadColumns } from "./types.js";

/** Latency "rose" when the p95 reached this many times its early value... */
export const LATENCY_RISE_FACTOR = 2;
/** ...and at least this many ms more (a 1 → 3 ms change is noise, not a bottleneck). */
export const LATENCY_RISE_MIN_MS = 20;
/**
 * The users and p95 over time, as the stats history has them (its `total` columns fit).
 * Not its `rps`: that is Locust's 10 s average, late beside a resource (LoadWindow's
 * `requests` gives the rate instead).
 */
export interface LoadSeries {
  timeMs: readonly number[];
  userCount: readonly number[];
  p95: ReadonlyArray<number | null>;
}

/** A window of a run (epoch ms, inclusive; default all of it). */
export interface Window {
  fromMs?: number;
  toMs?: number;
}

/** The load history and the generator's own figures, in a window. */
export interface LoadWindow extends Window {
  load: LoadSeries;
  generator?: GeneratorColumns;
  /**
   * The load's completed requests counted beside the target (the monitor's `load`): the
   * requests/s at a moment are those of the interval before it. Without them (or before
   * they reach that moment) the rate is null, never the history's 10 s average.
   */
  requests?: LoadColumns;
  /** The monitor's interval, ms: how long before a moment its scrape measured (default 1000). */
  intervalMs?: number;
  /**
   * The moments the load changed at once (a capacity search's steps and pauses: the
   * monitor's `loadChangesMs`): the rate at a moment is that of the load since the last
   * change before it, not a blend with the step before; and a value at a saturation level
   * is confirmed or refuted only by one measured under the same load (confirmation.ts).
   */
  loadChangesMs?: readonly number[];
}

/** The load at one moment: users and p95 of the load history's nearest point, the rate of the interval before the moment. */
export interface LoadAtMoment {
  /** The load history's point (users, p95). */
  timeMs: number;
  users: number;
  /**
   * Requests completed per second in the interval before the moment (a scrape's interval);
   * null when the counts do not reach it yet (a distributed master's last seconds).
   */
  rps: number | null;
  /** The current (last 10 s) p95 there, ms. */
  p95Ms: number | null;
}

/** Whether `t` (epoch ms) is in the input's window. */
export const inWindow = (t: number, input: Window) =>
  t >= (input.fromMs ?? Number.NEGATIVE_INFINITY) && t <= (input.toMs ?? Number.POSITIVE_INFINITY);

/** The median of `values`, null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function nearestIndex(times: readonly number[], timeMs: number, accept: (i: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < times.length; i++) {
    if (!accept(i)) continue;
    if (best < 0 || Math.abs(times[i]! - timeMs) < Math.abs(times[best]! - timeMs)) best = i;
  }
  return best;
}

/**
 * The load at `timeMs`: the load history's point nearest to it within the window (points
 * with users first), and the requests/s completed in the `spanMs` before it.
 */
export function loadAt(
  input: LoadWindow,
  timeMs: number,
  spanMs = input.intervalMs ?? 1000,
): LoadAtMoment | null {
  const { load } = input;
  const within = (i: number) => inWindow(load.timeMs[i]!, input);
  let i = nearestIndex(load.timeMs, timeMs, (j) => within(j) && load.userCount[j]! > 0);
  if (i < 0) i = nearestIndex(load.timeMs, timeMs, within);
  if (i < 0) return null;
  // A scrape's interval that spans a change of step measured two loads: the rate is the
  // newer one's (the monitor counted the requests at the change itself), unless too little
  // of it is left to count a rate over.
  let fromMs = timeMs - spanMs;
  for (const change of input.loadChangesMs ?? []) {
    if (change > fromMs && timeMs - change >= MIN_RATE_SPAN_MS) fromMs = change;
  }
  return {
    timeMs: load.timeMs[i]!,
    users: load.userCount[i]!,
    rps: input.requests === undefined ? null : rateOver(input.requests, fromMs, timeMs),
    p95Ms: load.p95[i] ?? null,
  };
}

/** The load generator's CPU % (of one core) nearest to `timeMs` in the window. */
export function generatorCpuAt(input: LoadWindow, timeMs: number): number | null {
  const g = input.generator;
  if (g === undefined) return null;
  const i = nearestIndex(g.timeMs, timeMs, (j) => g.cpuPercent[j] != null && inWindow(g.timeMs[j]!, input));
  return i < 0 ? null : g.cpuPercent[i]!;
}

/** p95 values of the load points in the window with users, oldest first, with their times. */
export function p95Points(
  input: LoadWindow,
  beforeMs = Number.POSITIVE_INFINITY,
): Array<{ t: number; p95: number }> {
  const { load } = input;
  const out: Array<{ t: number; p95: number }> = [];
  for (let i = 0; i < load.timeMs.length; i++) {
    const t = load.timeMs[i]!;
    const p95 = load.p95[i];
    if (p95 != null && load.userCount[i]! > 0 && inWindow(t, input) && t < beforeMs) out.push({ t, p95 });
  }
  return out;
}

/** When the p95 first rose to LATENCY_RISE_FACTOR × its early value (and by LATENCY_RISE_MIN_MS). */
export function latencyRise(input: LoadWindow): { timeMs: number; before: number; peak: number } | undefined {
  const points = p95Points(input);
  if (points.length < 3) return undefined;
  const early = points.slice(0, Math.max(1, Math.ceil(points.length / 4)));
  const before = median(early.map((p) => p.p95))!;
  const threshold = Math.max(before * LATENCY_RISE_FACTOR, before + LATENCY_RISE_MIN_MS);
  const later = points.slice(early.length);
  const rise = later.find((p) => p.p95 >= threshold);
  if (rise === undefined) return undefined;
  return { timeMs: rise.t, before, peak: Math.max(...later.map((p) => p.p95)) };
}
