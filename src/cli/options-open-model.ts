/**
 * The open model's options (`--arrival-rate`, `--ramp`, `--max-users`, `--max-queue-time`),
 * appended to OPTION_TABLE: their checks (one message per mistake, exit code 2) and what
 * a run makes of them.
 */
import { DEFAULT_OPEN_MODEL, type OpenModelSettings } from "../runner/index.js";
import { type ArrivalRateSpec, parseArrivalRate } from "../shared/arrival-rate.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const group = "Open model options (arrival rate)";

export const OPEN_MODEL_OPTIONS: OptionSpec[] = [
  {
    flags: "--arrival-rate <rate>",
    key: "arrivalRate",
    kind: "string",
    group,
    description:
      "Start this many iterations (one task each) per second, whatever the response times: the open model, instead of -u. " +
      "A:B ramps from A to B over --ramp, then stays at B. At most 1,000,000",
  },
  {
    flags: "--ramp <time>",
    key: "ramp",
    kind: "timespan",
    group,
    description: "With --arrival-rate A:B: how long the rate takes to move from A to B, e.g. 60s",
  },
  {
    flags: "--max-users <count>",
    key: "maxUsers",
    kind: "int",
    group,
    description: `Arrival rate: users are created on demand and reused, at most this many in all (a distributed run splits them over its workers, each worker's rate in proportion) (default ${DEFAULT_OPEN_MODEL.maxUsers})`,
  },
  {
    flags: "--max-queue-time <time>",
    key: "maxQueueTime",
    kind: "timespan",
    group,
    description:
      "Arrival rate: how long an iteration may wait for a free user before it is dropped and counted, e.g. 1s, 0.5s, 500ms, 0 " +
      `(default ${DEFAULT_OPEN_MODEL.maxQueueMs / 1000}s)`,
  },
];

/** `--arrival-rate` parsed, or what is wrong with it (a whole message). */
function arrivalRateOption(text: string): ArrivalRateSpec | string {
  const rate = parseArrivalRate(text);
  return typeof rate === "string" ? `--arrival-rate ${rate}` : rate;
}

/**
 * The open model's option problems, each as `✖ message\n  → at source` (see options.ts);
 * `given` tells a flag that was given but could not be read (its own message says why).
 */
export function validateOpenModel(
  options: CliOptions,
  at: (key: string) => string,
  given: (key: string) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  const problem = (message: string, ...keys: string[]) =>
    problems.push(`✖ ${message}\n  → at ${keys.map(at).join(" and ")}`);
  const text = options.arrivalRate as string | undefined;
  const rate = text === undefined ? undefined : arrivalRateOption(text);
  if (typeof rate === "string") problem(rate, "arrivalRate");
  if (text !== undefined && (options.users !== undefined || options.spawnRate !== undefined)) {
    const flag = options.users !== undefined ? "-u/--users" : "-r/--spawn-rate";
    problem(
      `--arrival-rate and ${flag} are two ways to make load: give the rate (the open model) or the users (the closed model), not both`,
      // Both places: a rate in cicada.conf (read by default) clashing with -u is not obvious.
      "arrivalRate",
      options.users !== undefined ? "users" : "spawnRate",
    );
  }
  if (text !== undefined && options.iterations !== undefined) {
    problem(
      "-i/--iterations counts the tasks of users (the closed model); an arrival rate starts iterations for as long as -t/--run-time says: give -t, or use -u with -i",
      "arrivalRate",
      "iterations",
    );
  }
  const ramp = options.ramp as number | undefined;
  if (ramp !== undefined) {
    if (text === undefined) problem("--ramp needs --arrival-rate A:B (the rates it ramps between)", "ramp");
    else if (typeof rate === "object" && rate.to === undefined)
      problem(
        `--ramp needs a ramp in --arrival-rate, A:B such as 0:${text.trim()} (from 0 up to ${text.trim()}/s), got --arrival-rate '${text}'`,
        "ramp",
      );
    else if (ramp <= 0) problem("--ramp must be longer than 0 s", "ramp");
  } else if (typeof rate === "object" && rate.to !== undefined && !given("ramp")) {
    problem(
      `--arrival-rate ${text} ramps from ${rate.from} to ${rate.to}: give its duration with --ramp, e.g. --ramp 60s`,
      "arrivalRate",
    );
  }
  const maxUsers = options.maxUsers as number | undefined;
  if (maxUsers !== undefined && maxUsers < 1)
    problem(`--max-users must be a whole number ≥ 1, got '${maxUsers}'`, "maxUsers");
  return problems;
}

/** `--arrival-rate` of valid options, or undefined for the closed model. */
export function arrivalRateOf(options: CliOptions): ArrivalRateSpec | undefined {
  const text = options.arrivalRate as string | undefined;
  if (text === undefined) return undefined;
  const rate = arrivalRateOption(text);
  if (typeof rate === "string") throw new Error(rate);
  return rate;
}

/** --max-users and --max-queue-time, with their defaults. */
export function openModelSettingsOf(options: CliOptions): OpenModelSettings {
  return {
    maxUsers: (options.maxUsers as number | undefined) ?? DEFAULT_OPEN_MODEL.maxUsers,
    maxQueueMs: (options.maxQueueTime as number | undefined) ?? DEFAULT_OPEN_MODEL.maxQueueMs,
  };
}
