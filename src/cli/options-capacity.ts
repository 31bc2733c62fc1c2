/**
 * The capacity search's options (issue 14), appended to OPTION_TABLE: `--find-capacity`,
 * `--slo` and the search's settings; their checks (one message per mistake, exit code 2)
 * and the search they describe. See docs/capacity.md.
 */
import { parseSlo, parseSlos } from "../reports/capacity-slo.js";
import type { CapacitySettings } from "../shared/capacity.js";
import { type CapacityTexts, readCapacitySettings, sloModelOf } from "../shared/capacity-settings.js";
import { UsageError } from "../shared/errors.js";
import type { CapacityFormDefaults } from "../web/api-types.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const group = "Capacity search options";

export const CAPACITY_OPTIONS: OptionSpec[] = [
  {
    flags: "--find-capacity",
    key: "findCapacity",
    kind: "boolean",
    group,
    description:
      "Search the highest load that meets every --slo: raise the users (or the arrival rate) step by step, hold each until steady, then refine between the last good and the first bad step. -t bounds the whole search",
  },
  {
    flags: "--slo <expr>",
    key: "slo",
    kind: "list",
    group,
    description:
      'A service level every step must meet (repeatable), about all requests: "p95<300ms", "failRate<1%", "p99<1s", "avg<200ms", "p95_intended<500ms" (arrival rate); without a failRate SLO, failRate<1% is added',
  },
  {
    flags: "--capacity-model <model>",
    key: "capacityModel",
    kind: "string",
    group,
    description:
      "What the search raises: users (default) or arrival-rate (iterations per second, the open model)",
  },
  {
    flags: "--capacity-start <load>",
    key: "capacityStart",
    kind: "number",
    group,
    description: "The first step's load: users (default 5) or iterations per second (default 10)",
  },
  {
    flags: "--capacity-growth <growth>",
    key: "capacityGrowth",
    kind: "string",
    group,
    description:
      "How the load grows until a step breaks an SLO: xFACTOR (multiply, default x2) or +STEP (add), e.g. +50",
  },
  {
    flags: "--capacity-hold <min[:max]>",
    key: "capacityHold",
    kind: "string",
    group,
    description:
      "How long each step is held once its load is reached: at least MIN, then until throughput and latency stop moving, at most MAX (default 10s:30s)",
  },
  {
    flags: "--capacity-max <load>",
    key: "capacityMax",
    kind: "number",
    group,
    description:
      "The upper bound: no step goes above it (default 10000 users, 100000 iterations/s); reaching it unbroken answers 'at least'",
  },
  {
    flags: "--capacity-precision <share>",
    key: "capacityPrecision",
    kind: "string",
    group,
    description:
      "The refinement ends when the last good and the first bad load are this close, e.g. 5% (default) or 10%",
  },
];

const FLAGS: Record<keyof CapacityTexts, string> = {
  model: "--capacity-model",
  start: "--capacity-start",
  growth: "--capacity-growth",
  hold: "--capacity-hold",
  max: "--capacity-max",
  precision: "--capacity-precision",
};

const KEYS: Record<keyof CapacityTexts, string> = {
  model: "capacityModel",
  start: "capacityStart",
  growth: "capacityGrowth",
  hold: "capacityHold",
  max: "capacityMax",
  precision: "capacityPrecision",
};

function textsOf(options: CliOptions): CapacityTexts {
  return {
    model: options.capacityModel as string | undefined,
    start: options.capacityStart as number | undefined,
    growth: options.capacityGrowth as string | undefined,
    hold: options.capacityHold as string | undefined,
    max: options.capacityMax as number | undefined,
    precision: options.capacityPrecision as string | undefined,
  };
}

/** The capacity options' problems, each as `✖ message\n  → at source` (see options.ts). */
export function validateCapacity(options: CliOptions, at: (key: string) => string): string[] {
  const problems: string[] = [];
  const problem = (message: string, key: string) => problems.push(`✖ ${message}\n  → at ${at(key)}`);
  const slos = (options.slo as string[] | undefined) ?? [];
  if (options.findCapacity !== true) {
    if (slos.length > 0)
      problem(
        "--slo is for a capacity search: add --find-capacity (or use --threshold to judge a run)",
        "slo",
      );
    for (const setting of Object.keys(KEYS) as Array<keyof CapacityTexts>) {
      if (options[KEYS[setting]] !== undefined)
        problem(`${FLAGS[setting]} is for a capacity search: add --find-capacity`, KEYS[setting]);
    }
    return problems;
  }
  const read = readCapacitySettings(textsOf(options), FLAGS);
  if ("problems" in read) for (const p of read.problems) problem(p.message, KEYS[p.setting]);
  const model = sloModelOf(read);
  if (slos.length === 0)
    problem(
      "--find-capacity needs at least one --slo, e.g. --slo 'p95<300ms' --slo 'failRate<1%'",
      "findCapacity",
    );
  for (const text of slos) {
    const slo = parseSlo(text, model);
    if (typeof slo === "string") problem(`--slo ${slo}`, "slo");
  }
  if (options.users !== undefined)
    problem(
      "--find-capacity searches the number of users itself: leave -u out (the first step is --capacity-start)",
      "users",
    );
  if (options.arrivalRate !== undefined)
    problem(
      "--find-capacity searches the arrival rate itself: use --capacity-model arrival-rate (and --capacity-start) instead of --arrival-rate",
      "arrivalRate",
    );
  const runTimeMs = options.runTime as number | undefined;
  if ("settings" in read && runTimeMs !== undefined && runTimeMs < read.settings.minHoldMs)
    // No step could be judged: the search would end with no answer at all.
    problem(
      `-t ${runTimeMs / 1000}s is shorter than one step's minimum hold (${read.settings.minHoldMs / 1000} s, --capacity-hold): ` +
        "no step could be judged. Give -t room for several steps, or a shorter --capacity-hold",
      "runTime",
    );
  const givenModel = "settings" in read ? read.settings.model : read.model;
  if (givenModel === "arrival-rate" && options.spawnRate !== undefined)
    problem(
      "-r/--spawn-rate paces users between steps; an arrival-rate search has no ramp of users",
      "spawnRate",
    );
  return problems;
}

/** The search the options ask for (valid options: validateCapacity found nothing). */
export function capacitySettingsOf(options: CliOptions): CapacitySettings {
  const read = readCapacitySettings(textsOf(options), FLAGS);
  if ("problems" in read) throw new Error(read.problems.map((p) => p.message).join("; "));
  return {
    ...read.settings,
    slos: parseSlos((options.slo as string[] | undefined) ?? [], read.settings.model),
    spawnRate: options.spawnRate,
    runTimeMs: options.runTime,
  };
}

/**
 * A capacity search drives the load itself: it cannot follow a LoadTestShape.
 * @throws UsageError (exit 2) when the locustfile has one.
 */
export function checkCapacityShape(options: CliOptions, shapeName: string | undefined): void {
  if (options.findCapacity !== true || shapeName === undefined || options.worker === true) return;
  throw new UsageError(
    "CICADA_ERR_CAPACITY",
    `--find-capacity sets the load itself, step by step: it cannot follow the locustfile's LoadTestShape ${shapeName}`,
    {
      hint: "Run the search without the shape (export it from another file), or leave --find-capacity out to follow the shape",
    },
  );
}

/** The web form's "Find capacity" fields as the command line gives them. */
export function capacityFormDefaults(options: CliOptions): CapacityFormDefaults {
  const text = (value: unknown) => (value === undefined ? "" : String(value));
  return {
    findCapacity: options.findCapacity === true,
    slo: ((options.slo as string[] | undefined) ?? []).join(", "),
    model: options.capacityModel === "arrival-rate" ? "arrival-rate" : "users",
    start: text(options.capacityStart),
    growth: text(options.capacityGrowth),
    hold: text(options.capacityHold),
    max: text(options.capacityMax),
  };
}
