/**
 * `--slo` (and the web form's SLOs): the thresholds' expression grammar (thresholds.ts),
 * narrowed to what a capacity search can judge over a step: an upper bound (`<`, `<=`) on
 * a latency or the failure rate of all requests. "p95<300ms", "failRate<1%",
 * "p99_intended < 1s".
 */
import type { CapacityModel, CapacitySlo, SloMetric } from "../shared/capacity.js";
import { UsageError } from "../shared/errors.js";
import {
  metricName,
  parseThresholdExpression,
  splitCliThreshold,
  type ThresholdMetric,
} from "./thresholds.js";

/** The metrics an SLO may use, for messages. */
export const SLO_METRICS = ["pN (p95, p(99.9))", "pN_intended", "avg", "med", "min", "max", "failRate"];

function sloMetric(metric: ThresholdMetric): SloMetric | undefined {
  switch (metric.kind) {
    case "percentile":
    case "intendedPercentile":
      return { kind: metric.kind, percentile: metric.percentile };
    case "avg":
    case "med":
    case "min":
    case "max":
    case "failRate":
      return { kind: metric.kind };
    default:
      return undefined;
  }
}

/** One SLO, or what is wrong with it. */
export function parseSlo(text: string, model: CapacityModel): CapacitySlo | string {
  const { key, expression } = splitCliThreshold(text);
  if (key !== "total") {
    return `'${text}': an SLO is about all requests; a name ('${key}:') is not supported (a --threshold can judge one name over the whole run)`;
  }
  const parsed = parseThresholdExpression(expression);
  if (typeof parsed === "string")
    return parsed.replace(/\(metrics: .*\)$/, `(SLO metrics: ${SLO_METRICS.join(", ")})`);
  const metric = sloMetric(parsed.metric);
  if (metric === undefined) {
    return `'${expression.trim()}': ${metricName(parsed.metric)} is not a service level a step can meet (SLO metrics: ${SLO_METRICS.join(", ")})`;
  }
  if (parsed.operator !== "<" && parsed.operator !== "<=") {
    return `'${expression.trim()}': an SLO is an upper bound, written with < or <= (e.g. 'p95<300ms', 'failRate<1%')`;
  }
  if (metric.kind === "intendedPercentile" && model !== "arrival-rate") {
    return `'${expression.trim()}': latency from the intended start exists only when the search raises the arrival rate (--capacity-model arrival-rate)`;
  }
  return { expression: expression.trim(), metric, operator: parsed.operator, limit: parsed.limit };
}

/**
 * Parses every SLO (each value may hold several, comma-separated, as --threshold does).
 * @throws UsageError (CICADA_ERR_SLO, exit 2) listing every one that is wrong.
 */
export function parseSlos(values: readonly string[], model: CapacityModel, source = "--slo"): CapacitySlo[] {
  const problems: string[] = [];
  const slos: CapacitySlo[] = [];
  const texts = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (texts.length === 0)
    problems.push(`${source}: give at least one SLO, e.g. 'p95<300ms' or 'failRate<1%'`);
  for (const text of texts) {
    const slo = parseSlo(text, model);
    if (typeof slo === "string") problems.push(`${source} ${slo}`);
    else slos.push(slo);
  }
  if (problems.length > 0) {
    throw new UsageError("CICADA_ERR_SLO", `invalid SLO(s):\n${problems.map((p) => `✖ ${p}`).join("\n")}`, {
      hint: "Write SLOs as '<metric> < <limit>', e.g. --slo 'p95<300ms' --slo 'failRate<1%'; see docs/capacity.md",
    });
  }
  return slos;
}
