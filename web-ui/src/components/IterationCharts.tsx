/**
 * The Charts tab's open-model chart: the target arrival rate, the iterations started per
 * second and the iterations dropped per second, over every arrival-rate test of the
 * session. Fetched from `api/iterations` (the server keeps the bounded series), so it
 * shows nothing until a test ran at an arrival rate. Like the request charts above it, it
 * breaks its lines between tests, marks where each began ("Run #n") and spans the same
 * time range, so one test's rates never join the next one's across the idle time.
 */
import { useEffect, useMemo, useState } from "react";
import type uPlot from "uplot";
import { CHART_PALETTE } from "../../../src/shared/chart-palette.js";
import { getJson } from "../api.js";
import { type ChartSeries, runMarkers, withRunGaps } from "../series.js";
import type { IterationColumns, IterationsResponse, RunStart } from "../types.js";
import { type ChartMarker, LineChart, type LineSeries } from "./LineChart.js";

const REFRESH_MS = 2000;

const SERIES: LineSeries[] = [
  { label: "Target rate", color: CHART_PALETTE.users, dash: true },
  { label: "Iterations/s", color: CHART_PALETTE.rps },
  { label: "Dropped/s", color: CHART_PALETTE.failures },
];

export function IterationCharts({
  running,
  series,
  version: seriesVersion,
  runs,
}: {
  running: boolean;
  /** The request charts' series: their time range and run markers are this chart's too. */
  series: ChartSeries;
  version: number;
  /** Where each test of the session began. */
  runs: RunStart[];
}) {
  const [state, setState] = useState<{ columns: IterationColumns; version: number } | null>(null);

  useEffect(() => {
    let stopped = false;
    let version = 0;
    const load = () =>
      getJson<IterationsResponse>("api/iterations")
        .then((response) => {
          if (stopped) return;
          setState(response.iterations ? { columns: response.iterations, version: ++version } : null);
        })
        .catch(() => {
          // The stream's banner reports a lost connection; the next refresh tries again.
        });
    void load();
    // Only a running test adds points; one more fetch after it ends picks up the last.
    const timer = running ? setInterval(load, REFRESH_MS) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [running]);

  const data = useMemo(() => {
    if (!state) return null;
    const { timeMs, targetRate, rate, droppedPerSec } = state.columns;
    const time = timeMs.map((ms) => ms / 1000);
    const columns = { time, targetRate, rate, droppedPerSec };
    const shown =
      runs.length > 1
        ? withRunGaps(
            columns,
            runs.map((r) => r.timeMs / 1000),
          )
        : columns;
    return [shown.time, shown.targetRate, shown.rate, shown.droppedPerSec] as uPlot.AlignedData;
  }, [state, runs]);
  // The markers sit where the request charts put theirs, on the same time axis.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals in-place changes
  const markers: ChartMarker[] = useMemo(() => runMarkers(series.time, runs), [series, runs, seriesVersion]);
  // The request charts' range (widened if this chart's newest point is ahead of theirs).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals in-place changes
  const xRange = useMemo((): [number, number] | null => {
    const times = state?.columns.timeMs ?? [];
    // Where the request charts start, not widened to this chart's first point: that one is
    // stamped at the end of the test's first (partial) second, which can fall a fraction of a
    // second before the request charts' first sample, and the two charts must line up.
    const first = series.time[0] ?? (times[0] ?? Number.POSITIVE_INFINITY) / 1000;
    const last = Math.max(
      series.time.at(-1) ?? Number.NEGATIVE_INFINITY,
      (times.at(-1) ?? Number.NEGATIVE_INFINITY) / 1000,
    );
    return Number.isFinite(first) && Number.isFinite(last) && last > first ? [first, last] : null;
  }, [state, series, seriesVersion]);
  if (!state || !data) return null;
  return (
    <div className="charts" data-testid="iteration-charts">
      <LineChart
        title="Iterations per second (arrival rate)"
        data={data}
        version={state.version}
        series={SERIES}
        markers={markers}
        xRange={xRange}
        testId="total-iterations"
      />
    </div>
  );
}
