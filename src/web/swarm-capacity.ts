/**
 * The capacity search's fields of `POST /swarm` (the start form's "Find capacity"):
 * `find_capacity`, `slo` (one or more, comma- or line-separated), `capacity_model`,
 * `capacity_start`, `capacity_growth`, `capacity_hold`, `capacity_max` and
 * `capacity_precision`, with `run_time` bounding the whole search. Checked like the other
 * fields: every problem names its field.
 */
import { parseSlo } from "../reports/capacity-slo.js";
import { LocalRunner, type OpenModelSettings, type Runner, startCapacitySearch } from "../runner/index.js";
import { type CapacitySettings, describeSlos, formatLoad } from "../shared/capacity.js";
import { type CapacityTexts, readCapacitySettings, sloModelOf } from "../shared/capacity-settings.js";
import type { CommandResponse } from "./api-types.js";
import type { FieldProblem } from "./swarm.js";

/** A capacity search as the form asks for it (its run time comes with the other fields). */
export type CapacityCommand = Omit<CapacitySettings, "runTimeMs" | "spawnRate">;

const FIELDS: Record<keyof CapacityTexts, string> = {
  model: "capacity_model",
  start: "capacity_start",
  growth: "capacity_growth",
  hold: "capacity_hold",
  max: "capacity_max",
  precision: "capacity_precision",
};

function last(value: unknown): string | undefined {
  if (Array.isArray(value)) return last(value[value.length - 1]);
  if (typeof value === "string" || typeof value === "number") return String(value);
  return value === undefined || value === null ? undefined : "[object]";
}

/** True when the body asks for a capacity search (`find_capacity` true, on or 1). */
export function asksForCapacity(body: Record<string, unknown>): boolean {
  const value = body.find_capacity;
  return value === true || ["true", "on", "1"].includes((last(value) ?? "").trim().toLowerCase());
}

/** The SLOs as texts: a list field, or one text with commas or new lines. */
function sloTexts(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  return items
    .flatMap((item) => item.split(/[,\n]/))
    .map((text) => text.trim())
    .filter((text) => text !== "");
}

/** Parses the search's fields; undefined (with problems added) when one is wrong. */
export function parseCapacityFields(
  body: Record<string, unknown>,
  problems: FieldProblem[],
): CapacityCommand | undefined {
  const texts = Object.fromEntries(
    (Object.keys(FIELDS) as Array<keyof CapacityTexts>).map((key) => [key, last(body[FIELDS[key]])]),
  ) as CapacityTexts;
  const read = readCapacitySettings(texts, FIELDS);
  if ("problems" in read)
    for (const p of read.problems) problems.push({ field: FIELDS[p.setting], message: p.message });
  const model = sloModelOf(read);
  const slos = sloTexts(body.slo).map((text) => parseSlo(text, model));
  if (slos.length === 0)
    problems.push({ field: "slo", message: "slo is required: at least one, e.g. p95<300ms" });
  for (const slo of slos) if (typeof slo === "string") problems.push({ field: "slo", message: `slo ${slo}` });
  if (!("settings" in read) || slos.some((slo) => typeof slo === "string")) return undefined;
  return { ...read.settings, slos: slos.filter((slo) => typeof slo !== "string") };
}

/** The fields of a search (a search cannot follow a load shape, nor take a fixed load too). */
export function capacityFields(
  body: Record<string, unknown>,
  problems: FieldProblem[],
  usesShape: boolean,
): CapacityCommand | undefined {
  if (usesShape) {
    problems.push({
      field: "find_capacity",
      message: "a capacity search sets the load itself: choose no load shape",
    });
    return undefined;
  }
  for (const field of ["user_count", "arrival_rate"]) {
    if ((last(body[field]) ?? "").trim() !== "")
      problems.push({ field, message: `find_capacity searches the load itself: leave ${field} out` });
  }
  return parseCapacityFields(body, problems);
}

/** Refuses a change of users or rate while a search drives the test; undefined when none does. */
export function capacityConflict(runner: Runner): { status: number; response: CommandResponse } | undefined {
  if (runner.environment.capacity?.running !== true) return undefined;
  return {
    status: 409,
    response: {
      success: false,
      message: "a capacity search sets the load of this test: stop it before changing the users or the rate",
      host: runner.environment.host,
    },
  };
}

/** Starts a search as the first step of a new test (a running test must be stopped first). */
export function startCapacity(
  command: CapacityCommand,
  runTimeMs: number | undefined,
  runner: Runner,
  running: boolean,
  openModelDefaults: OpenModelSettings,
): { status: number; response: CommandResponse } {
  const environment = runner.environment;
  if (running) {
    return {
      status: 409,
      response: {
        success: false,
        message: "a test is running: stop it before finding the capacity",
        host: environment.host,
      },
    };
  }
  environment.logger.info(
    `Finding the capacity (web UI): ${formatLoad(command.model, command.start)} first, SLOs ${describeSlos(command.slos)}`,
  );
  // The form has no Max users or Max queue time: an arrival-rate search runs under the
  // command line's (documented), whatever an earlier test of the session set.
  runner.openModel = { ...openModelDefaults };
  startCapacitySearch(runner, { ...command, runTimeMs }, { distributed: !(runner instanceof LocalRunner) });
  return {
    status: 200,
    response: { success: true, message: "Capacity search started", host: environment.host },
  };
}
