/** The page: header bar, start/edit dialog, tabs. The active tab is kept in the URL hash. */
import { useCallback, useEffect, useState } from "react";
import { CapacityTab } from "./components/CapacityTab.js";
import { Charts } from "./components/Charts.js";
import { Checks } from "./components/Checks.js";
import { Downloads } from "./components/Downloads.js";
import { Exceptions } from "./components/Exceptions.js";
import { Failures } from "./components/Failures.js";
import { Header } from "./components/Header.js";
import { Logs } from "./components/Logs.js";
import { OpenModelPanel } from "./components/OpenModelPanel.js";
import { Ratio } from "./components/Ratio.js";
import { StatsTable } from "./components/StatsTable.js";
import { StatusBanner } from "./components/StatusBanner.js";
import { SwarmForm } from "./components/SwarmForm.js";
import { TabBar, useNewCounts } from "./components/TabBar.js";
import { Target } from "./components/Target.js";
import { Workers } from "./components/Workers.js";
import { type LiveState, useLive } from "./store.js";

const TABS = [
  { id: "stats", label: "Statistics" },
  { id: "charts", label: "Charts" },
  { id: "checks", label: "Checks" },
  { id: "target", label: "Target" },
  { id: "capacity", label: "Capacity" },
  { id: "failures", label: "Failures" },
  { id: "exceptions", label: "Exceptions" },
  { id: "ratio", label: "Current ratio" },
  { id: "download", label: "Download data" },
  { id: "workers", label: "Workers" },
  { id: "logs", label: "Logs" },
] as const;
type TabId = (typeof TABS)[number]["id"];
/** Before the server says (an older server): Locust's 95 and 99 %. */
const DEFAULT_PERCENTILES = [0.95, 0.99];

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
  // One filter for the statistics and the failures: a name looked for in one is wanted in the other.
  const [filter, setFilter] = useState("");
  const newCounts = useNewCounts(tab, live.versions);
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
      <StatusBanner live={live} />
      {dialog && live.meta && <SwarmForm mode={dialog} live={live} onClose={closeDialog} />}
      <TabBar
        tabs={TABS}
        selected={tab}
        onSelect={select}
        badges={{ failures: newCounts.failures, exceptions: newCounts.exceptions }}
      />
      <main className="content">
        <div role="tabpanel" id="tab-panel" aria-labelledby={`tab-${tab}`}>
          {live.meta === null ? (
            <p className="empty">Connecting to Cicada…</p>
          ) : (
            <TabContent
              tab={tab}
              live={live}
              chartName={chartName}
              onChart={showChart}
              onChartName={setChartName}
              filter={filter}
              onFilter={setFilter}
            />
          )}
        </div>
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
  filter,
  onFilter,
}: {
  tab: TabId;
  live: LiveState;
  chartName: string | null;
  onChart: (key: string) => void;
  onChartName: (key: string | null) => void;
  filter: string;
  onFilter: (filter: string) => void;
}) {
  switch (tab) {
    case "stats":
      return (
        <>
          <OpenModelPanel
            status={live.status?.openModel}
            stopped={live.status?.state === "stopped"}
            total={live.total}
            percentiles={live.meta?.percentiles ?? DEFAULT_PERCENTILES}
          />
          <StatsTable
            rows={live.rows}
            total={live.total}
            percentiles={live.meta?.percentiles ?? DEFAULT_PERCENTILES}
            filter={filter}
            onFilter={onFilter}
            onChart={onChart}
          />
          {(live.status?.requestNotes ?? []).map((note) => (
            <p className="hint request-note" data-testid="request-note" key={note}>
              {note}
            </p>
          ))}
        </>
      );
    case "charts":
      return <Charts live={live} selected={chartName} onSelect={onChartName} />;
    case "checks":
      return <Checks version={live.versions.checks ?? 0} />;
    case "target":
      return <Target live={live} />;
    case "capacity":
      return <CapacityTab progress={live.status?.capacity} nowMs={live.timeMs} />;
    case "failures":
      return <Failures version={live.versions.failures} filter={filter} onFilter={onFilter} />;
    case "exceptions":
      return <Exceptions version={live.versions.exceptions} />;
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
