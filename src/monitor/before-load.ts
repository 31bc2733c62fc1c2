/**
 * Whether a host was already at a saturation level before the test's load could have
 * done it. A rate (CPU busy, a disk's busy time, `rate(...)`) has no value before the
 * second scrape, and that value covers the first interval, already under load: it cannot
 * tell. Only a gauge read by the scrape taken as the test began, before any user ran, can:
 * memory used, a `--monitor-metric` gauge, a Prometheus query (whose `rate(...[1m])`
 * covers the minute before). Not the load average for CPU busy: it counts tasks waiting
 * for a disk too, and on a VM it follows the CPU poorly (a trial saw 2.1 on 2 CPUs while
 * the CPU was 17 % busy, and 1.6 while it was 95 % busy), so the claim is not made for CPU.
 */
import type { HostColumns } from "./types.js";

/** What a host measured before the load began, and that it was at its level then. */
export interface BeforeLoadEvidence {
  /** The series measured: the resource's own. */
  series: string;
  value: number;
}

/** The index of the host's sample taken at or before `startMs` (the last such), or -1. */
function beforeLoadIndex(host: HostColumns, startMs: number): number {
  let index = -1;
  for (let i = 0; i < host.timeMs.length && host.timeMs[i]! <= startMs; i++) index = i;
  return index;
}

/**
 * The evidence that `series` was at `level` on `host` before the load began at
 * `startMs`, or null when nothing measured before the load says so.
 */
export function busyBeforeLoad(
  host: HostColumns,
  series: string,
  level: number,
  startMs: number | null | undefined,
): BeforeLoadEvidence | null {
  if (startMs == null) return null;
  const i = beforeLoadIndex(host, startMs);
  if (i < 0) return null;
  const value = host.values[series]?.[i];
  return value != null && value >= level ? { series, value } : null;
}
