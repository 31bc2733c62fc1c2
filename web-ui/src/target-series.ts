/**
 * The Target tab's points kept in the browser: the server's points once, then only the
 * new ones (`?since=`). Bounded like the other charts: past `maxPoints` neighbouring
 * points merge (the higher value kept, so no peak is lost), and a new test starts afresh.
 */
import type uPlot from "uplot";
import type { GeneratorColumns, HostColumns, MonitorChart, MonitorResponse } from "./types.js";

export const MAX_TARGET_POINTS = 4000;

export interface PointColumns {
  timeMs: number[];
  values: Record<string, Array<number | null>>;
}

export interface TargetPoints {
  startTimeMs: number | null;
  lastTimeMs: number | null;
  hosts: Map<string, PointColumns>;
  generator: PointColumns;
}

export function emptyTargetPoints(startTimeMs: number | null = null): TargetPoints {
  return { startTimeMs, lastTimeMs: null, hosts: new Map(), generator: { timeMs: [], values: {} } };
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
  out.lastTimeMs = response.lastTimeMs ?? out.lastTimeMs;
  return out;
}

/** A chart's lines on one time axis (seconds): uPlot.join keeps a null as a gap and spans the others' times. */
export function chartData(
  chart: MonitorChart,
  points: TargetPoints,
  join: typeof uPlot.join,
): uPlot.AlignedData {
  const tables = chart.lines.map((line): uPlot.AlignedData => {
    const source = line.generator ? points.generator : points.hosts.get(line.host);
    const times = (source?.timeMs ?? []).map((ms) => ms / 1000);
    const values = source?.values[line.series] ?? times.map(() => null);
    return [times, values];
  });
  if (tables.length === 1) return tables[0]!;
  return join(tables);
}
