/**
 * Reading decoded msgpack liberally but safely. msgpackr decodes every map as a `Map`
 * (integer keys stay numbers, a "__proto__" key is data), and the readers here take the
 * fields they need straight from those Maps, checking each for the type it must have:
 * no intermediate objects, which matters on a master merging hundreds of reports a
 * second. A wrong field throws {@link Invalid}, which the decoder turns into "malformed".
 * Only the rare fields handed on as free-form data become objects ({@link toPlain}).
 */
import type {
  CicadaArrival,
  CicadaHistogram,
  CicadaIntended,
  CicadaIterations,
  LocustErrorRow,
  LocustStatsEntry,
  StatsReport,
} from "./protocol.js";
import { cicadaChecks, cicadaMetrics } from "./protocol-scripting.js";

/** Decoded msgpack data with maps as plain objects (what {@link toPlain} returns). */
export type Plain = null | boolean | number | string | Uint8Array | Plain[] | { [key: string]: Plain };

/** A decoded msgpack map. */
export type WireMap = ReadonlyMap<unknown, unknown>;

/** Decoded msgpack with maps as prototype-free objects (string keys), for free-form data. */
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

/** A decoded map (not an array, not bytes). */
export function isMap(value: unknown): value is WireMap {
  return value instanceof Map;
}

/** Thrown by the readers below for a field of the wrong type. */
export class Invalid extends Error {}

/** Throws {@link Invalid}. */
export function fail(reason: string): never {
  throw new Invalid(reason);
}

/** The value as a map, or Invalid. */
export function record(value: unknown, what: string): WireMap {
  return value instanceof Map ? value : fail(`${what} is not a map`);
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
  const out: Record<string, number> = {};
  if (value === null || value === undefined) return out;
  for (const [key, count] of record(value, what)) out[String(key)] = num(count, `${what}.${String(key)}`);
  return out;
}

/**
 * A map with numeric keys (Locust's buckets or per-second counts). Python and Cicada
 * send integer keys, so msgpackr's own Map is returned as it is once every key and count
 * is checked; a map with numeric strings as keys is copied with numbers (equal keys add up).
 */
export function numberMap(value: unknown, what: string): Map<number, number> {
  if (value === null || value === undefined) return new Map();
  const map = record(value, what) as Map<unknown, unknown>;
  let numericKeys = true;
  for (const [key, count] of map) {
    if (typeof key !== "number" || !Number.isFinite(key)) numericKeys = false;
    if (typeof count !== "number" || !Number.isFinite(count)) fail(`${what}[${String(key)}] is not a number`);
  }
  if (numericKeys) return map as Map<number, number>;
  const out = new Map<number, number>();
  for (const [key, count] of map as Map<unknown, number>) {
    const k = typeof key === "number" || typeof key === "string" ? Number(key) : Number.NaN;
    if (!Number.isFinite(k)) fail(`${what} has a non-numeric key '${String(key)}'`);
    out.set(k, (out.get(k) ?? 0) + count);
  }
  return out;
}

function orEmpty(value: unknown, what: string): string {
  return value === null || value === undefined ? "" : str(value, what);
}

/** `cicada_hdr`: used when it is a map holding bytes, else ignored (a sender without it). */
function cicadaHistogram(value: unknown, what: string): CicadaHistogram | undefined {
  if (!(value instanceof Map) || !(value.get("histogram") instanceof Uint8Array)) return undefined;
  return {
    histogram: value.get("histogram") as Uint8Array,
    min_us: num(value.get("min_us"), `${what}.cicada_hdr.min_us`),
    max_us: num(value.get("max_us"), `${what}.cicada_hdr.max_us`),
  };
}

/** `cicada_intended`: used when it is a map holding bytes, else ignored (as `cicada_hdr`). */
function cicadaIntended(value: unknown, what: string): CicadaIntended | undefined {
  if (!(value instanceof Map) || !(value.get("histogram") instanceof Uint8Array)) return undefined;
  return {
    histogram: value.get("histogram") as Uint8Array,
    min_ms: num(value.get("min_ms"), `${what}.cicada_intended.min_ms`),
    max_ms: num(value.get("max_ms"), `${what}.cicada_intended.max_ms`),
    total_ms: num(value.get("total_ms"), `${what}.cicada_intended.total_ms`),
  };
}

/** `cicada_resent_requests`, `cicada_aborted_requests` or `cicada_aborted_unsent_requests` of a report: a count. */
function countField(value: unknown, key: string): number {
  const count = num(value, key);
  return Number.isInteger(count) && count >= 0 ? count : fail(`${key} is not a count`);
}

/** `cicada_iterations` of a report: a map, else ignored. */
function cicadaIterations(value: unknown): CicadaIterations | undefined {
  if (!(value instanceof Map)) return undefined;
  const what = "cicada_iterations";
  return {
    scheduled: num(value.get("scheduled"), `${what}.scheduled`),
    started: num(value.get("started"), `${what}.started`),
    // A worker of an older Cicada sends no count of completed iterations.
    completed: value.has("completed") ? num(value.get("completed"), `${what}.completed`) : 0,
    dropped: num(value.get("dropped"), `${what}.dropped`),
    // Nor of those dropped at the stop.
    dropped_at_stop: value.has("dropped_at_stop")
      ? num(value.get("dropped_at_stop"), `${what}.dropped_at_stop`)
      : 0,
    started_per_sec: numberMap(value.get("started_per_sec"), `${what}.started_per_sec`),
    dropped_per_sec: numberMap(value.get("dropped_per_sec"), `${what}.dropped_per_sec`),
  };
}

/** `cicada_arrival` of a spawn message: the worker's share of an arrival rate. */
export function cicadaArrival(value: unknown): CicadaArrival {
  const a = record(value, "cicada_arrival");
  const what = "cicada_arrival";
  const nonNegative = (key: string) => {
    const n = num(a.get(key), `${what}.${key}`);
    return n >= 0 ? n : fail(`${what}.${key} is negative`);
  };
  const rateTo = optNum(a.get("rate_to"), `${what}.rate_to`);
  if (rateTo !== null && rateTo < 0) fail(`${what}.rate_to is negative`);
  return {
    rate: nonNegative("rate"),
    rate_to: rateTo,
    ramp_s: nonNegative("ramp_s"),
    // 0 when the master has fewer --max-users than workers: this one runs none (at rate 0).
    max_users: Math.floor(nonNegative("max_users")),
    max_queue_s: nonNegative("max_queue_s"),
  };
}

function statsEntry(value: unknown, what: string): LocustStatsEntry {
  const e = record(value, what);
  const hdr = cicadaHistogram(e.get("cicada_hdr"), what);
  const intended = cicadaIntended(e.get("cicada_intended"), what);
  const entry: LocustStatsEntry = {
    name: str(e.get("name"), `${what}.name`),
    method: orEmpty(e.get("method"), `${what}.method`),
    last_request_timestamp: optNum(e.get("last_request_timestamp"), `${what}.last_request_timestamp`),
    start_time: num(e.get("start_time"), `${what}.start_time`),
    num_requests: num(e.get("num_requests") ?? 0, `${what}.num_requests`),
    num_none_requests: num(e.get("num_none_requests") ?? 0, `${what}.num_none_requests`),
    num_failures: num(e.get("num_failures") ?? 0, `${what}.num_failures`),
    total_response_time: num(e.get("total_response_time") ?? 0, `${what}.total_response_time`),
    max_response_time: num(e.get("max_response_time") ?? 0, `${what}.max_response_time`),
    min_response_time: optNum(e.get("min_response_time"), `${what}.min_response_time`),
    total_content_length: num(e.get("total_content_length") ?? 0, `${what}.total_content_length`),
    // With the exact histogram, Locust's buckets would be discarded: not even read.
    response_times: hdr ? new Map() : numberMap(e.get("response_times"), `${what}.response_times`),
    num_reqs_per_sec: numberMap(e.get("num_reqs_per_sec"), `${what}.num_reqs_per_sec`),
    num_fail_per_sec: numberMap(e.get("num_fail_per_sec"), `${what}.num_fail_per_sec`),
  };
  if (hdr) entry.cicada_hdr = hdr;
  if (intended) entry.cicada_intended = intended;
  return entry;
}

function errorRow(value: unknown, what: string): LocustErrorRow {
  const e = record(value, what);
  const error = e.get("error");
  const row: LocustErrorRow = {
    method: orEmpty(e.get("method"), `${what}.method`),
    name: str(e.get("name"), `${what}.name`),
    // Python workers may send a non-string error (it is repr()-ed by then, but be safe).
    error: typeof error === "string" ? error : String(error),
    occurrences: num(e.get("occurrences"), `${what}.occurrences`),
  };
  const firstSeen = e.get("first_seen");
  const lastSeen = e.get("last_seen");
  if (typeof firstSeen === "number") row.first_seen = firstSeen;
  if (typeof lastSeen === "number") row.last_seen = lastSeen;
  return row;
}

/** The data of a `stats` message. */
export function statsReport(value: unknown): StatsReport {
  const d = record(value, "stats data");
  const rows = d.get("stats");
  const stats = Array.isArray(rows) ? rows : fail("stats data.stats is not an array");
  const errors: Record<string, LocustErrorRow> = Object.create(null) as Record<string, LocustErrorRow>;
  const rawErrors = d.get("errors");
  if (rawErrors !== null && rawErrors !== undefined) {
    for (const [key, row] of record(rawErrors, "stats data.errors")) {
      errors[String(key)] = errorRow(row, `errors.${String(key)}`);
    }
  }
  const userClassesCount = countMap(d.get("user_classes_count"), "user_classes_count");
  const userCount = d.get("user_count");
  let counted = 0;
  for (const count of Object.values(userClassesCount)) counted += count;
  const report: StatsReport = {
    stats: stats.map((entry, i) => statsEntry(entry, `stats[${i}]`)),
    stats_total: statsEntry(d.get("stats_total"), "stats_total"),
    errors,
    user_count: typeof userCount === "number" ? userCount : counted,
    user_classes_count: userClassesCount,
  };
  const iterations = cicadaIterations(d.get("cicada_iterations"));
  if (iterations) report.cicada_iterations = iterations;
  const resent = d.get("cicada_resent_requests");
  if (resent !== undefined) report.cicada_resent_requests = countField(resent, "cicada_resent_requests");
  const aborted = d.get("cicada_aborted_requests");
  if (aborted !== undefined) report.cicada_aborted_requests = countField(aborted, "cicada_aborted_requests");
  const unsent = d.get("cicada_aborted_unsent_requests");
  if (unsent !== undefined) {
    report.cicada_aborted_unsent_requests = countField(unsent, "cicada_aborted_unsent_requests");
  }
  const checks = cicadaChecks(d.get("cicada_checks"));
  if (checks) report.cicada_checks = checks;
  const metrics = cicadaMetrics(d.get("cicada_metrics"));
  if (metrics) report.cicada_metrics = metrics;
  // Keys a worker's report_to_master listeners added.
  for (const [key, value] of d) {
    if (typeof key !== "string" || REPORT_KEYS.has(key)) continue;
    report.extra ??= {};
    report.extra[key] = toPlain(value);
  }
  return report;
}

/** The keys of a stats report that Locust itself sends. */
const REPORT_KEYS: ReadonlySet<string> = new Set([
  "stats",
  "stats_total",
  "errors",
  "user_count",
  "user_classes_count",
  // Cicada's own keys between Cicada nodes (the open model's iterations, checks, custom metrics).
  "cicada_iterations",
  "cicada_resent_requests",
  "cicada_aborted_requests",
  "cicada_aborted_unsent_requests",
  "cicada_checks",
  "cicada_metrics",
]);
