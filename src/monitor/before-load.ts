/**
 * Whether a host was already at a saturation level before the test's load could have
 * done it. A rate (CPU busy, a disk's busy time, `rate(...)`) has no value before the
 * second scrape, and that value covers the first interval, already under load: it cannot
 * tell. Only a measurement from the scrape taken as the test began, before any user ran,
 * can: a gauge's own value (memory used, a `--monitor-metric` gauge, a Prometheus query,
 * whose `rate(...[1m])` covers the minute before), and for CPU busy the load average as a
 * share of the host's CPUs (the runnable tasks of the minute before the test).
 */
import type { HostColumns } from "./types.js";

/** What a host measured before the load began, and that it was at its level then. */
export interface BeforeLoadEvidence {
  /** The series measured: the resource's own, or `load1` for CPU busy. */
  series: string;
  value: number;
  /** For `load1`: the host's CPUs (the value is compared to them). */
  cpus: number | null;
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
  if (series === "cpu") {
    // Runnable tasks per CPU, as a %: 2 tasks on 2 CPUs kept them all busy.
    const load1 = host.values.load1?.[i];
    const cpus = host.info?.cpus ?? 0;
    if (load1 == null || !(cpus > 0)) return null;
    return (100 * load1) / cpus >= level ? { series: "load1", value: load1, cpus } : null;
  }
  const value = host.values[series]?.[i];
  return value != null && value >= level ? { series, value, cpus: null } : null;
}
