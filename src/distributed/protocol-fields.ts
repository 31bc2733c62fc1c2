/**
 * Reading decoded msgpack liberally but safely: maps become prototype-free objects (a
 * "__proto__" key stays data), and each field is checked for the type it must have.
 * A wrong field throws {@link Invalid}, which the decoder turns into "malformed".
 */
import type { LocustErrorRow, LocustStatsEntry, StatsReport } from "./protocol.js";

/** Decoded msgpack data with maps as plain objects. */
export type Plain = null | boolean | number | string | Uint8Array | Plain[] | { [key: string]: Plain };

/** Decoded msgpack with maps as plain objects; maps whose keys matter as numbers are read with {@link numberMap}. */
export function toPlain(value: unknown): Plain {
  if (value instanceof Map) {
    const out: Record<string, Plain> = Object.create(null) as Record<string, Plain>;
    for (const [key, item] of value) out[String(key)] = toPlain(item);
    return out;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === undefined) return null;
  return value as Plain;
}

/** A map (not an array, not bytes). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Thrown by the readers below for a field of the wrong type. */
export class Invalid extends Error {}

/** Throws {@link Invalid}. */
export function fail(reason: string): never {
  throw new Invalid(reason);
}

/** The value as a map, or Invalid. */
export function record(value: unknown, what: string): Record<string, unknown> {
  return isRecord(value) ? value : fail(`${what} is not a map`);
}

/** The value as a string, or Invalid. */
export function str(value: unknown, what: string): string {
  return typeof value === "string" ? value : fail(`${what} is not a string`);
}

/** The value as a finite number, or Invalid. */
export function num(value: unknown, what: string): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fail(`${what} is not a number`);
}

/** A number, or null for nil/missing. */
export function optNum(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : num(value, what);
}

/** A map of name → count (nil/missing = empty). */
export function countMap(value: unknown, what: string): Record<string, number> {
  const map = value === null || value === undefined ? {} : record(value, what);
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(map)) out[key] = num(count, `${what}.${key}`);
  return out;
}

/** A map with numeric keys (a histogram or per-second counts). */
export function numberMap(value: unknown, what: string): Map<number, number> {
  const out = new Map<number, number>();
  if (value === null || value === undefined) return out;
  for (const [key, count] of Object.entries(record(value, what))) {
    const k = Number(key);
    if (!Number.isFinite(k)) fail(`${what} has a non-numeric key '${key}'`);
    out.set(k, (out.get(k) ?? 0) + num(count, `${what}[${key}]`));
  }
  return out;
}

function statsEntry(value: unknown, what: string): LocustStatsEntry {
  const e = record(value, what);
  const entry: LocustStatsEntry = {
    name: str(e.name, `${what}.name`),
    method: e.method === null || e.method === undefined ? "" : str(e.method, `${what}.method`),
    last_request_timestamp: optNum(e.last_request_timestamp, `${what}.last_request_timestamp`),
    start_time: num(e.start_time, `${what}.start_time`),
    num_requests: num(e.num_requests ?? 0, `${what}.num_requests`),
    num_none_requests: num(e.num_none_requests ?? 0, `${what}.num_none_requests`),
    num_failures: num(e.num_failures ?? 0, `${what}.num_failures`),
    total_response_time: num(e.total_response_time ?? 0, `${what}.total_response_time`),
    max_response_time: num(e.max_response_time ?? 0, `${what}.max_response_time`),
    min_response_time: optNum(e.min_response_time, `${what}.min_response_time`),
    total_content_length: num(e.total_content_length ?? 0, `${what}.total_content_length`),
    response_times: numberMap(e.response_times, `${what}.response_times`),
    num_reqs_per_sec: numberMap(e.num_reqs_per_sec, `${what}.num_reqs_per_sec`),
    num_fail_per_sec: numberMap(e.num_fail_per_sec, `${what}.num_fail_per_sec`),
  };
  if (isRecord(e.cicada_hdr) && e.cicada_hdr.histogram instanceof Uint8Array) {
    entry.cicada_hdr = {
      histogram: e.cicada_hdr.histogram,
      min_us: num(e.cicada_hdr.min_us, `${what}.cicada_hdr.min_us`),
      max_us: num(e.cicada_hdr.max_us, `${what}.cicada_hdr.max_us`),
    };
  }
  return entry;
}

function errorRow(value: unknown, what: string): LocustErrorRow {
  const e = record(value, what);
  const row: LocustErrorRow = {
    method: e.method === null || e.method === undefined ? "" : str(e.method, `${what}.method`),
    name: str(e.name, `${what}.name`),
    // Python workers may send a non-string error (it is repr()-ed by then, but be safe).
    error: typeof e.error === "string" ? e.error : String(e.error),
    occurrences: num(e.occurrences, `${what}.occurrences`),
  };
  if (typeof e.first_seen === "number") row.first_seen = e.first_seen;
  if (typeof e.last_seen === "number") row.last_seen = e.last_seen;
  return row;
}

/** The data of a `stats` message. */
export function statsReport(value: unknown): StatsReport {
  const d = record(value, "stats data");
  const stats = Array.isArray(d.stats) ? d.stats : fail("stats data.stats is not an array");
  const errors: Record<string, LocustErrorRow> = {};
  const rawErrors = d.errors === null || d.errors === undefined ? {} : record(d.errors, "stats data.errors");
  for (const [key, row] of Object.entries(rawErrors)) errors[key] = errorRow(row, `errors.${key}`);
  const userClassesCount = countMap(d.user_classes_count, "user_classes_count");
  const counted = Object.values(userClassesCount).reduce((a, b) => a + b, 0);
  return {
    stats: stats.map((entry, i) => statsEntry(entry, `stats[${i}]`)),
    stats_total: statsEntry(d.stats_total, "stats_total"),
    errors,
    user_count: typeof d.user_count === "number" ? d.user_count : counted,
    user_classes_count: userClassesCount,
  };
}
