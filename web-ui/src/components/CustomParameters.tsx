/**
 * "Custom parameters" of the start form: the locustfile's custom arguments
 * (`events.initCommandLineParser`), each with the input of its kind: text, number,
 * password (a secret, whose value the server never sends: left empty, it keeps it),
 * checkbox, select, or a group of checkboxes for several choices. Sent as POST /swarm
 * fields named by Locust's dest (`my_argument`).
 */
import type { CustomParameter } from "../types.js";

export type CustomValues = Record<string, string | string[] | boolean>;

export function initialCustomValues(parameters: readonly CustomParameter[]): CustomValues {
  return Object.fromEntries(parameters.map((p) => [p.name, p.value]));
}

/** The form's checks of custom parameters (the server repeats them), by field name. */
export function checkCustomValues(
  parameters: readonly CustomParameter[],
  values: CustomValues,
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const p of parameters) {
    const value = values[p.name];
    const empty = value === "" || (Array.isArray(value) && value.length === 0);
    if (p.kind === "number" && typeof value === "string" && value.trim() !== "") {
      if (!Number.isFinite(Number(value.trim()))) problems[p.name] = "Enter a number";
    }
    if (p.required && empty && !(p.kind === "secret" && p.hasValue)) {
      problems[p.name] = `${p.help || p.flag} is required`;
    }
  }
  return problems;
}

/** What POST /swarm gets: every parameter, a secret only when typed (empty keeps its value). */
export function customFields(parameters: readonly CustomParameter[], values: CustomValues): CustomValues {
  const fields: CustomValues = {};
  for (const p of parameters) {
    const value = values[p.name] ?? "";
    if (p.kind === "secret" && value === "") continue;
    fields[p.name] = typeof value === "string" ? value.trim() : value;
  }
  return fields;
}

function Problem({ name, problem }: { name: string; problem: string | undefined }) {
  if (!problem) return null;
  return (
    <span className="problem" id={`${name}-problem`} role="alert">
      {problem}
    </span>
  );
}

function Label({ p }: { p: CustomParameter }) {
  return (
    <span>
      {p.help || p.name} <code className="flag">{p.flag}</code>
      {p.required ? " (required)" : ""}
    </span>
  );
}

export function CustomParameters({
  parameters,
  values,
  problems,
  onChange,
}: {
  parameters: readonly CustomParameter[];
  values: CustomValues;
  problems: Record<string, string | undefined>;
  onChange: (name: string, value: string | string[] | boolean) => void;
}) {
  if (parameters.length === 0) return null;
  const invalid = (name: string) =>
    problems[name] ? { "aria-invalid": true, "aria-describedby": `${name}-problem` } : {};
  return (
    <fieldset className="custom-parameters">
      <legend>Custom parameters</legend>
      {parameters.map((p) => {
        const value = values[p.name];
        if (p.kind === "boolean") {
          return (
            <label key={p.name} className="check field">
              <input
                type="checkbox"
                name={p.name}
                checked={value === true}
                onChange={(e) => onChange(p.name, e.target.checked)}
              />
              <Label p={p} />
            </label>
          );
        }
        if (p.kind === "multiselect") {
          const chosen = new Set(Array.isArray(value) ? value : []);
          const toggle = (choice: string, on: boolean) =>
            onChange(
              p.name,
              p.choices.filter((c) => (c === choice ? on : chosen.has(c))),
            );
          return (
            <fieldset key={p.name} className="class-picker" {...invalid(p.name)}>
              <legend>
                <Label p={p} />
              </legend>
              {p.choices.map((choice) => (
                <label key={choice} className="check">
                  <input
                    type="checkbox"
                    name={p.name}
                    value={choice}
                    checked={chosen.has(choice)}
                    onChange={(e) => toggle(choice, e.target.checked)}
                  />
                  {choice}
                </label>
              ))}
              <Problem name={p.name} problem={problems[p.name]} />
            </fieldset>
          );
        }
        return (
          <label key={p.name} className="field" htmlFor={`custom-${p.name}`}>
            <Label p={p} />
            {p.kind === "select" ? (
              <select
                id={`custom-${p.name}`}
                name={p.name}
                value={String(value ?? "")}
                onChange={(e) => onChange(p.name, e.target.value)}
                {...invalid(p.name)}
              >
                {!p.choices.includes(String(value ?? "")) && <option value="">(choose)</option>}
                {p.choices.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`custom-${p.name}`}
                name={p.name}
                type={p.kind === "secret" ? "password" : "text"}
                inputMode={p.kind === "number" ? "decimal" : undefined}
                value={String(value ?? "")}
                placeholder={p.kind === "secret" && p.hasValue ? "(set: leave empty to keep it)" : undefined}
                autoComplete={p.kind === "secret" ? "new-password" : "off"}
                onChange={(e) => onChange(p.name, e.target.value)}
                {...invalid(p.name)}
              />
            )}
            <Problem name={p.name} problem={problems[p.name]} />
          </label>
        );
      })}
    </fieldset>
  );
}
