/**
 * The tabs (WAI-ARIA tabs: arrow keys, Home and End move between them), with a badge on
 * Failures and Exceptions counting what arrived since the tab was last looked at (as
 * Locust 2.46 marks them).
 */
import { useEffect, useRef, useState } from "react";
import type { Versions } from "../types.js";

export interface Tab<Id extends string> {
  id: Id;
  label: string;
}

/** Failures and exceptions counted since each tab was last open (all of them after a stats reset). */
export function useNewCounts(tab: string, versions: Versions): { failures: number; exceptions: number } {
  const [seen, setSeen] = useState({ failures: 0, exceptions: 0 });
  useEffect(() => {
    setSeen((current) => {
      // An open tab has seen everything; a count below what was seen means a reset.
      const next = (id: "failures" | "exceptions") =>
        tab === id ? versions[id] : versions[id] < current[id] ? 0 : current[id];
      const failures = next("failures");
      const exceptions = next("exceptions");
      return failures === current.failures && exceptions === current.exceptions
        ? current
        : { failures, exceptions };
    });
  }, [tab, versions]);
  return {
    failures: Math.max(0, versions.failures - seen.failures),
    exceptions: Math.max(0, versions.exceptions - seen.exceptions),
  };
}

function badgeText(count: number): string {
  return count > 999 ? "999+" : String(count);
}

export function TabBar<Id extends string>({
  tabs,
  selected,
  onSelect,
  badges,
}: {
  tabs: ReadonlyArray<Tab<Id>>;
  selected: Id;
  onSelect: (id: Id) => void;
  /** New items per tab id (no badge for 0). */
  badges: Partial<Record<Id, number>>;
}) {
  const list = useRef<HTMLDivElement>(null);
  const move = (event: React.KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const target =
      event.key === "ArrowRight"
        ? index === last
          ? 0
          : index + 1
        : event.key === "ArrowLeft"
          ? index === 0
            ? last
            : index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : -1;
    if (target < 0) return;
    event.preventDefault();
    onSelect(tabs[target]!.id);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[target]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Views" ref={list}>
      {tabs.map((t, index) => {
        const count = badges[t.id] ?? 0;
        const active = t.id === selected;
        return (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={active}
            aria-controls="tab-panel"
            tabIndex={active ? 0 : -1}
            className={active ? "tab active" : "tab"}
            onClick={() => onSelect(t.id)}
            onKeyDown={(event) => move(event, index)}
          >
            {t.label}
            {count > 0 && (
              <span className="badge" data-testid={`badge-${t.id}`}>
                {badgeText(count)}
                <span className="visually-hidden"> new</span>
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
