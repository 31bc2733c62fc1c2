/**
 * The start form's "Find capacity" mode: instead of a number of users (or a rate), the
 * SLOs every step must meet and how the search steps (start, growth, hold, upper bound).
 * The load model choice above decides whether users or the arrival rate are raised. Sent
 * as POST /swarm's find_capacity, slo, capacity_model, capacity_start, capacity_growth,
 * capacity_hold and capacity_max; the server checks each field (and says which is wrong).
 */

import type { CapacityProgress, UiMeta } from "../types.js";
import type { LoadModelChoice } from "./LoadModelFields.js";

export interface CapacityValues {
  find: boolean;
  slo: string;
  start: string;
  growth: string;
  hold: string;
  max: string;
}

type Field = Exclude<keyof CapacityValues, "find">;

/** The fields' first values: the last search's, else the command line's. */
export function initialCapacityValues(
  meta: UiMeta,
  last: CapacityProgress | null | undefined,
): CapacityValues {
  const given = meta.defaults.capacity;
  return {
    find: given?.findCapacity ?? false,
    slo: last ? last.slos.join(", ") : (given?.slo ?? ""),
    start: given?.start ?? "",
    growth: given?.growth ?? "",
    hold: given?.hold ?? "",
    max: given?.max ?? "",
  };
}

/** The form's own check (the server checks the grammar of each SLO and setting). */
export function checkCapacityValues(values: CapacityValues): Record<string, string> {
  return values.slo.trim() === "" ? { slo: "Enter at least one SLO, e.g. p95<300ms, failRate<1%" } : {};
}

/** What POST /swarm gets for a search. */
export function capacityBody(values: CapacityValues, model: LoadModelChoice): Record<string, string> {
  return {
    find_capacity: "true",
    slo: values.slo.trim(),
    capacity_model: model,
    capacity_start: values.start.trim(),
    capacity_growth: values.growth.trim(),
    capacity_hold: values.hold.trim(),
    capacity_max: values.max.trim(),
  };
}

export function FindCapacityToggle({
  checked,
  onChange,
}: {
  checked: boolean;
  onChange: (find: boolean) => void;
}) {
  return (
    <label className="field checkbox-field">
      <input
        type="checkbox"
        name="find_capacity"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />{" "}
      Find capacity: raise the load step by step until an SLO breaks, then refine
    </label>
  );
}

export function CapacityFields({
  values,
  model,
  problems,
  onChange,
}: {
  values: CapacityValues;
  model: LoadModelChoice;
  problems: Record<string, string | undefined>;
  onChange: (field: Field, value: string) => void;
}) {
  const unit = model === "users" ? "users" : "iterations/s";
  const field = (name: Field, wire: string, label: string, props: Record<string, string> = {}) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={wire}
        value={values[name]}
        onChange={(event) => onChange(name, event.target.value)}
        aria-invalid={problems[wire] ? true : undefined}
        aria-describedby={problems[wire] ? `${wire}-problem` : undefined}
        autoComplete="off"
        {...props}
      />
      {problems[wire] && (
        <span className="problem" id={`${wire}-problem`} role="alert">
          {problems[wire]}
        </span>
      )}
    </label>
  );
  return (
    <fieldset className="capacity-fields" data-testid="capacity-fields">
      <legend>Capacity search</legend>
      {field("slo", "slo", "SLOs every step must meet (comma-separated)", {
        placeholder: model === "users" ? "p95<300ms, failRate<1%" : "p95_intended<300ms, failRate<1%",
      })}
      <div className="field-row">
        {field("start", "capacity_start", `First step (${unit})`, {
          inputMode: "decimal",
          placeholder: model === "users" ? "5" : "10",
        })}
        {field("growth", "capacity_growth", "Growth (x2, +50)", { placeholder: "x2" })}
        {field("hold", "capacity_hold", "Hold each step (min:max)", { placeholder: "10s:30s" })}
        {field("max", "capacity_max", `Upper bound (${unit})`, {
          inputMode: "decimal",
          placeholder: model === "users" ? "10000" : "100000",
        })}
      </div>
    </fieldset>
  );
}
