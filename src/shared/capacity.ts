/**
 * The capacity search's data (issue 14): what a search is asked (SLOs, start, growth,
 * hold, upper bound), what each step measured, and the answer. Plain data shared by the
 * controller (src/runner/capacity/), the reports, the web server and the web UI, so it
 * lives in the leaf layer. The text parsers of the settings, the same for the command line
 * and the web form, are in capacity-settings.ts; the SLO grammar is the thresholds'
 * (src/reports/capacity-slo.ts).
 */
/** What a search raises: users (the closed model) or the arrival rate (the open model). */
export type CapacityModel = "users" | "arrival-rate";

/** What an SLO measures over a step's steady window. Times are ms, failRate a ratio 0..1. */
export type SloMetric =
  | { kind: "percentile" | "intendedPercentile"; percentile: number }
  | { kind: "avg" | "med" | "min" | "max" | "failRate" };

/** A service-level objective: an upper bound on a metric of all requests ("p95<300ms"). */
export interface CapacitySlo {
  /** As written, e.g. "p95<300ms". */
  expression: string;
  metric: SloMetric;
  operator: "<" | "<=";
  limit: number;
}

/**
 * The failure-rate SLO a search adds when it is given none: without one, failed requests
 * could not break a step, and failures are fast (a refused connection answers in 0.5 ms),
 * so a target refusing every request "met p95<200ms" at every step up to the upper bound.
 */
export const IMPLICIT_FAIL_RATE_SLO: CapacitySlo = {
  expression: "failRate<1%",
  metric: { kind: "failRate" },
  operator: "<",
  limit: 0.01,
};

/** `slos` with {@link IMPLICIT_FAIL_RATE_SLO} added when none of them bounds the failure rate. */
export function withFailRateSlo(slos: readonly CapacitySlo[]): CapacitySlo[] {
  return slos.some((slo) => slo.metric.kind === "failRate") ? [...slos] : [...slos, IMPLICIT_FAIL_RATE_SLO];
}

/** The SLOs as the start-up log says them, the implicit failure rate named as such. */
export function describeSlos(given: readonly CapacitySlo[]): string {
  const judged = withFailRateSlo(given);
  const texts = given.map((slo) => slo.expression);
  if (judged.length > given.length)
    texts.push(
      `${IMPLICIT_FAIL_RATE_SLO.expression} (added: no failRate SLO was given; --slo 'failRate<X' sets another)`,
    );
  return texts.join(", ");
}

/** How the load grows from one step to the next until an SLO breaks. */
export type CapacityGrowth = { kind: "multiply"; factor: number } | { kind: "add"; step: number };

/** Everything a search is asked. Loads are users, or iterations per second. */
export interface CapacitySettings {
  model: CapacityModel;
  slos: CapacitySlo[];
  start: number;
  growth: CapacityGrowth;
  /** The upper bound: no step goes above it. */
  max: number;
  /** Each step is held at least this long once its load is reached, then until steady... */
  minHoldMs: number;
  /** ...but at most this long. */
  maxHoldMs: number;
  /** The refinement stops when the last good and the first bad load are this close (0.05: 5 %). */
  precision: number;
  /** Closed model: users started per second between steps (-r; default: a step's new users within 0.25 s). */
  spawnRate?: number | undefined;
  /** -t: the whole search ends by then. */
  runTimeMs?: number | undefined;
}

/** The defaults that make `--find-capacity --slo ...` work alone. */
export const CAPACITY_DEFAULTS = {
  start: { users: 5, "arrival-rate": 10 } as Record<CapacityModel, number>,
  max: { users: 10_000, "arrival-rate": 100_000 } as Record<CapacityModel, number>,
  growth: { kind: "multiply", factor: 2 } as CapacityGrowth,
  minHoldMs: 10_000,
  maxHoldMs: 30_000,
  precision: 0.05,
};

/** One SLO measured over a step's window. */
export interface SloCheck {
  expression: string;
  /** Null when the window had nothing to measure (no response time). */
  measured: number | null;
  limit: number;
  passed: boolean;
}

/** The load generator during a step's window. */
export interface StepGenerator {
  /** This process's highest CPU, % of one core (null without a generator monitor). */
  cpuPercent: number | null;
  /** Its highest event-loop lag, ms. */
  lagMs: number | null;
  /** A sampled second was overloaded: by this process's own work ("cpu") or from outside it. */
  overload: "cpu" | "outside" | null;
  /** The busiest worker's CPU % (distributed runs), else null. */
  workerCpuPercent: number | null;
}

/** One step of a search, as measured. */
export interface CapacityStep {
  /** 1 for the first step. */
  index: number;
  /** "grow" until an SLO breaks, then "refine" between the last good and the first bad load. */
  phase: "grow" | "refine";
  /** Users, or iterations per second. */
  load: number;
  /** Users running at the end of the step (the open model creates them on demand). */
  users: number;
  /** When the load was set, epoch ms. */
  startTimeMs: number;
  /** When the hold began (the load reached), epoch ms. */
  holdStartMs: number | null;
  /** When the verdict was made. */
  endTimeMs: number;
  /** The window the figures and checks cover, epoch ms. */
  windowFromMs: number;
  windowToMs: number;
  /** Throughput and latency stopped moving before the verdict. */
  steady: boolean;
  passed: boolean;
  /** Why the step ended as it did, for people. */
  reason: string;
  checks: SloCheck[];
  requests: number;
  /** Requests per second over the window. */
  rps: number;
  failRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Latency from the intended start (the open model), else null. */
  intendedP50Ms: number | null;
  intendedP95Ms: number | null;
  intendedP99Ms: number | null;
  /** Iterations dropped in the window (the open model), else null. */
  droppedIterations: number | null;
  generator: StepGenerator;
}

/**
 * - found: a load met every SLO and a higher one broke one;
 * - below-start: even the first step broke the SLOs;
 * - at-least: no step broke (the upper bound, the run time or a stop came first);
 * - generator-limit: the step that broke was measured on an overloaded load generator.
 */
export type CapacityOutcome = "found" | "below-start" | "at-least" | "generator-limit";

/** Exit codes of a headless search (docs/exit-codes.md). */
export const CAPACITY_EXIT_CODES: Record<CapacityOutcome, number> = {
  found: 0,
  "below-start": 10,
  "at-least": 11,
  "generator-limit": 12,
};

/** What saturated on the target at the breaking step (`--monitor`), as a sentence and a name. */
export interface CapacitySaturation {
  kind: "saturated" | "latency-rose" | "none" | "no-data";
  /** "10.0.0.7 CPU busy" when a resource reached its level, else null. */
  resource: string | null;
  text: string;
}

/** The answer of a search. */
export interface CapacityResult {
  model: CapacityModel;
  settings: Omit<CapacitySettings, "slos"> & { slos: string[] };
  outcome: CapacityOutcome;
  /** How the search ended: on its own, at -t, or stopped (Ctrl-C, the web UI). */
  ended: "complete" | "time-limit" | "stopped";
  /** The highest load that met every SLO; null when none did. */
  capacity: number | null;
  /** The step measured at that load. */
  best: CapacityStep | null;
  /** The lowest load that broke an SLO, and its step. */
  breaking: CapacityStep | null;
  /** At the breaking step: the generator's overload that explains it (outcome generator-limit). */
  generatorLimit: StepGenerator | null;
  saturation: CapacitySaturation | null;
  steps: CapacityStep[];
  startTimeMs: number;
  endTimeMs: number;
  /** The test of the session it ran as (the reports cover the latest test). */
  testNumber: number | null;
}

/** A search while it runs (the web UI's progress), and its answer once done. */
export interface CapacityProgress {
  running: boolean;
  model: CapacityModel;
  slos: string[];
  /** The step running now; null between steps or when done. */
  current: {
    index: number;
    phase: "grow" | "refine" | "drain";
    load: number;
    sinceMs: number;
    holdStartMs: number | null;
    minHoldMs: number;
    maxHoldMs: number;
  } | null;
  steps: CapacityStep[];
  /** The highest load that met every SLO so far. */
  best: { load: number; rps: number } | null;
  result: CapacityResult | null;
}

/** "42 users", "210 iterations/s". */
export function formatLoad(model: CapacityModel, load: number): string {
  const value = Number.isInteger(load) ? String(load) : String(Number(load.toPrecision(4)));
  if (model === "users") return `${value} user${load === 1 ? "" : "s"}`;
  return `${value} iterations/s`;
}

/** Whether a measured value meets the SLO. */
export function sloMet(slo: Pick<CapacitySlo, "operator" | "limit">, measured: number): boolean {
  return slo.operator === "<" ? measured < slo.limit : measured <= slo.limit;
}

/** "x2", "+10". */
export function formatGrowth(growth: CapacityGrowth): string {
  return growth.kind === "multiply" ? `x${growth.factor}` : `+${growth.step}`;
}
