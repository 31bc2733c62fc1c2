/**
 * The statistics table's column selector (as Locust 2.46's): a checkbox per column;
 * the choice is remembered in this browser.
 */
import { useEffect, useRef } from "react";
import { type Column, REQUIRED_COLUMNS } from "../stats-columns.js";

export function ColumnPicker({
  columns,
  hidden,
  onHidden,
}: {
  columns: Column[];
  hidden: readonly string[];
  onHidden: (hidden: string[]) => void;
}) {
  const details = useRef<HTMLDetailsElement>(null);
  // Close when the user clicks elsewhere or presses Escape, like a menu.
  useEffect(() => {
    const close = (event: Event) => {
      const element = details.current;
      if (!element?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        element.open = false;
        element.querySelector("summary")?.focus();
      } else if (!element.contains(event.target as Node)) element.open = false;
    };
    addEventListener("pointerdown", close);
    addEventListener("keydown", close);
    return () => {
      removeEventListener("pointerdown", close);
      removeEventListener("keydown", close);
    };
  }, []);
  const toggle = (id: string, shown: boolean) =>
    onHidden(shown ? hidden.filter((h) => h !== id) : [...hidden, id]);
  return (
    <details className="column-picker" ref={details}>
      <summary className="button">Columns</summary>
      <fieldset className="column-picker-menu">
        <legend className="visually-hidden">Columns shown</legend>
        {columns.map((column) => (
          <label key={column.id} className="check" title={column.title}>
            <input
              type="checkbox"
              checked={!hidden.includes(column.id)}
              disabled={REQUIRED_COLUMNS.has(column.id)}
              onChange={(event) => toggle(column.id, event.target.checked)}
            />
            {column.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
