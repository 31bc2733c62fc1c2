/**
 * The Charts tab's open-model chart: the target arrival rate, the iterations started per
 * second and the iterations dropped per second, over every arrival-rate test of the
 * session. Fetched from `api/iterations` (the server keeps the bounded series), so it
 * shows nothing until a test ran at an arrival rate.
 */
import { useEffect, useMemo, useState } from "react";
import type uPlot from "uplot";
import { CHART_PALETTE } from "../../../src/shared/chart-palette.js";
import { getJson } from "../api.js";
import type { IterationColumns, IterationsResponse } from "../types.js";
import { LineChart, type LineSeries } from "./LineChart.js";

const REFRESH_MS = 2000;

const SERIES: LineSeries[] = [
  { label: "Target rate", color: CHART_PALETTE.users, dash: true },
  { label: "Iterations/s", color: CHART_PALETTE.rps },
  { label: "Dropped/s", color: CHART_PALETTE.failures },
];

export function IterationCharts({ running }: { running: boolean }) {
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

  const data = useMemo(
    () =>
      state
        ? ([
            state.columns.timeMs.map((ms) => ms / 1000),
            state.columns.targetRate,
            state.columns.rate,
            state.columns.droppedPerSec,
          ] as uPlot.AlignedData)
        : null,
    [state],
  );
  if (!state || !data) return null;
  return (
    <div className="charts" data-testid="iteration-charts">
      <LineChart
        title="Iterations per second (arrival rate)"
        data={data}
        version={state.version}
        series={SERIES}
        testId="total-iterations"
      />
    </div>
  );
}
