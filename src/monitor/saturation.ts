/**
 * What saturated first: the first monitored resource that reached its saturation level
 * (CPU ≥ 90 %, memory ≥ 90 %, a disk ≥ 90 % busy, or a level the user set) and stayed
 * there for more than one value, with the load
 * at that moment; or, when nothing on the target did while latency rose, that the
 * bottleneck is elsewhere. Pure and over plain series, so it is tested on made-up data and
 * can be asked about any window of a run (a capacity search asks about its breaking step).
 */
import type { GeneratorColumns, HostColumns, SaturationLevel, SeriesDefinition } from "./types.js";

/** The default levels: CPU busy, memory used, the busiest disk's busy time. */
export const DEFAULT_SATURATION_LEVELS: readonly SaturationLevel[] = [
  { series: "cpu", level: 90 },
  { series: "memory", level: 90 },
  { series: "diskBusy", level: 90 },
];

/** Latency "rose" when the p95 reached this many times its early value... */
export const LATENCY_RISE_FACTOR = 2;
/** ...and at least this many ms more (a 1 → 3 ms change is noise, not a bottleneck). */
export const LATENCY_RISE_MIN_MS = 20;
/**
 * A resource at its level from the first value is "already busy" only with at most this
 * share of the users running during the interval that value measures. A host's very first
 * value is a rate since the scrape taken when the test began, with no user running: the
 * users during it are, on a ramp, about half those at its end.
 */
const AT_START_USERS_SHARE = 0.2;
/** From this CPU % (of one core) the load generator itself is the likely bottleneck. */
export const GENERATOR_BUSY_PERCENT = 90;

/** The load side, as the stats history has it (its `total` columns fit). */
export interface LoadSeries {
  timeMs: readonly number[];
  userCount: readonly number[];
  rps: readonly number[];
  p95: ReadonlyArray<number | null>;
}

/** What findSaturation reads. */
export interface SaturationInput {
  hosts: readonly HostColumns[];
  series: readonly SeriesDefinition[];
  levels: readonly SaturationLevel[];
  generator?: GeneratorColumns;
  load: LoadSeries;
  /** Only this window of the run (epoch ms, inclusive); default all of it. */
  fromMs?: number;
  toMs?: number;
}

/** The load at one moment (the nearest point of the load history). */
export interface LoadAtMoment {
  timeMs: number;
  users: number;
  rps: number;
  p95Ms: number | null;
}

/** A monitored value and the level it is measured against. */
export interface ResourceValue {
  host: string;
  series: string;
  label: string;
  unit: string;
  value: number;
  level: number;
}

export type SaturationFinding =
  /** A resource reached its level: the first one (earliest), at `timeMs`. */
  | (ResourceValue & {
      kind: "saturated";
      timeMs: number;
      /** It was at its level from its first value in the window: busy before the load could have done it. */
      atStart: boolean;
      load: LoadAtMoment | null;
      /** The typical p95 before that moment (median), null without one. */
      p95BeforeMs: number | null;
      generatorCpuPercent: number | null;
      /** The host is the load generator's own machine (its exporter is on a loopback address); its CPUs when known. */
      generatorMachine: { cpus: number | null } | null;
    })
  /**
   * The p95 rose while every monitored resource was below its level: the bottleneck is
   * elsewhere (even if a resource reached its level later: `saturatedLater`).
   */
  | {
      kind: "latency-rose";
      timeMs: number;
      load: LoadAtMoment;
      p95BeforeMs: number;
      p95PeakMs: number;
      /** The resource that came closest to its level (the one that reached it later, if any). */
      highest: ResourceValue | null;
      /** The first resource that reached its level after the p95 had risen, and when; null when none did. */
      saturatedLater: (ResourceValue & { timeMs: number }) | null;
      generatorCpuPercent: number | null;
    }
  /** Nothing reached its level and latency held. */
  | { kind: "none"; highest: ResourceValue | null }
  /** No monitored value in the window. */
  | { kind: "no-data" };

const inWindow = (t: number, input: SaturationInput) =>
  t >= (input.fromMs ?? Number.NEGATIVE_INFINITY) && t <= (input.toMs ?? Number.POSITIVE_INFINITY);

function median(values: number[]): number | null {
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

/** The most users in the window. */
function maxUsers(input: SaturationInput): number {
  let max = 0;
  input.load.timeMs.forEach((t, i) => {
    if (inWindow(t, input)) max = Math.max(max, input.load.userCount[i]!);
  });
  return max;
}

/** The load history's point nearest to `timeMs` within the window (points with users first). */
export function loadAt(input: SaturationInput, timeMs: number): LoadAtMoment | null {
  const { load } = input;
  const within = (i: number) => inWindow(load.timeMs[i]!, input);
  let i = nearestIndex(load.timeMs, timeMs, (j) => within(j) && load.userCount[j]! > 0);
  if (i < 0) i = nearestIndex(load.timeMs, timeMs, within);
  if (i < 0) return null;
  return {
    timeMs: load.timeMs[i]!,
    users: load.userCount[i]!,
    rps: load.rps[i]!,
    p95Ms: load.p95[i] ?? null,
  };
}

function generatorCpuAt(input: SaturationInput, timeMs: number): number | null {
  const g = input.generator;
  if (g === undefined) return null;
  const i = nearestIndex(g.timeMs, timeMs, (j) => g.cpuPercent[j] != null && inWindow(g.timeMs[j]!, input));
  return i < 0 ? null : g.cpuPercent[i]!;
}

/** p95 values of the load points in the window with users, oldest first, with their times. */
function p95Points(
  input: SaturationInput,
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

function describe(
  input: SaturationInput,
  host: string,
  series: string,
  value: number,
  level: number,
): ResourceValue {
  const definition = input.series.find((s) => s.name === series);
  return { host, series, label: definition?.label ?? series, unit: definition?.unit ?? "", value, level };
}

/**
 * The first crossing of any level on any host in the window, or undefined; `atStart` when
 * the series was at its level from its first value (before the load could have done it).
 */
type Crossing = ResourceValue & {
  timeMs: number;
  atStart: boolean;
  /** The host's first value of the series in the whole test (not only in the window). */
  hostsFirst: boolean;
  hostColumns: HostColumns;
};

/**
 * True when the value at `index` is at its level but the next value in the window is below
 * it again: one scrape interval at the level (the burst of starting the test, a garbage
 * collection) is not saturation. The window's last value has no next one and counts.
 */
function isOneSampleSpike(
  host: HostColumns,
  column: ReadonlyArray<number | null>,
  index: number,
  level: number,
  input: SaturationInput,
): boolean {
  for (let j = index + 1; j < host.timeMs.length; j++) {
    const next = column[j];
    if (next == null) continue;
    return inWindow(host.timeMs[j]!, input) && next < level;
  }
  return false;
}

function firstCrossing(input: SaturationInput): Crossing | undefined {
  let first: Crossing | undefined;
  for (const { series, level } of input.levels) {
    for (const host of input.hosts) {
      const column = host.values[series];
      if (column === undefined) continue;
      let seenBelow = false;
      let seenBefore = false;
      for (let i = 0; i < host.timeMs.length; i++) {
        const t = host.timeMs[i]!;
        const value = column[i];
        if (value == null) continue;
        if (!inWindow(t, input)) {
          seenBefore = true;
          continue;
        }
        if (value < level || isOneSampleSpike(host, column, i, level, input)) {
          seenBelow = true;
          continue;
        }
        if (first === undefined || t < first.timeMs)
          first = {
            ...describe(input, host.host, series, value, level),
            timeMs: t,
            atStart: !seenBelow,
            hostsFirst: !seenBelow && !seenBefore,
            hostColumns: host,
          };
        break;
      }
    }
  }
  return first;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

/** True when the host's figures come from the load generator's own machine (an exporter on a loopback address). */
export function isGeneratorMachine(host: Pick<HostColumns, "host" | "source" | "kind">): boolean {
  // A Prometheus series' label is its instance ("127.0.0.1:9100"); an exporter's, its URL's host.
  const address = host.kind === "prometheus" ? `http://${host.host}` : host.source;
  try {
    return LOOPBACK.test(new URL(address).hostname);
  } catch {
    return false;
  }
}

/**
 * The monitored value closest to its level (highest value ÷ level) in the window, leaving
 * out the one-value spikes that are not saturation (else "nothing reached its level
 * (highest: 34 %, level 25 %)" would contradict itself).
 */
function highestValue(input: SaturationInput): ResourceValue | null {
  let best: ResourceValue | null = null;
  for (const { series, level } of input.levels) {
    for (const host of input.hosts) {
      const column = host.values[series] ?? [];
      for (let i = 0; i < column.length; i++) {
        const value = column[i];
        if (value == null || !inWindow(host.timeMs[i]!, input)) continue;
        if (value >= level && isOneSampleSpike(host, column, i, level, input)) continue;
        if (best === null || value / level > best.value / best.level)
          best = describe(input, host.host, series, value, level);
      }
    }
  }
  return best;
}

/** Whether any host has any value in the window. */
function hasData(input: SaturationInput): boolean {
  return input.hosts.some((host) =>
    Object.values(host.values).some((column) =>
      column.some((v, i) => v != null && inWindow(host.timeMs[i]!, input)),
    ),
  );
}

/** When the p95 first rose to LATENCY_RISE_FACTOR × its early value (and by LATENCY_RISE_MIN_MS). */
function latencyRise(input: SaturationInput): { timeMs: number; before: number; peak: number } | undefined {
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

/**
 * True when the crossing's resource was measured below its level after the p95 had risen
 * and before it crossed: the latency did not wait for it, so it is not why latency rose.
 */
function belowWhenLatencyRose(crossing: Crossing, riseMs: number, input: SaturationInput): boolean {
  const { hostColumns: host, series, level } = crossing;
  const column = host.values[series] ?? [];
  for (let i = 0; i < host.timeMs.length; i++) {
    const t = host.timeMs[i]!;
    const value = column[i];
    if (t >= riseMs && t < crossing.timeMs && value != null && value < level && inWindow(t, input))
      return true;
  }
  return false;
}

/** What saturated first in the window; see the module comment. */
export function findSaturation(input: SaturationInput): SaturationFinding {
  if (!hasData(input)) return { kind: "no-data" };
  let crossing = firstCrossing(input);
  const rise = latencyRise(input);
  // Latency that rose while everything monitored was still below its level: a resource that
  // saturates later is a consequence or a second limit, not the answer to "why".
  const later =
    crossing !== undefined &&
    rise !== undefined &&
    !crossing.atStart &&
    belowWhenLatencyRose(crossing, rise.timeMs, input)
      ? crossing
      : undefined;
  if (later !== undefined) crossing = undefined;
  if (crossing !== undefined) {
    const { hostsFirst, hostColumns, ...resource } = crossing;
    const load = loadAt(input, crossing.timeMs);
    // The users during the interval the value measures (see AT_START_USERS_SHARE).
    const users = load === null ? 0 : hostsFirst ? load.users / 2 : load.users;
    return {
      kind: "saturated",
      ...resource,
      // At its level from its first value, and with hardly any of the test's users yet: not the load's doing.
      atStart: crossing.atStart && users <= AT_START_USERS_SHARE * maxUsers(input),
      load,
      p95BeforeMs: median(p95Points(input, crossing.timeMs).map((p) => p.p95)),
      generatorCpuPercent: generatorCpuAt(input, crossing.timeMs),
      generatorMachine: isGeneratorMachine(hostColumns) ? { cpus: hostColumns.info?.cpus ?? null } : null,
    };
  }
  const saturatedLater =
    later === undefined
      ? null
      : { ...describe(input, later.host, later.series, later.value, later.level), timeMs: later.timeMs };
  const highest = saturatedLater ?? highestValue(input);
  const load = rise === undefined ? null : loadAt(input, rise.timeMs);
  if (rise === undefined || load === null) return { kind: "none", highest };
  return {
    kind: "latency-rose",
    timeMs: rise.timeMs,
    load,
    p95BeforeMs: rise.before,
    p95PeakMs: rise.peak,
    highest,
    saturatedLater,
    generatorCpuPercent: generatorCpuAt(input, rise.timeMs),
  };
}
