/**
 * The JSON report, schema version 1: what `cicada --json` prints and `--json-file NAME`
 * writes to NAME.json. These types are the schema (re-exported by the package, so a
 * script can `import type { JsonReport } from "cicada-load"`); docs/reports.md describes
 * every field. `validateJsonReport` checks a parsed document against them at run time.
 *
 * Compatibility rule: within one `schemaVersion`, fields are only ever added, never
 * renamed, removed or given another meaning. Times are epoch milliseconds, response
 * times milliseconds, rates per second, sizes bytes.
 */

import type { BeforeLoadEvidence } from "../monitor/before-load.js";
import type { LoadAtMoment, ResourceValue } from "../monitor/saturation.js";
import type {
  EndpointHealth,
  GeneratorColumns,
  HostColumns,
  LoadColumns,
  SaturationLevel,
  SeriesDefinition,
} from "../monitor/types.js";
import type { CapacityModel, CapacityOutcome } from "../shared/capacity.js";
import type { JsonCapacity } from "./capacity-json.js";

/** The schema version this build writes. */
export const JSON_REPORT_SCHEMA_VERSION = 1;

/** Encoding name of {@link JsonHistogram.data}. */
export const HISTOGRAM_ENCODING = "hdr-v2-compressed-base64";

/** Keys of {@link JsonEntry.percentiles}: Locust's reported percentiles. */
export const PERCENTILE_KEYS = [
  "p50",
  "p66",
  "p75",
  "p80",
  "p90",
  "p95",
  "p98",
  "p99",
  "p99.9",
  "p99.99",
  "p100",
] as const;

/** One of {@link PERCENTILE_KEYS}. */
export type PercentileKey = (typeof PERCENTILE_KEYS)[number];

/** A whole report. */
export interface JsonReport {
  schemaVersion: 1;
  /** Always "cicada". */
  generator: "cicada";
  /** When the statistics were read, epoch ms (the end of the run for a final report). */
  generatedAtMs: number;
  meta: ReportMeta;
  /** The "Aggregated" row: every request of the run. */
  total: JsonEntry;
  /** One row per (method, name), sorted by name then method. */
  entries: JsonEntry[];
  /** Failure groups (method, name, error), most occurrences first. */
  failures: JsonFailure[];
  /** Failure occurrences not grouped because the failures table was full. */
  droppedFailures: number;
  /** Exceptions thrown by task code, grouped by traceback, most frequent first. */
  exceptions: JsonException[];
  /** Exceptions not grouped because the exceptions table was full. */
  droppedExceptions: number;
  /** True when the run had more distinct names than the limit and some were counted as "(other)". */
  collapsedNames: boolean;
  /**
   * Requests the HTTP client sent twice, on a new connection, because the server closed a
   * kept-alive connection without answering them: each is one request in `total`, but the
   * target may have counted two. 0 when none; absent only from reports of Cicada versions before it.
   */
  resentRequests?: number;
  /**
   * Requests a stopped user aborted after sending them (the test's end, or fewer users): in
   * no statistic (neither requests nor failures, as in Locust), but the target may have
   * counted them. HTTP requests only. 0 when none; absent only from reports of Cicada
   * versions before it.
   */
  abortedRequests?: number;
  /**
   * Requests a stopped user aborted before sending them: they were still waiting for a
   * connection (connecting, in the TLS handshake or a proxy tunnel, or queued behind another
   * request on a busy connection). The target never received them, so they are not part of
   * its request count; a target that accepts no connections or never completes the
   * handshake shows up here, with no request in `total`. HTTP requests only. 0 when none;
   * absent only from reports of Cicada versions before it.
   */
  abortedUnsentRequests?: number;
  /** Time series sampled about once a second, downsampled to a bounded number of points. */
  history: JsonHistory;
  /** Pass/fail of each threshold, in declaration order (empty when none were declared). */
  thresholds: JsonThresholdResult[];
  /**
   * The target's resources recorded during the test (`--monitor`, `--prometheus`); null when
   * none were monitored. Always written; absent only from reports of Cicada versions before it.
   */
  monitor?: JsonMonitor | null;
  /**
   * The answer of a capacity search (`--find-capacity`, docs/capacity.md) when the test was
   * one; null otherwise. Absent only from reports of Cicada versions before it.
   */
  capacity?: JsonCapacity | null;
  /** The open model's iterations; null for a test with a number of users (the closed model). */
  iterations: JsonIterations | null;
  /** The locustfile's named checks, sorted by name (empty when none ran). Absent only from reports of Cicada versions before it. */
  checks?: JsonCheck[];
  /** The locustfile's custom metrics, sorted by name (empty when none). Absent only from reports of Cicada versions before it. */
  metrics?: JsonMetric[];
}

/** One named check: how often it passed and failed. */
export interface JsonCheck {
  name: string;
  passes: number;
  fails: number;
  /** passes / (passes + fails). */
  rate: number;
}

/**
 * One custom metric. Fields that do not apply to its kind are null: a counter has
 * `count` (its sum) and `rate` (per second); a gauge `value` (the last, merged over
 * workers by `merge`), `min`, `max`; a rate `count` (values added), `trues` and `rate`
 * (their share); a trend `count`, `min`, `max`, `avg`, `med` and `percentiles`, in `unit`.
 */
export interface JsonMetric {
  name: string;
  kind: "counter" | "gauge" | "rate" | "trend";
  count: number | null;
  rate: number | null;
  value: number | null;
  merge: "sum" | "max" | null;
  trues: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
  med: number | null;
  percentiles: Record<PercentileKey, number | null> | null;
  /** A trend's unit ("ms", ...); "" when none was declared or for other kinds. */
  unit: string;
}

/**
 * The target's resources during the test: per host, columns of values aligned with
 * `timeMs` (null where a scrape failed, or a counter had no rate yet), the load
 * generator's own CPU, how each endpoint answered, and what saturated first.
 */
export interface JsonMonitor {
  intervalMs: number;
  startTimeMs: number | null;
  endTimeMs: number | null;
  /** Every series a host may have: name (the key in `values`), label, unit, merge rule, origin. */
  series: SeriesDefinition[];
  /** The saturation levels in use. */
  levels: SaturationLevel[];
  hosts: HostColumns[];
  generator: GeneratorColumns;
  endpoints: EndpointHealth[];
  saturation: JsonSaturation;
  /**
   * The load beside the target: the requests and failures completed since the test began,
   * counted at moments whose counts are complete (each interval in a local run; the end of
   * each whole second all workers have reported on a master), and the rates between
   * neighbouring points. Absent before Cicada had it.
   */
  load?: LoadColumns;
}

/** What saturated first (see docs/monitoring.md); keys that do not apply to `kind` are null. */
export interface JsonSaturation {
  /** "saturated": a resource reached its level; "latency-rose": none did but p95 rose; "none"; "no-data". */
  kind: "saturated" | "latency-rose" | "none" | "no-data";
  /** The finding in one sentence. */
  text: string;
  /** The resource that saturated; for the other kinds the one closest to its level. */
  resource: ResourceValue | null;
  /** When it saturated (or latency rose). */
  timeMs: number | null;
  /** "saturated": it was at its level from the start of the test (busy before the load could have done it). */
  atStart: boolean;
  /** The load at that moment. */
  load: LoadAtMoment | null;
  /** The typical p95 before that moment, ms. */
  p95BeforeMs: number | null;
  /** "latency-rose": the highest p95 after it rose, ms. */
  p95PeakMs: number | null;
  /** The load generator's own CPU at that moment, % of one core. */
  generatorCpuPercent: number | null;
  /**
   * "saturated": what the scrape taken as the test began measured, when it shows the
   * resource already at its level (the evidence behind `atStart`); else null.
   * The keys below are absent only from reports of Cicada versions before them.
   */
  beforeLoad?: BeforeLoadEvidence | null;
  /** "saturated" on the busiest core (cpuMax): the CPU busy % over all cores at that moment; else null. */
  allCoresPercent?: number | null;
  /** "saturated": the busiest core reached its level while the CPU as a whole stayed below its own (one core is the limit). */
  singleCore?: boolean;
  /** "saturated": the host is the load generator's own machine (its exporter on a loopback address), with its CPUs when known; else null. */
  generatorMachine?: { cpus: number | null } | null;
  /** "latency-rose": the first resource that reached its level after the p95 had risen, and when; else null. */
  saturatedLater?: (ResourceValue & { timeMs: number }) | null;
}

/**
 * An arrival-rate test's iterations (an iteration is one task of a user, picked by weight).
 * At the end of a run `dropped === scheduled − started` and `started === completed + interrupted`.
 */
export interface JsonIterations {
  /** The target arrival rate at the end (iterations per second). */
  targetRate: number;
  /** Iterations whose scheduled start came during the test. */
  scheduled: number;
  /** Iterations a user started. */
  started: number;
  /**
   * Started iterations that ended by themselves (normally, with an error, or with a
   * StopUser/StopTest of their own), including those finishing within --stop-timeout.
   * Absent only from reports of Cicada versions before it.
   */
  completed?: number;
  /**
   * The iterations still running when the test stopped (started − completed at the end):
   * their requests in flight were aborted and are in no statistics, so the percentiles miss them.
   * 0 in a report made while the test runs (started − completed are then in flight).
   * Absent only from reports of Cicada versions before it.
   */
  interrupted?: number;
  /**
   * Iterations that never started: those that found no free user within --max-queue-time,
   * and those still waiting for one when the test stopped (`droppedAtStop`).
   */
  dropped: number;
  /**
   * Of `dropped`, the iterations still waiting for a free user when the test stopped (the
   * stop ended their wait, not --max-queue-time); in no point of the history's
   * `droppedPerSec`. 0 while the test runs. Absent only from reports of Cicada versions before it.
   */
  droppedAtStop?: number;
  /** Iterations waiting for a free user when the report was made (0 at the end). */
  waiting: number;
  /**
   * A distributed master's estimate of the iterations that fell due on workers that went
   * missing and are in no count above (run but never reported, or not run until the master
   * moved the worker's part of the rate); 0 without such a worker. Absent only from
   * reports of Cicada versions before it.
   */
  lostWithWorkers?: number;
  /** Started per second over the whole test. */
  rate: number;
}

/** Statistics of one (method, name), or of the total. */
export interface JsonEntry {
  /** HTTP method or request type; "" for the total. */
  method: string;
  /** Request name; "Aggregated" for the total. */
  name: string;
  /** Requests, failures included. */
  numRequests: number;
  numFailures: number;
  /** Requests logged without a response time. */
  numNoneRequests: number;
  /** numFailures / numRequests. */
  failRatio: number;
  /** Exact smallest response time; null when none was logged. */
  minResponseTimeMs: number | null;
  /** Exact largest response time; null when none was logged. */
  maxResponseTimeMs: number | null;
  /** Mean response time; null when none was logged. */
  avgResponseTimeMs: number | null;
  medianResponseTimeMs: number | null;
  /** Response-time percentiles (3 significant digits, p100 is the exact max); null when none. */
  percentiles: Record<PercentileKey, number | null>;
  /** Requests per second over the whole run. */
  rps: number;
  /** Failures per second over the whole run. */
  failPerSec: number;
  totalContentLength: number;
  avgContentLength: number;
  /** When this row started counting. */
  startTimeMs: number;
  lastRequestTimeMs: number | null;
  /** The response-time histogram, to merge or compare runs; null when none was logged or not available. */
  histogram: JsonHistogram | null;
  /**
   * Response times measured from each request's intended start (the scheduled start of
   * its open-model iteration), so waits for a free user count; null in the closed model.
   */
  intended: JsonIntended | null;
}

/** A row's response times from the intended start, ms (the open model's second latency). */
export interface JsonIntended {
  /** Response times recorded (one per request of an iteration). */
  count: number;
  minResponseTimeMs: number | null;
  maxResponseTimeMs: number;
  avgResponseTimeMs: number;
  medianResponseTimeMs: number | null;
  percentiles: Record<PercentileKey, number | null>;
  /** Their HDR histogram (µs); null when not available. */
  histogram: JsonHistogram | null;
}

/**
 * An HdrHistogram of response times in microseconds (3 significant digits, lowest value 1),
 * in the standard compressed V2 encoding: int32 cookie 0x1c849314, int32 length, then the
 * zlib deflate of the V2 payload, all base64. Java's, C's and hdr-histogram-js's decoders
 * (`decodeFromCompressedBase64`) read it; so does `decodeJsonHistogram` here.
 */
export interface JsonHistogram {
  encoding: typeof HISTOGRAM_ENCODING;
  unit: "us";
  /** Exact smallest and largest recorded values (the encoding keeps only bucket bounds). */
  minUs: number;
  maxUs: number;
  data: string;
}

/** Occurrences of one (method, name, error). */
export interface JsonFailure {
  method: string;
  name: string;
  error: string;
  occurrences: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** One exception thrown by task code. */
export interface JsonException {
  count: number;
  message: string;
  traceback: string;
  /** The processes it came from ("local", or worker ids). */
  nodes: string[];
}

/** History of the total and of every (method, name). */
export interface JsonHistory {
  total: JsonSeries;
  entries: JsonNamedSeries[];
  /** The open model's series (target rate, started and dropped per second); null in the closed model. */
  iterations: JsonIterationSeries | null;
}

/** Target rate, achieved rate and dropped iterations over time (at each point, the rates of the last whole second). */
export interface JsonIterationSeries {
  stride: number;
  timeMs: number[];
  targetRate: number[];
  /** Iterations started per second. */
  rate: number[];
  /**
   * Iterations dropped per second for waiting out --max-queue-time; those still waiting
   * when the test stopped are not a rate and are in none (`iterations.droppedAtStop`).
   */
  droppedPerSec: number[];
}

/**
 * A time series as parallel columns. Rates and percentiles are "current" values (the last
 * ~10 s at each point); `avgResponseTimeMs` is cumulative. After downsampling each point
 * stands for `stride` samples: rates averaged, percentiles the maximum.
 */
export interface JsonSeries {
  stride: number;
  timeMs: number[];
  userCount: number[];
  rps: number[];
  failPerSec: number[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
  avgResponseTimeMs: number[];
}

/** The series of one (method, name). */
export interface JsonNamedSeries extends JsonSeries {
  method: string;
  name: string;
}

/** The outcome of one threshold. */
export interface JsonThresholdResult {
  /** The key as written: "total", "GET /coupons", "/coupons". */
  key: string;
  /** The expression as written, e.g. "p(95) < 300". */
  expression: string;
  /** Canonical metric name: "p(95)", "avg", "failRate", ... */
  metric: string;
  operator: "<" | "<=" | ">" | ">=" | "==" | "!=";
  /** The limit in the metric's unit (ms for times, a ratio for failRate). */
  limit: number;
  /** What was measured; null when there was no data for the key. */
  measured: number | null;
  passed: boolean;
  /** Why it failed when it is not a plain comparison ("no data"), else null. */
  reason: string | null;
  abortOnFail: boolean;
  /** True if this threshold stopped the run early. */
  aborted: boolean;
  /** The unit of `measured` and `limit` when it is not the metric's usual one (a custom Trend's, "%" for a rate). */
  unit?: string;
  /** A windowed threshold (`p95[30s]<300`): its windows; `measured` is then the worst window's value. */
  window?: JsonThresholdWindow;
  /**
   * A response-time threshold that passed in an arrival-rate test whose stop interrupted
   * iterations: how many. Their requests are in no statistic and are likely the slowest,
   * so it passed on incomplete data. Absent otherwise.
   */
  interruptedIterations?: number;
}

/** The windows of a windowed threshold: each must hold. */
export interface JsonThresholdWindow {
  lengthMs: number;
  /** Windows judged (those with data for the metric; the last only if it lasted half a window). */
  judged: number;
  failed: number;
  /** The first failing window, else the one closest to failing; null when none was judged. */
  worst: { startMs: number; endMs: number; value: number } | null;
}

/** Everything about a run that is not a statistic. */
export interface ReportMeta {
  /** When the test started (first user spawned), epoch ms. */
  startTimeMs: number;
  /** When it ended; null while it is still running. */
  endTimeMs: number | null;
  /** endTimeMs (or now, while running) − startTimeMs. */
  durationMs: number;
  /** The target host (-H, or the user classes' host when they agree); null if unknown. */
  host: string | null;
  /** The locustfile(s) as given. */
  locustfile: string;
  /** "users" (the closed model: -u, or a shape of users) or "arrival-rate" (the open model). */
  loadModel: "users" | "arrival-rate";
  /** Requested peak users; null when a load shape, an arrival rate or a capacity search drives the run. */
  users: number | null;
  /** Requested users started per second; null with a load shape or a capacity search. */
  spawnRate: number | null;
  /** -t/--run-time; null when unlimited. */
  runTimeMs: number | null;
  /** Name of the LoadTestShape, if one was used. */
  shape: string | null;
  /** --arrival-rate (and --ramp); null otherwise (a shape of arrival rates and a capacity search too). */
  arrivalRate: { from: number; to: number | null; rampMs: number | null } | null;
  /** --max-users and --max-queue-time of an arrival-rate test; null in the closed model. */
  openModel: { maxUsers: number; maxQueueTimeMs: number } | null;
  /**
   * The test was a capacity search (`--find-capacity`): it set the load step by step, so
   * `users`, `spawnRate` and `arrivalRate` are null and this says what it ran. Null otherwise.
   */
  capacitySearch: ReportCapacitySearch | null;
  cicadaVersion: string;
  userClasses: ReportUserClass[];
  /** Task ratios, as `--show-task-ratio-json` prints them. */
  taskRatio: { perClass: Record<string, RatioTree>; total: Record<string, RatioTree> };
  /** Things the reader should know about the run (interrupted, aborted, generator overloaded, ...). */
  flags: ReportFlag[];
}

/** What a capacity search ran: its model, its bounds, the highest load it reached and its answer. */
export interface ReportCapacitySearch {
  /** What it raised: users (the closed model) or iterations per second (the open model). */
  model: CapacityModel;
  /** The first step's load and the upper bound (--capacity-start, --capacity-max). */
  start: number;
  max: number;
  /** The highest load a step ran (users, or iterations/s); null before the first step. */
  highestLoad: number | null;
  /** The answer: the highest load that met every SLO; null when none did or the search still runs. */
  capacity: number | null;
  /** The search's outcome ("found", "below-start", ...); null while it runs. */
  outcome: CapacityOutcome | null;
}

/** A user class of the run. */
export interface ReportUserClass {
  name: string;
  weight: number;
  fixedCount: number;
  host: string | null;
}

/** A node of a task-ratio tree: the share of task runs, and nested task sets. */
export interface RatioTree {
  ratio: number;
  tasks?: Record<string, RatioTree>;
}

/** A note about the run; `code` is stable (e.g. "interrupted"), `message` is for people. */
export interface ReportFlag {
  code: string;
  message: string;
}
