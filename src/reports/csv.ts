/**
 * Locust's CSV files, byte for byte in layout: the same file suffixes, column names,
 * column order, row order and number formats as `locust --csv` (locust/stats.py
 * StatsCSV), so anything that reads Locust's CSVs reads these unchanged. Python's csv
 * module writes CRLF line ends and quotes only fields that need it; so do we.
 *
 * Response-time percentiles and the median are whole milliseconds, as Locust writes them
 * (rounded here, where Locust truncates its approximate buckets); averages, min and max
 * keep their decimals. Cicada's exact values are in the JSON report. A row that holds a
 * score, not a time (a page's CLS, `VITAL CLS /path`), keeps its decimals in every column:
 * rounded to whole "milliseconds", a CLS of 0.15 would read 0.
 *
 * One difference, for safety: text that comes from the run (request names and methods,
 * error messages, tracebacks) and starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'`, as OWASP advises against CSV injection: a spreadsheet would
 * run `=HYPERLINK(...)` in a request name as a formula. The columns stay Locust's.
 */
import {
  type EntrySnapshot,
  isScoreRow,
  PERCENTILES_TO_REPORT,
  percentileLabel,
  percentileValue,
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

/** Columns of `_stats.csv`, in Locust's order, with these percentile columns (--percentiles). */
export function statsCsvColumns(percentiles: readonly number[] = PERCENTILES_TO_REPORT): string[] {
  return [
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
    ...percentiles.map(percentileLabel),
  ];
}

/** Columns of `_stats_history.csv`, in Locust's order, with these percentile columns. */
export function statsHistoryCsvColumns(percentiles: readonly number[] = PERCENTILES_TO_REPORT): string[] {
  return [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
    ...percentiles.map(percentileLabel),
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
  ];
}

/** Columns of `_stats.csv` with Locust's percentiles. */
export const STATS_CSV_COLUMNS = statsCsvColumns();

/** Columns of `_stats_history.csv` with Locust's percentiles. */
export const STATS_HISTORY_CSV_COLUMNS = statsHistoryCsvColumns();

/**
 * The columns an arrival-rate test adds at the end of `_stats.csv`: the response times
 * from the intended start (Locust's own columns keep the service time, as always).
 */
export function intendedCsvColumns(percentiles: readonly number[] = PERCENTILES_TO_REPORT): string[] {
  return [
    "Intended Median Response Time",
    "Intended Average Response Time",
    "Intended Min Response Time",
    "Intended Max Response Time",
    ...percentiles.map((p) => `Intended ${percentileLabel(p)}`),
  ];
}

/** The intended-start columns with Locust's percentiles. */
export const INTENDED_CSV_COLUMNS = intendedCsvColumns();

/**
 * Columns of `_iterations.csv` (arrival-rate tests): one row a second, totals so far from
 * "Total Scheduled" on. "In Flight" = started − completed: running then; in the row
 * written at the end, the iterations interrupted by the stop.
 */
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
  "Total Completed",
  "In Flight",
  // A master's estimate of those due on workers that went missing, in no total before it.
  "Lost With Workers",
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

/**
 * Text from the run, safe to open in a spreadsheet: a leading `'` before a formula
 * trigger (OWASP's CSV injection advice).
 */
export function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const wholeMs = (value: number | null | undefined): number => Math.round(value ?? 0);

/** The median and percentile cells' format: whole ms, or a score's decimals (a CLS row). */
function medianCell(entry: EntrySnapshot): (value: number | null | undefined) => Cell {
  return isScoreRow(entry.method, entry.name) ? (value) => (value == null ? 0 : pythonFloat(value)) : wholeMs;
}

function percentileCells(entry: EntrySnapshot, percentiles: readonly number[], current: boolean): Cell[] {
  if (entry.numRequests === 0) return percentiles.map(() => "N/A");
  const values = current ? entry.currentPercentileValues : entry.percentiles;
  const cell = medianCell(entry);
  return percentiles.map((p) => cell(percentileValue(values, p)));
}

/**
 * Median, average, min, max and average size, typed as Locust's values are: a row without
 * response times has the int 0 for min (`min_response_time or 0`), max (its initial 0) and
 * the median, the float 0.0 for the average; a row without requests has the int 0 size.
 */
function timeAndSizeCells(entry: EntrySnapshot): Cell[] {
  const timed = entry.numRequests > entry.numNoneRequests;
  return [
    timed ? medianCell(entry)(entry.medianResponseTimeMs) : 0,
    pythonFloat(entry.avgResponseTimeMs),
    timed && entry.minResponseTimeMs !== null ? pythonFloat(entry.minResponseTimeMs) : 0,
    timed ? pythonFloat(entry.maxResponseTimeMs) : 0,
    entry.numRequests > 0 ? pythonFloat(entry.avgContentLength) : 0,
  ];
}

function statsRow(entry: EntrySnapshot, percentiles: readonly number[], intended: boolean): Cell[] {
  const row: Cell[] = [
    formulaSafe(entry.method),
    formulaSafe(entry.name),
    entry.numRequests,
    entry.numFailures,
    ...timeAndSizeCells(entry),
    pythonFloat(entry.totalRps),
    pythonFloat(entry.totalFailPerSec),
    ...percentileCells(entry, percentiles, false),
  ];
  if (intended) row.push(...intendedCells(entry, percentiles));
  return row;
}

/** The intended-start columns of a row (N/A where it recorded none). */
function intendedCells(entry: EntrySnapshot, percentiles: readonly number[]): Cell[] {
  const intended = entry.intended;
  if (intended === undefined) return intendedCsvColumns(percentiles).map(() => "N/A");
  return [
    wholeMs(intended.medianMs),
    pythonFloat(intended.avgMs),
    intended.minMs === null ? 0 : pythonFloat(intended.minMs),
    pythonFloat(intended.maxMs),
    ...percentiles.map((p) => wholeMs(percentileValue(intended.percentiles, p))),
  ];
}

/**
 * `_stats.csv`: a row per (method, name) sorted, then Aggregated. An arrival-rate test's
 * file has the response times from the intended start in extra columns at the end.
 */
export function statsCsv(snapshot: StatsSnapshot): string {
  const intended = snapshot.total.intended !== undefined;
  const percentiles = snapshot.reportedPercentiles;
  const rows = [...snapshot.entries, snapshot.total].map((entry) =>
    statsCsvLine(entry, percentiles, intended),
  );
  return statsCsvHeader(percentiles, intended) + rows.join("");
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
    // The target of the second Iterations/s counts (on a master 5 s back), so the two compare.
    // A ramp's rate is a real number: six decimals like the rates beside it.
    it.currentTargetRate.toFixed(6),
    it.currentRate.toFixed(6),
    it.currentDroppedPerSec.toFixed(6),
    it.scheduled,
    it.started,
    it.dropped,
    it.waiting,
    it.completed,
    it.inFlight,
    it.lostWithWorkers,
  ]);
}

/** The header line of `_stats.csv`. */
export function statsCsvHeader(
  percentiles: readonly number[] = PERCENTILES_TO_REPORT,
  intended = false,
): string {
  const columns = statsCsvColumns(percentiles);
  return csvLine(intended ? [...columns, ...intendedCsvColumns(percentiles)] : columns);
}

/**
 * One line of `_stats.csv` (for writers that build the file a row at a time), with these
 * percentile columns, and the intended-start columns in an arrival-rate test.
 */
export function statsCsvLine(
  entry: EntrySnapshot,
  percentiles: readonly number[] = PERCENTILES_TO_REPORT,
  intended = false,
): string {
  return csvLine(statsRow(entry, percentiles, intended));
}

/** The header line of `_stats_history.csv` (written once; rows are appended). */
export function statsHistoryCsvHeader(percentiles: readonly number[] = PERCENTILES_TO_REPORT): string {
  return csvLine(statsHistoryCsvColumns(percentiles));
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
  return entries
    .map((entry) =>
      statsHistoryCsvLine(entry, snapshot.timeMs, userCount, fullHistory, snapshot.reportedPercentiles),
    )
    .join("");
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
  percentiles: readonly number[] = PERCENTILES_TO_REPORT,
): string {
  return csvLine([
    Math.floor(timeMs / 1000),
    userCount,
    formulaSafe(entry.method),
    formulaSafe(entry.name),
    entry.currentRps.toFixed(6),
    entry.currentFailPerSec.toFixed(6),
    ...percentileCells(entry, percentiles, fullHistory),
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
