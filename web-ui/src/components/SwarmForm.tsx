/**
 * The start form (new test) and the edit form (users and spawn rate of the running test).
 * Checks every field before sending, with the same rules as the server, and shows the
 * server's own messages if it still refuses.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import type { DialogMode } from "../App.js";
import { ApiError, post, swarm } from "../api.js";
import type { LiveState } from "../store.js";
import {
  CapacityFields,
  type CapacityValues,
  capacityBody,
  checkCapacityValues,
  FindCapacityToggle,
  initialCapacityValues,
} from "./CapacityFields.js";
import { ClassPicker, NO_SHAPE } from "./ClassPicker.js";
import {
  CustomParameters,
  type CustomValues,
  checkCustomValues,
  customFields,
  initialCustomValues,
} from "./CustomParameters.js";
import {
  ArrivalRateFields,
  type ArrivalValues,
  arrivalFields,
  checkArrivalValues,
  initialArrivalValues,
  initialLoadModel,
  type LoadModelChoice,
  LoadModelChoiceField,
} from "./LoadModelFields.js";
import { Modal } from "./Modal.js";
import {
  changedClassSettings,
  initialClassSettings,
  UserClassSettingsEditor,
} from "./UserClassSettingsEditor.js";

type Field = "user_count" | "spawn_rate" | "host" | "run_time";
// Custom parameters' problems are keyed by their field names too.
type Problems = Partial<Record<Field | "user_classes" | "shape_class" | "class_settings" | "form", string>> &
  Record<string, string | undefined>;

const TIMESPAN = /^(\d+(\.\d+)?|(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?)$/i;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** The form's checks (the server repeats them). */
export function checkForm(
  values: Record<Field, string>,
  options: { edit: boolean; hostOptional: boolean; shape: boolean },
): Problems {
  const problems: Problems = {};
  if (!options.shape) {
    const users = values.user_count.trim();
    if (!/^\d+$/.test(users) || Number(users) < 1) {
      problems.user_count = "Enter a whole number of users, at least 1";
    }
    const rate = Number(values.spawn_rate.trim());
    if (values.spawn_rate.trim() === "" || !Number.isFinite(rate) || rate <= 0) {
      problems.spawn_rate = "Enter a number of users per second greater than 0, e.g. 10 or 0.5";
    }
  }
  if (!options.edit) {
    const host = values.host.trim();
    if (host === "" && !options.hostOptional)
      problems.host = "Enter the host to test, e.g. http://127.0.0.1:8080";
    else if (host !== "" && !isHttpUrl(host))
      problems.host = "Enter an http:// or https:// URL, e.g. http://127.0.0.1:8080";
    const runTime = values.run_time.trim();
    if (runTime !== "" && (!TIMESPAN.test(runTime) || /^0+(\.0+)?[hms]?$/.test(runTime))) {
      problems.run_time = "Enter a time span such as 90, 30s, 5m or 1h30m (or leave it empty)";
    }
  }
  return problems;
}

export function SwarmForm({
  mode,
  live,
  onClose,
}: {
  mode: Exclude<DialogMode, null>;
  live: LiveState;
  onClose: () => void;
}) {
  const meta = live.meta!;
  const status = live.status;
  const edit = mode === "edit";
  // The last test's values (as Locust 2.46 remembers them), else the command line's.
  const last = status?.lastTest ?? null;
  const [values, setValues] = useState<Record<Field, string>>(() => ({
    user_count: String(last?.users ?? meta.defaults.userCount),
    spawn_rate: String(last?.spawnRate ?? meta.defaults.spawnRate),
    host: status?.host ?? meta.defaults.host,
    run_time: last ? last.runTime : meta.defaults.runTime,
  }));
  const [problems, setProblems] = useState<Problems>({});
  const [sending, setSending] = useState(false);
  const [advanced, setAdvanced] = useState(values.run_time !== "");
  const [classSettings, setClassSettings] = useState(() => initialClassSettings(meta.userClassSettings));
  const first = useRef<HTMLInputElement>(null);
  // The class picker starts from the last test's choice (every class at first).
  const picker = meta.classPicker && !edit;
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(meta.activeUserClasses));
  const [chosenShape, setChosenShape] = useState(meta.shapeClass ?? NO_SHAPE);
  const shapeName = picker ? (chosenShape === NO_SHAPE ? null : chosenShape) : meta.shapeClass;
  const shape = shapeName !== null;
  // The locustfile's custom arguments: set for a new test only (an edit changes users and rate).
  const parameters = edit ? [] : meta.customParameters;
  const [custom, setCustom] = useState<CustomValues>(() => initialCustomValues(meta.customParameters));
  // Users or an arrival rate; an edit keeps the running test's model.
  const [model, setModel] = useState<LoadModelChoice>(() =>
    // --find-capacity --capacity-model arrival-rate on the command line: the form searches the rate.
    !edit && meta.defaults.capacity?.findCapacity
      ? meta.defaults.capacity.model
      : initialLoadModel(meta, status),
  );
  const [arrival, setArrival] = useState<ArrivalValues>(() => initialArrivalValues(meta, status));
  // "Find capacity": the SLOs and the search's steps instead of a fixed load (a new test only).
  const [capacity, setCapacity] = useState<CapacityValues>(() =>
    initialCapacityValues(meta, status?.capacity),
  );
  const searching = !shape && !edit && capacity.find;
  const open = !shape && !searching && model === "arrival-rate";
  // As Locust's: a master with no worker has nobody to run users.
  const noWorkers = meta.distributed && (status?.workerCount ?? 0) === 0;

  useEffect(() => {
    first.current?.focus();
  }, []);

  const set = (field: Field) => (event: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: event.target.value }));
    setProblems((p) => ({ ...p, [field]: undefined, form: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkForm(values, {
      edit,
      hostOptional: meta.hostOptional,
      shape: shape || open || searching,
    });
    if (open) Object.assign(found, checkArrivalValues(arrival, edit));
    if (searching) Object.assign(found, checkCapacityValues(capacity));
    if (picker && chosen.size === 0) found.user_classes = "Choose at least one user class";
    Object.assign(found, checkCustomValues(parameters, custom));
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setSending(true);
    try {
      // The classes' settings first (Locust's POST /user), so the test starts with them.
      if (!edit) {
        for (const body of changedClassSettings(meta.userClassSettings, classSettings)) {
          try {
            await post("user", body);
          } catch (error) {
            setAdvanced(true);
            setProblems({ class_settings: `${body.user_class_name}: ${(error as Error).message}` });
            return;
          }
        }
      }
      const load = searching
        ? capacityBody(capacity, model)
        : open
          ? arrivalFields(arrival, edit)
          : { user_count: values.user_count.trim(), spawn_rate: values.spawn_rate.trim() };
      await swarm(
        edit
          ? load
          : {
              ...load,
              host: values.host.trim(),
              run_time: values.run_time.trim(),
              ...customFields(parameters, custom),
              ...(picker
                ? {
                    // In the locustfile's order, as the checkboxes show them.
                    user_classes: meta.userClasses.filter((name) => chosen.has(name)),
                    shape_class: chosenShape,
                  }
                : {}),
            },
      );
      onClose();
      // The search's progress, steps and answer are on their own tab.
      if (searching) location.hash = "capacity";
    } catch (error) {
      if (error instanceof ApiError && error.fields.length > 0) {
        setProblems(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
      } else {
        setProblems({ form: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      setSending(false);
    }
  };

  const input = (field: Field, label: string, props: Record<string, string> = {}) => (
    <label className="field">
      <span>{label}</span>
      <input
        ref={field === (shape ? "host" : "user_count") ? first : undefined}
        name={field}
        value={values[field]}
        onChange={set(field)}
        aria-invalid={problems[field] ? true : undefined}
        aria-describedby={problems[field] ? `${field}-problem` : undefined}
        autoComplete="off"
        {...props}
      />
      {problems[field] && (
        <span className="problem" id={`${field}-problem`} role="alert">
          {problems[field]}
        </span>
      )}
    </label>
  );

  return (
    <Modal labelledBy="swarm-form-title" onClose={onClose}>
      <form
        className="dialog"
        aria-label={edit ? "Edit the running test" : "Start a new test"}
        onSubmit={submit}
        noValidate
      >
        <h2 id="swarm-form-title">{edit ? "Edit the running test" : "Start a new test"}</h2>
        {picker && (
          <ClassPicker
            classes={meta.userClasses}
            chosen={chosen}
            onChosen={(next) => {
              setChosen(next);
              setProblems((p) => ({ ...p, user_classes: undefined, form: undefined }));
            }}
            shapes={meta.shapeClasses}
            shape={chosenShape}
            onShape={setChosenShape}
            problem={problems.user_classes ?? problems.shape_class}
          />
        )}
        {shape && (
          <p className="hint">
            {/* Whether a shape runs users or an arrival rate is known only from its tick(). */}
            The load shape <b>{shapeName}</b> decides the load: the users and spawn rate, or the arrival rate.
          </p>
        )}
        {!shape && !edit && <LoadModelChoiceField model={model} onModel={setModel} />}
        {!shape && !edit && (
          <FindCapacityToggle
            checked={capacity.find}
            onChange={(find) => {
              setCapacity((c) => ({ ...c, find }));
              setProblems({});
            }}
          />
        )}
        {searching && (
          <CapacityFields
            values={capacity}
            model={model}
            problems={problems}
            onChange={(name, value) => {
              setCapacity((c) => ({ ...c, [name]: value }));
              setProblems((p) => ({
                ...p,
                [name === "slo" ? "slo" : `capacity_${name}`]: undefined,
                form: undefined,
              }));
            }}
          />
        )}
        {open && (
          <ArrivalRateFields
            values={arrival}
            problems={problems}
            edit={edit}
            onChange={(name, value) => {
              setArrival((a) => ({ ...a, [name]: value }));
              setProblems((p) => ({ ...p, [name]: undefined, form: undefined }));
            }}
          />
        )}
        {!shape &&
          !open &&
          !searching &&
          input("user_count", "Number of users (peak concurrency)", { inputMode: "numeric" })}
        {!shape &&
          !open &&
          !searching &&
          input("spawn_rate", "Ramp up (users started/second)", { inputMode: "decimal" })}
        {!edit &&
          // Optional with -H too, but then the field holds it: the note is for classes with hosts of their own.
          input(
            "host",
            meta.hostOptional && meta.defaults.host === ""
              ? "Host (optional: the classes have their own)"
              : "Host",
            {
              placeholder: "http://127.0.0.1:8080",
              type: "url",
            },
          )}
        <CustomParameters
          parameters={parameters}
          values={custom}
          problems={problems}
          onChange={(name, value) => {
            setCustom((c) => ({ ...c, [name]: value }));
            setProblems((p) => ({ ...p, [name]: undefined, form: undefined }));
          }}
        />
        {!edit && (
          <details open={advanced} onToggle={(e) => setAdvanced((e.target as HTMLDetailsElement).open)}>
            <summary>Advanced options</summary>
            {!shape &&
              input(
                "run_time",
                searching
                  ? "Run time of the whole search (e.g. 10m; empty: until it ends)"
                  : "Run time (e.g. 300s, 20m, 1h30m; empty: until stopped)",
                {
                  placeholder: "e.g. 5m",
                },
              )}
            <UserClassSettingsEditor
              settings={meta.userClassSettings}
              values={classSettings}
              onChange={(next) => {
                setClassSettings(next);
                setProblems((p) => ({ ...p, class_settings: undefined, form: undefined }));
              }}
              problem={problems.class_settings}
            />
          </details>
        )}
        {noWorkers && (
          <p className="hint" role="status">
            No worker has connected yet: start some with <code>cicada --worker --master-host …</code>
          </p>
        )}
        {problems.form && (
          <p className="problem" role="alert">
            {problems.form}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={sending || noWorkers}>
            {edit ? "Update" : searching ? "Find capacity" : "Start"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
