/**
 * The start form's choice of load model, and the arrival-rate fields: "Users" (the
 * closed model: a number of users that each wait for their response) or "Arrival rate"
 * (the open model: iterations started per second whatever the response times, on users
 * created on demand). Checked as the server checks them; sent as POST /swarm's
 * arrival_rate, ramp, max_users and max_queue_time.
 */
import type { RunStatus, UiMeta } from "../types.js";

export type LoadModelChoice = "users" | "arrival-rate";

export interface ArrivalValues {
  arrival_rate: string;
  ramp: string;
  max_users: string;
  max_queue_time: string;
}

const RATE = /^\s*(\d+(\.\d+)?|\.\d+)\s*(:\s*(\d+(\.\d+)?|\.\d+)\s*)?$/;
const TIMESPAN = /^(\d+(\.\d+)?|(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?)$/i;

/** The model the form starts with: the running test's, else --arrival-rate's. */
export function initialLoadModel(meta: UiMeta, status: RunStatus | null): LoadModelChoice {
  if (status?.startedAtMs != null && status.loadModel) return status.loadModel;
  return meta.defaults.arrivalRate ? "arrival-rate" : "users";
}

/** The fields' first values: the running test's rate, else the command line's. */
export function initialArrivalValues(meta: UiMeta, status: RunStatus | null): ArrivalValues {
  const running = status?.openModel?.targetRate;
  // The last arrival-rate test's values (the form starts from the last test), else the command line's.
  const last = status?.lastTest?.arrival ?? null;
  return {
    arrival_rate:
      status?.state === "running" && running !== undefined
        ? String(running)
        : (last?.arrivalRate ?? meta.defaults.arrivalRate ?? ""),
    ramp: last ? last.ramp : (meta.defaults.ramp ?? ""),
    max_users: String(last?.maxUsers ?? meta.defaults.maxUsers ?? 1000),
    max_queue_time: last?.maxQueueTime ?? meta.defaults.maxQueueTime ?? "1s",
  };
}

/** The checks of the arrival-rate fields (the server repeats them), by field name. */
export function checkArrivalValues(values: ArrivalValues, edit: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  const match = RATE.exec(values.arrival_rate);
  const ramp = match?.[3] !== undefined;
  if (!match) {
    problems.arrival_rate = "Enter iterations per second, e.g. 500, or a ramp A:B such as 100:1000";
  } else if (!ramp && Number(match[1]) <= 0) {
    problems.arrival_rate = "Enter more than 0 iterations per second";
  } else if (ramp && Number(match[1]) === 0 && Number(match[4]) === 0) {
    problems.arrival_rate = "A ramp needs at least one end above 0";
  }
  const rampText = values.ramp.trim();
  if (ramp && (rampText === "" || !TIMESPAN.test(rampText) || /^0+(\.0+)?[hms]?$/.test(rampText))) {
    problems.ramp = "Enter how long the ramp takes, e.g. 60s or 5m";
  } else if (!ramp && rampText !== "") {
    problems.ramp = "A ramp needs two rates in Arrival rate, A:B";
  }
  if (!edit) {
    if (!/^\d+$/.test(values.max_users.trim()) || Number(values.max_users) < 1) {
      problems.max_users = "Enter a whole number of users, at least 1";
    }
    if (!TIMESPAN.test(values.max_queue_time.trim()) || values.max_queue_time.trim() === "") {
      problems.max_queue_time = "Enter a time span such as 1s, 0.5s or 0";
    }
  }
  return problems;
}

/** What POST /swarm gets for an arrival rate (an edit changes only the rate). */
export function arrivalFields(values: ArrivalValues, edit: boolean): Record<string, string> {
  const fields: Record<string, string> = {
    arrival_rate: values.arrival_rate.trim(),
    ramp: values.ramp.trim(),
  };
  if (!edit) {
    fields.max_users = values.max_users.trim();
    fields.max_queue_time = values.max_queue_time.trim();
  }
  return fields;
}

export function LoadModelChoiceField({
  model,
  onModel,
}: {
  model: LoadModelChoice;
  onModel: (model: LoadModelChoice) => void;
}) {
  return (
    <fieldset className="field load-model" data-testid="load-model">
      <legend>Load</legend>
      <label>
        <input type="radio" name="load_model" checked={model === "users"} onChange={() => onModel("users")} />{" "}
        Users (each waits for its response)
      </label>
      <label>
        <input
          type="radio"
          name="load_model"
          checked={model === "arrival-rate"}
          onChange={() => onModel("arrival-rate")}
        />{" "}
        Arrival rate (iterations per second, whatever the response times)
      </label>
    </fieldset>
  );
}

export function ArrivalRateFields({
  values,
  problems,
  edit,
  onChange,
}: {
  values: ArrivalValues;
  problems: Record<string, string | undefined>;
  edit: boolean;
  onChange: (field: keyof ArrivalValues, value: string) => void;
}) {
  const field = (name: keyof ArrivalValues, label: string, props: Record<string, string> = {}) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={name}
        value={values[name]}
        onChange={(event) => onChange(name, event.target.value)}
        aria-invalid={problems[name] ? true : undefined}
        aria-describedby={problems[name] ? `${name}-problem` : undefined}
        autoComplete="off"
        {...props}
      />
      {problems[name] && (
        <span className="problem" id={`${name}-problem`} role="alert">
          {problems[name]}
        </span>
      )}
    </label>
  );
  return (
    <>
      {field("arrival_rate", "Arrival rate (iterations/second; A:B ramps)", {
        inputMode: "decimal",
        placeholder: "e.g. 500 or 100:1000",
      })}
      {field("ramp", "Ramp duration (with A:B)", { placeholder: "e.g. 60s" })}
      {!edit && field("max_users", "Max users (created on demand)", { inputMode: "numeric" })}
      {!edit &&
        field("max_queue_time", "Max queue time (then an iteration is dropped)", { placeholder: "1s" })}
    </>
  );
}
