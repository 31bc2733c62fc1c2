/**
 * A uPlot line chart that follows live data: created once (and again when the theme
 * changes), then only `setData` per update. Drag to zoom in, double-click to zoom out; a
 * zoomed chart keeps its zoom while data arrives. "Save as PNG" downloads it as shown.
 */
import { useEffect, useRef, useSyncExternalStore } from "react";
import uPlot from "uplot";
import { saveChartPng } from "../chart-png.js";
import { type DrawnTick, timeAxis } from "../chart-time.js";
import { formatTime } from "../format.js";

export interface LineSeries {
  label: string;
  color: string;
  /** Dashed line. */
  dash?: boolean;
}

/** A vertical line with a label at an x value, e.g. where a test began ("Run #2"). */
export interface ChartMarker {
  /** Epoch seconds (the x scale's unit). */
  timeSec: number;
  label: string;
}

const HEIGHT = 220;
const NO_MARKERS: ChartMarker[] = [];

/**
 * Places the markers over the plot as elements (not canvas drawing), so they follow
 * zoom and resize through uPlot's draw hook, and tests and screen readers can read them.
 */
function drawMarkers(u: uPlot, markers: readonly ChartMarker[], layer: HTMLDivElement): void {
  while (layer.children.length > markers.length) layer.lastChild!.remove();
  const min = u.scales.x?.min ?? Number.NEGATIVE_INFINITY;
  const max = u.scales.x?.max ?? Number.POSITIVE_INFINITY;
  markers.forEach((marker, index) => {
    let element = layer.children[index] as HTMLDivElement | undefined;
    if (!element) {
      element = document.createElement("div");
      element.className = "run-marker";
      element.append(document.createElement("span"));
      layer.append(element);
    }
    element.firstChild!.textContent = marker.label;
    const visible = marker.timeSec >= min && marker.timeSec <= max;
    element.style.display = visible ? "" : "none";
    if (visible) element.style.left = `${u.valToPos(marker.timeSec, "x")}px`;
  });
}

function subscribeTheme(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}

/** The current theme name, re-rendering on changes. */
export function useThemeName(): string {
  return useSyncExternalStore(subscribeTheme, () => document.documentElement.dataset.theme ?? "light");
}

/** The newest value of a series (skipping the empty slots of joined series: a null gap stays a gap). */
function latest(u: uPlot, seriesIndex: number): number | null {
  const column = u.data[seriesIndex];
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== undefined) return column[i] ?? null;
  return null;
}

function formatValue(value: number | null | undefined, unit: string | undefined): string {
  if (value == null) return "–";
  const text = value.toLocaleString("en-US", { maximumFractionDigits: value >= 100 ? 0 : 1 });
  return unit ? `${text} ${unit}` : text;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Draws a dashed horizontal line at `level` (a saturation level). */
function drawLevel(u: uPlot, level: number | null | undefined): void {
  if (level == null) return;
  const y = u.valToPos(level, "y", true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = cssVar("--danger") || "#c0392b";
  ctx.setLineDash([3, 5]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

export function LineChart({
  title,
  data,
  version,
  series,
  unit,
  testId,
  markers = NO_MARKERS,
  syncKey,
  xRange,
  yMax,
  level,
  format,
}: {
  title: string;
  data: uPlot.AlignedData;
  /** Changes whenever `data` changed (the arrays may be the same, mutated). */
  version: number;
  series: LineSeries[];
  unit?: string;
  testId: string;
  /** Vertical markers, e.g. where each test of the session began. */
  markers?: ChartMarker[];
  /** Charts with the same key move their cursors together (the Target tab). */
  syncKey?: string;
  /** A fixed time range (epoch s), so several charts share one time axis. */
  xRange?: [number, number] | null;
  /** A fixed top of the y axis (100 for a percentage). */
  yMax?: number | null;
  /** A saturation level, drawn as a dashed line. */
  level?: number | null;
  /** Formats a value in the legend (default: the number and `unit`). */
  format?: (value: number) => string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const section = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const ticks = useRef<DrawnTick[]>([]);
  const zoomed = useRef(false);
  const theme = useThemeName();
  const dataRef = useRef(data);
  dataRef.current = data;
  const markersRef = useRef(markers);
  markersRef.current = markers;
  const seriesKey = series.map((s) => `${s.label}/${s.color}/${s.dash ? 1 : 0}`).join(",");
  const xRangeRef = useRef(xRange);
  xRangeRef.current = xRange;
  const formatRef = useRef(format);
  formatRef.current = format;

  // Rebuilt only when the look changes (theme, series, unit); data goes through setData below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: series is read through seriesKey
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const text = cssVar("--text-muted") || "#666";
    const grid = cssVar("--grid") || "#ddd";
    const axis: uPlot.Axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
    const markerLayer = document.createElement("div");
    markerLayer.className = "run-markers";
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      series: [
        {
          value: (u: uPlot, v: number | null, _s: number, idx: number | null) => {
            const time = idx == null ? latest(u, 0) : v;
            return time == null ? "–" : formatTime(time * 1000);
          },
        },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: false,
          points: { show: false },
          ...(s.dash ? { dash: [6, 4] } : {}),
          // Away from the cursor the legend shows the latest values.
          value: (u: uPlot, v: number | null, sidx: number, idx: number | null) => {
            const shown = idx == null ? latest(u, sidx) : v;
            return shown != null && formatRef.current ? formatRef.current(shown) : formatValue(shown, unit);
          },
        })),
      ],
      axes: [
        timeAxis(axis, (drawn) => (ticks.current = drawn)),
        formatRef.current
          ? {
              ...axis,
              size: 76,
              values: (_u: uPlot, splits: number[]) => splits.map((v) => formatRef.current!(v)),
            }
          : { ...axis, size: 56 },
      ],
      scales: {
        x:
          xRangeRef.current === undefined
            ? { time: true }
            : {
                time: true,
                range: (_u, min, max) => (zoomed.current ? [min, max] : (xRangeRef.current ?? [min, max])),
              },
        y: { range: (_u, min, max) => [0, yMax ?? Math.max(1, max * 1.1, min)] },
      },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false }, ...(syncKey ? { sync: { key: syncKey } } : {}) },
      hooks: {
        draw: [
          (u) => {
            drawMarkers(u, markersRef.current, markerLayer);
            // The x labels as drawn, for tests and tools (the canvas holds no text).
            if (section.current) {
              section.current.dataset.xTicks = JSON.stringify(ticks.current);
              section.current.dataset.xRange = JSON.stringify([u.scales.x?.min, u.scales.x?.max]);
            }
            drawLevel(u, level);
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width > 0) zoomed.current = true;
          },
        ],
      },
    };
    const chart = new uPlot(options, dataRef.current, element);
    chart.over.append(markerLayer);
    drawMarkers(chart, markersRef.current, markerLayer);
    plot.current = chart;
    const onDoubleClick = () => {
      zoomed.current = false;
      chart.setData(dataRef.current, true);
    };
    element.addEventListener("dblclick", onDoubleClick);
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      element.removeEventListener("dblclick", onDoubleClick);
      chart.destroy();
      plot.current = null;
    };
  }, [theme, seriesKey, unit, syncKey, yMax, level]);

  // `data` may be the same arrays with new points: `version` says when to redraw.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals in-place changes
  useEffect(() => {
    plot.current?.setData(data, !zoomed.current);
  }, [data, version, xRange?.[0], xRange?.[1]]);

  // New markers arrive with new data (a new test resets the stats), but redraw anyway.
  // biome-ignore lint/correctness/useExhaustiveDependencies: markers are read through markersRef
  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [markers]);

  return (
    <section
      ref={section}
      className="chart"
      data-testid={testId}
      data-points={data[0].length}
      data-markers={markers.map((m) => m.label).join(",")}
      data-series-colors={series.map((s) => s.color).join(",")}
    >
      <div className="chart-header">
        <h3>{title}</h3>
        <button
          type="button"
          className="link-button"
          aria-label={`Save PNG: ${title}`}
          title="Save this chart as a PNG image"
          onClick={() => plot.current && saveChartPng(plot.current, title, series, markersRef.current)}
        >
          Save PNG
        </button>
      </div>
      <div ref={holder} className="chart-canvas" />
    </section>
  );
}
