/**
 * The Charts tab: the session's requests/s and failures/s, response-time percentiles and
 * users (history kept on the server, so a reload shows everything), with a "Run #n"
 * marker where each test began once there are several, and the same charts for any one
 * request name (of the current test) picked here or from the table.
 */
import { useEffect, useMemo, useState } from "react";
import type uPlot from "uplot";
import { CHART_PALETTE } from "../../../src/shared/chart-palette.js";
import { getJson } from "../api.js";
import {
  type ChartSeries,
  type GappedSeries,
  runMarkers,
  seriesFromColumns,
  withRunGaps,
} from "../series.js";
import type { LiveState } from "../store.js";
import type { RunStart, SeriesColumns } from "../types.js";
import { IterationCharts } from "./IterationCharts.js";
import { type ChartMarker, LineChart, type LineSeries } from "./LineChart.js";

/** How often the chosen name's history is fetched again. */
const NAME_REFRESH_MS = 2000;

// The HTML report draws the same series in the same colours (src/shared/chart-palette.ts).
const RPS_SERIES: LineSeries[] = [
  { label: "RPS", color: CHART_PALETTE.rps },
  { label: "Failures/s", color: CHART_PALETTE.failures },
];
const TIME_SERIES: LineSeries[] = [
  { label: "50th percentile", color: CHART_PALETTE.p50 },
  { label: "95th percentile", color: CHART_PALETTE.p95 },
  { label: "99th percentile", color: CHART_PALETTE.p99, dash: true },
];
const USER_SERIES: LineSeries[] = [{ label: "Users", color: CHART_PALETTE.users }];
const NO_RUNS: RunStart[] = [];

function ChartSet({
  series,
  version,
  prefix,
  withUsers,
  runs = NO_RUNS,
}: {
  series: ChartSeries;
  version: number;
  prefix: string;
  withUsers: boolean;
  /** Where each test of the session began: with two or more, "Run #n" markers and gaps. */
  runs?: RunStart[];
}) {
  const severalRuns = runs.length > 1;
  // The arrays are mutated in place as points arrive; `version` tells the charts. With
  // several tests, a copy with gaps between them is made per update (a few thousand points).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals in-place changes
  const shown: ChartSeries | GappedSeries = useMemo(
    () =>
      severalRuns
        ? withRunGaps(
            series,
            runs.map((r) => r.timeMs / 1000),
          )
        : series,
    [series, runs, severalRuns, version],
  );
  // Each marker sits on its test's first point (the chart begins after the first start).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals in-place changes
  const markers: ChartMarker[] = useMemo(() => runMarkers(series.time, runs), [series, runs, version]);
  const rps = useMemo(() => [shown.time, shown.rps, shown.failPerSec] as uPlot.AlignedData, [shown]);
  const times = useMemo(() => [shown.time, shown.p50, shown.p95, shown.p99] as uPlot.AlignedData, [shown]);
  const users = useMemo(() => [shown.time, shown.users] as uPlot.AlignedData, [shown]);
  return (
    <div className="charts">
      <LineChart
        title="Requests per second"
        data={rps}
        version={version}
        series={RPS_SERIES}
        markers={markers}
        testId={`${prefix}-rps`}
      />
      <LineChart
        title="Response times (ms)"
        data={times}
        version={version}
        series={TIME_SERIES}
        markers={markers}
        unit="ms"
        testId={`${prefix}-times`}
      />
      {withUsers && (
        <LineChart
          title="Number of users"
          data={users}
          version={version}
          series={USER_SERIES}
          markers={markers}
          testId={`${prefix}-users`}
        />
      )}
    </div>
  );
}

function NameCharts({ rowKey }: { rowKey: string }) {
  const [method = "", name = ""] = rowKey.split("\t");
  const [state, setState] = useState<{ series: ChartSeries; version: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let version = 0;
    const load = () =>
      getJson<Omit<SeriesColumns, "stride">>(
        `api/history?method=${encodeURIComponent(method)}&name=${encodeURIComponent(name)}`,
      )
        .then((columns) => {
          if (stopped) return;
          setError(null);
          setState({ series: seriesFromColumns(columns), version: ++version });
        })
        .catch((e: unknown) => {
          if (stopped) return;
          // After a reset the name has no history yet: show that rather than stale charts.
          setState(null);
          setError(e instanceof Error ? e.message : String(e));
        });
    void load();
    const timer = setInterval(load, NAME_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [method, name]);

  if (error) return <p className="empty">{error}</p>;
  if (!state) return <p className="empty">Loading…</p>;
  return <ChartSet series={state.series} version={state.version} prefix="name" withUsers={false} />;
}

export function Charts({
  live,
  selected,
  onSelect,
}: {
  live: LiveState;
  selected: string | null;
  onSelect: (key: string | null) => void;
}) {
  const keys = useMemo(
    () => live.rows.map((r) => r.key).sort((a, b) => a.split("\t")[1]!.localeCompare(b.split("\t")[1]!)),
    [live.rows],
  );
  return (
    <div>
      <h2 className="section-title">All requests</h2>
      <ChartSet series={live.series} version={live.seriesVersion} prefix="total" withUsers runs={live.runs} />
      <IterationCharts
        running={live.status?.state === "running" || live.status?.state === "spawning"}
        series={live.series}
        version={live.seriesVersion}
        runs={live.runs}
      />
      <div className="name-picker">
        <h2 className="section-title">One request</h2>
        <label>
          <span className="visually-hidden">Request name</span>
          <select
            value={selected ?? ""}
            onChange={(e) => onSelect(e.target.value || null)}
            aria-label="Request name"
          >
            <option value="">Choose a request…</option>
            {keys.map((key) => (
              <option key={key} value={key}>
                {key.replace("\t", " ")}
              </option>
            ))}
          </select>
        </label>
      </div>
      {selected ? (
        <NameCharts key={selected} rowKey={selected} />
      ) : (
        <p className="empty">
          Pick a request name above, or click the chart icon of a row in the Statistics table.
        </p>
      )}
    </div>
  );
}
