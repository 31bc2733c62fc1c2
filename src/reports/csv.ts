/**
 * Locust's CSV files, byte for byte in layout: the same file suffixes, column names,
 * column order, row order and number formats as `locust --csv` (locust/stats.py
 * StatsCSV), so anything that reads Locust's CSVs reads these unchanged. Python's csv
 * module writes CRLF line ends and quotes only fields that need it; so do we.
 *
 * Response-time percentiles and the median are whole milliseconds, as Locust writes them
 * (rounded here, where Locust truncates its approximate buckets); averages, min and max
 * keep their decimals. Cicada's exact values are in the JSON report.
 *
 * One difference, for safety: text that comes from the run (request names and methods,
 * error messages, tracebacks) and starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'`, as OWASP advises against CSV injection: a spreadsheet would
 * run `=HYPERLINK(...)` in a request name as a formula. The columns stay Locust's.
 */
import {
  type EntrySnapshot,
  PERCENTILES_TO_REPORT,
  percentileLabel,
  type StatsSnapshot,
} from "../stats/index.js";

/** File suffixes after the --csv prefix. */
export const CSV_FILES = {
  stats: "_stats.csv",
  history: "_stats_history.csv",
  failures: "_failures.csv",
  exceptions: "_exceptions.csv",
} as const;

const PERCENTILE_COLUMNS = PERCENTILES_TO_REPORT.map(percentileLabel);

/** Columns of `_stats.csv`, in Locust's order. */
export const STATS_CSV_COLUMNS = [
  "Type",
  "Name",
  "Request Count",
  "Failure Count",
  "Median Response Time",
  "Average Response Time",
  "Min Response Time",
  "Max Response Time",
  "Average Content Size",
  "Requests/s",
  "Failures/s",
  ...PERCENTILE_COLUMNS,
];

/** Columns of `_stats_history.csv`, in Locust's order. */
export const STATS_HISTORY_CSV_COLUMNS = [
  "Timestamp",
  "User Count",
  "Type",
  "Name",
  "Requests/s",
  "Failures/s",
  ...PERCENTILE_COLUMNS,
  "Total Request Count",
  "Total Failure Count",
  "Total Median Response Time",
  "Total Average Response Time",
  "Total Min Response Time",
  "Total Max Response Time",
  "Total Average Content Size",
];

/** Columns of `_failures.csv`. */
export const FAILURES_CSV_COLUMNS = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"];
/** Columns of `_exceptions.csv`. */
export const EXCEPTIONS_CSV_COLUMNS = ["Count", "Message", "Traceback", "Nodes"];

type Cell = string | number;

/** One CSV line as Python's csv.writer (QUOTE_MINIMAL, CRLF) writes it. */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function csvCell(cell: Cell): string {
  const text = typeof cell === "number" ? pythonNumber(cell) : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Numbers as Python's str() writes them: integers without a decimal point, floats with one. */
function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  return String(value);
}

/** A float written the way Python's str(float) does: always with a decimal part. */
function pythonFloat(value: number): string {
  const text = pythonNumber(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/**
 * Text from the run, safe to open in a spreadsheet: a leading `'` before a formula
 * trigger (OWASP's CSV injection advice).
 */
export function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const wholeMs = (value: number | null | undefined): number => Math.round(value ?? 0);

function percentileCells(entry: EntrySnapshot, current: boolean): Cell[] {
  if (entry.numRequests === 0) return PERCENTILE_COLUMNS.map(() => "N/A");
  const values = current ? (entry.currentPercentileValues ?? []) : entry.percentiles;
  return PERCENTILES_TO_REPORT.map((_, i) => wholeMs(values[i]?.[1]));
}

/**
 * Median, average, min, max and average size, typed as Locust's values are: a row without
 * response times has the int 0 for min (`min_response_time or 0`), max (its initial 0) and
 * the median, the float 0.0 for the average; a row without requests has the int 0 size.
 */
function timeAndSizeCells(entry: EntrySnapshot): Cell[] {
  const timed = entry.numRequests > entry.numNoneRequests;
  return [
    wholeMs(entry.medianResponseTimeMs),
    pythonFloat(entry.avgResponseTimeMs),
    timed && entry.minResponseTimeMs !== null ? pythonFloat(entry.minResponseTimeMs) : 0,
    timed ? pythonFloat(entry.maxResponseTimeMs) : 0,
    entry.numRequests > 0 ? pythonFloat(entry.avgContentLength) : 0,
  ];
}

function statsRow(entry: EntrySnapshot): Cell[] {
  return [
    formulaSafe(entry.method),
    formulaSafe(entry.name),
    entry.numRequests,
    entry.numFailures,
    ...timeAndSizeCells(entry),
    pythonFloat(entry.totalRps),
    pythonFloat(entry.totalFailPerSec),
    ...percentileCells(entry, false),
  ];
}

/** `_stats.csv`: a row per (method, name) sorted, then Aggregated. */
export function statsCsv(snapshot: StatsSnapshot): string {
  return [STATS_CSV_COLUMNS, ...snapshot.entries.map(statsRow), statsRow(snapshot.total)]
    .map(csvLine)
    .join("");
}

/** The header line of `_stats.csv`. */
export function statsCsvHeader(): string {
  return csvLine(STATS_CSV_COLUMNS);
}

/** One line of `_stats.csv` (for writers that build the file a row at a time). */
export function statsCsvLine(entry: EntrySnapshot): string {
  return csvLine(statsRow(entry));
}

/** The header line of `_stats_history.csv` (written once; rows are appended). */
export function statsHistoryCsvHeader(): string {
  return csvLine(STATS_HISTORY_CSV_COLUMNS);
}

/**
 * The rows appended to `_stats_history.csv` at one moment: the Aggregated row, preceded
 * by one row per name with `fullHistory`. As in Locust, the percentile columns are
 * cumulative for the Aggregated-only file and current-window with full history (then the
 * snapshot must have been taken with `allCurrentPercentiles`).
 */
export function statsHistoryCsvRows(
  snapshot: StatsSnapshot,
  userCount: number,
  fullHistory: boolean,
): string {
  const entries = fullHistory ? [...snapshot.entries, snapshot.total] : [snapshot.total];
  return entries.map((entry) => statsHistoryCsvLine(entry, snapshot.timeMs, userCount, fullHistory)).join("");
}

/**
 * One line of `_stats_history.csv` for `entry` at `timeMs`: current-window percentiles with
 * `fullHistory` (the entry's `currentPercentileValues`), cumulative ones without.
 */
export function statsHistoryCsvLine(
  entry: EntrySnapshot,
  timeMs: number,
  userCount: number,
  fullHistory: boolean,
): string {
  return csvLine([
    Math.floor(timeMs / 1000),
    userCount,
    formulaSafe(entry.method),
    formulaSafe(entry.name),
    entry.currentRps.toFixed(6),
    entry.currentFailPerSec.toFixed(6),
    ...percentileCells(entry, fullHistory),
    entry.numRequests,
    entry.numFailures,
    ...timeAndSizeCells(entry),
  ]);
}

/** ISO time without milliseconds, as Locust's `%Y-%m-%dT%H:%M:%SZ`. */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `_failures.csv`: one row per (method, name, error). */
export function failuresCsv(snapshot: StatsSnapshot): string {
  const rows = snapshot.errors.map((e) => [
    formulaSafe(e.method),
    formulaSafe(e.name),
    formulaSafe(e.error),
    e.occurrences,
    isoSeconds(e.firstSeenMs),
    isoSeconds(e.lastSeenMs),
  ]);
  return [FAILURES_CSV_COLUMNS, ...rows].map(csvLine).join("");
}

/** `_exceptions.csv`: one row per distinct exception. */
export function exceptionsCsv(snapshot: StatsSnapshot): string {
  const rows = snapshot.exceptions.map((e) => [
    e.count,
    formulaSafe(e.message),
    formulaSafe(e.traceback),
    formulaSafe(e.nodes.join(", ")),
  ]);
  return [EXCEPTIONS_CSV_COLUMNS, ...rows].map(csvLine).join("");
}
