/**
 * The payloads of the web server's own API (`/api/...` and the live stream), shared by the
 * server and the browser app. The app imports this file with `import type` only, so it
 * must stay free of runtime code and of anything that needs Node (it may import types
 * from stats/, which is pure).
 */
import type { ChartLine, MonitorChart } from "../monitor/chart-layout.js";
import type { EndpointHealth, GeneratorColumns, HostColumns, LoadColumns } from "../monitor/types.js";
import type { CapacityProgress, CapacityResult, CapacityStep } from "../shared/capacity.js";
import type {
  CheckSnapshot,
  ErrorSnapshot,
  ExceptionSnapshot,
  HistoryPoint,
  IterationColumns,
  MetricSnapshot,
  RunStart,
  SeriesColumns,
} from "../stats/index.js";

export type {
  CapacityProgress,
  CapacityResult,
  CapacityStep,
  ChartLine,
  CheckSnapshot,
  EndpointHealth,
  ErrorSnapshot,
  ExceptionSnapshot,
  GeneratorColumns,
  HistoryPoint,
  HostColumns,
  IterationColumns,
  LoadColumns,
  MetricSnapshot,
  MonitorChart,
  RunStart,
  SeriesColumns,
};

/** The runner's state, as Locust names it. */
export type RunState = "ready" | "spawning" | "running" | "stopping" | "stopped" | "missing";

/** One row of the statistics table: what the table shows, nothing more (no histograms). */
export interface StatsRow {
  /** `method + "\t" + name`: stable identity of a row across updates. */
  key: string;
  method: string;
  name: string;
  numRequests: number;
  numFailures: number;
  /** Whole-run response-time percentiles, ms; null before the first timed response. */
  medianMs: number | null;
  /** The table's percentiles (`UiMeta.percentiles`, in that order), ms. */
  percentilesMs: Array<number | null>;
  avgMs: number;
  minMs: number | null;
  maxMs: number;
  /** Bytes. */
  avgContentLength: number;
  /** Over the current window (the last 10 s). */
  currentRps: number;
  currentFailPerSec: number;
  /**
   * Arrival-rate tests only: the whole-run median of the response times from the intended
   * start (the iteration's scheduled time, so a wait for a free user counts), ms. Absent
   * for a row with no such times (every row of a closed-model test).
   */
  intendedMedianMs?: number | null;
  /** The same from the intended start at the table's percentiles; present with `intendedMedianMs`. */
  intendedPercentilesMs?: Array<number | null>;
}

/**
 * A StatsRow as the live stream sends it: the values in this order, without field names
 * (a third of the bytes of an object, which matters at 1,000 rows a second). The key is
 * `method + "\t" + name`.
 */
export type WireRow = [
  method: string,
  name: string,
  numRequests: number,
  numFailures: number,
  medianMs: number | null,
  percentilesMs: Array<number | null>,
  avgMs: number,
  minMs: number | null,
  maxMs: number,
  avgContentLength: number,
  currentRps: number,
  currentFailPerSec: number,
  /** Only for a row with times from the intended start: their median, then the table's percentiles. */
  intendedMs?: Array<number | null>,
];

/** A worker of a distributed run (empty list for a local run). */
export interface WorkerRow {
  id: string;
  state: RunState;
  userCount: number;
  cpuPercent: number;
  memoryBytes: number;
}

/** The header bar and the buttons: what the run is doing now. */
export interface RunStatus {
  state: RunState;
  /** The host the next (or current) test targets; undefined when none is known yet. */
  host: string | undefined;
  userCount: number;
  targetUserCount: number;
  spawnRate: number;
  /** Connected workers; null for a local (not distributed) run. */
  workerCount: number | null;
  /** Current requests/s of the Aggregated row. */
  totalRps: number;
  /** Failures / requests over the whole test, 0..1. */
  failRatio: number;
  /** Epoch ms when the current test started. */
  startedAtMs: number | null;
  /** Users per class right now. */
  userClassesCount: Record<string, number>;
  /**
   * True while the load generator (this process, or a master) is overloaded: CPU above
   * 90 % or event-loop lag above 50 ms (seconds in which users run only).
   */
  generatorOverloaded: boolean;
  /** While overloaded: a short label and the advice for its cause and this process's role. */
  generatorWarning: GeneratorWarning | null;
  /** The current (or last) test as it was asked for; null before the first one. */
  lastTest: TestSummary | null;
  /** "users" (the closed model) or "arrival-rate" (the open model) for the current or last test. */
  loadModel?: "users" | "arrival-rate";
  /** The open model's numbers while (or after) an arrival-rate test ran; null otherwise. */
  openModel?: OpenModelStatus | null;
  /** The current or last capacity search of the session (its steps, and its answer once done); null before any. */
  capacity?: CapacityProgress | null;
  /**
   * The sentences the console and the HTML report print under the request table, so the
   * target's own request count can be reconciled: requests sent twice, and requests aborted
   * by the stop (sent, or still waiting for a connection). Empty when there were none.
   */
  requestNotes?: string[];
  /**
   * A master's: why its workers do not run the test as asked (one lacks user classes it was
   * sent), with what to do; null when nothing is wrong (and always for a local run).
   */
  clusterProblem?: string | null;
}

/** The header's overload badge. */
export interface GeneratorWarning {
  /** E.g. "Generator overloaded", "Generator delayed" (from outside), "Master overloaded". */
  label: string;
  /** What it means and what to do, for this cause (CPU of this process, or lag from outside). */
  advice: string;
}

/** A test of the session: what the start form starts from and the reports describe. */
export interface TestSummary {
  /** 1 for the session's first test. */
  number: number;
  startTimeMs: number;
  /** Null while it runs. */
  endTimeMs: number | null;
  /** The users and spawn rate it runs with now (after Edit); null with a load shape. */
  users: number | null;
  spawnRate: number | null;
  /** Its run-time limit as a time span ("5m"), or "" for none. */
  runTime: string;
  shape: string | null;
  /** An arrival-rate test's rate (after changes) and limits, as the start form's fields; null otherwise. */
  arrival?: ArrivalFields | null;
}

/** An arrival-rate test as the start form writes it. */
export interface ArrivalFields {
  /** "500", or a ramp "100:1000". */
  arrivalRate: string;
  /** The ramp's duration as a time span ("30s"), or "". */
  ramp: string;
  maxUsers: number;
  /** A time span, e.g. "1s". */
  maxQueueTime: string;
}

/** An arrival-rate test now: rates, iterations and the Aggregated latency from the intended start. */
export interface OpenModelStatus {
  /** Iterations per second asked for now. */
  targetRate: number;
  /** Iterations started in the last whole second (on a master, the second 5 s back). */
  currentRate: number;
  /** Iterations started per second over the test so far, or over the whole test once it stopped. */
  totalRate: number;
  started: number;
  /** Started iterations that ended by themselves (within --stop-timeout too). */
  completed: number;
  /**
   * started − completed: the iterations running now; once the test has stopped, the ones
   * interrupted (still running at the stop, their requests in no statistics).
   */
  inFlight: number;
  /** Iterations that never started: waited out --max-queue-time, or still waiting at the stop. */
  dropped: number;
  /** Of `dropped`, those still waiting for a free user when the test stopped (0 while it runs). */
  droppedAtStop: number;
  /** Iterations dropped in that second (for waiting out --max-queue-time). */
  currentDroppedPerSec: number;
  /** Iterations waiting for a free user now. */
  waiting: number;
  /** A master's estimate of the iterations due on workers that went missing, in no count (0 without). */
  lostWithWorkers: number;
  /** Whole-test percentiles of the Aggregated response times from the intended start, ms. */
  intendedP50Ms: number | null;
  intendedP95Ms: number | null;
  intendedP99Ms: number | null;
}

/** `GET /api/iterations`: the open model's series of the session (null when no test ran at an arrival rate). */
export interface IterationsResponse {
  iterations: IterationColumns | null;
}

/** A link on the Download data tab. */
export interface DownloadLink {
  label: string;
  /** Relative to the UI's base path, e.g. "stats/requests/csv". */
  href: string;
  description: string;
}

/** A custom argument of the locustfile (`events.initCommandLineParser`) in the start form. */
export interface CustomParameter {
  /** The `POST /swarm` field: Locust's dest, e.g. "my_argument". */
  name: string;
  /** The flag, e.g. "--my-argument". */
  flag: string;
  help: string;
  /** The input: text, number, secret (password), boolean (checkbox), select, multiselect. */
  kind: "text" | "number" | "secret" | "boolean" | "select" | "multiselect";
  /** The choices of a select or multiselect. */
  choices: string[];
  required: boolean;
  /** The value the next test gets unless changed; a secret's is never sent ("" instead). */
  value: string | string[] | boolean;
  /** For a secret: it has a value, which an empty field keeps. */
  hasValue: boolean;
}

/** What does not change during the life of the server (sent with every full update). */
export interface UiMeta {
  version: string;
  /** The locustfile(s), as given. */
  locustfile: string;
  /** Start-form defaults from -u, -r, -t, -H and the classes' hosts. */
  defaults: {
    userCount: number;
    spawnRate: number;
    host: string;
    /** Time span text, e.g. "5m", or "" for none. */
    runTime: string;
    /** --arrival-rate as given ("500", "100:1000"), or "" (the form then starts with users). */
    arrivalRate?: string;
    /** --ramp as a time span, or "". */
    ramp?: string;
    /** --max-users (or its default). */
    maxUsers?: number;
    /** --max-queue-time as a time span, e.g. "1s". */
    maxQueueTime?: string;
    /** --find-capacity, --slo and --capacity-*: the form's "Find capacity" fields. */
    capacity?: CapacityFormDefaults;
  };
  /** True when -H gave a host or every user class has its own, so the form's host may be left empty. */
  hostOptional: boolean;
  /** Every user class of the locustfile. */
  userClasses: string[];
  /** The classes the current (or last) test runs: all, or the class picker's choice. */
  activeUserClasses: string[];
  /** Name of the LoadTestShape the test follows, if any (the form then asks for no user count). */
  shapeClass: string | null;
  /** Every LoadTestShape of the locustfile (the class picker's choices). */
  shapeClasses: string[];
  /** --class-picker: the start form offers the user classes and the load shapes. */
  classPicker: boolean;
  /** True for a master: the Workers tab and the header's worker count apply. */
  distributed: boolean;
  downloads: DownloadLink[];
  /** The locustfile's custom arguments shown in the start form ("Custom parameters"). */
  customParameters: CustomParameter[];
  /**
   * The statistics table's percentile columns besides the median, as fractions
   * (default [0.95, 0.99], Locust's PERCENTILES_TO_STATISTICS); rows carry them in this order.
   */
  percentiles: number[];
  /** Each user class's settings for the next test (POST /user changes them). */
  userClassSettings: UserClassSettings[];
}

/** A user class's settings, as Locust's class picker edits them (`POST /user`). */
export interface UserClassSettings {
  name: string;
  /** The class's own host; null for none (it then uses the test's host). */
  host: string | null;
  weight: number;
  fixedCount: number;
}

/** Change counters of data the browser fetches on demand (failures, logs). */
export interface Versions {
  /** Changes whenever a failure is recorded (the failure count of the test). */
  failures: number;
  /** Sequence number of the newest log line. */
  logs: number;
  /** Changes whenever task code throws (the exception count of the test, dropped ones included). */
  exceptions: number;
  /** Changes whenever a check runs or a custom metric is updated. */
  checks?: number;
}

/** Everything, sent when a browser connects and after a stats reset. */
export interface FullUpdate {
  kind: "full";
  /** Epoch ms of this update. */
  timeMs: number;
  meta: UiMeta;
  status: RunStatus;
  rows: WireRow[];
  total: WireRow;
  /**
   * The Aggregated history kept on the server (bounded, downsampled): every test of the
   * session, not only the current one.
   */
  history: SeriesColumns;
  /** Where each test of the session began, for the charts' "Run #n" markers. */
  runs: RunStart[];
  workers: WorkerRow[];
  versions: Versions;
}

/** What changed since the previous tick (at most one a second, shared by every browser). */
export interface TickUpdate {
  kind: "tick";
  timeMs: number;
  status: RunStatus;
  /** Rows that are new or changed since the previous tick. */
  rows: WireRow[];
  total: WireRow;
  /** The chart point of this tick, or null when no test is running. */
  point: HistoryPoint | null;
  workers: WorkerRow[];
  versions: Versions;
}

/** One message of the live stream (`GET /api/stream`, Server-Sent Events). */
export type LiveUpdate = FullUpdate | TickUpdate;

/** `GET /api/failures`. */
export interface FailuresResponse {
  errors: ErrorSnapshot[];
  /** Occurrences not grouped because the table was full. */
  dropped: number;
}

/** `GET /api/checks`: the locustfile's checks and custom metrics (the Checks tab). */
export interface ChecksResponse {
  checks: CheckSnapshot[];
  /** Every check together (what the `checks` threshold reads); null when none ran. */
  all: CheckSnapshot | null;
  /** Each metric with its values in words ("20 (0.33/s)"), as the console shows them. */
  metrics: Array<MetricSnapshot & { text: string }>;
}

/** `GET /api/exceptions`. */
export interface ExceptionsResponse {
  exceptions: ExceptionSnapshot[];
  dropped: number;
}

/** A log line kept for the Logs tab. */
export interface LogLine {
  seq: number;
  timeMs: number;
  level: string;
  message: string;
}

/** `GET /api/logs?after=N`. */
export interface LogsResponse {
  lines: LogLine[];
  /** Lines older than the buffer holds that were dropped. */
  dropped: number;
}

/** A node of the task-ratio tree (`GET /tasks`). */
export interface RatioTree {
  [name: string]: { ratio: number; tasks?: RatioTree };
}

/** `GET /tasks`: Locust's shape. */
export interface TasksResponse {
  per_class: RatioTree;
  total: RatioTree;
}

/** Body of `POST /swarm` as JSON (a form with the same fields works too). */
export interface SwarmRequest {
  user_count?: number | string;
  spawn_rate?: number | string;
  host?: string;
  run_time?: string | number;
  /** With --class-picker: the user classes to run (a repeated field in a form). */
  user_classes?: string[];
  /** With --class-picker: the LoadTestShape to follow; "Default" or "" for none. */
  shape_class?: string;
  /** The open model instead of users: "500", or "100:1000" with `ramp`. */
  arrival_rate?: string | number;
  /** With arrival_rate A:B: the time span of the ramp. */
  ramp?: string;
  /** Users created on demand for an arrival rate, at most (default --max-users). */
  max_users?: string | number;
  /** How long an iteration may wait for a free user (default --max-queue-time). */
  max_queue_time?: string;
  /** A capacity search instead of a fixed load ("true"), with its SLOs and settings (docs/capacity.md). */
  find_capacity?: boolean | string;
  slo?: string | string[];
  capacity_model?: "users" | "arrival-rate";
  capacity_start?: string | number;
  capacity_growth?: string;
  capacity_hold?: string;
  capacity_max?: string | number;
  capacity_precision?: string;
  /** The locustfile's custom arguments, by Locust's dest name (e.g. `my_argument`). */
  [customArgument: string]: string | number | boolean | string[] | undefined;
}

/** The start form's capacity fields as the command line gave them ("" for a default). */
export interface CapacityFormDefaults {
  findCapacity: boolean;
  /** The SLOs, comma-separated. */
  slo: string;
  model: "users" | "arrival-rate";
  start: string;
  growth: string;
  hold: string;
  max: string;
}

/** Answer of `POST /swarm` and the other commands. */
export interface CommandResponse {
  success: boolean;
  message: string;
  host?: string | undefined;
  /** With --class-picker, for a start: the classes the test runs (as Locust answers). */
  user_classes?: string[];
  /** For a rejected request: one entry per bad field. */
  errors?: Array<{ field: string; message: string }>;
}

/**
 * `GET /api/monitor?since=MS&loadSince=MS`: the target's resources (the Target tab).
 * Charts, finding and endpoints describe the whole test; `hosts` and `generator` hold only
 * the points after `since`, `load` those after `loadSince` (all of them without it), so the
 * tab adds a few points a second.
 */
export interface MonitorResponse {
  /** False when the run monitors nothing (no --monitor, no --prometheus). */
  configured: boolean;
  /** True while a test is being monitored. */
  running: boolean;
  intervalMs: number;
  /** When the monitored test started (a new value means: start again from scratch). */
  startTimeMs: number | null;
  /** The newest point's time, to pass as `since` next time. */
  lastTimeMs: number | null;
  charts: MonitorChart[];
  hosts: HostColumns[];
  generator: GeneratorColumns;
  /** The load's completed requests: cumulative counts and the rates between them (a master's trail its scrapes by ~6 s). */
  load: LoadColumns;
  /** The newest load point's time, to pass as `loadSince` next time. */
  lastLoadTimeMs: number | null;
  endpoints: EndpointHealth[];
  /** What saturated first (or "latency-rose", "none", "no-data"), in one sentence. */
  finding: { kind: string; text: string } | null;
}
