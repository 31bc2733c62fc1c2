/**
 * The tables' filter: plain, case-insensitive substring matching (no regular expressions)
 * on a row's method and name (and a failure's message). Virtualised tables keep only the
 * rows in view in the page, so the browser's find (Ctrl-F) cannot reach the others: while
 * the filter box is shown, Ctrl-F (⌘-F) goes to it; a second Ctrl-F from the box opens the
 * browser's own find.
 */
import { useEffect, useRef } from "react";

/** True when `filter` (trimmed, any case) occurs in one of `texts`; an empty filter matches all. */
export function matchesFilter(filter: string, ...texts: string[]): boolean {
  const wanted = filter.trim().toLowerCase();
  if (wanted === "") return true;
  return texts.some((text) => text.toLowerCase().includes(wanted));
}

export function FilterBox({
  value,
  onChange,
  label,
  shown,
  total,
}: {
  value: string;
  onChange: (value: string) => void;
  /** What is filtered, e.g. "Filter requests by name or method". */
  label: string;
  /** Rows shown and rows in all. */
  shown: number;
  total: number;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== "f" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
      if (document.activeElement === input.current) return; // the browser's own find
      if (document.querySelector("dialog[open]")) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  return (
    <div className="filter-box">
      <input
        ref={input}
        type="search"
        value={value}
        placeholder="Filter (Ctrl-F)"
        aria-label={label}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && value !== "") {
            event.stopPropagation();
            onChange("");
          }
        }}
      />
      {value.trim() !== "" && (
        <span className="hint" role="status">
          {shown.toLocaleString("en-US")} of {total.toLocaleString("en-US")}
        </span>
      )}
    </div>
  );
}
