/**
 * Thresholds: service-level objectives that turn a run into pass or fail (k6's
 * thresholds, Artillery's `ensure`). This file parses and validates them; evaluation is
 * in threshold-eval.ts. The syntax is documented in docs/thresholds.md:
 *
 *   export const thresholds: Thresholds = {
 *     "GET /coupons": ["p(95) < 300", "failRate < 1%"],
 *     total: ["rps > 500"],
 *     "/coupons": [{ threshold: "p(99) < 1000", abortOnFail: true, delayAbortEval: "10s" }],
 *   };
 *
 *   cicada ... --threshold "p95<300" --threshold "/coupons:failRate<0.01"
 */
import { UsageError } from "../shared/errors.js";
import { parseTimespan } from "../shared/timespan.js";
import type { MetricDeclaration, MetricKind } from "../stats/index.js";
import {
  checkHostKey,
  HOST_KEY_PREFIX,
  hostOfKey,
  isHostKey,
  type MonitorAggregate,
  type MonitorThresholdContext,
  parseMonitorExpression,
} from "./monitor-thresholds.js";
import { parseScriptingExpression, scriptingTarget } from "./threshold-scripting.js";

/** One threshold with options, as a locustfile writes it. */
export interface ThresholdSpec {
  /** The expression, e.g. "p(95) < 300". */
  threshold: string;
  /** Stop the run as soon as this threshold has failed for `delayAbortEval` in a row. */
  abortOnFail?: boolean;
  /** How long the threshold must keep failing before the run is aborted: "10s", or seconds. Default 0. */
  delayAbortEval?: string | number;
}

/**
 * The `thresholds` export of a locustfile: per key ("total", "Aggregated", "GET /name" or
 * a bare name for all methods), one expression or a list of them.
 */
export type Thresholds = Record<string, string | ThresholdSpec | ReadonlyArray<string | ThresholdSpec>>;

/** Comparison operators. */
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** `measured <operator> limit`. */
export function compare(measured: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case "<":
      return measured < limit;
    case "<=":
      return measured <= limit;
    case ">":
      return measured > limit;
    case ">=":
      return measured >= limit;
    case "==":
      return measured === limit;
    case "!=":
      return measured !== limit;
  }
}

/**
 * Why a limit on a ratio (0 to 1) makes a threshold that can never fail or never pass
 * ("failRate<5" for 5 %), or undefined when the limit is within 0..1. `name` is the metric as
 * the user wrote it.
 */
export function ratioLimitProblem(
  name: string,
  operator: ThresholdOperator,
  limit: number,
  expression: string,
  writtenInPercent = false,
): string | undefined {
  if (limit >= 0 && limit <= 1) return undefined;
  // A ratio lies between 0 and 1: both ends agree on a limit outside that range.
  const verdict = compare(0, operator, limit) ? "can never fail" : "can never pass";
  const likelyPercent = !writtenInPercent && limit > 1 && limit <= 100;
  const asPercent = likelyPercent ? ` (${limit} % is ${limit / 100} or ${limit}%)` : "";
  return `${name} is a ratio from 0 to 1, so '${expression}' ${verdict}${asPercent}`;
}

/** What a threshold measures. Times are ms, failRate a ratio (0..1). */
export type ThresholdMetric =
  | { kind: "percentile"; percentile: number }
  | { kind: "avg" | "min" | "max" | "med" | "rps" | "failRate" | "failures" | "count" }
  /** A percentile of the response times from the intended start (open model): `p99_intended`. */
  | { kind: "intendedPercentile"; percentile: number }
  /**
   * Dropped iterations, or interrupted ones (still running when the test stopped): open
   * model, counts of the whole test.
   */
  | { kind: "dropped" | "interrupted" }
  /** A monitored series of a host (`host:LABEL` keys), read over the test as `aggregate`. */
  | { kind: "monitor"; series: string; aggregate: MonitorAggregate }
  /** Checks and custom metrics (threshold-scripting.ts): a pass rate, a counter's per-second rate, a gauge's value. */
  | { kind: "rate" | "passes" | "fails" | "value" };

/** Which row a threshold reads. */
export type ThresholdTarget =
  | { kind: "total" }
  /** `method` set: "GET /x" (falling back to a row named "GET /x"); unset: every method of `name`. */
  | { kind: "name"; name: string; method?: string }
  /** `host:LABEL`: a monitored host's series (docs/monitoring.md). */
  | { kind: "host"; host: string }
  /** `checks`: every check of the locustfile together. */
  | { kind: "checks" }
  /** `check:"has token"`: one named check. */
  | { kind: "check"; name: string }
  /** A custom metric the locustfile declared (`coupons_issued`). */
  | { kind: "metric"; name: string; metricKind: MetricKind; unit: string };

/** A parsed, validated threshold. */
export interface ThresholdDefinition {
  key: string;
  target: ThresholdTarget;
  expression: string;
  metric: ThresholdMetric;
  operator: ThresholdOperator;
  limit: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** `p95[30s]<300`: every window of this length must hold (undefined: the whole run). */
  windowMs?: number | undefined;
  /** Where it was declared, for messages: "locustfile", "--threshold". */
  source: string;
}

const TIME_METRICS = new Set(["avg", "min", "max", "med"]);
const NAMED_METRICS = ["avg", "min", "max", "med", "rps", "failRate", "failures", "count"] as const;
const METRIC_ALIASES: Record<string, (typeof NAMED_METRICS)[number]> = { median: "med" };
/** Every metric name, for messages. */
export const THRESHOLD_METRICS = [
  "p(N)",
  "pN",
  ...NAMED_METRICS,
  "pN_intended",
  "p(N)_intended",
  "dropped",
  "interrupted",
];

// The metric's second form (any word) lets a misspelt one such as "p59_intnded" reach
// parseMetric, which names it and lists the metrics, instead of "cannot parse".
const EXPRESSION =
  /^\s*([A-Za-z_]+(?:\(\s*[\d.]+\s*\)|[\d.]+)?(?:_intended)?|[A-Za-z_][\w.()]*)\s*(?:\[([^\]]*)\])?\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*(ms|s|%)?\s*$/;

/** The shortest window of a windowed threshold. */
const MIN_WINDOW_MS = 1000;

/** `30s` of `p95[30s]` in ms, or a message saying what is wrong. */
export function parseWindow(text: string, expression: string): number | string {
  const ms = parseTimespan(text);
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_WINDOW_MS) {
    return `the window [${text}] in '${expression}' must be a time span of at least 1s, such as [30s] or [1m]`;
  }
  return ms;
}

/** Canonical name of a metric: "p(95)", "avg", ... */
export function metricName(metric: ThresholdMetric): string {
  if (metric.kind === "monitor") return `${metric.aggregate}(${metric.series})`;
  if (metric.kind === "percentile") return `p(${metric.percentile})`;
  if (metric.kind === "intendedPercentile") return `p(${metric.percentile})_intended`;
  return metric.kind;
}

/** Whether a metric (or its canonical name) is a response time in ms. */
export function isTimeMetric(metric: ThresholdMetric | string): boolean {
  const name = typeof metric === "string" ? metric : metricName(metric);
  return name.startsWith("p(") || TIME_METRICS.has(name);
}

function parseMetric(text: string): ThresholdMetric | string {
  const percentile = /^p\(?\s*([\d.]+)\s*\)?(_intended)?$/.exec(text);
  if (percentile && text.includes("(") === text.includes(")")) {
    const value = Number(percentile[1]);
    if (!(value > 0 && value <= 100))
      return `a percentile must be above 0 and at most 100, got ${percentile[1]}`;
    return { kind: percentile[2] ? "intendedPercentile" : "percentile", percentile: value };
  }
  if (text === "dropped" || text === "interrupted") return { kind: text };
  const name = METRIC_ALIASES[text] ?? (NAMED_METRICS as readonly string[]).find((m) => m === text);
  if (name !== undefined) return { kind: name as (typeof NAMED_METRICS)[number] };
  return `unknown metric '${text}'`;
}

/**
 * Parses one expression ("p(95) < 300", "failRate<1%", "avg <= 0.2s"). Returns the parts,
 * or a message saying what is wrong.
 */
export function parseThresholdExpression(
  expression: string,
): { metric: ThresholdMetric; operator: ThresholdOperator; limit: number; windowMs?: number } | string {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    return `cannot parse '${expression}': expected <metric> <operator> <number>, e.g. 'p(95) < 300' or 'failRate < 0.01'`;
  }
  const [, metricText = "", windowText, operator = "<", numberText = "", unit] = match;
  const metric = parseMetric(metricText);
  if (typeof metric === "string")
    return `${metric} in '${expression}' (metrics: ${THRESHOLD_METRICS.join(", ")})`;
  const windowMs = windowText === undefined ? undefined : parseWindow(windowText, expression);
  if (typeof windowMs === "string") return windowMs;
  if (windowMs !== undefined && (metric.kind === "dropped" || metric.kind === "interrupted")) {
    return `'${metric.kind}' counts the whole test's ${metric.kind} iterations: it has no window, in '${expression}'`;
  }
  let limit = Number(numberText);
  if (!Number.isFinite(limit)) return `'${numberText}' is not a number in '${expression}'`;
  const isTime = isTimeMetric(metric);
  if (unit === "ms" || unit === "s") {
    if (!isTime)
      return `'${unit}' only applies to response times, not to ${metricName(metric)}, in '${expression}'`;
    if (unit === "s") limit *= 1000;
  } else if (unit === "%") {
    if (metric.kind !== "failRate") return `'%' only applies to failRate, in '${expression}'`;
    limit /= 100;
  }
  if (metric.kind === "failRate") {
    const problem = ratioLimitProblem(
      "failRate",
      operator as ThresholdOperator,
      limit,
      expression,
      unit === "%",
    );
    if (problem !== undefined) return problem;
  }
  return {
    metric,
    operator: operator as ThresholdOperator,
    limit,
    ...(windowMs === undefined ? {} : { windowMs }),
  };
}

/**
 * What a key names: "total"/"Aggregated", `host:LABEL`, `checks`, `check:"name"`, a
 * declared custom metric, "METHOD name", a transaction's tagged request
 * ("checkout::GET /cart"), or a bare name.
 */
export function parseThresholdKey(
  key: string,
  declarations: readonly MetricDeclaration[] = [],
): ThresholdTarget {
  const trimmed = key.trim();
  if (isHostKey(trimmed)) return { kind: "host", host: hostOfKey(trimmed) };
  const scripting = scriptingTarget(trimmed, declarations);
  if (scripting !== undefined) return scripting;
  if (trimmed.toLowerCase() === "total" || trimmed === "Aggregated") return { kind: "total" };
  // checkout::GET /cart: the request GET /cart, renamed checkout::/cart inside its transaction.
  const tagged = /^(.+::)([A-Z][A-Z0-9_-]*) (\S.*)$/.exec(trimmed);
  if (tagged) return { kind: "name", method: tagged[2]!, name: `${tagged[1]}${tagged[3]}` };
  const methodAndName = /^([A-Z][A-Z0-9_-]*) (\S.*)$/.exec(trimmed);
  if (methodAndName) return { kind: "name", method: methodAndName[1]!, name: methodAndName[2]! };
  return { kind: "name", name: trimmed };
}

interface RawThreshold {
  key: string;
  spec: unknown;
  where: string;
  source: string;
}

/**
 * The metric, operator, limit (and window) of an expression about `target` (request rows,
 * a monitored host, checks or a custom metric).
 */
function parseFor(
  key: string,
  target: ThresholdTarget,
  expression: string,
  monitor: MonitorThresholdContext | undefined,
) {
  if (target.kind === "checks" || target.kind === "check" || target.kind === "metric") {
    return parseScriptingExpression(target, expression);
  }
  if (target.kind !== "host") return parseThresholdExpression(expression);
  const problem = checkHostKey(key, monitor);
  if (problem !== undefined) return problem;
  if (/\[[^\]]*\]/.test(expression)) {
    return `a monitored host's series has no windows ('${expression}'): max, min, avg and last read the whole test`;
  }
  const parsed = parseMonitorExpression(expression, monitor);
  if (typeof parsed === "string") return parsed;
  const { series, aggregate, operator, limit } = parsed;
  return { metric: { kind: "monitor", series, aggregate } as ThresholdMetric, operator, limit };
}

function toDefinition(
  raw: RawThreshold,
  monitor: MonitorThresholdContext | undefined,
  declarations: readonly MetricDeclaration[],
): ThresholdDefinition | string {
  const spec = raw.spec;
  let expression: string;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof spec === "string") {
    expression = spec;
  } else if (typeof spec === "object" && spec !== null && !Array.isArray(spec)) {
    const options = spec as Record<string, unknown>;
    const unknown = Object.keys(options).filter(
      (k) => !["threshold", "abortOnFail", "delayAbortEval"].includes(k),
    );
    if (unknown.length > 0) {
      return `${raw.where}: unknown field(s) ${unknown.map((k) => `'${k}'`).join(", ")} (expected threshold, abortOnFail, delayAbortEval)`;
    }
    if (typeof options.threshold !== "string")
      return `${raw.where}: 'threshold' must be a string such as "p(95) < 300"`;
    expression = options.threshold;
    if (options.abortOnFail !== undefined && typeof options.abortOnFail !== "boolean") {
      return `${raw.where}: 'abortOnFail' must be true or false`;
    }
    abortOnFail = options.abortOnFail === true;
    const delay = options.delayAbortEval;
    if (delay !== undefined) {
      const ms =
        typeof delay === "number"
          ? delay * 1000
          : typeof delay === "string"
            ? parseTimespan(delay)
            : undefined;
      if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
        return `${raw.where}: 'delayAbortEval' must be a time span such as "10s" or a number of seconds, got ${JSON.stringify(delay)}`;
      }
      delayAbortEvalMs = ms;
    }
  } else {
    return `${raw.where}: expected an expression string or { threshold, abortOnFail, delayAbortEval }, got ${JSON.stringify(spec)}`;
  }
  const target = parseThresholdKey(raw.key, declarations);
  const parsed = parseFor(raw.key, target, expression, monitor);
  // 'host:cpu<80' has no label: it reads as the request 'host', whose metric 'cpu' is unknown.
  if (typeof parsed === "string" && raw.key.trim() === "host")
    return `${raw.where}: ${checkHostKey(HOST_KEY_PREFIX, monitor)}`;
  if (typeof parsed === "string") return `${raw.where}: ${parsed}`;
  if (raw.key.trim() === "") return `${raw.where}: the request name is empty`;
  const kind = parsed.metric.kind;
  if ((kind === "dropped" || kind === "interrupted") && target.kind !== "total") {
    return `${raw.where}: '${kind}' counts the test's ${kind} iterations, not a request name's: write it without a name ('${kind}<1') or under total`;
  }
  return {
    key: raw.key,
    target,
    expression: expression.trim(),
    ...parsed,
    abortOnFail,
    delayAbortEvalMs,
    source: raw.source,
  };
}

function rawFromExport(value: unknown): RawThreshold[] | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `the locustfile's 'thresholds' export must be an object such as { total: ["p(95) < 300"] }, got ${Array.isArray(value) ? "an array" : typeof value}`;
  }
  const out: RawThreshold[] = [];
  for (const [key, specs] of Object.entries(value)) {
    const list: unknown[] = Array.isArray(specs) ? specs : [specs];
    list.forEach((spec, i) => {
      const where = `thresholds[${JSON.stringify(key)}]${Array.isArray(specs) ? `[${i}]` : ""}`;
      out.push({ key, spec, where: `locustfile ${where}`, source: "locustfile" });
    });
  }
  return out;
}

/**
 * Splits a `--threshold` value: "p95<300" (the total) or "NAME:EXPR" at the last colon
 * ("GET /coupons:p(95)<300", "host:10.0.0.7:cpu<80%"). Names may contain colons;
 * expressions never do.
 */
export function splitCliThreshold(value: string): { key: string; expression: string } {
  const colon = value.lastIndexOf(":");
  if (colon < 0) return { key: "total", expression: value };
  return { key: value.slice(0, colon), expression: value.slice(colon + 1) };
}

/**
 * Parses the locustfile's `thresholds` export (undefined if none) and the `--threshold`
 * values into definitions, locustfile ones first. `monitor` says which hosts and series
 * are monitored (undefined: nothing is, so `host:` keys are refused); `declarations` are
 * the locustfile's custom metrics, which keys may name.
 * @throws UsageError listing every invalid threshold, before the test starts.
 */
export function parseThresholds(
  exported: unknown,
  cliValues: readonly string[] = [],
  monitor?: MonitorThresholdContext,
  declarations: readonly MetricDeclaration[] = [],
): ThresholdDefinition[] {
  const raws: RawThreshold[] = [];
  const problems: string[] = [];
  if (exported !== undefined) {
    const fromExport = rawFromExport(exported);
    if (typeof fromExport === "string") problems.push(fromExport);
    else raws.push(...fromExport);
  }
  for (const value of cliValues) {
    const { key, expression } = splitCliThreshold(value);
    raws.push({ key, spec: expression, where: `--threshold '${value}'`, source: "--threshold" });
  }
  const definitions: ThresholdDefinition[] = [];
  let hostProblems = 0;
  for (const raw of raws) {
    const result = toDefinition(raw, monitor, declarations);
    if (typeof result === "string") {
      problems.push(result);
      if (meantForHost(raw.key)) hostProblems++;
    } else definitions.push(result);
  }
  if (problems.length > 0) {
    throw new UsageError(
      "CICADA_ERR_THRESHOLD",
      `invalid threshold(s):\n${problems.map((p) => `✖ ${p}`).join("\n")}`,
      { hint: thresholdHint(hostProblems, problems.length, monitor) },
    );
  }
  return definitions;
}

/** A key written for a monitored host: `host:LABEL`, or a bare `host` (from 'host:cpu<80', with no label). */
function meantForHost(key: string): boolean {
  return isHostKey(key) || key.trim() === "host";
}

const REQUEST_HINT =
  "Write thresholds as '<metric> <operator> <number>', e.g. 'p(95) < 300', 'failRate < 0.01', 'rps > 100'";

/** The hint for the failing thresholds: about requests, monitored hosts, or both; each example uses a host that is monitored. */
function thresholdHint(
  hostProblems: number,
  allProblems: number,
  monitor: MonitorThresholdContext | undefined,
): string {
  const label = monitor?.hosts?.[0] ?? "10.0.0.7";
  const hostHint = `write a monitored host's threshold as 'host:LABEL:<series> <operator> <number>[unit]', e.g. 'host:${label}:cpu < 80%'`;
  if (hostProblems === 0) return `${REQUEST_HINT}; see docs/thresholds.md`;
  if (hostProblems === allProblems) return `${capitalised(hostHint)}; see docs/thresholds.md#monitored-hosts`;
  return `${REQUEST_HINT}; ${hostHint}; see docs/thresholds.md`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
