/** The header bar: state, host, users, workers, RPS, failure %, the commands and the theme toggle. */
import { useEffect, useState } from "react";
import type { DialogMode } from "../App.js";
import { resetStats, stopTest } from "../api.js";
import { formatCount, formatPercent, formatRate } from "../format.js";
import type { LiveState } from "../store.js";
import { useTheme } from "../theme.js";

const STATE_LABELS: Record<string, string> = {
  ready: "Ready",
  spawning: "Spawning",
  running: "Running",
  stopping: "Stopping",
  stopped: "Stopped",
  missing: "Missing",
};

function Item({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="header-item">
      <span className="header-label">{label}</span>
      <span className="header-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

export function Header({ live, onDialog }: { live: LiveState; onDialog: (mode: DialogMode) => void }) {
  const [theme, toggleTheme] = useTheme();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const status = live.status;
  const state = status?.state ?? "ready";
  const running = state === "spawning" || state === "running";
  const shape = live.meta?.shapeClass ?? null;
  // A capacity search sets the users (or the rate) itself: nothing to edit.
  const searching = status?.capacity?.running === true;
  const warning = status?.generatorWarning ?? null;

  // An error of a command sent during an outage ("Failed to fetch") is old news once reconnected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new connection clears the error
  useEffect(() => setError(null), [live.connectionEpoch]);

  const run = (command: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    command()
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };

  return (
    <header className="topbar">
      <div className="brand">
        <img src="./favicon.svg" alt="" width="28" height="28" />
        <span>Cicada</span>
      </div>
      <div className="header-items">
        <Item label="Host" value={status?.host ?? "—"} testId="status-host" />
        <Item
          label="Status"
          value={
            !live.connected && live.meta
              ? "Disconnected"
              : live.stale
                ? "No updates"
                : (STATE_LABELS[state] ?? state)
          }
          testId="status-state"
        />
        <Item label="Users" value={status ? formatCount(status.userCount) : "0"} testId="status-users" />
        {live.meta?.distributed && (
          <Item label="Workers" value={String(status?.workerCount ?? 0)} testId="status-workers" />
        )}
        {status?.openModel && (
          <Item
            label="Arrival rate"
            value={`${formatRate(status.openModel.targetRate)}/s`}
            testId="status-arrival-rate"
          />
        )}
        {status?.openModel && (
          <Item label="Dropped" value={formatCount(status.openModel.dropped)} testId="status-dropped" />
        )}
        <Item label="RPS" value={formatRate(status?.totalRps ?? 0)} testId="status-rps" />
        <Item label="Failures" value={formatPercent(status?.failRatio ?? 0)} testId="status-failures" />
        {warning && (
          <span className="header-warning" data-testid="status-generator-overloaded" title={warning.advice}>
            {warning.label}
            <span className="visually-hidden">: {warning.advice}</span>
          </span>
        )}
      </div>
      <div className="header-actions">
        {running ? (
          <>
            <button
              type="button"
              className="button"
              disabled={busy || shape !== null || searching}
              title={
                shape
                  ? `The load shape ${shape} controls the load`
                  : searching
                    ? "The capacity search sets the load (Stop ends it)"
                    : status?.loadModel === "arrival-rate"
                      ? "Change the arrival rate"
                      : "Change users and spawn rate"
              }
              onClick={() => onDialog("edit")}
            >
              Edit
            </button>
            <button type="button" className="button danger" disabled={busy} onClick={() => run(stopTest)}>
              Stop
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button primary"
            disabled={state === "stopping"}
            onClick={() => onDialog("start")}
          >
            New test
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={busy || status?.startedAtMs == null}
          onClick={() => run(resetStats)}
        >
          Reset stats
        </button>
        <button
          type="button"
          className="button icon"
          aria-label={theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme"}
          title="Toggle light/dark theme"
          data-testid="theme-toggle"
          onClick={toggleTheme}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </div>
      {error && (
        <div className="header-error" role="alert">
          {error}
        </div>
      )}
    </header>
  );
}
