/**
 * `PREFIX_monitor.csv`: one row per scrape and host, wide (one column per figure), like
 * dstat's CSV, with the load at that moment on the same row (users, requests/s, p95 and
 * Cicada's own CPU), so a spreadsheet lines the target up with the load without a join.
 * Comma separated, CRLF, quoted only where needed (as the other CSV files).
 */
import type { HostSample, SeriesDefinition } from "../monitor/index.js";
import { csvLine } from "./csv.js";

export const MONITOR_CSV_FILE = "_monitor.csv";

/** The load side of a row, at the moment of the scrape. */
export interface MonitorCsvLoad {
  userCount: number;
  /** Requests completed per second in the interval before the scrape; null when not known (an empty cell). */
  rps: number | null;
  p95Ms: number | null;
  generatorCpuPercent: number | null;
}

/** A column title: "CPU busy %", "Disk read B/s", "tps /s". */
function title(definition: SeriesDefinition): string {
  return definition.unit === "" ? definition.label : `${definition.label} ${definition.unit}`;
}

/** The header line: the fixed columns, then one per series, then Error. */
export function monitorCsvHeader(definitions: readonly SeriesDefinition[]): string {
  return csvLine([
    "Timestamp",
    "Time",
    "Host",
    "User Count",
    "Requests/s",
    "95%",
    "Cicada CPU %",
    ...definitions.map(title),
    "Error",
  ]);
}

const cell = (value: number | null | undefined): string | number =>
  value === null || value === undefined || !Number.isFinite(value) ? "" : Math.round(value * 1000) / 1000;

/** The row of one sample (a failed scrape: no values, its error in the last column). */
export function monitorCsvRow(
  definitions: readonly SeriesDefinition[],
  sample: HostSample,
  load: MonitorCsvLoad,
): string {
  return csvLine([
    Math.floor(sample.timeMs / 1000),
    new Date(sample.timeMs).toISOString(),
    sample.host,
    load.userCount,
    cell(load.rps),
    cell(load.p95Ms),
    cell(load.generatorCpuPercent),
    ...definitions.map((d) => cell(sample.values[d.name])),
    sample.error ?? "",
  ]);
}
