/**
 * The Target tab: the target's resources (CPU, memory, disk, network, ... per host, and
 * the load generator's own CPU) under the load: the requests completed per second in each
 * interval (the monitor's own counts, not Locust's 10 s average), response times and users,
 * every chart on one time axis with one moving cursor; what saturated first; how each
 * monitored endpoint answered. Data: `GET api/monitor` (incremental, see target-series.ts).
 */
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import { getJson } from "../api.js";
import { formatTargetValue } from "../format.js";
import type { LiveState } from "../store.js";
import { chartData, emptyTargetPoints, mergeTargetPoints, type TargetPoints } from "../target-series.js";
import type { EndpointHealth, MonitorChart, MonitorResponse } from "../types.js";
import { LineChart, type LineSeries } from "./LineChart.js";

const SYNC_KEY = "cicada-target";
const PALETTE = ["#3b7dd8", "#2e9d47", "#7b56c9", "#e3a21a", "#d9453b", "#1d8fd6"];
function useMonitor(): {
  response: MonitorResponse | null;
  points: TargetPoints;
  version: number;
  error: string | null;
} {
  const [state, setState] = useState<{
    response: MonitorResponse | null;
    points: TargetPoints;
    version: number;
  }>({
    response: null,
    points: emptyTargetPoints(),
    version: 0,
  });
  const [error, setError] = useState<string | null>(null);
  const pointsRef = useRef(state.points);
  useEffect(() => {
    let stopped = false;
    let full = true;
    let wasRunning = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const { lastTimeMs: since, lastLoadTimeMs: loadSince } = pointsRef.current;
        const query =
          full || since === null
            ? ""
            : `?since=${since}${loadSince === null ? "" : `&loadSince=${loadSince}`}`;
        const response = await getJson<MonitorResponse>(`api/monitor${query}`);
        if (stopped) return;
        const points = mergeTargetPoints(pointsRef.current, response, full);
        pointsRef.current = points;
        // After a test ends, fetch everything once more: Prometheus's own range replaces the live points.
        full = wasRunning && !response.running;
        wasRunning = response.running;
        setError(null);
        setState((s) => ({ response, points, version: s.version + 1 }));
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
      if (!stopped) timer = setTimeout(load, 1000);
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, []);
  return { ...state, error };
}

function TargetChart({
  chart,
  points,
  version,
  xRange,
}: {
  chart: MonitorChart;
  points: TargetPoints;
  version: number;
  xRange: [number, number] | null;
}) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals new points
  const data = useMemo(() => chartData(chart, points, uPlot.join), [chart, points, version]);
  const hosts = [...new Set(chart.lines.map((l) => l.host))];
  const series: LineSeries[] = chart.lines.map((line) => ({
    label: line.label,
    color: line.color ?? PALETTE[hosts.indexOf(line.host) % PALETTE.length]!,
    dash: line.dash,
  }));
  const title = chart.unit && !chart.title.endsWith(")") ? `${chart.title} (${chart.unit})` : chart.title;
  return (
    <LineChart
      title={title}
      data={data}
      version={version}
      series={series}
      testId={`target-${chart.id}`}
      syncKey={SYNC_KEY}
      xRange={xRange}
      yMax={chart.yMax}
      level={chart.level}
      format={(v) => formatTargetValue(v, chart.unit)}
    />
  );
}

/** Response times and users from the live history, under the monitor's requests chart. */
function LoadCharts({ live, xRange }: { live: LiveState; xRange: [number, number] | null }) {
  const s = live.series;
  const times = useMemo(() => [s.time, s.p50, s.p95, s.p99] as uPlot.AlignedData, [s]);
  const users = useMemo(() => [s.time, s.users] as uPlot.AlignedData, [s]);
  // The same y-axis width as the target's charts (a format gives 76 px), so every plot spans the same pixels.
  const common = {
    version: live.seriesVersion,
    syncKey: SYNC_KEY,
    xRange,
    format: (v: number) => formatTargetValue(v, ""),
  };
  return (
    <>
      <LineChart
        title="Response times (ms)"
        data={times}
        series={[
          { label: "50th percentile", color: "#e3a21a" },
          { label: "95th percentile", color: "#7b56c9" },
          { label: "99th percentile", color: "#1d8fd6", dash: true },
        ]}
        testId="target-load-times"
        {...common}
        format={(v: number) => formatTargetValue(v, "ms")}
      />
      <LineChart
        title="Number of users"
        data={users}
        series={[{ label: "Users", color: "#3b7dd8" }]}
        testId="target-load-users"
        {...common}
      />
    </>
  );
}

function Endpoints({ endpoints }: { endpoints: EndpointHealth[] }) {
  return (
    <div className="table-scroll">
      <table data-testid="target-endpoints">
        <thead>
          <tr>
            <th>Endpoint</th>
            <th>Host</th>
            <th className="number">Scrapes</th>
            <th className="number">Failed</th>
            <th>Why</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((e) => (
            <tr key={e.url} className={e.failures > 0 ? "has-failures" : undefined}>
              <td className="name">{e.url}</td>
              <td>{e.label}</td>
              <td className="number">{e.scrapes}</td>
              <td className="number">{e.failures}</td>
              <td>
                {Object.entries(e.byKind)
                  .filter(([, n]) => n > 0)
                  .map(([kind, n]) => `${kind} ${n}`)
                  .join(", ")}
              </td>
              <td>{e.lastError ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Target({ live }: { live: LiveState }) {
  const { response, points, version, error } = useMonitor();
  const start = response?.startTimeMs ?? null;
  const lastLoad = live.series.time[live.series.time.length - 1];
  const xRange = useMemo((): [number, number] | null => {
    if (start === null) return null;
    const end = Math.max((points.lastTimeMs ?? start) / 1000, lastLoad ?? 0);
    return [start / 1000, Math.max(end, start / 1000 + 1)];
  }, [start, points.lastTimeMs, lastLoad]);
  if (error && !response) return <p className="empty">{error}</p>;
  if (!response) return <p className="empty">Loading…</p>;
  if (!response.configured) {
    return (
      <div className="target-help">
        <p className="empty">The target is not monitored in this run.</p>
        <p className="hint">
          Start Cicada with <code>--monitor http://HOST:9100/metrics</code> (a Prometheus node_exporter on
          each server, or any other exporter with <code>--monitor-metric</code>), or{" "}
          <code>--prometheus URL --monitor-query NAME=PROMQL</code>, to see the target's CPU, memory, disk and
          network here beside the load, and what saturated first.
        </p>
      </div>
    );
  }
  if (start === null)
    return <p className="empty">The target is monitored from the start of the next test.</p>;
  const finding = response.finding;
  // The load's requests chart first, above response times and users; the resources below.
  const requests = response.charts.find((chart) => chart.id === "requests");
  const resources = response.charts.filter((chart) => chart !== requests);
  return (
    <div className="target" data-testid="target-view">
      {finding && (
        <p className={`finding finding-${finding.kind}`} data-testid="target-finding">
          {finding.text}
        </p>
      )}
      <div className="charts">
        {requests && <TargetChart chart={requests} points={points} version={version} xRange={xRange} />}
        <LoadCharts live={live} xRange={xRange} />
        {resources.map((chart) => (
          <TargetChart key={chart.id} chart={chart} points={points} version={version} xRange={xRange} />
        ))}
      </div>
      <h2 className="section-title">Monitored endpoints</h2>
      <Endpoints endpoints={response.endpoints} />
    </div>
  );
}
