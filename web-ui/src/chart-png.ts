/**
 * "Save as PNG" for a chart: its title, legend (each series' colour and name), the plot
 * as drawn (zoom included), and the run markers, on the theme's background, downloaded as
 * a file. Everything is drawn in the page: nothing is sent anywhere.
 */
import type uPlot from "uplot";
import type { ChartMarker, LineSeries } from "./components/LineChart.js";

const HEADER_PX = 44;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The chart as a PNG canvas, at the screen's pixel density. */
export function chartCanvas(
  u: uPlot,
  title: string,
  series: readonly LineSeries[],
  markers: readonly ChartMarker[],
): HTMLCanvasElement {
  const plot = u.ctx.canvas;
  const ratio = plot.width / Math.max(1, u.width);
  const canvas = document.createElement("canvas");
  canvas.width = plot.width;
  canvas.height = plot.height + Math.round(HEADER_PX * ratio);
  const context = canvas.getContext("2d")!;
  const text = cssVar("--text", "#1d2320");
  context.fillStyle = cssVar("--surface", "#ffffff");
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.scale(ratio, ratio);
  context.fillStyle = text;
  context.font = `600 14px system-ui, sans-serif`;
  context.textBaseline = "middle";
  context.fillText(title, 8, 12);
  context.font = "12px system-ui, sans-serif";
  let x = 8;
  for (const s of series) {
    context.strokeStyle = s.color;
    context.lineWidth = 2;
    context.setLineDash(s.dash ? [6, 4] : []);
    context.beginPath();
    context.moveTo(x, 32);
    context.lineTo(x + 18, 32);
    context.stroke();
    context.fillText(s.label, x + 24, 32);
    x += 24 + context.measureText(s.label).width + 18;
  }
  context.setLineDash([]);
  context.setTransform(1, 0, 0, 1, 0, 0);
  const top = Math.round(HEADER_PX * ratio);
  context.drawImage(plot, 0, top);
  // The run markers are page elements over the plot, not part of its canvas.
  const min = u.scales.x?.min ?? Number.NEGATIVE_INFINITY;
  const max = u.scales.x?.max ?? Number.POSITIVE_INFINITY;
  context.strokeStyle = cssVar("--text-muted", "#5d6862");
  context.fillStyle = cssVar("--text-muted", "#5d6862");
  context.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
  context.setLineDash([4 * ratio, 4 * ratio]);
  for (const marker of markers) {
    if (marker.timeSec < min || marker.timeSec > max) continue;
    const left = u.valToPos(marker.timeSec, "x", true);
    context.beginPath();
    context.moveTo(left, top + u.bbox.top);
    context.lineTo(left, top + u.bbox.top + u.bbox.height);
    context.stroke();
    context.fillText(marker.label, left + 4 * ratio, top + u.bbox.top + 8 * ratio);
  }
  return canvas;
}

/** A file name such as cicada-response-times-ms-2026-05-01-120304.png. */
export function pngFileName(title: string, nowMs = Date.now()): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace("T", "-").replaceAll(":", "");
  return `cicada-${slug}-${stamp}.png`;
}

/** Downloads the chart as a PNG file. */
export function saveChartPng(
  u: uPlot,
  title: string,
  series: readonly LineSeries[],
  markers: readonly ChartMarker[],
): void {
  chartCanvas(u, title, series, markers).toBlob((blob) => {
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = pngFileName(title);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }, "image/png");
}
