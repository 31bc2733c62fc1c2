/**
 * The capacity search's settings from text, the same for the command line and the web
 * form: growth (`x2`, `+10`), hold (`10s:30s`), precision (`5%`), and the checks of the
 * start and upper bound. Each parser returns the value or a message saying what is wrong.
 */
import {
  CAPACITY_DEFAULTS,
  type CapacityGrowth,
  type CapacityModel,
  type CapacitySettings,
} from "./capacity.js";
import { parseTimespan } from "./timespan.js";

/** `x2`, `*1.5` (multiply) or `+10` (add); a message when it is neither. */
export function parseGrowth(text: string): CapacityGrowth | string {
  const trimmed = text.trim();
  const multiply = /^[x×*]\s*(\d+(?:\.\d+)?)$/i.exec(trimmed);
  if (multiply) {
    const factor = Number(multiply[1]);
    if (!(factor > 1)) return `a growth factor must be above 1, got '${trimmed}'`;
    return { kind: "multiply", factor };
  }
  const add = /^\+\s*(\d+(?:\.\d+)?)$/.exec(trimmed);
  if (add) {
    const step = Number(add[1]);
    if (!(step > 0)) return `a growth step must be above 0, got '${trimmed}'`;
    return { kind: "add", step };
  }
  return `expected x FACTOR (multiply, e.g. x2) or + STEP (add, e.g. +10), got '${trimmed}'`;
}

/** `10s` (min) or `10s:30s` (min:max); a message when it is not. */
export function parseHold(text: string): { minHoldMs: number; maxHoldMs: number } | string {
  const [minText = "", maxText, extra] = text.split(":").map((part) => part.trim());
  const minHoldMs = parseTimespan(minText);
  const maxHoldMs = maxText === undefined ? undefined : parseTimespan(maxText);
  if (extra !== undefined || minHoldMs === undefined || (maxText !== undefined && maxHoldMs === undefined)) {
    return `expected MIN or MIN:MAX time spans such as 10s or 10s:30s, got '${text.trim()}'`;
  }
  if (minHoldMs < 500) return `the minimum hold must be at least 0.5s, got '${minText}'`;
  const max = maxHoldMs ?? Math.max(minHoldMs, CAPACITY_DEFAULTS.maxHoldMs);
  if (max < minHoldMs) return `the maximum hold (${maxText}) is below the minimum (${minText})`;
  return { minHoldMs, maxHoldMs: max };
}

/** `5%` or `0.05`, above 0 and below 1 (50 %); a message otherwise. */
export function parsePrecision(text: string): number | string {
  const match = /^(\d+(?:\.\d+)?)\s*(%)?$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 0.5))
    return `expected a share such as 5% or 0.05 (at most 50%), got '${text.trim()}'`;
  return value;
}

/**
 * What is wrong with a search's start and upper bound (the loads' units and order), as
 * messages naming `names.start` and `names.max` (the flags, or the form's fields).
 */
export function checkLoadBounds(
  model: CapacityModel,
  start: number,
  max: number,
  names: { start: string; max: string },
): string[] {
  const problems: string[] = [];
  const unit = model === "users" ? "a whole number of users" : "iterations per second";
  const valid = (load: number) => (model === "users" ? Number.isInteger(load) && load >= 1 : load > 0);
  if (!valid(start))
    problems.push(
      `${names.start} must be ${unit}, at least ${model === "users" ? 1 : "above 0"}, got '${start}'`,
    );
  if (!valid(max)) problems.push(`${names.max} must be ${unit}, got '${max}'`);
  if (valid(start) && valid(max) && max < start)
    problems.push(`the upper bound ${names.max} ${max} is below the start ${names.start} ${start}`);
  return problems;
}

/** The settings a search reads from text (SLOs, spawn rate and run time come separately). */
export type CapacityPlanSettings = Pick<
  CapacitySettings,
  "model" | "start" | "growth" | "max" | "minHoldMs" | "maxHoldMs" | "precision"
>;

/** Each setting as given (undefined or "": its default). */
export interface CapacityTexts {
  model?: string | undefined;
  start?: string | number | undefined;
  growth?: string | undefined;
  hold?: string | undefined;
  max?: string | number | undefined;
  precision?: string | undefined;
}

/**
 * The settings, or each problem keyed by the setting it is about, with the model when it
 * was valid (null when the model itself was wrong).
 */
export type CapacityRead =
  | { settings: CapacityPlanSettings }
  | { problems: Array<{ setting: keyof CapacityTexts; message: string }>; model: CapacityModel | null };

/**
 * The model to check the SLOs against: the one given, even when another setting is wrong
 * (else `p95_intended` beside a bad growth read as "only with --capacity-model
 * arrival-rate" although it was given). When the model itself is wrong, arrival-rate, whose
 * SLOs include every other's: the model's own problem is then the one said.
 */
export function sloModelOf(read: CapacityRead): CapacityModel {
  return "settings" in read ? read.settings.model : (read.model ?? "arrival-rate");
}

const given = (value: string | number | undefined) =>
  value === undefined || String(value).trim() === "" ? undefined : String(value).trim();

/**
 * Reads the settings with their defaults. `names` are how messages call them (the flags,
 * or the form's fields).
 */
export function readCapacitySettings(
  texts: CapacityTexts,
  names: Record<keyof CapacityTexts, string>,
): CapacityRead {
  const problems: Array<{ setting: keyof CapacityTexts; message: string }> = [];
  const problem = (setting: keyof CapacityTexts, message: string) =>
    problems.push({ setting, message: `${names[setting]}: ${message}` });
  const modelText = given(texts.model) ?? "users";
  const model: CapacityModel = modelText === "arrival-rate" ? "arrival-rate" : "users";
  const modelValid = modelText === "users" || modelText === "arrival-rate";
  if (!modelValid) problem("model", `expected users or arrival-rate, got '${modelText}'`);
  const number = (setting: "start" | "max", fallback: number) => {
    const text = given(texts[setting]);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value)) problem(setting, `expected a number, got '${text}'`);
    return value;
  };
  const start = number("start", CAPACITY_DEFAULTS.start[model]);
  const max = number("max", Math.max(CAPACITY_DEFAULTS.max[model], Number.isFinite(start) ? start : 0));
  if (Number.isFinite(start) && Number.isFinite(max)) {
    for (const message of checkLoadBounds(model, start, max, { start: names.start, max: names.max }))
      problems.push({ setting: message.startsWith(names.start) ? "start" : "max", message });
  }
  const growthText = given(texts.growth);
  const growth = growthText === undefined ? CAPACITY_DEFAULTS.growth : parseGrowth(growthText);
  if (typeof growth === "string") problem("growth", growth);
  const holdText = given(texts.hold);
  const hold = holdText === undefined ? CAPACITY_DEFAULTS : parseHold(holdText);
  if (typeof hold === "string") problem("hold", hold);
  const precisionText = given(texts.precision);
  const precision = precisionText === undefined ? CAPACITY_DEFAULTS.precision : parsePrecision(precisionText);
  if (typeof precision === "string") problem("precision", precision);
  if (
    problems.length > 0 ||
    typeof growth === "string" ||
    typeof hold === "string" ||
    typeof precision === "string"
  )
    return { problems, model: modelValid ? model : null };
  return {
    settings: { model, start, growth, max, minHoldMs: hold.minHoldMs, maxHoldMs: hold.maxHoldMs, precision },
  };
}
