/**
 * The target-monitoring part of every report: the data recorded during the test, what
 * saturated first (with the load from the stats history), and its JSON form (the
 * report's `monitor` key, null when nothing was monitored).
 */
// The files themselves, not monitor/index.js: a run without monitoring loads no scraping code.
import { describeSaturation } from "../monitor/format.js";
import {
  findSaturation,
  type LoadAtMoment,
  type LoadSeries,
  type ResourceValue,
  type SaturationFinding,
} from "../monitor/saturation.js";
import type { GeneratorColumns, HostColumns, LoadColumns, MonitorData } from "../monitor/types.js";
import type { JsonMonitor, JsonSaturation } from "./json-schema.js";

/** What the renderers read about the target. */
export interface MonitorReport {
  data: MonitorData;
  finding: SaturationFinding;
  /** The finding in one sentence. */
  findingText: string;
}

/** The report of `data`, the saturation finding computed against the load history `load` (the stats history's total). */
export function monitorReportOf(data: MonitorData, load: LoadSeries): MonitorReport {
  const finding = findSaturation({
    hosts: data.hosts,
    series: data.series,
    levels: data.levels,
    generator: data.generator,
    load,
    requests: data.load,
    intervalMs: data.intervalMs,
    testStartMs: data.startTimeMs,
    loadChangesMs: data.loadChangesMs,
  });
  return { data, finding, findingText: describeSaturation(finding, data.startTimeMs ?? undefined) };
}

const round3 = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;
const roundColumn = (column: ReadonlyArray<number | null>) => column.map(round3);

function hostJson(host: HostColumns): HostColumns {
  const values: Record<string, Array<number | null>> = {};
  for (const [name, column] of Object.entries(host.values)) values[name] = roundColumn(column);
  return { ...host, info: host.info ? { ...host.info } : null, timeMs: host.timeMs.map(Math.round), values };
}

function generatorJson(g: GeneratorColumns): GeneratorColumns {
  return {
    stride: g.stride,
    timeMs: g.timeMs.map(Math.round),
    cpuPercent: roundColumn(g.cpuPercent),
    lagMs: roundColumn(g.lagMs),
    workerCpuPercent: g.workerCpuPercent === null ? null : roundColumn(g.workerCpuPercent),
  };
}

function loadJson(l: LoadColumns): LoadColumns {
  return {
    stride: l.stride,
    timeMs: l.timeMs.map(Math.round),
    requests: [...l.requests],
    failures: [...l.failures],
    rps: roundColumn(l.rps),
    failPerSec: roundColumn(l.failPerSec),
  };
}

const loadAtJson = (load: LoadAtMoment | null): LoadAtMoment | null =>
  load && { ...load, rps: round3(load.rps) };

/** The finding as one flat object: every key always present, null where it does not apply. */
export function saturationJson(finding: SaturationFinding, text: string): JsonSaturation {
  const base: JsonSaturation = {
    kind: finding.kind,
    text,
    resource: null,
    timeMs: null,
    atStart: false,
    load: null,
    p95BeforeMs: null,
    p95PeakMs: null,
    generatorCpuPercent: null,
    beforeLoad: null,
    allCoresPercent: null,
    singleCore: false,
    generatorMachine: null,
    saturatedLater: null,
  };
  const resourceJson = (r: ResourceValue): ResourceValue => {
    const { host, series, label, unit, value, level } = r;
    return { host, series, label, unit, value: round3(value)!, level };
  };
  switch (finding.kind) {
    case "saturated": {
      return {
        ...base,
        resource: resourceJson(finding),
        timeMs: finding.timeMs,
        atStart: finding.atStart,
        load: loadAtJson(finding.load),
        p95BeforeMs: finding.p95BeforeMs,
        generatorCpuPercent: round3(finding.generatorCpuPercent),
        beforeLoad: finding.beforeLoad && { ...finding.beforeLoad, value: round3(finding.beforeLoad.value)! },
        allCoresPercent: round3(finding.allCoresPercent),
        singleCore: finding.singleCore,
        generatorMachine: finding.generatorMachine && { ...finding.generatorMachine },
      };
    }
    case "latency-rose":
      return {
        ...base,
        resource: finding.highest && resourceJson(finding.highest),
        timeMs: finding.timeMs,
        load: loadAtJson(finding.load),
        p95BeforeMs: finding.p95BeforeMs,
        p95PeakMs: finding.p95PeakMs,
        generatorCpuPercent: round3(finding.generatorCpuPercent),
        saturatedLater: finding.saturatedLater && {
          ...resourceJson(finding.saturatedLater),
          timeMs: finding.saturatedLater.timeMs,
        },
      };
    case "none":
      return {
        ...base,
        resource: finding.highest && resourceJson(finding.highest),
      };
    case "no-data":
      return base;
  }
}

/** The report's `monitor` key. */
export function monitorJson(report: MonitorReport): JsonMonitor {
  const { data } = report;
  return {
    intervalMs: data.intervalMs,
    startTimeMs: data.startTimeMs,
    endTimeMs: data.endTimeMs,
    series: data.series.map((s) => ({ ...s })),
    levels: data.levels.map((l) => ({ ...l })),
    hosts: data.hosts.map(hostJson),
    generator: generatorJson(data.generator),
    endpoints: data.endpoints.map((e) => ({ ...e, byKind: { ...e.byKind } })),
    saturation: saturationJson(report.finding, report.findingText),
    load: loadJson(data.load),
  };
}
