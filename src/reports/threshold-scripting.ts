/**
 * Thresholds on what a locustfile records besides requests (docs/thresholds.md):
 *
 *   checks:rate>0.99                 every check together passed 99 % of the time
 *   check:"has token":rate>0.999     one named check (quotes optional)
 *   coupons_issued:count<=100        a Counter: count, rate (per second)
 *   queue_depth:max<50               a Gauge: value (the last), min, max
 *   login_ok:rate>0.95               a Rate: rate
 *   first_message:p(95)<500          a Trend: p(N), avg, min, max, med, count
 *
 * Keys name a custom metric only when the locustfile declares it (at its top level), so a
 * typo or a metric used with a statistic of another kind is refused before the test.
 */
import type {
  CheckStats,
  CustomMetrics,
  MetricDeclaration,
  MetricKind,
  MetricSnapshot,
} from "../stats/index.js";
import { metricClassName, trendPercentiles } from "../stats/index.js";
import type { JsonThresholdResult } from "./json-schema.js";
import {
  parseWindow,
  ratioLimitProblem,
  type ThresholdDefinition,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdTarget,
} from "./thresholds.js";

type ScriptingTarget = Extract<ThresholdTarget, { kind: "checks" | "check" | "metric" }>;

/** What each kind of target can be judged by. */
const METRICS: Record<"checks" | MetricKind, readonly string[]> = {
  checks: ["rate", "passes", "fails"],
  counter: ["count", "rate"],
  gauge: ["value", "min", "max"],
  rate: ["rate"],
  trend: ["p(N)", "avg", "min", "max", "med", "count"],
};

const CHECK_KEY = /^check:\s*(?:"((?:[^"\\]|\\.)*)"|(.+))$/;

/** The target of `checks`, `check:NAME` or a declared metric's name; undefined for any other key. */
export function scriptingTarget(
  key: string,
  declarations: readonly MetricDeclaration[],
): ScriptingTarget | undefined {
  if (key === "checks") return { kind: "checks" };
  const check = CHECK_KEY.exec(key);
  if (check !== null) {
    const name = check[1] !== undefined ? check[1].replace(/\\(.)/g, "$1") : check[2]!.trim();
    return { kind: "check", name };
  }
  const declared = declarations.find((d) => d.name === key);
  if (declared === undefined) return undefined;
  return { kind: "metric", name: declared.name, metricKind: declared.kind, unit: declared.unit ?? "" };
}

const EXPRESSION =
  /^\s*([A-Za-z_]+(?:\(\s*[\d.]+\s*\)|[\d.]+)?)\s*(?:\[([^\]]*)\])?\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*(ms|s|%)?\s*$/;

type Parsed = { metric: ThresholdMetric; operator: ThresholdOperator; limit: number; windowMs?: number };

/** Parses an expression about checks or a custom metric, or says what is wrong. */
export function parseScriptingExpression(target: ScriptingTarget, expression: string): Parsed | string {
  const kind = target.kind === "metric" ? target.metricKind : "checks";
  const allowed = METRICS[kind];
  const what =
    target.kind === "metric"
      ? `the ${metricClassName(target.metricKind)} ${target.name}`
      : target.kind === "check"
        ? `the check "${target.name}"`
        : "checks";
  const match = EXPRESSION.exec(expression);
  if (!match) {
    return `cannot parse '${expression}': expected <metric> <operator> <number>, e.g. '${allowed[0] === "p(N)" ? "p(95)" : allowed[0]} < 100' (${what}: ${allowed.join(", ")})`;
  }
  const [, metricText = "", windowText, operator = "<", numberText = "", unit] = match;
  const metric = scriptingMetric(metricText);
  if (metric === undefined || !allowed.includes(metric.kind === "percentile" ? "p(N)" : metric.kind)) {
    return `${what} has no '${metricText}' in '${expression}': use ${allowed.join(", ")}`;
  }
  let limit = Number(numberText);
  if (!Number.isFinite(limit)) return `'${numberText}' is not a number in '${expression}'`;
  const isRate = metric.kind === "rate" && kind !== "counter";
  if (unit === "%") {
    if (!isRate) return `'%' only applies to a rate, in '${expression}'`;
    limit /= 100;
  } else if (unit === "ms" || unit === "s") {
    if (target.kind !== "metric" || target.metricKind !== "trend" || target.unit !== "ms") {
      return `'${unit}' only applies to a Trend declared with { unit: "ms" }, in '${expression}'`;
    }
    if (unit === "s") limit *= 1000;
  }
  if (isRate) {
    const problem = ratioLimitProblem(
      `the rate of ${what}`,
      operator as ThresholdOperator,
      limit,
      expression,
      unit === "%",
    );
    if (problem !== undefined) return problem;
  }
  const windowMs = windowText === undefined ? undefined : parseWindow(windowText, expression);
  if (typeof windowMs === "string") return windowMs;
  if (windowMs !== undefined && kind === "gauge") {
    return `a Gauge has no windows ('${expression}'): its value is the last one set; judge its min or max over the test`;
  }
  return {
    metric,
    operator: operator as ThresholdOperator,
    limit,
    ...(windowMs === undefined ? {} : { windowMs }),
  };
}

function scriptingMetric(text: string): ThresholdMetric | undefined {
  const percentile = /^p\(?\s*([\d.]+)\s*\)?$/.exec(text);
  if (percentile && text.includes("(") === text.includes(")")) {
    const value = Number(percentile[1]);
    return value > 0 && value <= 100 ? { kind: "percentile", percentile: value } : undefined;
  }
  const name = text === "median" ? "med" : text;
  const known = ["rate", "passes", "fails", "value", "count", "avg", "min", "max", "med"];
  return known.includes(name) ? ({ kind: name } as ThresholdMetric) : undefined;
}

/** What scripting thresholds read: RequestStats satisfies it. */
export interface ScriptingSource {
  readonly checks?: CheckStats;
  readonly metrics?: CustomMetrics;
}

/** The measured value of a threshold on checks or a custom metric, or why there is none. */
export function measureScripting(
  definition: ThresholdDefinition,
  source: ScriptingSource,
  nowMs: number,
): { measured: number; reason: null } | { measured: null; reason: string } {
  const target = definition.target as ScriptingTarget;
  const metric = definition.metric;
  if (target.kind !== "metric") {
    const counts =
      target.kind === "checks"
        ? source.checks && !source.checks.isEmpty
          ? { passes: source.checks.passes, fails: source.checks.fails }
          : undefined
        : source.checks?.get(target.name);
    if (counts === undefined) {
      return noData(target.kind === "checks" ? "no check ran" : `no check named "${target.name}" ran`);
    }
    return measuredOf(checkValue(metric, counts.passes, counts.fails));
  }
  const snapshot = source.metrics?.get(target.name, nowMs);
  if (snapshot === undefined) return noData(`the metric ${target.name} was never updated`);
  if (metric.kind === "percentile" && snapshot.kind === "trend") {
    // Any percentile, from the histogram (the snapshot holds only the reported ones).
    const raw = source.metrics!.raw(target.name) as Parameters<typeof trendPercentiles>[0];
    return measuredOf(
      snapshot.count === 0 ? null : (trendPercentiles(raw, [metric.percentile / 100])[0] ?? null),
    );
  }
  return measuredOf(metricValue(metric, snapshot));
}

/** A check metric from passes and fails; null when there were none. */
export function checkValue(metric: ThresholdMetric, passes: number, fails: number): number | null {
  if (metric.kind === "passes") return passes;
  if (metric.kind === "fails") return fails;
  return passes + fails > 0 ? passes / (passes + fails) : null;
}

function metricValue(metric: ThresholdMetric, m: MetricSnapshot): number | null {
  switch (m.kind) {
    case "counter":
      return metric.kind === "rate" ? m.ratePerSec : m.count;
    case "gauge":
      return metric.kind === "min" ? m.min : metric.kind === "max" ? m.max : m.value;
    case "rate":
      return m.total > 0 ? m.rate : null;
    case "trend":
      if (metric.kind === "count") return m.count;
      if (m.count === 0) return null;
      return metric.kind === "avg"
        ? m.avg
        : metric.kind === "min"
          ? m.min
          : metric.kind === "max"
            ? m.max
            : m.med;
  }
}

function measuredOf(
  value: number | null,
): { measured: number; reason: null } | { measured: null; reason: string } {
  return value === null ? noData("no value was recorded") : { measured: value, reason: null };
}

function noData(why: string): { measured: null; reason: string } {
  return { measured: null, reason: `no data: ${why}` };
}

/** The unit a result is shown in: a trend's own, "%" for rates, none otherwise. */
export function resultUnit(definition: ThresholdDefinition): JsonThresholdResult["unit"] {
  const target = definition.target;
  if (target.kind === "metric" && target.metricKind === "trend") return target.unit;
  if (definition.metric.kind === "rate" && !(target.kind === "metric" && target.metricKind === "counter"))
    return "%";
  return undefined;
}
