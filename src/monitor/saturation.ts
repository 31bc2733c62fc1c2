/**
 * What saturated first: the first monitored resource that reached its saturation level
 * (CPU ≥ 90 %, its busiest core ≥ 95 %, memory ≥ 90 %, a disk ≥ 90 % busy, or a level the
 * user set), not as a one-value spike (confirmation.ts), with the load
 * at that moment; or, when nothing on the target did while latency rose, that the
 * bottleneck is elsewhere. Pure and over plain series, so it is tested on made-up data and
 * can be asked about any window of a run (a capacity search asks about its breaking step).
 */
import { type BeforeLoadEvidence, busyBeforeLoad } from "./before-load.js";
import { isConfirmed } from "./confirmation.js";
import {
  generatorCpuAt,
  inWindow,
  type LoadAtMoment,
  type LoadWindow,
  latencyRise,
  loadAt,
  median,
  p95Points,
} from "./load-window.js";
import type { HostColumns, SaturationLevel, SeriesDefinition } from "./types.js";

export {
  LATENCY_RISE_FACTOR,
  LATENCY_RISE_MIN_MS,
  type LoadAtMoment,
  type LoadSeries,
  loadAt,
} from "./load-window.js";

/**
 * The default levels: CPU busy, the busiest core (a single-threaded service, typical of
 * Node or Python, is at its limit with one core full while the CPU as a whole is half
 * idle), memory used, the busiest disk's busy time.
 */
export const DEFAULT_SATURATION_LEVELS: readonly SaturationLevel[] = [
  { series: "cpu", level: 90 },
  { series: "cpuMax", level: 95 },
  { series: "memory", level: 90 },
  { series: "diskBusy", level: 90 },
];

/** From this CPU % (of one core) the load generator itself is the likely bottleneck. */
export const GENERATOR_BUSY_PERCENT = 90;

/** What findSaturation reads: the monitored hosts beside the load, in a window of the run. */
export interface SaturationInput extends LoadWindow {
  hosts: readonly HostColumns[];
  series: readonly SeriesDefinition[];
  levels: readonly SaturationLevel[];
  /**
   * When the test's load began (the monitor's `startTimeMs`): a scrape taken then measured
   * the target before any user ran, the only evidence that it was busy without the test.
   */
  testStartMs?: number | null;
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
      /**
       * At its level from its first value in the window, and measured at it before any user
       * ran (`beforeLoad`): something besides the test keeps it busy.
       */
      atStart: boolean;
      /** What the scrape taken as the test began measured, when it shows the resource at its level; else null. */
      beforeLoad: BeforeLoadEvidence | null;
      /** For the busiest core: the CPU busy % over all cores at that moment (null otherwise). */
      allCoresPercent: number | null;
      /** The busiest core at its level while the CPU as a whole was below its own: one core is the limit. */
      singleCore: boolean;
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

/** A confirmed crossing of a level on a host in the window. */
type Crossing = ResourceValue & {
  timeMs: number;
  /** At its level from the series' first value in the window. */
  fromFirstValue: boolean;
  /**
   * When the first sign of it showed: its own time, or the busiest core's crossing on the
   * same host when the whole CPU's crossing stands for it.
   */
  firstSignMs: number;
  hostColumns: HostColumns;
};

/** When the load changed at once: the test's start (the scrape then measured no load), and the input's changes. */
function loadChanges(input: SaturationInput): number[] {
  return [...(input.testStartMs == null ? [] : [input.testStartMs]), ...(input.loadChangesMs ?? [])];
}

/** The first confirmed crossing of `level` by `series` on `host` in the window. */
function crossingOf(
  input: SaturationInput,
  host: HostColumns,
  series: string,
  level: number,
): Crossing | undefined {
  const column = host.values[series];
  if (column === undefined) return undefined;
  let seenBelow = false;
  const changes = loadChanges(input);
  for (let i = 0; i < host.timeMs.length; i++) {
    const t = host.timeMs[i]!;
    const value = column[i];
    if (value == null || !inWindow(t, input)) continue;
    if (!isConfirmed(host.timeMs, column, i, level, changes)) {
      seenBelow = true;
      continue;
    }
    return {
      ...describe(input, host.host, series, value, level),
      timeMs: t,
      fromFirstValue: !seenBelow,
      firstSignMs: t,
      hostColumns: host,
    };
  }
  return undefined;
}

/**
 * The earliest crossing in the window. The busiest core's level counts only on a host whose
 * CPU as a whole stays below its own: there one full core is the limit (a single-threaded
 * process, an interrupt-bound core). On a multi-threaded target the busiest core reaches
 * 95 % a little before all cores reach 90 %: the whole CPU is then the answer, dated from
 * the core's crossing for the question whether latency waited for it.
 */
function firstCrossing(input: SaturationInput): Crossing | undefined {
  const all: Crossing[] = [];
  for (const { series, level } of input.levels) {
    for (const host of input.hosts) {
      const crossing = crossingOf(input, host, series, level);
      if (crossing !== undefined) all.push(crossing);
    }
  }
  const candidates = all.flatMap((crossing) => {
    if (crossing.series === "cpuMax" && all.some((c) => c.host === crossing.host && c.series === "cpu"))
      return [];
    if (crossing.series !== "cpu") return [crossing];
    const core = all.find((c) => c.host === crossing.host && c.series === "cpuMax");
    return [{ ...crossing, firstSignMs: Math.min(crossing.timeMs, core?.timeMs ?? crossing.timeMs) }];
  });
  return candidates.reduce<Crossing | undefined>(
    (first, c) => (first === undefined || c.timeMs < first.timeMs ? c : first),
    undefined,
  );
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
  const changes = loadChanges(input);
  for (const { series, level } of input.levels) {
    for (const host of input.hosts) {
      const column = host.values[series] ?? [];
      for (let i = 0; i < column.length; i++) {
        const value = column[i];
        if (value == null || !inWindow(host.timeMs[i]!, input)) continue;
        if (value >= level && !isConfirmed(host.timeMs, column, i, level, changes)) continue;
        if (best === null || value / level > best.value / best.level)
          best = describe(input, host.host, series, value, level);
      }
    }
  }
  return best;
}

/**
 * "One core is the limit" holds only while the CPU as a whole is below its level: the
 * input's, and never above the default (a level set out of reach, cpu=101, does not make
 * all cores at 100 % one core's limit).
 */
function wholeCpuLevel(input: SaturationInput): number {
  const level = (levels: readonly SaturationLevel[]) => levels.find((l) => l.series === "cpu")?.level;
  const fallback = level(DEFAULT_SATURATION_LEVELS)!;
  return Math.min(level(input.levels) ?? fallback, fallback);
}

/** The host's value of `series` at `timeMs` exactly (null for none or a gap). */
function valueAt(host: HostColumns, series: string, timeMs: number): number | null {
  const i = host.timeMs.indexOf(timeMs);
  return i < 0 ? null : (host.values[series]?.[i] ?? null);
}

/** Whether any host has any value in the window. */
function hasData(input: SaturationInput): boolean {
  return input.hosts.some((host) =>
    Object.values(host.values).some((column) =>
      column.some((v, i) => v != null && inWindow(host.timeMs[i]!, input)),
    ),
  );
}

/**
 * True when the crossing's resource was measured below its level after the p95 had risen
 * and before its first sign: the latency did not wait for it, so it is not why latency rose.
 */
function belowWhenLatencyRose(crossing: Crossing, riseMs: number, input: SaturationInput): boolean {
  const { hostColumns: host, series, level } = crossing;
  const column = host.values[series] ?? [];
  for (let i = 0; i < host.timeMs.length; i++) {
    const t = host.timeMs[i]!;
    const value = column[i];
    if (t >= riseMs && t < crossing.firstSignMs && value != null && value < level && inWindow(t, input))
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
    crossing !== undefined && rise !== undefined && belowWhenLatencyRose(crossing, rise.timeMs, input)
      ? crossing
      : undefined;
  if (later !== undefined) crossing = undefined;
  if (crossing !== undefined) {
    const { fromFirstValue, firstSignMs, hostColumns, ...resource } = crossing;
    const beforeLoad = busyBeforeLoad(hostColumns, crossing.series, crossing.level, input.testStartMs);
    const allCoresPercent =
      crossing.series === "cpuMax" ? valueAt(hostColumns, "cpu", crossing.timeMs) : null;
    return {
      kind: "saturated",
      ...resource,
      // Only a measurement from before any user ran can say the test did not do it.
      atStart: fromFirstValue && beforeLoad !== null,
      beforeLoad,
      allCoresPercent,
      singleCore: allCoresPercent !== null && allCoresPercent < wholeCpuLevel(input),
      // The rate of the interval the saturated point measured (a merged point: its stride's).
      load: loadAt(input, crossing.timeMs, hostColumns.stride * (input.intervalMs ?? 1000)),
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
