/**
 * A direct reader for the message a master receives by the hundred each second: a
 * worker's `["stats", data, node_id]`. It walks the msgpack bytes once and builds the
 * report's rows as it goes: no Map per msgpack map, no string per key (keys are matched
 * as bytes), and Locust's bucket dict is skipped, not decoded, when the row carries
 * Cicada's HDR histogram (the master would discard it).
 *
 * It only takes the well-formed common case. At anything else (another message type, an
 * unexpected msgpack type such as an extension, a field of the wrong type, bytes left over)
 * it gives up and returns undefined, and the general decoder (msgpackr and
 * protocol-fields.ts) reads the frame, so both accept the same frames and the general one
 * words every error.
 */
import { FrameReader, GIVE_UP, KeyTable, NOT_A_NUMBER } from "./frame-reader.js";
import type { CicadaIterations, LocustErrorRow, LocustStatsEntry, StatsReport } from "./protocol.js";
import { scriptingFromBytes } from "./protocol-scripting.js";

/** Field ids of the maps read here; -1 is any other key. */
enum Key {
  Other = -1,
  Stats,
  StatsTotal,
  Errors,
  UserCount,
  UserClassesCount,
  Name,
  Method,
  LastRequestTimestamp,
  StartTime,
  NumRequests,
  NumNoneRequests,
  NumFailures,
  TotalResponseTime,
  MaxResponseTime,
  MinResponseTime,
  TotalContentLength,
  ResponseTimes,
  NumReqsPerSec,
  NumFailPerSec,
  CicadaHdr,
  Histogram,
  MinUs,
  MaxUs,
  Error,
  Occurrences,
  FirstSeen,
  LastSeen,
  CicadaIntended,
  MinMs,
  MaxMs,
  TotalMs,
  CicadaIterations,
  Scheduled,
  Started,
  Completed,
  Dropped,
  DroppedAtStop,
  StartedPerSec,
  DroppedPerSec,
  CicadaChecks,
  CicadaMetrics,
  CicadaResentRequests,
  CicadaAbortedRequests,
  CicadaAbortedUnsentRequests,
}

const KEY_NAMES: ReadonlyArray<readonly [string, Key]> = [
  ["stats", Key.Stats],
  ["stats_total", Key.StatsTotal],
  ["errors", Key.Errors],
  ["user_count", Key.UserCount],
  ["user_classes_count", Key.UserClassesCount],
  ["name", Key.Name],
  ["method", Key.Method],
  ["last_request_timestamp", Key.LastRequestTimestamp],
  ["start_time", Key.StartTime],
  ["num_requests", Key.NumRequests],
  ["num_none_requests", Key.NumNoneRequests],
  ["num_failures", Key.NumFailures],
  ["total_response_time", Key.TotalResponseTime],
  ["max_response_time", Key.MaxResponseTime],
  ["min_response_time", Key.MinResponseTime],
  ["total_content_length", Key.TotalContentLength],
  ["response_times", Key.ResponseTimes],
  ["num_reqs_per_sec", Key.NumReqsPerSec],
  ["num_fail_per_sec", Key.NumFailPerSec],
  ["cicada_hdr", Key.CicadaHdr],
  ["histogram", Key.Histogram],
  ["min_us", Key.MinUs],
  ["max_us", Key.MaxUs],
  ["error", Key.Error],
  ["occurrences", Key.Occurrences],
  ["first_seen", Key.FirstSeen],
  ["last_seen", Key.LastSeen],
  ["cicada_intended", Key.CicadaIntended],
  ["min_ms", Key.MinMs],
  ["max_ms", Key.MaxMs],
  ["total_ms", Key.TotalMs],
  ["cicada_iterations", Key.CicadaIterations],
  ["scheduled", Key.Scheduled],
  ["started", Key.Started],
  ["completed", Key.Completed],
  ["dropped", Key.Dropped],
  ["dropped_at_stop", Key.DroppedAtStop],
  ["started_per_sec", Key.StartedPerSec],
  ["dropped_per_sec", Key.DroppedPerSec],
  ["cicada_checks", Key.CicadaChecks],
  ["cicada_metrics", Key.CicadaMetrics],
  ["cicada_resent_requests", Key.CicadaResentRequests],
  ["cicada_aborted_requests", Key.CicadaAbortedRequests],
  ["cicada_aborted_unsent_requests", Key.CicadaAbortedUnsentRequests],
];

const KEYS = new KeyTable(KEY_NAMES);

/** A row as protocol-fields.ts reads it; the bucket dict is read only without a histogram. */
function readEntry(r: FrameReader): LocustStatsEntry {
  const entries = r.map();
  let name: string | undefined;
  let method = "";
  let lastRequest: number | null = null;
  let startTime: number | undefined;
  let requests = 0;
  let noneRequests = 0;
  let failures = 0;
  let totalResponseTime = 0;
  let maxResponseTime = 0;
  let minResponseTime: number | null = null;
  let contentLength = 0;
  let bucketsAt = -1;
  let reqsPerSec: Map<number, number> | undefined;
  let failPerSec: Map<number, number> | undefined;
  let hdr: LocustStatsEntry["cicada_hdr"];
  let intended: LocustStatsEntry["cicada_intended"];
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Name:
        name = r.string();
        break;
      case Key.Method:
        method = r.stringOrEmpty();
        break;
      case Key.LastRequestTimestamp:
        lastRequest = r.finiteOrNull();
        break;
      case Key.StartTime:
        startTime = r.finite();
        break;
      case Key.NumRequests:
        requests = r.finiteOrZero();
        break;
      case Key.NumNoneRequests:
        noneRequests = r.finiteOrZero();
        break;
      case Key.NumFailures:
        failures = r.finiteOrZero();
        break;
      case Key.TotalResponseTime:
        totalResponseTime = r.finiteOrZero();
        break;
      case Key.MaxResponseTime:
        maxResponseTime = r.finiteOrZero();
        break;
      case Key.MinResponseTime:
        minResponseTime = r.finiteOrNull();
        break;
      case Key.TotalContentLength:
        contentLength = r.finiteOrZero();
        break;
      case Key.ResponseTimes:
        bucketsAt = r.pos;
        r.skip();
        break;
      case Key.NumReqsPerSec:
        reqsPerSec = r.numberMap();
        break;
      case Key.NumFailPerSec:
        failPerSec = r.numberMap();
        break;
      case Key.CicadaHdr:
        hdr = readHdr(r);
        break;
      case Key.CicadaIntended:
        intended = readIntended(r);
        break;
      default:
        r.skip();
    }
  }
  if (name === undefined || startTime === undefined) throw GIVE_UP;
  let buckets = new Map<number, number>();
  if (hdr === undefined && bucketsAt >= 0) {
    const end = r.pos;
    r.pos = bucketsAt;
    buckets = r.numberMap();
    r.pos = end;
  }
  const entry: LocustStatsEntry = {
    name,
    method,
    last_request_timestamp: lastRequest,
    start_time: startTime,
    num_requests: requests,
    num_none_requests: noneRequests,
    num_failures: failures,
    total_response_time: totalResponseTime,
    max_response_time: maxResponseTime,
    min_response_time: minResponseTime,
    total_content_length: contentLength,
    response_times: buckets,
    num_reqs_per_sec: reqsPerSec ?? new Map(),
    num_fail_per_sec: failPerSec ?? new Map(),
  };
  if (hdr !== undefined) entry.cicada_hdr = hdr;
  if (intended !== undefined) entry.cicada_intended = intended;
  return entry;
}

/** `cicada_intended`: used when it is a map holding a bin histogram, else ignored (as protocol-fields.ts). */
function readIntended(r: FrameReader): LocustStatsEntry["cicada_intended"] {
  if (!r.nextIsMap()) {
    r.skip();
    return undefined;
  }
  const entries = r.map();
  let histogram: Uint8Array | null = null;
  let minMs: number | undefined;
  let maxMs: number | undefined;
  let totalMs: number | undefined;
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Histogram:
        histogram = r.binOrSkip();
        break;
      case Key.MinMs:
        minMs = r.finite();
        break;
      case Key.MaxMs:
        maxMs = r.finite();
        break;
      case Key.TotalMs:
        totalMs = r.finite();
        break;
      default:
        r.skip();
    }
  }
  if (histogram === null) return undefined;
  if (minMs === undefined || maxMs === undefined || totalMs === undefined) throw GIVE_UP;
  return { histogram, min_ms: minMs, max_ms: maxMs, total_ms: totalMs };
}

/** `cicada_iterations` of a report (anything but a map is left to the general decoder). */
function readIterations(r: FrameReader): CicadaIterations {
  if (!r.nextIsMap()) throw GIVE_UP;
  const entries = r.map();
  let scheduled: number | undefined;
  let started: number | undefined;
  // A worker of an older Cicada sends none: 0.
  let completed = 0;
  let dropped: number | undefined;
  // Nor of those dropped at the stop.
  let droppedAtStop = 0;
  let startedPerSec = new Map<number, number>();
  let droppedPerSec = new Map<number, number>();
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Scheduled:
        scheduled = r.finite();
        break;
      case Key.Started:
        started = r.finite();
        break;
      case Key.Completed:
        completed = r.finite();
        break;
      case Key.Dropped:
        dropped = r.finite();
        break;
      case Key.DroppedAtStop:
        droppedAtStop = r.finite();
        break;
      case Key.StartedPerSec:
        startedPerSec = r.numberMap();
        break;
      case Key.DroppedPerSec:
        droppedPerSec = r.numberMap();
        break;
      default:
        r.skip();
    }
  }
  if (scheduled === undefined || started === undefined || dropped === undefined) throw GIVE_UP;
  return {
    scheduled,
    started,
    completed,
    dropped,
    dropped_at_stop: droppedAtStop,
    started_per_sec: startedPerSec,
    dropped_per_sec: droppedPerSec,
  };
}

/** `cicada_hdr`: used when it is a map holding a bin histogram, else ignored (as protocol-fields.ts). */
function readHdr(r: FrameReader): LocustStatsEntry["cicada_hdr"] {
  if (!r.nextIsMap()) {
    r.skip();
    return undefined;
  }
  const entries = r.map();
  let histogram: Uint8Array | null = null;
  let minUs: number | null | undefined = NOT_A_NUMBER;
  let maxUs: number | null | undefined = NOT_A_NUMBER;
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Histogram:
        histogram = r.binOrSkip();
        break;
      case Key.MinUs:
        minUs = r.numberOrNil();
        break;
      case Key.MaxUs:
        maxUs = r.numberOrNil();
        break;
      default:
        r.skip();
    }
  }
  if (histogram === null) return undefined;
  if (typeof minUs !== "number" || !Number.isFinite(minUs)) throw GIVE_UP;
  if (typeof maxUs !== "number" || !Number.isFinite(maxUs)) throw GIVE_UP;
  return { histogram, min_us: minUs, max_us: maxUs };
}

/** One row of the errors dict (a non-string error is left to the general decoder). */
function readErrorRow(r: FrameReader): LocustErrorRow {
  const entries = r.map();
  let method = "";
  let name: string | undefined;
  let error: string | undefined;
  let occurrences: number | undefined;
  let firstSeen: number | null | undefined;
  let lastSeen: number | null | undefined;
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Method:
        method = r.stringOrEmpty();
        break;
      case Key.Name:
        name = r.string();
        break;
      case Key.Error:
        error = r.string();
        break;
      case Key.Occurrences:
        occurrences = r.finite();
        break;
      case Key.FirstSeen:
        firstSeen = r.numberOrNil();
        break;
      case Key.LastSeen:
        lastSeen = r.numberOrNil();
        break;
      default:
        r.skip();
    }
  }
  if (name === undefined || error === undefined || occurrences === undefined) throw GIVE_UP;
  const row: LocustErrorRow = { method, name, error, occurrences };
  if (typeof firstSeen === "number") row.first_seen = firstSeen;
  if (typeof lastSeen === "number") row.last_seen = lastSeen;
  return row;
}

/** The data map of a stats message. */
/** A whole number >= 0; anything else gives up (the general decoder words the error). */
function readCount(r: FrameReader): number {
  const count = r.finite();
  if (!Number.isInteger(count) || count < 0) throw GIVE_UP;
  return count;
}

function readReport(r: FrameReader): StatsReport {
  const entries = r.map();
  let stats: LocustStatsEntry[] | undefined;
  let total: LocustStatsEntry | undefined;
  const errors: Record<string, LocustErrorRow> = Object.create(null) as Record<string, LocustErrorRow>;
  let userCount: number | null | undefined;
  let iterations: CicadaIterations | undefined;
  let resent: number | undefined;
  let aborted: number | undefined;
  let abortedUnsent: number | undefined;
  let checksBytes: Uint8Array | undefined;
  let metricsBytes: Uint8Array | undefined;
  const userClassesCount: Record<string, number> = {};
  for (let i = 0; i < entries; i++) {
    switch (r.key(KEYS)) {
      case Key.Stats: {
        const rows = r.array();
        stats = [];
        for (let k = 0; k < rows; k++) stats.push(readEntry(r));
        break;
      }
      case Key.StatsTotal:
        total = readEntry(r);
        break;
      case Key.Errors: {
        for (const key in errors) delete errors[key];
        const count = r.mapOrNil();
        for (let k = 0; k < count; k++) {
          const key = r.string();
          errors[key] = readErrorRow(r);
        }
        break;
      }
      case Key.UserCount:
        userCount = r.numberOrNil();
        break;
      case Key.UserClassesCount: {
        for (const key in userClassesCount) delete userClassesCount[key];
        const count = r.mapOrNil();
        for (let k = 0; k < count; k++) {
          const key = r.string();
          userClassesCount[key] = r.finite();
        }
        break;
      }
      case Key.CicadaIterations:
        iterations = readIterations(r);
        break;
      case Key.CicadaChecks:
        checksBytes = r.rawValue();
        break;
      case Key.CicadaResentRequests:
        resent = readCount(r);
        break;
      case Key.CicadaAbortedRequests:
        aborted = readCount(r);
        break;
      case Key.CicadaAbortedUnsentRequests:
        abortedUnsent = readCount(r);
        break;
      case Key.CicadaMetrics:
        metricsBytes = r.rawValue();
        break;
      default:
        // A key a worker's reportToMaster listener added: the general decoder keeps it.
        throw GIVE_UP;
    }
  }
  if (stats === undefined || total === undefined) throw GIVE_UP;
  let counted = 0;
  for (const key in userClassesCount) counted += userClassesCount[key]!;
  const report: StatsReport = {
    stats,
    stats_total: total,
    errors,
    user_count: typeof userCount === "number" ? userCount : counted,
    user_classes_count: userClassesCount,
  };
  if (iterations !== undefined) report.cicada_iterations = iterations;
  if (resent !== undefined) report.cicada_resent_requests = resent;
  if (aborted !== undefined) report.cicada_aborted_requests = aborted;
  if (abortedUnsent !== undefined) report.cicada_aborted_unsent_requests = abortedUnsent;
  if (checksBytes !== undefined || metricsBytes !== undefined) {
    // Rare and small: the general decoder reads them (a wrong field gives up the whole frame).
    let scripting: ReturnType<typeof scriptingFromBytes>;
    try {
      scripting = scriptingFromBytes(checksBytes, metricsBytes);
    } catch {
      throw GIVE_UP;
    }
    if (scripting.checks) report.cicada_checks = scripting.checks;
    if (scripting.metrics) report.cicada_metrics = scripting.metrics;
  }
  return report;
}

/** `[` fixarray of 3, fixstr "stats" `]`: the first 7 bytes of every stats frame. */
const STATS_PREFIX = Uint8Array.of(0x93, 0xa5, 0x73, 0x74, 0x61, 0x74, 0x73);

/**
 * A worker's `stats` frame read directly (see the file comment), or undefined when the
 * frame is anything else or anything but the common case: then the general decoder
 * decides. Never throws.
 */
export function readStatsFrame(bytes: Uint8Array): { data: StatsReport; nodeId: string } | undefined {
  if (bytes.length < STATS_PREFIX.length) return undefined;
  for (let i = 0; i < STATS_PREFIX.length; i++) if (bytes[i] !== STATS_PREFIX[i]) return undefined;
  const r = new FrameReader(bytes);
  r.pos = STATS_PREFIX.length;
  try {
    const data = readReport(r);
    const nodeId = r.string();
    return r.atEnd ? { data, nodeId } : undefined;
  } catch {
    // GIVE_UP, or invalid UTF-8 (TextDecoder's TypeError): the general decoder decides.
    return undefined;
  }
}
