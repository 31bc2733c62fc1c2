/**
 * The statistics table's columns: Locust's, with the percentile columns taken from the
 * server's list (`meta.percentiles`, e.g. 95 and 99 %), so a server configured for other
 * percentiles shows them without a new app; in an arrival-rate test, the median and the
 * same percentiles again measured from the intended start.
 */
import { formatScore, isScoreRow } from "../../src/stats/vital-rows.js";
import { formatBytes, formatCount, formatMs, formatRate } from "./format.js";
import type { StatsRow } from "./types.js";

export interface Column {
  id: string;
  label: string;
  value: (row: StatsRow) => number | string | null;
  render: (row: StatsRow) => string;
  text?: boolean;
  /** What the column means, when its header cannot say it all (the header's tooltip). */
  title?: string;
}

/** A row's time cells: milliseconds, or a score's three significant digits (a page's CLS). */
function rowTime(row: StatsRow, value: number | null | undefined): string {
  if (value === null || value === undefined) return formatMs(value);
  return isScoreRow(row.method, row.name) ? formatScore(value) : formatMs(value);
}

/** The tooltip of the columns from the intended start. */
export const INTENDED_TITLE =
  "From the intended start: the time from the iteration's scheduled start to the response, " +
  "waits for a free user and earlier requests of the iteration included " +
  "(the other time columns start when the request is sent).";

/** The median and `percentiles` from the intended start, after the service times' percentiles. */
function intendedColumns(percentiles: readonly number[]): Column[] {
  const median: Column = {
    id: "intended-median",
    label: "Intended-start median (ms)",
    title: INTENDED_TITLE,
    value: (r) => r.intendedMedianMs ?? null,
    render: (r) => formatMs(r.intendedMedianMs),
  };
  return [
    median,
    ...percentiles.map(
      (fraction, index): Column => ({
        id: `intended-${percentileId(fraction)}`,
        label: `Intended-start ${percentileHeader(fraction)} (ms)`,
        title: INTENDED_TITLE,
        value: (r) => r.intendedPercentilesMs?.[index] ?? null,
        render: (r) => formatMs(r.intendedPercentilesMs?.[index]),
      }),
    ),
  ];
}

/** "95%ile", "99.9%ile" for 0.95, 0.999 (Locust's header style). */
export function percentileHeader(fraction: number): string {
  const percent = Number((fraction * 100).toPrecision(6));
  return `${percent}%ile`;
}

/** "p95", "p99.9": a percentile column's id. */
const percentileId = (fraction: number) => `p${Number((fraction * 100).toPrecision(6))}`;

/**
 * The columns for the server's percentiles, in Locust's order; with `intended` (an
 * arrival-rate test's rows), the columns from the intended start after the percentiles.
 */
export function statsColumns(percentiles: readonly number[], intended = false): Column[] {
  const percentileColumns: Column[] = percentiles.map((fraction, index) => ({
    id: percentileId(fraction),
    label: `${percentileHeader(fraction)} (ms)`,
    value: (r) => r.percentilesMs[index] ?? null,
    render: (r) => rowTime(r, r.percentilesMs[index]),
  }));
  return [
    { id: "method", label: "Type", value: (r) => r.method, render: (r) => r.method, text: true },
    { id: "name", label: "Name", value: (r) => r.name, render: (r) => r.name, text: true },
    {
      id: "requests",
      label: "# Requests",
      value: (r) => r.numRequests,
      render: (r) => formatCount(r.numRequests),
    },
    { id: "fails", label: "# Fails", value: (r) => r.numFailures, render: (r) => formatCount(r.numFailures) },
    { id: "median", label: "Median (ms)", value: (r) => r.medianMs, render: (r) => rowTime(r, r.medianMs) },
    ...percentileColumns,
    ...(intended ? intendedColumns(percentiles) : []),
    {
      id: "avg",
      label: "Average (ms)",
      value: (r) => r.avgMs,
      render: (r) => rowTime(r, r.numRequests ? r.avgMs : null),
    },
    { id: "min", label: "Min (ms)", value: (r) => r.minMs, render: (r) => rowTime(r, r.minMs) },
    {
      id: "max",
      label: "Max (ms)",
      value: (r) => r.maxMs,
      render: (r) => rowTime(r, r.numRequests ? r.maxMs : null),
    },
    {
      id: "size",
      label: "Average size",
      value: (r) => r.avgContentLength,
      render: (r) => (r.numRequests ? formatBytes(r.avgContentLength) : ""),
    },
    { id: "rps", label: "Current RPS", value: (r) => r.currentRps, render: (r) => formatRate(r.currentRps) },
    {
      id: "failps",
      label: "Current failures/s",
      value: (r) => r.currentFailPerSec,
      render: (r) => formatRate(r.currentFailPerSec),
    },
  ];
}

/** Columns that cannot be hidden: a row must say what it is. */
export const REQUIRED_COLUMNS: ReadonlySet<string> = new Set(["name"]);
