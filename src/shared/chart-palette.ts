/**
 * The colours of the chart lines, one per series, shared by the web UI's charts and the
 * HTML report so that a percentile has the same colour on both. They are the same in the
 * light and the dark theme (each reads on both backgrounds). Pure data: the browser app
 * bundles this file.
 */
export const CHART_PALETTE = {
  rps: "#2e9d47",
  failures: "#d9453b",
  p50: "#e3a21a",
  p95: "#7b56c9",
  p99: "#1d8fd6",
  average: "#8a8f98",
  users: "#3b7dd8",
} as const;

export type ChartSeriesName = keyof typeof CHART_PALETTE;
