/**
 * The start form's class picker (`--class-picker`): a checkbox per user class and, when
 * the locustfile has load shapes, a choice of one of them or none. The choice is sent as
 * POST /swarm's `user_classes` and `shape_class` (Locust's fields).
 */

/** `shape_class` meaning "no load shape" (Locust's "Default"). */
export const NO_SHAPE = "Default";

export function ClassPicker({
  classes,
  chosen,
  onChosen,
  shapes,
  shape,
  onShape,
  problem,
}: {
  classes: string[];
  chosen: ReadonlySet<string>;
  onChosen: (chosen: Set<string>) => void;
  shapes: string[];
  shape: string;
  onShape: (shape: string) => void;
  problem: string | undefined;
}) {
  const toggle = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(name);
    else next.delete(name);
    onChosen(next);
  };
  return (
    <>
      <fieldset
        className="class-picker"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? "user_classes-problem" : undefined}
      >
        <legend>User classes</legend>
        {classes.map((name) => (
          <label key={name} className="check">
            <input
              type="checkbox"
              name="user_classes"
              value={name}
              checked={chosen.has(name)}
              onChange={(event) => toggle(name, event.target.checked)}
            />
            {name}
          </label>
        ))}
        {problem && (
          <span className="problem" id="user_classes-problem" role="alert">
            {problem}
          </span>
        )}
      </fieldset>
      {shapes.length > 0 && (
        <label className="field">
          <span>Load shape</span>
          <select name="shape_class" value={shape} onChange={(event) => onShape(event.target.value)}>
            <option value={NO_SHAPE}>None: the users and ramp-up below</option>
            {shapes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
