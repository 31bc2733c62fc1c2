/**
 * Locust's master/worker messages as one typed union per direction, and their msgpack
 * codec. On the wire every message is the 3-array `[type, data, node_id]` (Locust's
 * rpc/protocol.py); the stats histograms travel as maps with integer keys, so they are
 * `Map`s here (a plain object would give string keys, which crash a Python master).
 *
 * Decoding is liberal: unknown keys are ignored, `data` may be nil, an unknown type is
 * reported as such (the caller logs and ignores it), and a malformed frame never throws.
 */
import { Packr, Unpackr } from "msgpackr";
import {
  cicadaArrival,
  countMap,
  Invalid,
  isMap,
  num,
  record,
  statsReport,
  str,
  toPlain,
} from "./protocol-fields.js";
import {
  ackDataSets,
  type CicadaChecks,
  type CicadaMetrics,
  type DataRequest,
  type DataRows,
  dataRequest,
  dataRows,
} from "./protocol-scripting.js";
import { readStatsFrame } from "./stats-frame.js";

/** Worker states in a heartbeat: Locust's strings (anything else drops a worker from a Locust master's count). */
export type WireWorkerState =
  | "ready"
  | "spawning"
  | "running"
  | "cleanup"
  | "stopping"
  | "stopped"
  | "missing";

/** One stats row as Locust's StatsEntryDict, plus Cicada's exact histogram when the sender is Cicada. */
export interface LocustStatsEntry {
  name: string;
  method: string;
  last_request_timestamp: number | null;
  start_time: number;
  num_requests: number;
  num_none_requests: number;
  num_failures: number;
  total_response_time: number;
  max_response_time: number;
  min_response_time: number | null;
  total_content_length: number;
  /**
   * Locust bucket (ms) → count. A decoded row that carries `cicada_hdr` has it empty:
   * the buckets are skipped, since the exact histogram replaces them.
   */
  response_times: Map<number, number>;
  /** Unix second → count. */
  num_reqs_per_sec: Map<number, number>;
  num_fail_per_sec: Map<number, number>;
  /** Extra key (a Locust master ignores it): the HDR histogram of µs, for an exact merge. */
  cicada_hdr?: CicadaHistogram;
  /** Extra key (open model): the response times from the intended start, for an exact merge. */
  cicada_intended?: CicadaIntended;
}

/** A row's response times from the intended start: HdrHistogram V2 bytes of µs, exact min, max and sum in ms. */
export interface CicadaIntended {
  histogram: Uint8Array;
  min_ms: number;
  max_ms: number;
  total_ms: number;
}

/** Extra key of a Cicada worker's stats report (open model): its iterations since the previous report. */
export interface CicadaIterations {
  scheduled: number;
  started: number;
  /** Iterations that ended by themselves (a worker older than this field sends none: read as 0). */
  completed: number;
  dropped: number;
  /**
   * Of `dropped`, the iterations still waiting when the worker's schedule stopped (in no
   * second of `dropped_per_sec`). A worker older than this field sends none: read as 0.
   */
  dropped_at_stop: number;
  /** Unix second → count. */
  started_per_sec: Map<number, number>;
  dropped_per_sec: Map<number, number>;
}

/**
 * Extra key of a Cicada master's spawn message (open model): what this worker runs of an
 * arrival rate, instead of users (its `user_classes_count` are all 0, so a Locust worker
 * that got it would run nothing).
 */
export interface CicadaArrival {
  /** Iterations per second now. */
  rate: number;
  /** With `ramp_s` > 0: the rate then moves linearly to this one over `ramp_s` seconds. */
  rate_to: number | null;
  ramp_s: number;
  max_users: number;
  max_queue_s: number;
}

/** The HDR histogram of a row: HdrHistogram V2 bytes plus the exact smallest and largest µs. */
export interface CicadaHistogram {
  histogram: Uint8Array;
  min_us: number;
  max_us: number;
}

/** One failure group of a stats report, keyed by {@link locustErrorKey} in the report. */
export interface LocustErrorRow {
  method: string;
  name: string;
  error: string;
  occurrences: number;
  /** Locust ≥ 2.44 (unix seconds); optional. */
  first_seen?: number;
  last_seen?: number;
}

/** The data of a `stats` message: deltas since the worker's previous report. */
export interface StatsReport {
  stats: LocustStatsEntry[];
  stats_total: LocustStatsEntry;
  errors: Record<string, LocustErrorRow>;
  user_count: number;
  user_classes_count: Record<string, number>;
  /** Open model only (a Locust master ignores it). */
  cicada_iterations?: CicadaIterations;
  /**
   * Requests sent twice since the previous report (RequestStats.resentRequests); only when
   * not 0 (a Locust master ignores it).
   */
  cicada_resent_requests?: number;
  /**
   * Requests stopped users aborted after sending them, since the previous report
   * (RequestStats.abortedRequests); only when not 0 (a Locust master ignores it).
   */
  cicada_aborted_requests?: number;
  /**
   * Requests stopped users aborted while they still waited for a connection, since the
   * previous report (RequestStats.abortedUnsentRequests); only when not 0 (a Locust master
   * ignores it).
   */
  cicada_aborted_unsent_requests?: number;
  /**
   * Keys a worker's `reportToMaster` listeners added (Locust's `report_to_master`), sent
   * beside the others at the top level of the data map.
   */
  extra?: Record<string, unknown>;
  /** The checks since the previous report (a Locust master ignores it). */
  cicada_checks?: CicadaChecks;
  /** The custom metrics updated since the previous report (a Locust master ignores it). */
  cicada_metrics?: CicadaMetrics;
}

/** The data of a `spawn` message: what one worker should run now. */
export interface SpawnJob {
  /** Unix seconds (float); a worker drops a spawn not newer than the last one. */
  timestamp: number;
  /** Absolute target per class on this worker. */
  user_classes_count: Record<string, number>;
  host: string | null;
  /** Seconds, or nil. */
  stop_timeout: number | null;
  /** Must be a map (a Python worker calls `.items()` on it). */
  parsed_options: Record<string, unknown>;
  /**
   * Cicada's extra key (a Locust worker ignores it): hosts the web form set per user class
   * (POST /user), null for "none of its own". Weights and fixed counts need no message:
   * the master's dispatch applies them.
   */
  cicada_user_class_hosts?: Record<string, string | null>;
  /** Open model only (a Cicada master to a Cicada worker). */
  cicada_arrival?: CicadaArrival;
}

/** One file of a `locustfile` reply (a Cicada master sends esbuild bundles). */
export interface LocustfileFile {
  filename: string;
  contents: string;
  /** Cicada's extra key: the locustfile's folder on the master (where its npm packages are). */
  cicada_dir?: string;
}

/** Settings a Cicada worker started with `-f -` takes from the master (an extra key of the reply). */
export interface CicadaWorkerSettings {
  tags: string[] | null;
  exclude_tags: string[] | null;
}

/** Messages a master receives. */
export type WorkerMessage =
  | { type: "client_ready"; data: string | number | null; nodeId: string }
  | {
      type: "heartbeat";
      data: { state: string; current_cpu_usage: number; current_memory_usage?: number };
      nodeId: string;
    }
  | { type: "stats"; data: StatsReport; nodeId: string }
  | { type: "spawning"; data: null; nodeId: string }
  | {
      type: "spawning_complete";
      data: { user_classes_count: Record<string, number>; user_count: number };
      nodeId: string;
    }
  | { type: "client_stopped"; data: null; nodeId: string }
  | { type: "quit"; data: null; nodeId: string }
  | { type: "exception"; data: { msg: string; traceback: string }; nodeId: string }
  | { type: "locustfile"; data: { version: unknown }; nodeId: string }
  | { type: "logs"; data: { worker_id: string; logs: string[] }; nodeId: string }
  | { type: "cicada_data_request"; data: DataRequest; nodeId: string };

/** Messages a worker receives. */
export type MasterMessage =
  | {
      type: "ack";
      data: { index?: number; cicada_version?: string; cicada_data?: string[] } | null;
      nodeId: string;
    }
  | { type: "spawn"; data: SpawnJob; nodeId: string }
  | { type: "spawning_complete"; data: { user_count: number } | null; nodeId: string }
  | { type: "heartbeat"; data: null; nodeId: string }
  | { type: "stop"; data: null; nodeId: string }
  | { type: "quit"; data: null; nodeId: string }
  | { type: "reconnect"; data: null; nodeId: string }
  | {
      type: "locustfile";
      data: {
        locustfiles?: Array<LocustfileFile | string>;
        error?: string;
        cicada_version?: string;
        cicada_settings?: CicadaWorkerSettings;
      };
      nodeId: string;
    }
  | { type: "update_user_class"; data: Record<string, unknown>; nodeId: string }
  | { type: "cicada_refused"; data: { reason: string }; nodeId: string }
  | { type: "cicada_data_rows"; data: DataRows; nodeId: string };

/** What a peer may send: a known message, or something to log and ignore. */
export type Decoded<M> =
  | { ok: true; message: M }
  | { ok: false; kind: "malformed"; reason: string; nodeId?: string }
  | { ok: false; kind: "unknown"; type: string; nodeId: string; data: unknown };

/** One handler per message type; leaving one out is a compile error. */
export type Handlers<M extends { type: string }> = {
  [K in M["type"]]: (message: Extract<M, { type: K }>) => void;
};

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
// Maps stay Maps when decoded: integer keys stay numbers (histograms), and the readers of
// protocol-fields.ts take fields from them without building objects.
// 64-bit integers are numbers (Python sends ints of 2^32 and more as uint64, e.g. a large
// total_content_length; as BigInt they would fail the number checks and drop the report).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "number" });

/** Encodes `[type, data, nodeId]`; a stats report's `extra` keys go to the top level of its data. */
export function encodeMessage(type: string, data: unknown, nodeId: string): Buffer {
  if (type === "stats" && data !== null && typeof data === "object" && "extra" in data) {
    const { extra, ...report } = data as StatsReport;
    return packr.pack([type, { ...extra, ...report }, nodeId]);
  }
  return packr.pack([type, data ?? null, nodeId]);
}

const WORKER_DATA: {
  [K in WorkerMessage["type"]]: (data: unknown) => Extract<WorkerMessage, { type: K }>["data"];
} = {
  client_ready: (d) => (typeof d === "string" || typeof d === "number" ? d : null),
  heartbeat: (d) => {
    const h = record(d, "heartbeat data");
    const cpu = h.get("current_cpu_usage");
    const memory = h.get("current_memory_usage");
    const data: { state: string; current_cpu_usage: number; current_memory_usage?: number } = {
      state: str(h.get("state"), "heartbeat state"),
      current_cpu_usage: typeof cpu === "number" ? cpu : 0,
    };
    if (typeof memory === "number") data.current_memory_usage = memory;
    return data;
  },
  stats: (d) => statsReport(d),
  spawning: () => null,
  spawning_complete: (d) => {
    const s = record(d, "spawning_complete data");
    const counts = countMap(s.get("user_classes_count"), "user_classes_count");
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const userCount = s.get("user_count");
    return {
      user_classes_count: counts,
      user_count: typeof userCount === "number" ? userCount : total,
    };
  },
  client_stopped: () => null,
  quit: () => null,
  exception: (d) => {
    const e = record(d, "exception data");
    return { msg: String(e.get("msg") ?? ""), traceback: String(e.get("traceback") ?? "") };
  },
  locustfile: (d) => ({ version: isMap(d) ? d.get("version") : null }),
  logs: (d) => {
    const l = record(d, "logs data");
    const logs = l.get("logs");
    return {
      worker_id: String(l.get("worker_id") ?? ""),
      logs: Array.isArray(logs) ? logs.map(String) : [],
    };
  },
  cicada_data_request: (d) => dataRequest(d),
};

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.map(String) : null;
}

const MASTER_DATA: {
  [K in MasterMessage["type"]]: (data: unknown) => Extract<MasterMessage, { type: K }>["data"];
} = {
  ack: (d) => {
    if (!isMap(d)) return null;
    const data: { index?: number; cicada_version?: string; cicada_data?: string[] } = {};
    const index = d.get("index");
    const version = d.get("cicada_version");
    const dataSets = ackDataSets(d.get("cicada_data"));
    if (typeof index === "number") data.index = index;
    if (typeof version === "string") data.cicada_version = version;
    if (dataSets !== undefined) data.cicada_data = dataSets;
    return data;
  },
  spawn: (d) => {
    const s = record(d, "spawn data");
    const host = s.get("host");
    const stopTimeout = s.get("stop_timeout");
    const options = s.get("parsed_options");
    const classHosts = s.get("cicada_user_class_hosts");
    const job: SpawnJob = {
      timestamp: num(s.get("timestamp"), "spawn timestamp"),
      user_classes_count: countMap(s.get("user_classes_count"), "user_classes_count"),
      host: typeof host === "string" ? host : null,
      stop_timeout: typeof stopTimeout === "number" ? stopTimeout : null,
      parsed_options: isMap(options) ? (toPlain(options) as Record<string, unknown>) : {},
    };
    if (isMap(classHosts)) {
      job.cicada_user_class_hosts = Object.fromEntries(
        [...classHosts].filter(
          (entry): entry is [string, string | null] =>
            typeof entry[0] === "string" && (typeof entry[1] === "string" || entry[1] === null),
        ),
      );
    }
    const arrival = s.get("cicada_arrival");
    if (arrival !== undefined && arrival !== null) job.cicada_arrival = cicadaArrival(arrival);
    return job;
  },
  spawning_complete: (d) => {
    const userCount = isMap(d) ? d.get("user_count") : undefined;
    return typeof userCount === "number" ? { user_count: userCount } : null;
  },
  heartbeat: () => null,
  stop: () => null,
  quit: () => null,
  reconnect: () => null,
  locustfile: (d) => {
    const l = record(d, "locustfile data");
    const data: Extract<MasterMessage, { type: "locustfile" }>["data"] = {};
    const error = l.get("error");
    const version = l.get("cicada_version");
    const files = l.get("locustfiles");
    const settings = l.get("cicada_settings");
    if (typeof error === "string") data.error = error;
    if (typeof version === "string") data.cicada_version = version;
    if (Array.isArray(files)) {
      data.locustfiles = files.map((f: unknown, i) => {
        if (typeof f === "string") return f;
        const file = record(f, `locustfiles[${i}]`);
        const dir = file.get("cicada_dir");
        return {
          filename: str(file.get("filename"), "filename"),
          contents: str(file.get("contents"), "contents"),
          ...(typeof dir === "string" ? { cicada_dir: dir } : {}),
        };
      });
    }
    if (isMap(settings)) {
      data.cicada_settings = {
        tags: stringList(settings.get("tags")),
        exclude_tags: stringList(settings.get("exclude_tags")),
      };
    }
    return data;
  },
  update_user_class: (d) => (isMap(d) ? (toPlain(d) as Record<string, unknown>) : {}),
  cicada_refused: (d) => ({ reason: isMap(d) ? String(d.get("reason") ?? "") : "" }),
  cicada_data_rows: (d) => dataRows(d),
};

function decodeWith<M extends { type: string }>(
  bytes: Uint8Array,
  table: Record<string, (data: unknown) => unknown>,
): Decoded<M> {
  let raw: unknown;
  try {
    raw = unpackr.unpack(bytes);
  } catch (error) {
    return { ok: false, kind: "malformed", reason: `not msgpack (${(error as Error).message})` };
  }
  if (!Array.isArray(raw) || raw.length < 3 || typeof raw[0] !== "string" || typeof raw[2] !== "string") {
    return { ok: false, kind: "malformed", reason: "not a [type, data, node_id] array" };
  }
  const [type, data, nodeId] = raw as [string, unknown, string];
  const parse = Object.hasOwn(table, type) ? table[type] : undefined;
  // A custom message (sendMessage/registerMessage), or a type of a newer Locust.
  if (!parse) return { ok: false, kind: "unknown", type, nodeId, data: toPlain(data) };
  try {
    return { ok: true, message: { type, data: parse(data), nodeId } as unknown as M };
  } catch (error) {
    if (error instanceof Invalid) {
      return { ok: false, kind: "malformed", reason: `bad ${type} message: ${error.message}`, nodeId };
    }
    throw error;
  }
}

/**
 * Decodes a frame a worker sent (master side). Never throws. A `stats` frame, the bulk
 * of a master's input, is read directly (stats-frame.ts) when it is the common case.
 */
export function decodeWorkerMessage(bytes: Uint8Array): Decoded<WorkerMessage> {
  const stats = readStatsFrame(bytes);
  if (stats !== undefined)
    return { ok: true, message: { type: "stats", data: stats.data, nodeId: stats.nodeId } };
  return decodeWith<WorkerMessage>(bytes, WORKER_DATA);
}

/**
 * {@link decodeWorkerMessage} with the general decoder only (msgpackr and
 * protocol-fields.ts): the reference the direct `stats` reader must agree with.
 */
export function decodeWorkerMessageGenerally(bytes: Uint8Array): Decoded<WorkerMessage> {
  return decodeWith<WorkerMessage>(bytes, WORKER_DATA);
}

/** Decodes a frame a master sent (worker side). Never throws. */
export function decodeMasterMessage(bytes: Uint8Array): Decoded<MasterMessage> {
  return decodeWith<MasterMessage>(bytes, MASTER_DATA);
}
