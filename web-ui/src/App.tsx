/** The page: header bar, start/edit dialog, tabs. The active tab is kept in the URL hash. */
import { useCallback, useEffect, useState } from "react";
import { Charts } from "./components/Charts.js";
import { Downloads } from "./components/Downloads.js";
import { Exceptions } from "./components/Exceptions.js";
import { Failures } from "./components/Failures.js";
import { Header } from "./components/Header.js";
import { Logs } from "./components/Logs.js";
import { Ratio } from "./components/Ratio.js";
import { StatsTable } from "./components/StatsTable.js";
import { SwarmForm } from "./components/SwarmForm.js";
import { Workers } from "./components/Workers.js";
import { type LiveState, useLive } from "./store.js";

const TABS = [
  { id: "stats", label: "Statistics" },
  { id: "charts", label: "Charts" },
  { id: "failures", label: "Failures" },
  { id: "exceptions", label: "Exceptions" },
  { id: "ratio", label: "Current ratio" },
  { id: "download", label: "Download data" },
  { id: "workers", label: "Workers" },
  { id: "logs", label: "Logs" },
] as const;
type TabId = (typeof TABS)[number]["id"];

function tabFromHash(): TabId {
  const id = location.hash.replace(/^#/, "");
  return (TABS.find((t) => t.id === id)?.id ?? "stats") as TabId;
}

export type DialogMode = "start" | "edit" | null;

export function App() {
  const live = useLive();
  const [tab, setTab] = useState<TabId>(tabFromHash);
  const [dialog, setDialog] = useState<DialogMode>(null);
  const [chartName, setChartName] = useState<string | null>(null);
  const state = live.status?.state;

  // Before the first test, the start form greets the user (as Locust's does).
  const [greeted, setGreeted] = useState(false);
  useEffect(() => {
    if (!greeted && state === "ready") {
      setDialog("start");
      setGreeted(true);
    }
  }, [state, greeted]);

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  const select = useCallback((id: TabId) => {
    history.replaceState(null, "", `#${id}`);
    setTab(id);
  }, []);
  // Stable, so the memoised table rows do not re-render for it.
  const showChart = useCallback(
    (key: string) => {
      setChartName(key);
      select("charts");
    },
    [select],
  );
  const closeDialog = useCallback(() => setDialog(null), []);

  return (
    <div className="app">
      <Header live={live} onDialog={setDialog} />
      {!live.connected && live.meta !== null && (
        <div className="banner" role="status">
          Connection to Cicada lost: reconnecting…
        </div>
      )}
      {dialog && live.meta && <SwarmForm mode={dialog} live={live} onClose={closeDialog} />}
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? "tab active" : "tab"}
            onClick={() => select(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <main className="content" role="tabpanel">
        {live.meta === null ? (
          <p className="empty">Connecting to Cicada…</p>
        ) : (
          <TabContent
            tab={tab}
            live={live}
            chartName={chartName}
            onChart={showChart}
            onChartName={setChartName}
          />
        )}
      </main>
    </div>
  );
}

function TabContent({
  tab,
  live,
  chartName,
  onChart,
  onChartName,
}: {
  tab: TabId;
  live: LiveState;
  chartName: string | null;
  onChart: (key: string) => void;
  onChartName: (key: string | null) => void;
}) {
  switch (tab) {
    case "stats":
      return (
        <StatsTable
          rows={live.rows}
          total={live.total}
          percentiles={live.meta?.percentiles}
          onChart={onChart}
        />
      );
    case "charts":
      return <Charts live={live} selected={chartName} onSelect={onChartName} />;
    case "failures":
      return <Failures version={live.versions.failures} />;
    case "exceptions":
      return <Exceptions />;
    case "ratio":
      return <Ratio classesCount={live.status?.userClassesCount ?? {}} />;
    case "download":
      return <Downloads links={live.meta?.downloads ?? []} />;
    case "workers":
      return <Workers workers={live.workers} distributed={live.meta?.distributed ?? false} />;
    case "logs":
      return <Logs version={live.versions.logs} />;
  }
}
