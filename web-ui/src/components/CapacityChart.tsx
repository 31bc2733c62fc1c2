/**
 * The knee chart of a capacity search: requests/s (left axis) and p95 (right axis)
 * against the load tried (users, or iterations/s), one point per load; the SLO's limit
 * dashed, the answer and the first load that broke marked. The HTML report draws the same
 * (src/reports/capacity-html.ts), from the same data (src/shared/capacity-text.ts).
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import type { CapacityChartData } from "../../../src/shared/capacity-text.js";
import { CHART_PALETTE } from "../../../src/shared/chart-palette.js";
import { saveChartPng } from "../chart-png.js";
import { useThemeName } from "./LineChart.js";

const HEIGHT = 280;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Where a marker's label was drawn, in CSS pixels of the canvas (for tests and tools). */
interface DrawnLabel {
  text: string;
  left: number;
  right: number;
}

/**
 * A dotted vertical line at load `x`, labelled on text line `row` (0, 1) so two labels
 * never overlap. The label sits right of the line, or left of it where it would run past
 * the plot's right edge (the highest load is often the answer).
 */
function verticalLine(
  u: uPlot,
  x: number | null,
  color: string,
  text: string,
  row: number,
): DrawnLabel | null {
  if (x === null) return null;
  const px = u.valToPos(x, "x", true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.setLineDash([2, 4]);
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.beginPath();
  ctx.moveTo(px, u.bbox.top);
  ctx.lineTo(px, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.font = `${12 * devicePixelRatio}px sans-serif`;
  const width = ctx.measureText(text).width;
  const gap = 4 * devicePixelRatio;
  const left =
    px + gap + width <= u.bbox.left + u.bbox.width ? px + gap : Math.max(u.bbox.left, px - gap - width);
  ctx.fillText(text, left, u.bbox.top + (14 + 16 * row) * devicePixelRatio);
  ctx.restore();
  return { text, left: left / devicePixelRatio, right: (left + width) / devicePixelRatio };
}

function horizontalLine(u: uPlot, y: number | null, color: string): void {
  if (y === null) return;
  const py = u.valToPos(y, "ms", true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.setLineDash([6, 5]);
  ctx.lineWidth = devicePixelRatio;
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, py);
  ctx.lineTo(u.bbox.left + u.bbox.width, py);
  ctx.stroke();
  ctx.restore();
}

export function CapacityChart({
  data,
  unit,
  capacityLabel,
}: {
  data: CapacityChartData;
  unit: string;
  /** The word before the capacity marker's load: "capacity" once the search ended, else "best so far". */
  capacityLabel: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const section = useRef<HTMLElement>(null);
  const labelRef = useRef(capacityLabel);
  labelRef.current = capacityLabel;
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  const theme = useThemeName();
  const withIntended = data.intendedP95 !== null;
  const title = "Throughput and p95 against the load (the knee)";

  // biome-ignore lint/correctness/useExhaustiveDependencies: the data goes through setData below
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const text = cssVar("--text-muted", "#666");
    const grid = cssVar("--grid", "#ddd");
    const axis = (scale: string, label: string, side: number): uPlot.Axis => ({
      scale,
      label,
      side,
      stroke: text,
      grid: { stroke: grid, width: 1, show: side !== 1 },
      ticks: { stroke: grid, width: 1 },
      size: 56,
    });
    const points = { show: true, size: 7 };
    // Away from the cursor the legend shows nothing rather than "--".
    const value = (_u: uPlot, v: number | null) => (v == null ? "" : String(Math.round(v * 10) / 10));
    const series: uPlot.Series[] = [
      { label: unit, value },
      { label: "req/s", scale: "rps", stroke: CHART_PALETTE.rps, width: 2, points, value },
      { label: "p95 (ms)", scale: "ms", stroke: CHART_PALETTE.p95, width: 2, points, value },
      ...(withIntended
        ? [
            {
              label: "p95 from intended start (ms)",
              scale: "ms",
              stroke: CHART_PALETTE.p99,
              width: 2,
              dash: [6, 4],
              points,
              value,
            },
          ]
        : []),
    ];
    const chart = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: HEIGHT,
        series,
        scales: {
          x: { time: false },
          rps: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
          ms: {
            range: (_u, _min, max) => [0, Math.max(1, max * 1.1, (dataRef.current.p95Limit ?? 0) * 1.2)],
          },
        },
        axes: [axis("x", unit, 2), axis("rps", "req/s", 3), axis("ms", "ms", 1)],
        legend: { show: true, live: true },
        hooks: {
          draw: [
            (u) => {
              const d = dataRef.current;
              horizontalLine(u, d.p95Limit, cssVar("--danger", "#c0392b"));
              const labels = [
                verticalLine(
                  u,
                  d.capacity,
                  cssVar("--accent", "#3f7d20"),
                  `${labelRef.current} ${d.capacity}`,
                  0,
                ),
                verticalLine(u, d.breaking, cssVar("--danger", "#c0392b"), `broke ${d.breaking}`, 1),
              ].filter((label) => label !== null);
              if (section.current) {
                section.current.dataset.labels = JSON.stringify(labels);
                section.current.dataset.plotRight = String((u.bbox.left + u.bbox.width) / devicePixelRatio);
              }
            },
          ],
        },
      },
      toAligned(dataRef.current),
      element,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(240, element.clientWidth), height: HEIGHT }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [theme, unit, withIntended]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the label is read through labelRef
  useEffect(() => {
    plot.current?.setData(toAligned(data));
  }, [data, capacityLabel]);

  const legend = [
    { label: "req/s", color: CHART_PALETTE.rps },
    { label: "p95 (ms)", color: CHART_PALETTE.p95 },
  ];
  return (
    <section
      ref={section}
      className="chart"
      data-testid="capacity-chart"
      data-capacity-label={capacityLabel}
      data-points={data.load.length}
      data-capacity={data.capacity ?? ""}
    >
      <div className="chart-header">
        <h3>{title}</h3>
        <button
          type="button"
          className="link-button"
          aria-label={`Save PNG: ${title}`}
          onClick={() => plot.current && saveChartPng(plot.current, title, legend, [])}
        >
          Save PNG
        </button>
      </div>
      <div ref={holder} className="chart-canvas" />
    </section>
  );
}

function toAligned(data: CapacityChartData): uPlot.AlignedData {
  const columns: Array<Array<number | null>> = [data.rps, data.p95];
  if (data.intendedP95) columns.push(data.intendedP95);
  return [data.load, ...columns] as uPlot.AlignedData;
}
