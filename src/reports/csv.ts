/**
 * Locust's CSV files, byte for byte in layout: the same file suffixes, column names,
 * column order, row order and number formats as `locust --csv` (locust/stats.py
 * StatsCSV), so anything that reads Locust's CSVs reads these unchanged. Python's csv
 * module writes CRLF line ends and quotes only fields that need it; so do we.
 *
 * Response-time percentiles and the median are whole milliseconds, as Locust writes them
 * (rounded here, where Locust truncates its approximate buckets); averages, min and max
 * keep their decimals. Cicada's exact values are in the JSON report.
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
  /** Cicada's own (arrival-rate tests only): target rate, started and dropped iterations every second. */
  iterations: "_iterations.csv",
  /** Cicada's own (when checks ran): passes and fails per named check. */
  checks: "_checks.csv",
  /** Cicada's own (when the locustfile has custom metrics): one row per metric. */
  metrics: "_metrics.csv",
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

/**
 * The columns an arrival-rate test adds at the end of `_stats.csv`: the response times
 * from the intended start (Locust's own columns keep the service time, as always).
 */
export const INTENDED_CSV_COLUMNS = [
  "Intended Median Response Time",
  "Intended Average Response Time",
  "Intended Min Response Time",
  "Intended Max Response Time",
  ...PERCENTILE_COLUMNS.map((label) => `Intended ${label}`),
];

/** Columns of `_iterations.csv` (arrival-rate tests): one row a second, totals so far in the last four. */
export const ITERATIONS_CSV_COLUMNS = [
  "Timestamp",
  "User Count",
  "Target Rate",
  "Iterations/s",
  "Dropped/s",
  "Total Scheduled",
  "Total Started",
  "Total Dropped",
  "Waiting",
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
export function pythonFloat(value: number): string {
  const text = pythonNumber(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
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

function statsRow(entry: EntrySnapshot, intended: boolean): Cell[] {
  const row: Cell[] = [
    entry.method,
    entry.name,
    entry.numRequests,
    entry.numFailures,
    ...timeAndSizeCells(entry),
    pythonFloat(entry.totalRps),
    pythonFloat(entry.totalFailPerSec),
    ...percentileCells(entry, false),
  ];
  if (intended) row.push(...intendedCells(entry));
  return row;
}

/** The intended-start columns of a row (N/A where it recorded none). */
function intendedCells(entry: EntrySnapshot): Cell[] {
  const intended = entry.intended;
  if (intended === undefined) return INTENDED_CSV_COLUMNS.map(() => "N/A");
  return [
    wholeMs(intended.medianMs),
    pythonFloat(intended.avgMs),
    intended.minMs === null ? 0 : pythonFloat(intended.minMs),
    pythonFloat(intended.maxMs),
    ...intended.percentiles.map(([, value]) => wholeMs(value)),
  ];
}

/**
 * `_stats.csv`: a row per (method, name) sorted, then Aggregated. An arrival-rate test's
 * file has the response times from the intended start in extra columns at the end.
 */
export function statsCsv(snapshot: StatsSnapshot): string {
  const intended = snapshot.total.intended !== undefined;
  const header = intended ? [...STATS_CSV_COLUMNS, ...INTENDED_CSV_COLUMNS] : STATS_CSV_COLUMNS;
  const rows = [...snapshot.entries, snapshot.total].map((entry) => statsRow(entry, intended));
  return [header, ...rows].map(csvLine).join("");
}

/** The header line of `_iterations.csv` (written once; rows are appended). */
export function iterationsCsvHeader(): string {
  return csvLine(ITERATIONS_CSV_COLUMNS);
}

/** The `_iterations.csv` row of one moment; "" when the test does not run at an arrival rate. */
export function iterationsCsvRow(snapshot: StatsSnapshot, userCount: number): string {
  const it = snapshot.iterations;
  if (it === undefined) return "";
  return csvLine([
    Math.floor(snapshot.timeMs / 1000),
    userCount,
    pythonFloat(it.targetRate),
    it.currentRate.toFixed(6),
    it.currentDroppedPerSec.toFixed(6),
    it.scheduled,
    it.started,
    it.dropped,
    it.waiting,
  ]);
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
  const timestamp = Math.floor(snapshot.timeMs / 1000);
  const entries = fullHistory ? [...snapshot.entries, snapshot.total] : [snapshot.total];
  return entries
    .map((entry) =>
      csvLine([
        timestamp,
        userCount,
        entry.method,
        entry.name,
        entry.currentRps.toFixed(6),
        entry.currentFailPerSec.toFixed(6),
        ...percentileCells(entry, fullHistory),
        entry.numRequests,
        entry.numFailures,
        ...timeAndSizeCells(entry),
      ]),
    )
    .join("");
}

/** ISO time without milliseconds, as Locust's `%Y-%m-%dT%H:%M:%SZ`. */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `_failures.csv`: one row per (method, name, error). */
export function failuresCsv(snapshot: StatsSnapshot): string {
  const rows = snapshot.errors.map((e) => [
    e.method,
    e.name,
    e.error,
    e.occurrences,
    isoSeconds(e.firstSeenMs),
    isoSeconds(e.lastSeenMs),
  ]);
  return [FAILURES_CSV_COLUMNS, ...rows].map(csvLine).join("");
}

/** `_exceptions.csv`: one row per distinct exception. */
export function exceptionsCsv(snapshot: StatsSnapshot): string {
  const rows = snapshot.exceptions.map((e) => [e.count, e.message, e.traceback, e.nodes.join(", ")]);
  return [EXCEPTIONS_CSV_COLUMNS, ...rows].map(csvLine).join("");
}
