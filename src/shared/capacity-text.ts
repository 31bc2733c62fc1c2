/**
 * The capacity search's answer in words: one headline and the lines that explain it
 * (what broke, the target's saturated resource, the generator's limit). Pure, so the
 * console, the HTML report, the JSON report and the web UI say the same thing.
 */
import type { CapacityResult, CapacityStep, SloCheck, StepGenerator } from "./capacity.js";
import { formatLoad } from "./capacity.js";
import { tooFewFailures } from "./failure-rate-bound.js";

/** "101 ms", "1.23 s", "–". */
export function formatCapacityMs(ms: number | null): string {
  if (ms === null) return "–";
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

/** Iterations dropped in a step's window (an arrival-rate search), "–" without a count. */
export const formatDropped = (dropped: number | null) => (dropped === null ? "–" : String(dropped));

/** "0.00 %". */
export const formatShare = (ratio: number) => `${(ratio * 100).toFixed(2)} %`;

/**
 * A failure-rate check's evidence at a step: "13 of 1181 requests", with ", too few to be
 * sure" when it broke only as measured (the capacity search's rule, docs/capacity.md).
 */
export function failureCount(check: SloCheck, step: Pick<CapacityStep, "requests" | "failRate">): string {
  const failures = Math.round(step.failRate * step.requests);
  const unsure = failRateTooFew(check, step);
  return `${failures} of ${step.requests} request${step.requests === 1 ? "" : "s"}${unsure ? ", too few to be sure" : ""}`;
}

/** A failure-rate check over its limit at a step, on too few failures to be sure (the search's rule). */
export function failRateTooFew(check: SloCheck, step: Pick<CapacityStep, "requests" | "failRate">): boolean {
  if (!check.expression.startsWith("failRate")) return false;
  // A check keeps its expression, not its operator: "failRate<=1%" is the one with "<=".
  const operator = check.expression.includes("<=") ? "<=" : "<";
  return tooFewFailures(Math.round(step.failRate * step.requests), step.requests, {
    operator,
    limit: check.limit,
  });
}

/** An SLO check's measured value, in its unit; a failure rate's with its count when the step is given. */
export function formatCheck(check: SloCheck, step?: CapacityStep): string {
  if (check.measured === null) return `${check.expression} (no data)`;
  if (!check.expression.startsWith("failRate"))
    return `${check.expression} (measured ${formatCapacityMs(check.measured)})`;
  const count = step === undefined ? "" : `: ${failureCount(check, step)}`;
  return `${check.expression} (measured ${formatShare(check.measured)}${count})`;
}

/** "208.3 req/s, p50 101 ms, p95 103 ms, p99 108 ms, failures 0.00 %". */
export function stepFigures(step: CapacityStep): string {
  const intended =
    step.intendedP95Ms === null
      ? ""
      : `, p95 from the intended start ${formatCapacityMs(step.intendedP95Ms)}`;
  return (
    `${step.rps.toFixed(1)} req/s, p50 ${formatCapacityMs(step.p50Ms)}, p95 ${formatCapacityMs(step.p95Ms)}, ` +
    `p99 ${formatCapacityMs(step.p99Ms)}${intended}, failures ${formatShare(step.failRate)}`
  );
}

/** What broke at a step: its failed SLOs, or its reason (a rising latency, dropped iterations). */
export function brokenBy(step: CapacityStep): string {
  const failed = step.checks.filter((c) => !c.passed);
  // The reason without its context ("steady: broke "): the headline says "broke" itself.
  return failed.length > 0
    ? failed.map((check) => formatCheck(check, step)).join(", ")
    : step.reason.replace(/^[^:]*: broke /, "");
}

function generatorSentence(generator: StepGenerator): string {
  if ((generator.workerCpuPercent ?? 0) >= 90 && generator.overload !== "cpu") {
    return `the busiest worker's CPU reached ${Math.round(generator.workerCpuPercent!)} % of a core`;
  }
  const lag = generator.lagMs === null ? "" : ` (event-loop lag up to ${Math.round(generator.lagMs)} ms)`;
  return `Cicada's CPU reached ${Math.round(generator.cpuPercent ?? 0)} % of a core${lag}`;
}

const ADVICE =
  "Spread the load over more processes (--processes N, one per core) or more workers (--master/--worker) and search again.";

/** How the headline's advice names the settings to change: where the user changes them. */
export interface CapacitySettingNames {
  /** A lower first step. */
  startLower: string;
  /** A higher upper bound. */
  raiseMax: string;
  /** The run time that ended the search. */
  runTime: string;
}

/** The command line's flags (the console, the reports). */
export const CLI_SETTING_NAMES: CapacitySettingNames = {
  startLower: "Start lower (--capacity-start)",
  raiseMax: "raise --capacity-max",
  runTime: "the run time (-t)",
};

/** The web UI's start form's fields (its "Capacity search" box and its run time). */
export const WEB_FORM_SETTING_NAMES: CapacitySettingNames = {
  startLower: "Start lower (a smaller First step in the form)",
  raiseMax: "raise the form's Upper bound",
  runTime: "the run time of the search",
};

/** The headline: the answer in one sentence, its advice naming the settings as `names` does. */
export function capacityHeadline(result: CapacityResult, names = CLI_SETTING_NAMES): string {
  const { model, best, breaking } = result;
  const load = (value: number) => formatLoad(model, value);
  switch (result.outcome) {
    case "found":
      return (
        `Capacity: ${load(result.capacity!)} (${best!.rps.toFixed(1)} req/s) met every SLO; ` +
        `${load(breaking!.load)} broke ${brokenBy(breaking!)}.`
      );
    case "below-start":
      return (
        `No capacity found: even the first step, ${load(breaking!.load)}, broke ${brokenBy(breaking!)}. ` +
        `${names.startLower}, or look at the target.`
      );
    case "generator-limit":
      return (
        `The load generator was the limit, not the target: at ${load(breaking!.load)} ${generatorSentence(breaking!.generator)} ` +
        `while ${brokenBy(breaking!)}. ` +
        (result.capacity === null
          ? "No step met the SLOs before that. "
          : `The target met every SLO up to at least ${load(result.capacity)}. `) +
        ADVICE
      );
    case "at-least": {
      if (result.capacity === null) return "No step was judged before the search ended: no answer.";
      const why =
        result.ended === "time-limit"
          ? `${names.runTime} ran out before any step broke an SLO`
          : result.ended === "stopped"
            ? "the search was stopped before any step broke an SLO"
            : `no step up to the upper bound broke an SLO; ${names.raiseMax} (${load(result.settings.max)}) to search further`;
      return `At least ${load(result.capacity)} (${best!.rps.toFixed(1)} req/s): ${why}.`;
    }
  }
}

/** The lines under the headline. */
export function capacityDetails(result: CapacityResult): string[] {
  const lines: string[] = [];
  const { model, best, breaking } = result;
  if (best) lines.push(`At ${formatLoad(model, best.load)}: ${stepFigures(best)}.`);
  if (breaking) lines.push(`At ${formatLoad(model, breaking.load)}: ${stepFigures(breaking)}.`);
  if (result.outcome === "found" && result.ended !== "complete" && breaking) {
    lines.push(
      `The search ended (${result.ended === "time-limit" ? "run time" : "stopped"}) before the refinement did: ` +
        `the capacity lies between ${formatLoad(model, result.capacity!)} and ${formatLoad(model, breaking.load)}.`,
    );
  }
  if (result.saturation && result.outcome !== "generator-limit") {
    lines.push(`Target at the breaking step: ${result.saturation.text}`);
  }
  if (result.outcome === "at-least" && result.generatorLimit) {
    lines.push(
      `The load generator was overloaded at the highest step (${generatorSentence(result.generatorLimit)}): the target may hold more. ${ADVICE}`,
    );
  }
  if (breaking?.generator.overload === "outside" && result.outcome !== "generator-limit") {
    lines.push(
      "Cicada's event loop was delayed from outside during the breaking step (other programs took the CPU): its latencies include that delay.",
    );
  }
  return lines;
}

/** The knee chart's data: one point per load tried (its latest step), by load. */
export interface CapacityChartData {
  load: number[];
  rps: number[];
  p95: Array<number | null>;
  /** Latency from the intended start (arrival-rate searches), else null. */
  intendedP95: Array<number | null> | null;
  passed: boolean[];
  /** The limit of an SLO on p95 (or p95 from the intended start), drawn as a line; null without one. */
  p95Limit: number | null;
  /** The answer and the lowest load that broke, drawn as markers. */
  capacity: number | null;
  breaking: number | null;
}

const P95_SLO = /^p\(?95\)?(_intended)?\s*<=?/;

/** The knee chart of a search's steps: throughput and p95 against the load. */
export function capacityChartData(
  model: CapacityResult["model"],
  steps: readonly CapacityStep[],
  answer: { capacity: number | null; breaking: number | null },
): CapacityChartData {
  const byLoad = new Map<number, CapacityStep>();
  for (const step of steps) byLoad.set(step.load, step);
  const points = [...byLoad.values()].sort((a, b) => a.load - b.load);
  const limit = steps[0]?.checks.find((check) => P95_SLO.test(check.expression))?.limit ?? null;
  const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return {
    load: points.map((s) => s.load),
    rps: points.map((s) => Math.round(s.rps * 100) / 100),
    p95: points.map((s) => round(s.p95Ms)),
    intendedP95: model === "arrival-rate" ? points.map((s) => round(s.intendedP95Ms)) : null,
    passed: points.map((s) => s.passed),
    p95Limit: limit,
    capacity: answer.capacity,
    breaking: answer.breaking,
  };
}
