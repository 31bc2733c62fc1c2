/**
 * Chart data kept in the browser: the server's history once, then one point per tick.
 * Bounded like the server's: past `maxPoints` neighbouring points merge (rates averaged,
 * percentiles maxed), so an hour-long run stays light.
 */
import type { HistoryPoint, SeriesColumns } from "./types.js";

/** Columns in the order uPlot wants them: x (seconds) first. */
export interface ChartSeries {
  time: number[];
  users: number[];
  rps: number[];
  failPerSec: number[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
}

export const MAX_CLIENT_POINTS = 2000;

export function emptySeries(): ChartSeries {
  return { time: [], users: [], rps: [], failPerSec: [], p50: [], p95: [], p99: [] };
}

/** From the server's columnar history (ms times). */
export function seriesFromColumns(columns: Omit<SeriesColumns, "stride">): ChartSeries {
  return {
    time: columns.timeMs.map((ms) => ms / 1000),
    users: [...columns.userCount],
    rps: [...columns.rps],
    failPerSec: [...columns.failPerSec],
    p50: [...columns.p50],
    p95: [...columns.p95],
    p99: [...columns.p99],
  };
}

const maxNullable = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null ? (b ?? null) : b == null ? a : Math.max(a, b);

/** Appends a point in place (halving the series when it is full). */
export function appendPoint(series: ChartSeries, point: HistoryPoint, maxPoints = MAX_CLIENT_POINTS): void {
  const time = point.timeMs / 1000;
  const last = series.time[series.time.length - 1];
  if (last !== undefined && time <= last) return; // a repeated tick after a reconnect
  series.time.push(time);
  series.users.push(point.userCount);
  series.rps.push(point.rps);
  series.failPerSec.push(point.failPerSec);
  series.p50.push(point.p50);
  series.p95.push(point.p95);
  series.p99.push(point.p99);
  if (series.time.length > maxPoints) halve(series);
}

function halve(series: ChartSeries): void {
  const n = series.time.length;
  let out = 0;
  for (let i = 0; i < n; i += 2, out++) {
    const j = i + 1 < n ? i + 1 : i;
    series.time[out] = series.time[j]!;
    series.users[out] = series.users[j]!;
    series.rps[out] = (series.rps[i]! + series.rps[j]!) / 2;
    series.failPerSec[out] = (series.failPerSec[i]! + series.failPerSec[j]!) / 2;
    series.p50[out] = maxNullable(series.p50[i], series.p50[j]);
    series.p95[out] = maxNullable(series.p95[i], series.p95[j]);
    series.p99[out] = maxNullable(series.p99[i], series.p99[j]);
  }
  for (const column of Object.values(series) as unknown[][]) column.length = out;
}

/** Columns of a chart: the x values (seconds) and any number of y columns of the same length. */
export type ColumnSet<K extends string> = { time: readonly number[] } & {
  readonly [key in K]: ReadonlyArray<number | null>;
};

/** The same columns with room for gaps: a null row between two tests breaks the lines. */
export type GappedColumns<K extends string> = { time: number[] } & { [key in K]: Array<number | null> };

/** A {@link ChartSeries} with gaps between tests. */
export type GappedSeries = GappedColumns<Exclude<keyof ChartSeries, "time">>;

/**
 * The columns with a null row before each test but the first (`runStartsSec`, ascending),
 * so the lines do not join the end of one test to the start of the next across the idle
 * time between them (Locust leaves the same space). Works on any chart's columns (the
 * request charts, the iterations chart); the stored columns stay as they are.
 */
export function withRunGaps<K extends string>(
  series: ColumnSet<K>,
  runStartsSec: readonly number[],
): GappedColumns<K> {
  const keys = Object.keys(series).filter((key) => key !== "time") as K[];
  const out = { time: [] } as unknown as GappedColumns<K>;
  for (const key of keys) (out as Record<K, Array<number | null>>)[key] = [];
  let next = 0;
  const n = series.time.length;
  for (let i = 0; i < n; i++) {
    const time = series.time[i]!;
    let gap = false;
    while (next < runStartsSec.length && runStartsSec[next]! <= time) {
      gap = true;
      next++;
    }
    if (gap && i > 0) {
      out.time.push((series.time[i - 1]! + time) / 2);
      for (const key of keys) out[key].push(null);
    }
    out.time.push(time);
    for (const key of keys) out[key].push(series[key][i] ?? null);
  }
  return out;
}

/**
 * A "Run #n" marker per test, each on the first point of `time` at or after its start
 * (a chart begins after the first start); none for a single test.
 */
export function runMarkers(
  time: readonly number[],
  runs: ReadonlyArray<{ run: number; timeMs: number }>,
): Array<{ timeSec: number; label: string }> {
  if (runs.length < 2) return [];
  return runs.map((r) => {
    const startSec = r.timeMs / 1000;
    return { timeSec: time.find((t) => t >= startSec) ?? startSec, label: `Run #${r.run}` };
  });
}
