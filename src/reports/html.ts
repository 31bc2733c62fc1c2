/**
 * The HTML report: one self-contained page (styles, data, uPlot and the chart script all
 * inline; nothing is fetched when it is opened) with the run's header, thresholds,
 * request and response-time tables, checks and custom metrics, charts over time,
 * failures, exceptions and task ratios.
 *
 * Its size is bounded whatever the run: the history is already downsampled (at most about
 * 1000 points), only the total's series is charted, and failures and exceptions are capped
 * with "and N more" (Locust's report grew to 1.2 GB with many errors, its issue #1712).
 */
import { CHART_PALETTE } from "../shared/chart-palette.js";
import type { IterationColumns, SeriesColumns } from "../stats/index.js";
import { CAPACITY_CSS, CAPACITY_SCRIPT, capacitySection } from "./capacity-html.js";
import { loadReportAssets, type ReportAssets } from "./html-assets.js";
import { intendedPercentilesSection, iterationChartData, iterationsSection } from "./html-open-model.js";
import { REPORT_CSS, REPORT_SCRIPT } from "./html-page.js";
import {
  chartsSection,
  escapeHtml,
  exceptionsSection,
  failuresSection,
  formatUtc,
  type HtmlLimits,
  headerSection,
  percentilesSection,
  requestStatsSection,
  taskRatioSection,
  thresholdsSection,
} from "./html-sections.js";
import { MONITOR_CSS, MONITOR_SCRIPT, monitorSection } from "./monitor-html.js";
import type { MonitorReport } from "./monitor-report.js";
import type { ReportInput } from "./report-input.js";
import { checksSection, customMetricsSection } from "./scripting-html.js";

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions extends Partial<HtmlLimits> {
  /** Script and CSS to inline (default: uPlot from the installed package). */
  assets?: ReportAssets;
}

const DEFAULT_LIMITS: HtmlLimits = {
  maxFailures: 100,
  maxExceptions: 20,
  maxMessageLength: 1000,
  maxTracebackLength: 4000,
};

const round2 = (v: number) => Math.round(v * 100) / 100;
const round2OrNull = (v: number | null) => (v === null ? null : round2(v));

/** The time range (epoch s) every chart shows when the target was monitored: the load's and the target's together. */
function sharedRange(total: SeriesColumns, monitor: MonitorReport | undefined): [number, number] | undefined {
  if (monitor === undefined) return undefined;
  const times = [
    ...total.timeMs,
    ...monitor.data.hosts.flatMap((h) => h.timeMs),
    ...monitor.data.generator.timeMs,
  ];
  if (times.length === 0) return undefined;
  return [Math.min(...times) / 1000, Math.max(...times) / 1000];
}

/**
 * The chart data the page script reads: columns of the total's history, times in epoch
 * seconds, and the open model's iterations (`it`) when the test ran at an arrival rate.
 */
function chartData(
  total: SeriesColumns,
  iterations: IterationColumns | undefined,
  monitor: MonitorReport | undefined,
): string {
  const range = sharedRange(total, monitor);
  const data = {
    ...(range ? { range } : {}),
    t: total.timeMs.map((ms) => Math.round(ms / 1000)),
    users: total.userCount,
    rps: total.rps.map(round2),
    fail: total.failPerSec.map(round2),
    p50: total.p50.map(round2OrNull),
    p95: total.p95.map(round2OrNull),
    p99: total.p99.map(round2OrNull),
    avg: total.avgResponseTimeMs.map(round2),
    colors: CHART_PALETTE,
    it: iterationChartData(iterations),
  };
  // JSON inside <script>: escape "<" so no value can close the element.
  return JSON.stringify(data).replaceAll("<", "\\u003c");
}

/**
 * Renders the report of `input` as one HTML document. Pure and fast (a few ms for a
 * hundred names), so it can be called during a run as well as at its end.
 */
export function renderHtmlReport(input: ReportInput, options: HtmlReportOptions = {}): string {
  const { snapshot, meta } = input;
  const limits: HtmlLimits = { ...DEFAULT_LIMITS, ...stripUndefined(options) };
  const assets = options.assets ?? loadReportAssets();
  const points = input.history.total.timeMs.length;
  const target = monitorSection(input.monitor);
  const capacity = capacitySection(input.capacity);
  const title = `Cicada report${meta.host ? ` · ${meta.host}` : ""} · ${formatUtc(meta.startTimeMs)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Cicada ${escapeHtml(meta.cicadaVersion)}">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${assets.uplotCss}</style>
<style>${REPORT_CSS}${target.html ? MONITOR_CSS : ""}${capacity.html ? CAPACITY_CSS : ""}</style>
</head>
<body>
<main>
${headerSection(meta)}
${capacity.html}
${thresholdsSection(input.thresholds ?? [])}
${requestStatsSection(snapshot, input.stopTimeoutMs ?? 0, input.stopCutShort === true)}
${percentilesSection(snapshot)}
${intendedPercentilesSection(snapshot)}
${iterationsSection(snapshot, meta.endTimeMs !== null, input.capacity != null)}
${checksSection(snapshot)}
${customMetricsSection(snapshot)}
${chartsSection(points, input.history.iterations !== undefined)}
${target.html}
${failuresSection(snapshot, limits)}
${exceptionsSection(snapshot, limits)}
${taskRatioSection(meta)}
<footer>Generated by Cicada ${escapeHtml(meta.cicadaVersion)} at ${formatUtc(snapshot.timeMs)}. Response times are exact to 3 significant digits (HDR histograms).</footer>
</main>
<script type="application/json" id="cicada-data">${chartData(input.history.total, input.history.iterations, input.monitor)}</script>
${target.data ? `<script type="application/json" id="cicada-monitor-data">${target.data}</script>` : ""}
<script>${assets.uplotJs}</script>
<script>${REPORT_SCRIPT}</script>
${target.data ? `<script>${MONITOR_SCRIPT}</script>` : ""}
${capacity.data ? `<script type="application/json" id="cicada-capacity-data">${capacity.data}</script><script>${CAPACITY_SCRIPT}</script>` : ""}
</body>
</html>
`;
}

function stripUndefined(options: HtmlReportOptions): Partial<HtmlLimits> {
  const out: Partial<HtmlLimits> = {};
  for (const key of ["maxFailures", "maxExceptions", "maxMessageLength", "maxTracebackLength"] as const) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
