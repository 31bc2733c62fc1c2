/**
 * A run-time check of a parsed JSON report against the schema types of json-schema.ts:
 * every key present, no unknown key, every value of the right type. The key lists are
 * typed `Shape<T>` (one validator per key of T, none missing, none extra), so the
 * validator cannot drift from the types without a compile error.
 */

import type { BeforeLoadEvidence } from "../monitor/before-load.js";
import type { ResourceValue } from "../monitor/saturation.js";
import type {
  EndpointHealth,
  GeneratorColumns,
  HostColumns,
  HostInfo,
  LoadColumns,
  SaturationLevel,
  ScrapeFailureKind,
  SeriesDefinition,
} from "../monitor/types.js";
import { capacityCheck } from "./capacity-json-check.js";
import {
  HISTOGRAM_ENCODING,
  type JsonCheck,
  type JsonEntry,
  type JsonException,
  type JsonFailure,
  type JsonHistogram,
  type JsonHistory,
  type JsonIntended,
  type JsonIterationSeries,
  type JsonIterations,
  type JsonMetric,
  type JsonMonitor,
  type JsonNamedSeries,
  type JsonReport,
  type JsonSaturation,
  type JsonSeries,
  type JsonThresholdResult,
  type JsonThresholdWindow,
  PERCENTILE_KEYS,
  type PercentileKey,
  type RatioTree,
  type ReportCapacitySearch,
  type ReportFlag,
  type ReportMeta,
  type ReportUserClass,
} from "./json-schema.js";

// The checks are exported for the validators of other keys (capacity-json.ts).
/** Appends a problem per mismatch found at `path`. */
export type Check = (value: unknown, path: string, problems: string[]) => void;
/** One check per key of T, every key required (optional keys included). */
export type Shape<T> = { [K in keyof T]-?: Check };

const typeName = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value;

const expect =
  (what: string, ok: (value: unknown) => boolean): Check =>
  (value, path, problems) => {
    if (!ok(value)) problems.push(`${path}: expected ${what}, got ${typeName(value)}`);
  };

export const num = expect("a finite number", (v) => typeof v === "number" && Number.isFinite(v));
export const str = expect("a string", (v) => typeof v === "string");
export const bool = expect("a boolean", (v) => typeof v === "boolean");
export const literal = (wanted: unknown): Check => expect(JSON.stringify(wanted), (v) => v === wanted);
export const oneOf = (options: readonly unknown[]): Check =>
  expect(`one of ${options.map((o) => JSON.stringify(o)).join(", ")}`, (v) => options.includes(v));

export const nullable =
  (check: Check): Check =>
  (value, path, problems) => {
    if (value !== null) check(value, path, problems);
  };

export const array =
  (item: Check): Check =>
  (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: expected an array, got ${typeName(value)}`);
      return;
    }
    value.forEach((element, i) => {
      item(element, `${path}[${i}]`, problems);
    });
  };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An object with exactly the keys of `shape`; keys in `optional` may be absent. */
export function object<T>(shape: Shape<T>, optional: ReadonlyArray<keyof T> = []): Check {
  const checks = shape as Record<string, Check>;
  return (value, path, problems) => {
    if (!isObject(value)) {
      problems.push(`${path}: expected an object, got ${typeName(value)}`);
      return;
    }
    for (const [key, check] of Object.entries(checks)) {
      if (key in value) check(value[key], `${path}.${key}`, problems);
      else if (!(optional as readonly string[]).includes(key)) problems.push(`${path}: missing key '${key}'`);
    }
    for (const key of Object.keys(value)) {
      if (!(key in checks)) problems.push(`${path}: unknown key '${key}'`);
    }
  };
}

const record =
  (item: Check): Check =>
  (value, path, problems) => {
    if (!isObject(value)) {
      problems.push(`${path}: expected an object, got ${typeName(value)}`);
      return;
    }
    for (const [key, element] of Object.entries(value)) item(element, `${path}["${key}"]`, problems);
  };

const histogram = object<JsonHistogram>({
  encoding: literal(HISTOGRAM_ENCODING),
  unit: literal("us"),
  minUs: num,
  maxUs: num,
  data: str,
});

const percentiles = object<Record<PercentileKey, number | null>>(
  Object.fromEntries(PERCENTILE_KEYS.map((key) => [key, nullable(num)])) as Shape<
    Record<PercentileKey, number | null>
  >,
);

const intended = object<JsonIntended>({
  count: num,
  minResponseTimeMs: nullable(num),
  maxResponseTimeMs: num,
  avgResponseTimeMs: num,
  medianResponseTimeMs: nullable(num),
  percentiles,
  histogram: nullable(histogram),
});

const entry = object<JsonEntry>({
  method: str,
  name: str,
  numRequests: num,
  numFailures: num,
  numNoneRequests: num,
  failRatio: num,
  minResponseTimeMs: nullable(num),
  maxResponseTimeMs: nullable(num),
  avgResponseTimeMs: nullable(num),
  medianResponseTimeMs: nullable(num),
  percentiles,
  rps: num,
  failPerSec: num,
  totalContentLength: num,
  avgContentLength: num,
  startTimeMs: num,
  lastRequestTimeMs: nullable(num),
  histogram: nullable(histogram),
  intended: nullable(intended),
});

const failure = object<JsonFailure>({
  method: str,
  name: str,
  error: str,
  occurrences: num,
  firstSeenMs: num,
  lastSeenMs: num,
});

const exception = object<JsonException>({ count: num, message: str, traceback: str, nodes: array(str) });

const seriesShape: Shape<JsonSeries> = {
  stride: num,
  timeMs: array(num),
  userCount: array(num),
  rps: array(num),
  failPerSec: array(num),
  p50: array(nullable(num)),
  p95: array(nullable(num)),
  p99: array(nullable(num)),
  avgResponseTimeMs: array(num),
};

const history = object<JsonHistory>({
  total: object<JsonSeries>(seriesShape),
  entries: array(object<JsonNamedSeries>({ ...seriesShape, method: str, name: str })),
  iterations: nullable(
    object<JsonIterationSeries>({
      stride: num,
      timeMs: array(num),
      targetRate: array(num),
      rate: array(num),
      droppedPerSec: array(num),
    }),
  ),
});

const iterations = object<JsonIterations>(
  {
    targetRate: num,
    scheduled: num,
    started: num,
    completed: num,
    interrupted: num,
    dropped: num,
    droppedAtStop: num,
    waiting: num,
    lostWithWorkers: num,
    rate: num,
  },
  ["completed", "interrupted", "droppedAtStop", "lostWithWorkers"],
);

const thresholdWindow = object<JsonThresholdWindow>({
  lengthMs: num,
  judged: num,
  failed: num,
  worst: nullable(
    object<NonNullable<JsonThresholdWindow["worst"]>>({ startMs: num, endMs: num, value: num }),
  ),
});

const threshold = object<JsonThresholdResult>(
  {
    key: str,
    expression: str,
    metric: str,
    operator: oneOf(["<", "<=", ">", ">=", "==", "!="]),
    limit: num,
    measured: nullable(num),
    passed: bool,
    reason: nullable(str),
    abortOnFail: bool,
    aborted: bool,
    unit: str,
    window: thresholdWindow,
    interruptedIterations: num,
  },
  ["unit", "window", "interruptedIterations"],
);

const check = object<JsonCheck>({ name: str, passes: num, fails: num, rate: num });

const customMetric = object<JsonMetric>({
  name: str,
  kind: oneOf(["counter", "gauge", "rate", "trend"]),
  count: nullable(num),
  rate: nullable(num),
  value: nullable(num),
  merge: nullable(oneOf(["sum", "max"])),
  trues: nullable(num),
  min: nullable(num),
  max: nullable(num),
  avg: nullable(num),
  med: nullable(num),
  percentiles: nullable(percentiles),
  unit: str,
});

const ratioTree: Check = (value, path, problems) =>
  object<RatioTree>({ ratio: num, tasks: record(ratioTree) }, ["tasks"])(value, path, problems);

const meta = object<ReportMeta>(
  {
    startTimeMs: num,
    endTimeMs: nullable(num),
    durationMs: num,
    host: nullable(str),
    locustfile: str,
    loadModel: oneOf(["users", "arrival-rate"]),
    users: nullable(num),
    spawnRate: nullable(num),
    runTimeMs: nullable(num),
    shape: nullable(str),
    arrivalRate: nullable(
      object<NonNullable<ReportMeta["arrivalRate"]>>({ from: num, to: nullable(num), rampMs: nullable(num) }),
    ),
    openModel: nullable(object<NonNullable<ReportMeta["openModel"]>>({ maxUsers: num, maxQueueTimeMs: num })),
    capacitySearch: nullable(
      object<ReportCapacitySearch>({
        model: oneOf(["users", "arrival-rate"]),
        start: num,
        max: num,
        highestLoad: nullable(num),
        capacity: nullable(num),
        outcome: nullable(oneOf(["found", "below-start", "at-least", "generator-limit"])),
      }),
    ),
    cicadaVersion: str,
    userClasses: array(
      object<ReportUserClass>({ name: str, weight: num, fixedCount: num, host: nullable(str) }),
    ),
    taskRatio: object<ReportMeta["taskRatio"]>({ perClass: record(ratioTree), total: record(ratioTree) }),
    flags: array(object<ReportFlag>({ code: str, message: str })),
    // Reports written before capacitySearch existed still validate.
  },
  ["capacitySearch"],
);

const nullableNumbers = array(nullable(num));

const resourceValueShape: Shape<ResourceValue> = {
  host: str,
  series: str,
  label: str,
  unit: str,
  value: num,
  level: num,
};
const resourceValue = object<ResourceValue>(resourceValueShape);

const monitor = object<JsonMonitor>(
  {
    intervalMs: num,
    startTimeMs: nullable(num),
    endTimeMs: nullable(num),
    series: array(
      object<SeriesDefinition>({
        name: str,
        label: str,
        unit: str,
        merge: oneOf(["max", "mean"]),
        origin: oneOf(["node", "metric", "query"]),
      }),
    ),
    levels: array(object<SaturationLevel>({ series: str, level: num })),
    hosts: array(
      object<HostColumns>({
        host: str,
        source: str,
        kind: oneOf(["exporter", "prometheus"]),
        info: nullable(object<HostInfo>({ cpus: num, memoryBytes: num })),
        stride: num,
        timeMs: array(num),
        values: record(nullableNumbers),
      }),
    ),
    generator: object<GeneratorColumns>({
      stride: num,
      timeMs: array(num),
      cpuPercent: nullableNumbers,
      lagMs: nullableNumbers,
      workerCpuPercent: nullable(nullableNumbers),
    }),
    endpoints: array(
      object<EndpointHealth>({
        label: str,
        url: str,
        kind: oneOf(["exporter", "prometheus"]),
        scrapes: num,
        failures: num,
        byKind: object<Record<ScrapeFailureKind, number>>({
          unreachable: num,
          slow: num,
          http: num,
          garbage: num,
        }),
        lastError: nullable(str),
        lastErrorAtMs: nullable(num),
      }),
    ),
    saturation: object<JsonSaturation>(
      {
        kind: oneOf(["saturated", "latency-rose", "none", "no-data"]),
        text: str,
        resource: nullable(resourceValue),
        timeMs: nullable(num),
        atStart: bool,
        load: nullable(
          object<NonNullable<JsonSaturation["load"]>>({
            timeMs: num,
            users: num,
            rps: nullable(num),
            p95Ms: nullable(num),
          }),
        ),
        p95BeforeMs: nullable(num),
        p95PeakMs: nullable(num),
        generatorCpuPercent: nullable(num),
        beforeLoad: nullable(object<BeforeLoadEvidence>({ series: str, value: num })),
        allCoresPercent: nullable(num),
        singleCore: bool,
        generatorMachine: nullable(object<{ cpus: number | null }>({ cpus: nullable(num) })),
        saturatedLater: nullable(
          object<ResourceValue & { timeMs: number }>({ ...resourceValueShape, timeMs: num }),
        ),
      },
      ["beforeLoad", "allCoresPercent", "singleCore", "generatorMachine", "saturatedLater"],
    ),
    load: object<LoadColumns>({
      stride: num,
      timeMs: array(num),
      requests: array(num),
      failures: array(num),
      rps: nullableNumbers,
      failPerSec: nullableNumbers,
    }),
  },
  ["load"],
);

const reportShape: Shape<JsonReport> = {
  schemaVersion: literal(1),
  generator: literal("cicada"),
  generatedAtMs: num,
  meta,
  total: entry,
  entries: array(entry),
  failures: array(failure),
  droppedFailures: num,
  exceptions: array(exception),
  droppedExceptions: num,
  collapsedNames: bool,
  resentRequests: num,
  abortedRequests: num,
  abortedUnsentRequests: num,
  history,
  thresholds: array(threshold),
  iterations: nullable(iterations),
  monitor: nullable(monitor),
  // A call, not the value: the two modules import each other (see capacity-json-check.ts).
  capacity: (value, path, problems) => nullable(capacityCheck)(value, path, problems),
  checks: array(check),
  metrics: array(customMetric),
};

// `monitor`, `capacity`, `checks`, `metrics`, `resentRequests`, `abortedRequests` and
// `abortedUnsentRequests` may be absent: reports written before those features lack them.
const report = object<JsonReport>(reportShape, [
  "monitor",
  "capacity",
  "checks",
  "metrics",
  "resentRequests",
  "abortedRequests",
  "abortedUnsentRequests",
]);

/**
 * Checks a parsed JSON document against the {@link JsonReport} schema. Returns every
 * problem found ("$.total.percentiles: missing key 'p95'"); an empty list means valid.
 */
export function validateJsonReport(value: unknown): string[] {
  const problems: string[] = [];
  report(value, "$", problems);
  return problems;
}

/** Narrows `value` to a JsonReport, or throws an Error listing the first problems. */
export function assertJsonReport(value: unknown): asserts value is JsonReport {
  const problems = validateJsonReport(value);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join("\n  ");
    const more = problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : "";
    throw new Error(`not a Cicada JSON report (schema 1):\n  ${shown}${more}`);
  }
}
