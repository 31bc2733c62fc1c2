/**
 * From verdicts to the search's data: the record of a judged step (with the load
 * generator's state during its window), and the answer: the highest load that met every
 * SLO, the step that broke and which SLO it broke, and whether that break was the
 * target's doing or the load generator's (its own CPU, or a worker's).
 */
import type {
  CapacityModel,
  CapacityOutcome,
  CapacityResult,
  CapacitySaturation,
  CapacitySettings,
  CapacityStep,
  StepGenerator,
} from "../../shared/capacity.js";
import type { StepVerdict } from "./judge.js";
import type { CapacityPlan } from "./plan.js";
import type { CumulativeSample } from "./window.js";

/** From this CPU % of a core a worker is the bottleneck (the generator monitor's own threshold). */
export const WORKER_BUSY_PERCENT = 90;

/** The generator over a window: the highest CPU and lag of the seconds its monitor sampled inside it. */
function generatorDuring(samples: readonly CumulativeSample[], fromMs: number): StepGenerator {
  let cpuPercent: number | null = null;
  let lagMs: number | null = null;
  let overload: StepGenerator["overload"] = null;
  let workerCpuPercent: number | null = null;
  const seen = new Set<number>();
  for (const sample of samples) {
    if (sample.workerCpuPercent !== null)
      workerCpuPercent = Math.max(workerCpuPercent ?? 0, sample.workerCpuPercent);
    const g = sample.generator;
    // A second that ended before the window began is the previous step's.
    if (g === null || g.timeMs <= fromMs || seen.has(g.timeMs)) continue;
    seen.add(g.timeMs);
    cpuPercent = Math.max(cpuPercent ?? 0, g.cpuPercent);
    lagMs = Math.max(lagMs ?? 0, g.lagMs);
    // This process's own overload is the one that matters most.
    if (g.overloaded && overload !== "cpu") overload = g.cause;
  }
  return { cpuPercent, lagMs, overload, workerCpuPercent };
}

/** True when the load generator, not the target, limited the step. */
export function generatorLimited(generator: StepGenerator): boolean {
  return generator.overload === "cpu" || (generator.workerCpuPercent ?? 0) >= WORKER_BUSY_PERCENT;
}

/** A step being held: its load, when it began and its hold began, the samples taken since. */
export interface RunningStep {
  index: number;
  phase: "grow" | "refine";
  load: number;
  startMs: number;
  holdStartMs: number | null;
  samples: CumulativeSample[];
  /** Where its failures are counted from once a verdict rested on too few of them (see judge.ts); else null. */
  failuresFrom: CumulativeSample | null;
}

/** The record of a judged step. */
export function stepOf(
  step: RunningStep,
  verdict: Extract<StepVerdict, { done: true }>,
  last: CumulativeSample,
  nowMs: number,
  model: CapacityModel,
): CapacityStep {
  const f = verdict.figures;
  const open = model === "arrival-rate";
  return {
    index: step.index,
    phase: step.phase,
    load: step.load,
    users: last.users,
    startTimeMs: step.startMs,
    holdStartMs: step.holdStartMs,
    endTimeMs: nowMs,
    windowFromMs: f.fromMs,
    windowToMs: f.toMs,
    steady: verdict.steady,
    passed: verdict.passed,
    reason: verdict.reason,
    checks: verdict.checks,
    requests: f.requests,
    rps: f.rps,
    failRate: f.failRate,
    p50Ms: f.p50Ms,
    p95Ms: f.p95Ms,
    p99Ms: f.p99Ms,
    intendedP50Ms: open ? f.intendedP50Ms : null,
    intendedP95Ms: open ? f.intendedP95Ms : null,
    intendedP99Ms: open ? f.intendedP99Ms : null,
    droppedIterations: open ? f.dropped : null,
    generator: generatorDuring(step.samples, f.fromMs),
  };
}

export interface ResultInput {
  settings: CapacitySettings;
  plan: CapacityPlan;
  steps: CapacityStep[];
  best: CapacityStep | undefined;
  breaking: CapacityStep | undefined;
  saturation: CapacitySaturation | null;
  ended: CapacityResult["ended"];
  startTimeMs: number;
  endTimeMs: number;
  testNumber: number | null;
}

function outcomeOf(input: ResultInput, limitedBreak: boolean): CapacityOutcome {
  if (limitedBreak) return "generator-limit";
  if (input.plan.bad === null) return "at-least";
  return input.plan.good === null ? "below-start" : "found";
}

/** The answer of a search that ended. */
export function buildResult(input: ResultInput): CapacityResult {
  const { settings, breaking, steps } = input;
  const limitedBreak = breaking !== undefined && generatorLimited(breaking.generator);
  // Without a break, a generator that limited the highest step still deserves a word.
  const top = steps.reduce<CapacityStep | undefined>(
    (max, s) => (max === undefined || s.load > max.load ? s : max),
    undefined,
  );
  const generatorLimit = limitedBreak
    ? breaking.generator
    : breaking === undefined && top !== undefined && generatorLimited(top.generator)
      ? top.generator
      : null;
  const { slos, ...rest } = settings;
  return {
    model: settings.model,
    settings: { ...rest, slos: slos.map((slo) => slo.expression) },
    outcome: outcomeOf(input, limitedBreak),
    ended: input.ended,
    capacity: input.plan.good,
    best: input.best ?? null,
    breaking: breaking ?? null,
    generatorLimit,
    saturation: input.saturation,
    steps: [...steps],
    startTimeMs: input.startTimeMs,
    endTimeMs: input.endTimeMs,
    testNumber: input.testNumber,
  };
}
