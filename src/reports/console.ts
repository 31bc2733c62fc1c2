/**
 * The console tables of a headless run, laid out as Locust's (`locust/stats.py`
 * get_stats_summary, get_percentile_stats_summary, print_error_report), so a Locust user
 * reads them at a glance. Pure functions of a stats snapshot.
 *
 * Differences on purpose: response times keep decimals below 100 ms (Locust truncates
 * to whole milliseconds, so a fast endpoint reads as 0), and the percentile block is
 * exact, not "approximated".
 */

import { firstFrame } from "../shared/thrown.js";
import {
  type EntrySnapshot,
  formatScore,
  isScoreRow,
  percentileLabel,
  percentileValue,
  type StatsSnapshot,
} from "../stats/index.js";
import { formatChecks, formatCustomMetrics } from "./scripting-tables.js";

const MAX_NAME_WIDTH = 80;

/** A row's time cells: milliseconds, or a score's three significant digits (a CLS row). */
export function cellFormat(
  entry: Pick<EntrySnapshot, "method" | "name">,
): (value: number | null | undefined) => string {
  return isScoreRow(entry.method, entry.name) ? formatScore : formatMs;
}

/** Milliseconds for a table cell: whole numbers from 100 ms, decimals below. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "0";
  if (value >= 100) return Math.round(value).toString();
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

interface Widths {
  type: number;
  name: number;
}

function columnWidths(snapshot: StatsSnapshot): Widths {
  const names = snapshot.entries.map((e) => e.name.length);
  const types = snapshot.entries.map((e) => e.method.length + 1);
  return {
    type: Math.max(8, ...types),
    name: Math.min(MAX_NAME_WIDTH, Math.max(24, "Aggregated".length, ...names)),
  };
}

const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);

function statsRow(entry: EntrySnapshot, widths: Widths, current: boolean): string {
  const rps = current ? entry.currentRps : entry.totalRps;
  const failPerSec = current ? entry.currentFailPerSec : entry.totalFailPerSec;
  const fails = `${entry.numFailures}(${(entry.failRatio * 100).toFixed(2)}%)`;
  const ms = cellFormat(entry);
  return [
    pad(entry.method ? `${entry.method} ` : "", widths.type),
    pad(truncate(entry.name, widths.name), widths.name),
    lpad(String(entry.numRequests), 7),
    `${lpad(fails, 12)} |`,
    lpad(ms(entry.avgResponseTimeMs), 7),
    lpad(ms(entry.minResponseTimeMs), 7),
    lpad(ms(entry.maxResponseTimeMs), 7),
    `${lpad(ms(entry.medianResponseTimeMs), 7)} |`,
    lpad(rps.toFixed(2), 7),
    lpad(failPerSec.toFixed(2), 11),
  ].join(" ");
}

/**
 * The request statistics table: one row per (method, name), then Aggregated. With
 * `current` the rates are the last 10 s (the live table); without, whole-run rates.
 */
export function formatStatsTable(snapshot: StatsSnapshot, current: boolean): string[] {
  const widths = columnWidths(snapshot);
  const header = [
    pad("Type", widths.type),
    pad("Name", widths.name),
    lpad("# reqs", 7),
    `${lpad("# fails", 12)} |`,
    lpad("Avg", 7),
    lpad("Min", 7),
    lpad("Max", 7),
    `${lpad("Med", 7)} |`,
    lpad("req/s", 7),
    lpad("failures/s", 11),
  ].join(" ");
  const separator = [
    "-".repeat(widths.type),
    "-".repeat(widths.name + 1),
    "-".repeat(8),
    "-".repeat(14),
    "-".repeat(8),
    "-".repeat(8),
    "-".repeat(8),
    "-".repeat(8),
    "-".repeat(9),
    "-".repeat(11),
  ].join("|");
  return [
    header,
    separator,
    ...snapshot.entries.map((e) => statsRow(e, widths, current)),
    separator,
    statsRow(snapshot.total, widths, current),
    "",
  ];
}

/** "Response time percentiles": 50% … 100% and # reqs per row, exact to 3 significant digits. */
export function formatPercentileTable(snapshot: StatsSnapshot): string[] {
  const title = snapshot.roundedTimes
    ? "Response time percentiles (ms; Locust workers' times are rounded as Locust rounds them)"
    : "Response time percentiles (exact, ms)";
  return percentileTable(snapshot, title, (entry) =>
    entry.numRequests > entry.numNoneRequests
      ? { values: entry.percentiles, count: entry.numRequests }
      : undefined,
  );
}

/**
 * The open model's second table: the response times from each iteration's intended start
 * (waiting for a free user and earlier requests of the iteration included), the latency
 * a visitor arriving on schedule sees. Empty for a closed-model run.
 */
export function formatIntendedPercentileTable(snapshot: StatsSnapshot): string[] {
  if (snapshot.total.intended === undefined) return [];
  return percentileTable(
    snapshot,
    "Response time percentiles from the intended start (exact, ms; waits for a free user included)",
    (entry) =>
      entry.intended ? { values: entry.intended.percentiles, count: entry.intended.count } : undefined,
  );
}

type PercentileRow = { values: EntrySnapshot["percentiles"]; count: number } | undefined;

function percentileTable(
  snapshot: StatsSnapshot,
  title: string,
  rowOf: (entry: EntrySnapshot) => PercentileRow,
): string[] {
  const widths = columnWidths(snapshot);
  const reported = snapshot.reportedPercentiles;
  const labels = reported.map(percentileLabel);
  const header = [
    pad("Type", widths.type),
    pad("Name", widths.name),
    ...labels.map((l) => lpad(l, 7)),
    lpad("# reqs", 7),
  ];
  const separator = [
    "-".repeat(widths.type),
    "-".repeat(widths.name + 1),
    ...labels.map(() => "-".repeat(8)),
    "-".repeat(7),
  ].join("|");
  const row = (entry: EntrySnapshot, data: NonNullable<PercentileRow>) => {
    const cell = cellFormat(entry);
    return [
      pad(entry.method ? `${entry.method} ` : "", widths.type),
      pad(truncate(entry.name, widths.name), widths.name),
      ...reported.map((p) => lpad(cell(percentileValue(data.values, p)), 7)),
      lpad(String(data.count), 7),
    ].join(" ");
  };
  const rowsOf = (entries: EntrySnapshot[]) =>
    entries.flatMap((entry) => {
      const data = rowOf(entry);
      return data === undefined ? [] : [row(entry, data)];
    });
  const rows = rowsOf(snapshot.entries);
  const total = rowsOf([snapshot.total]);
  return [title, header.join(" "), separator, ...rows, separator, ...total, ""];
}

/** "Error report": occurrences and "METHOD name: error" per failure group, most frequent first. */
export function formatErrorReport(snapshot: StatsSnapshot): string[] {
  if (snapshot.errors.length === 0 && snapshot.droppedErrors === 0) return [];
  const separator = `${"-".repeat(18)}|${"-".repeat(80)}`;
  const lines = ["Error report", `${pad("# occurrences", 18)} Error`, separator];
  for (const error of snapshot.errors) {
    lines.push(`${pad(String(error.occurrences), 18)} ${error.method} ${error.name}: ${error.error}`);
  }
  if (snapshot.droppedErrors > 0) {
    lines.push(
      `${pad(String(snapshot.droppedErrors), 18)} (other errors, beyond the limit of distinct errors kept)`,
    );
  }
  lines.push(separator, "");
  return lines;
}

/** "Exceptions": errors thrown by task code, grouped by stack, with where they were thrown. */
export function formatExceptionsReport(snapshot: StatsSnapshot): string[] {
  if (snapshot.exceptions.length === 0 && snapshot.droppedExceptions === 0) return [];
  const separator = `${"-".repeat(8)}|${"-".repeat(90)}`;
  const lines = ["Exceptions", `${pad("# count", 8)} Message (thrown at)`, separator];
  for (const exception of snapshot.exceptions) {
    const where = firstFrame(exception.traceback);
    lines.push(`${pad(String(exception.count), 8)} ${exception.message}${where ? `  (at ${where})` : ""}`);
  }
  if (snapshot.droppedExceptions > 0) {
    lines.push(`${pad(String(snapshot.droppedExceptions), 8)} (other exceptions, beyond the limit kept)`);
  }
  lines.push(separator, "");
  return lines;
}

/**
 * The open model's iterations: target and achieved rate, started, dropped and waiting; in
 * flight during the test, completed and interrupted at its end.
 * With `current`, the rates are the last whole second's (the live table); without, the whole test.
 * Empty for a closed-model run.
 */
export function formatIterations(snapshot: StatsSnapshot, current: boolean): string[] {
  const it = snapshot.iterations;
  if (it === undefined) return [];
  const rate = (value: number) => `${Number(value.toFixed(2))}/s`;
  // Those still waiting when the test stopped are part of the count, said apart: the stop
  // dropped them, not --max-queue-time (and they are in no per-second rate).
  const atStop = it.droppedAtStop > 0 ? `, ${it.droppedAtStop} at the stop` : "";
  const dropped = current
    ? `${it.dropped} dropped (${rate(it.currentDroppedPerSec)}${atStop})`
    : `${it.dropped} dropped (${it.scheduled > 0 ? ((it.dropped / it.scheduled) * 100).toFixed(2) : "0.00"}%${atStop})`;
  const started = `started ${it.started} (${rate(it.totalRate)})`;
  if (current) {
    // The last whole second's rate beside the target of that same second: beside the target
    // now, a ramp read as a shortfall (27.98/s asked, 18/s started, none missing).
    return [
      `Iterations (arrival rate): target ${rate(it.targetRate)}, started ${it.started} ` +
        `(${rate(it.currentRate)} in the last whole second, of ${rate(it.currentTargetRate)} due), ${it.inFlight} in flight, ` +
        `${dropped}, ${it.waiting} waiting, ${it.scheduled} scheduled`,
      "",
    ];
  }
  const lost = it.lostWithWorkers > 0 ? [lostWithWorkersText(it.lostWithWorkers)] : [];
  return [
    `Iterations (arrival rate): target ${rate(it.targetRate)}, ${started}, ${dropped}, ${it.waiting} waiting, ${it.scheduled} scheduled`,
    `Of the started: ${it.completed} completed, ${interruptedText(it)}`,
    ...lost,
    "",
  ];
}

/** The sentence for a master's estimate of iterations lost with workers that went missing (console and HTML). */
export function lostWithWorkersText(count: number): string {
  return (
    `About ${count} more iterations fell due on workers that went missing and are in no count above ` +
    "(run but never reported, or not run until the rate moved)"
  );
}

/**
 * "M interrupted (…)": the started iterations a test's end cut off, worded for the final
 * console summary and the HTML report alike.
 */
export function interruptedText(it: { started: number; inFlight: number }, word = " interrupted"): string {
  if (it.inFlight === 0) return `0${word}`;
  const share = it.started > 0 ? ` (${((it.inFlight / it.started) * 100).toFixed(2)}%)` : "";
  return `${it.inFlight}${word}${share} (still running when the test stopped; their requests in flight are not in the statistics)`;
}

/**
 * One line when the HTTP client sent requests twice (the server closed a kept connection
 * without answering): the target's own request count is higher than the table's by that much.
 */
export function formatResentRequests(snapshot: Pick<StatsSnapshot, "resentRequests">): string[] {
  const resent = snapshot.resentRequests ?? 0;
  if (resent === 0) return [];
  const requests = resent === 1 ? "1 request was" : `${resent} requests were`;
  return [
    `${requests} sent twice: the server closed a keep-alive connection without answering, so ` +
      `${resent === 1 ? "it went" : "they went"} again on a new connection. Each is counted once above; ` +
      "the server may have counted it twice",
    "",
  ];
}

/**
 * One line when stopped users aborted requests they had sent: the target's own request
 * count may be higher than the table's by that much. "Their users": the users stopped at
 * the end, and any stopped before it (a lower user count, a capacity search's step down).
 * `stopTimeoutMs` is the run's --stop-timeout: without one, the line points to it; with
 * one, it ran out before those tasks ended (a longer one would have let them finish).
 */
export function formatAbortedRequests(
  snapshot: Pick<StatsSnapshot, "abortedRequests">,
  stopTimeoutMs = 0,
  cutShort = false,
): string[] {
  const aborted = snapshot.abortedRequests ?? 0;
  if (aborted === 0) return [];
  const [requests, users, they, them, tasks] =
    aborted === 1
      ? ["1 request was", "its user", "it is", "it", "its task"]
      : [`${aborted} requests were`, "their users", "they are", "them", "their tasks"];
  const fix =
    stopTimeoutMs > 0
      ? cutShort
        ? `a second interrupt stopped ${users} before the stop timeout (-s/--stop-timeout, ${formatSeconds(stopTimeoutMs)}) let ${tasks} end`
        : `the stop timeout (-s/--stop-timeout, ${formatSeconds(stopTimeoutMs)}) ran out before ${tasks} ended`
      : "-s/--stop-timeout lets tasks finish";
  return [
    `${requests} in flight when ${users} stopped: ${they} in no statistic ` +
      `(the server may have answered ${them}); ${fix}`,
    "",
  ];
}

/** 3000 ms as "3 s", 1500 as "1.5 s". */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * A warning line when stopped users aborted requests still waiting for a connection (to be
 * opened, to finish its TLS handshake, or to be free): a target that accepts no more
 * connections, or never answers the handshake, leaves every user there, and the table, with
 * no request and no failure, would look like a clean run.
 */
export function formatAbortedUnsentRequests(
  snapshot: Pick<StatsSnapshot, "abortedUnsentRequests"> & { total: { numRequests: number } },
): string[] {
  const unsent = snapshot.abortedUnsentRequests ?? 0;
  if (unsent === 0) return [];
  const [requests, users, they] =
    unsent === 1 ? ["1 request was", "its user", "it"] : [`${unsent} requests were`, "their users", "they"];
  const none = snapshot.total.numRequests === 0 ? ", and no request of the run got an answer" : "";
  return [
    `⚠ ${requests} still waiting for a connection (connect, TLS handshake, or a busy connection) ` +
      `when ${users} stopped: the target never received ${they === "it" ? "it" : "them"}, ` +
      `${they} ${unsent === 1 ? "is" : "are"} in no statistic${none}. A target that accepts no ` +
      "connections, or never completes the TLS handshake, looks like this; an HttpUser's " +
      "connectionTimeout makes such waits failures",
    "",
  ];
}

/**
 * The final blocks of a headless run (the open model's, the checks, the custom metrics and
 * the exceptions only when there are any). `stopTimeoutMs`: the run's --stop-timeout.
 */
export function formatFinalSummary(snapshot: StatsSnapshot, stopTimeoutMs = 0, cutShort = false): string[] {
  return [
    ...formatStatsTable(snapshot, false),
    ...formatPercentileTable(snapshot),
    ...formatIntendedPercentileTable(snapshot),
    ...formatResentRequests(snapshot),
    ...formatAbortedRequests(snapshot, stopTimeoutMs, cutShort),
    ...formatAbortedUnsentRequests(snapshot),
    ...formatIterations(snapshot, false),
    ...formatChecks(snapshot),
    ...formatCustomMetrics(snapshot),
    ...formatErrorReport(snapshot),
    ...formatExceptionsReport(snapshot),
  ];
}
