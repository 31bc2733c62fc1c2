/**
 * What a master accepts in a worker's `stats` report. The wire format says only "a
 * number" where the statistics need a count (a whole number ≥ 0), a time (≥ 0), or a
 * histogram that holds as many response times as the row has timed requests. One
 * well-formed report with `num_requests: -1000000` from any peer that reaches the master
 * port would otherwise turn the final report into -999,321 requests. A report with any
 * such value is dropped whole (and logged); the master keeps running.
 */
import type { LocustErrorRow, LocustStatsEntry, StatsReport } from "./protocol.js";

const isCount = (value: unknown): boolean =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const isTime = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** Why `report` must be dropped, or undefined when every number in it makes sense. */
export function statsReportProblem(report: StatsReport): string | undefined {
  if (!isCount(report.user_count)) return `user_count is ${String(report.user_count)}`;
  for (const [name, count] of Object.entries(report.user_classes_count)) {
    if (!isCount(count)) return `user_classes_count of ${name} is ${String(count)}`;
  }
  for (const row of [...report.stats, report.stats_total]) {
    const problem = rowProblem(row);
    if (problem !== undefined) return `row '${row.method} ${row.name}': ${problem}`;
  }
  for (const row of Object.values(report.errors)) {
    const problem = errorRowProblem(row);
    if (problem !== undefined) return `error row '${row.method} ${row.name}': ${problem}`;
  }
  return undefined;
}

function rowProblem(row: LocustStatsEntry): string | undefined {
  for (const key of ["num_requests", "num_none_requests", "num_failures", "total_content_length"] as const) {
    if (!isCount(row[key])) return `${key} is ${String(row[key])} (expected a whole number ≥ 0)`;
  }
  if (row.num_none_requests > row.num_requests) return "more requests without a time than requests";
  for (const key of ["total_response_time", "max_response_time", "start_time"] as const) {
    if (!isTime(row[key])) return `${key} is ${String(row[key])} (expected a number ≥ 0)`;
  }
  if (
    row.min_response_time !== null &&
    !(isTime(row.min_response_time) && row.min_response_time <= row.max_response_time)
  ) {
    return `min_response_time is ${String(row.min_response_time)} (expected 0 to max_response_time)`;
  }
  if (row.last_request_timestamp !== null && !isTime(row.last_request_timestamp)) {
    return `last_request_timestamp is ${String(row.last_request_timestamp)}`;
  }
  return (
    countsProblem("response_times", row.response_times, isTime) ??
    countsProblem("num_reqs_per_sec", row.num_reqs_per_sec, isCount) ??
    countsProblem("num_fail_per_sec", row.num_fail_per_sec, isCount) ??
    histogramProblem(row)
  );
}

/** A dict of key → count: keys as `validKey` says, counts whole numbers ≥ 0. */
function countsProblem(
  what: string,
  counts: ReadonlyMap<number, number>,
  validKey: (key: number) => boolean,
): string | undefined {
  for (const [key, count] of counts) {
    if (!validKey(key) || !isCount(count)) return `${what} has ${String(key)}: ${String(count)}`;
  }
  return undefined;
}

/**
 * Cicada's histogram bounds; that it holds exactly the row's timed requests is checked
 * when it is decoded (RequestStats.mergeSerializedReport), before anything is merged.
 */
function histogramProblem(row: LocustStatsEntry): string | undefined {
  const hdr = row.cicada_hdr;
  if (hdr === undefined) return undefined;
  if (!isTime(hdr.min_us) || !isTime(hdr.max_us)) return `histogram bounds ${hdr.min_us}..${hdr.max_us}`;
  return undefined;
}

function errorRowProblem(row: LocustErrorRow): string | undefined {
  if (!isCount(row.occurrences)) return `occurrences is ${String(row.occurrences)}`;
  for (const key of ["first_seen", "last_seen"] as const) {
    const value = row[key];
    if (value !== undefined && !isTime(value)) return `${key} is ${String(value)}`;
  }
  return undefined;
}
