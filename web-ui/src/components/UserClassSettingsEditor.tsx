/**
 * The start form's per-user-class settings (Locust 2.46's class gear): each class's host,
 * weight and fixed count for the next test, sent as Locust's `POST /user` before the test
 * starts (only for the classes changed).
 */
import type { UserClassSettings } from "../types.js";

/** The form's text for each class's settings. */
export type ClassSettingsValues = Record<string, { host: string; weight: string; fixedCount: string }>;

export function initialClassSettings(settings: readonly UserClassSettings[]): ClassSettingsValues {
  return Object.fromEntries(
    settings.map((s) => [
      s.name,
      { host: s.host ?? "", weight: String(s.weight), fixedCount: String(s.fixedCount) },
    ]),
  );
}

/** The POST /user bodies for the classes whose settings the user changed. */
export function changedClassSettings(
  settings: readonly UserClassSettings[],
  values: ClassSettingsValues,
): Array<{ user_class_name: string; host: string; weight: string; fixed_count: string }> {
  const initial = initialClassSettings(settings);
  return settings
    .filter((s) => JSON.stringify(values[s.name]) !== JSON.stringify(initial[s.name]))
    .map((s) => ({
      user_class_name: s.name,
      host: values[s.name]!.host.trim(),
      weight: values[s.name]!.weight.trim(),
      fixed_count: values[s.name]!.fixedCount.trim(),
    }));
}

export function UserClassSettingsEditor({
  settings,
  values,
  onChange,
  problem,
}: {
  settings: readonly UserClassSettings[];
  values: ClassSettingsValues;
  onChange: (values: ClassSettingsValues) => void;
  problem: string | undefined;
}) {
  const set = (name: string, key: "host" | "weight" | "fixedCount", value: string) =>
    onChange({ ...values, [name]: { ...values[name]!, [key]: value } });
  return (
    <fieldset className="class-settings">
      <legend>User class settings</legend>
      <table>
        <thead>
          <tr>
            <th>Class</th>
            <th>Host (empty: the test's)</th>
            <th>Weight</th>
            <th>Fixed count</th>
          </tr>
        </thead>
        <tbody>
          {settings.map(({ name }) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                <input
                  aria-label={`Host of ${name}`}
                  type="url"
                  value={values[name]?.host ?? ""}
                  onChange={(event) => set(name, "host", event.target.value)}
                />
              </td>
              <td>
                <input
                  aria-label={`Weight of ${name}`}
                  inputMode="decimal"
                  value={values[name]?.weight ?? ""}
                  onChange={(event) => set(name, "weight", event.target.value)}
                />
              </td>
              <td>
                <input
                  aria-label={`Fixed count of ${name}`}
                  inputMode="numeric"
                  value={values[name]?.fixedCount ?? ""}
                  onChange={(event) => set(name, "fixedCount", event.target.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem && (
        <span className="problem" role="alert">
          {problem}
        </span>
      )}
    </fieldset>
  );
}
