/**
 * The Target tab's points kept in the browser: the server's points once, then only the
 * new ones (`?since=`, `&loadSince=`). Bounded like the other charts: past `maxPoints`
 * neighbouring points merge (the higher value kept, so no peak is lost; the load's
 * cumulative counts keep the later one, so the rates between them stay exact), and a new
 * test starts afresh.
 */
import type uPlot from "uplot";
import { ratesFromCounts } from "../../src/shared/count-rates.js";
import type { GeneratorColumns, HostColumns, LoadColumns, MonitorChart, MonitorResponse } from "./types.js";

export const MAX_TARGET_POINTS = 4000;

export interface PointColumns {
  timeMs: number[];
  values: Record<string, Array<number | null>>;
}

/** The load's cumulative counts (requests, failures): rates are derived between neighbours when drawn. */
export interface LoadPoints {
  timeMs: number[];
  requests: number[];
  failures: number[];
}

export interface TargetPoints {
  startTimeMs: number | null;
  lastTimeMs: number | null;
  lastLoadTimeMs: number | null;
  hosts: Map<string, PointColumns>;
  generator: PointColumns;
  load: LoadPoints;
}

export function emptyTargetPoints(startTimeMs: number | null = null): TargetPoints {
  return {
    startTimeMs,
    lastTimeMs: null,
    lastLoadTimeMs: null,
    hosts: new Map(),
    generator: { timeMs: [], values: {} },
    load: { timeMs: [], requests: [], failures: [] },
  };
}

/** Appends the load's counts newer than what `into` has; past the bound, each pair keeps its later point. */
function appendLoad(into: LoadPoints, from: LoadColumns): void {
  const last = into.timeMs[into.timeMs.length - 1] ?? Number.NEGATIVE_INFINITY;
  from.timeMs.forEach((timeMs, i) => {
    if (timeMs <= last) return;
    into.timeMs.push(timeMs);
    into.requests.push(from.requests[i]!);
    into.failures.push(from.failures[i]!);
  });
  if (into.timeMs.length <= MAX_TARGET_POINTS) return;
  const keep = (column: number[]) => column.filter((_, i) => i % 2 === 1 || i === column.length - 1);
  into.timeMs = keep(into.timeMs);
  into.requests = keep(into.requests);
  into.failures = keep(into.failures);
}

function generatorValues(g: GeneratorColumns): Record<string, Array<number | null>> {
  return {
    cpuPercent: g.cpuPercent,
    lagMs: g.lagMs,
    ...(g.workerCpuPercent ? { workerCpuPercent: g.workerCpuPercent } : {}),
  };
}

const maxNullable = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null ? (b ?? null) : b == null ? a : Math.max(a, b);

function halve(columns: PointColumns): void {
  const n = columns.timeMs.length;
  const times: number[] = [];
  for (let i = 0; i < n; i += 2) times.push(columns.timeMs[Math.min(i + 1, n - 1)]!);
  for (const [name, column] of Object.entries(columns.values)) {
    const merged: Array<number | null> = [];
    for (let i = 0; i < n; i += 2)
      merged.push(i + 1 < n ? maxNullable(column[i], column[i + 1]) : (column[i] ?? null));
    columns.values[name] = merged;
  }
  columns.timeMs = times;
}

/** Appends the points of `from` newer than what `into` has (in place). */
function append(
  into: PointColumns,
  from: { timeMs: number[]; values: Record<string, Array<number | null>> },
): void {
  const last = into.timeMs[into.timeMs.length - 1] ?? Number.NEGATIVE_INFINITY;
  from.timeMs.forEach((timeMs, i) => {
    if (timeMs <= last) return;
    const length = into.timeMs.length;
    into.timeMs.push(timeMs);
    for (const [name, column] of Object.entries(from.values)) {
      const target = into.values[name] ?? new Array<number | null>(length).fill(null);
      into.values[name] = target;
      target.push(column[i] ?? null);
    }
    // A series this point lacks is a gap at it.
    for (const column of Object.values(into.values)) if (column.length === length) column.push(null);
  });
  if (into.timeMs.length > MAX_TARGET_POINTS) halve(into);
}

/** The points after `response`: the same object updated, or a new one when a new test began. */
export function mergeTargetPoints(
  points: TargetPoints,
  response: MonitorResponse,
  full: boolean,
): TargetPoints {
  const fresh = full || response.startTimeMs !== points.startTimeMs;
  const out = fresh ? emptyTargetPoints(response.startTimeMs) : points;
  for (const host of response.hosts as HostColumns[]) {
    let columns = out.hosts.get(host.host);
    if (columns === undefined) {
      columns = { timeMs: [], values: {} };
      out.hosts.set(host.host, columns);
    }
    append(columns, host);
  }
  append(out.generator, { timeMs: response.generator.timeMs, values: generatorValues(response.generator) });
  appendLoad(out.load, response.load);
  out.lastTimeMs = response.lastTimeMs ?? out.lastTimeMs;
  out.lastLoadTimeMs = response.lastLoadTimeMs ?? out.lastLoadTimeMs;
  return out;
}

/** A chart's lines on one time axis (seconds): uPlot.join keeps a null as a gap and spans the others' times. */
export function chartData(
  chart: MonitorChart,
  points: TargetPoints,
  join: typeof uPlot.join,
): uPlot.AlignedData {
  const tables = chart.lines.map((line): uPlot.AlignedData => {
    if (line.source === "load") {
      const { timeMs, requests, failures } = points.load;
      return [
        timeMs.map((ms) => ms / 1000),
        ratesFromCounts(timeMs, line.series === "rps" ? requests : failures),
      ];
    }
    const source = line.source === "generator" ? points.generator : points.hosts.get(line.host);
    const times = (source?.timeMs ?? []).map((ms) => ms / 1000);
    const values = source?.values[line.series] ?? times.map(() => null);
    return [times, values];
  });
  if (tables.length === 1) return tables[0]!;
  return join(tables);
}
