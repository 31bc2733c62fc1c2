/**
 * The HTML report's "Target" section: what saturated first, the highest value of each
 * figure per host, how each endpoint answered, and the charts of the target (and of the
 * load generator's own CPU). Its charts share the time axis and the hover with the
 * report's requests/s, response-time and user charts (uPlot cursor sync, one x range).
 */
import { type ChartLine, type MonitorChart, monitorCharts } from "../monitor/chart-layout.js";
import { formatMonitorValue } from "../monitor/format.js";
import type { HostColumns, MonitorData } from "../monitor/types.js";
import { escapeHtml } from "./html-sections.js";
import type { MonitorReport } from "./monitor-report.js";

/** The key that links the cursors of every chart of the page. */
export const CHART_SYNC_KEY = "cicada-time";

const highest = (column: ReadonlyArray<number | null> | undefined): number | null =>
  (column ?? []).reduce<number | null>(
    (max, v) => (v === null ? max : max === null ? v : Math.max(max, v)),
    null,
  );

function hostsTable(data: MonitorData): string {
  const shown = data.series.filter((s) => data.hosts.some((h) => highest(h.values[s.name]) !== null));
  if (shown.length === 0) return "";
  const head = shown
    .map((s) => `<th>${escapeHtml(s.label)}${s.unit ? ` (${escapeHtml(s.unit)})` : ""}</th>`)
    .join("");
  const row = (host: HostColumns) => {
    const info = host.info
      ? `${host.info.cpus} CPUs, ${formatMonitorValue(host.info.memoryBytes / 1e9, "GB")}`
      : "";
    const cells = shown
      .map((s) => {
        const max = highest(host.values[s.name]);
        return `<td>${max === null ? "–" : escapeHtml(formatMonitorValue(max, s.unit))}</td>`;
      })
      .join("");
    return `<tr><td class="name">${escapeHtml(host.host)}</td><td class="l">${escapeHtml(info)}</td>${cells}</tr>`;
  };
  return `<h3>Highest values</h3><div class="scroll"><table><thead><tr><th class="l">Host</th><th class="l">Machine</th>${head}</tr></thead>
<tbody>${data.hosts.map(row).join("\n")}</tbody></table></div>`;
}

function endpointsTable(data: MonitorData): string {
  const rows = data.endpoints
    .map((e) => {
      const kinds = Object.entries(e.byKind)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
      return `<tr class="${e.failures > 0 ? "failed" : ""}"><td class="name">${escapeHtml(e.url)}</td><td class="l">${escapeHtml(e.label)}</td>
<td>${e.scrapes}</td><td>${e.failures}</td><td class="l">${escapeHtml(kinds)}</td><td class="l">${escapeHtml(e.lastError ?? "")}</td></tr>`;
    })
    .join("\n");
  return `<h3>Endpoints</h3><div class="scroll"><table><thead><tr><th class="l">Endpoint</th><th class="l">Host</th><th>Scrapes</th>
<th>Failed</th><th class="l">Why</th><th class="l">Last error</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A line's times and values. */
function lineColumn(
  line: ChartLine,
  data: MonitorData,
): { timeMs: number[]; column: ReadonlyArray<number | null> } {
  switch (line.source) {
    case "generator": {
      const g = data.generator;
      return { timeMs: g.timeMs, column: g[line.series as "cpuPercent" | "workerCpuPercent"] ?? [] };
    }
    case "load":
      return { timeMs: data.load.timeMs, column: data.load[line.series as "rps" | "failPerSec"] };
    default: {
      const host = data.hosts.find((h) => h.host === line.host)!;
      return { timeMs: host.timeMs, column: host.values[line.series] ?? [] };
    }
  }
}

/** One chart's data for the page script: a [times (s), values] table per line. */
function chartJson(chart: MonitorChart, data: MonitorData) {
  const round = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 100) / 100);
  const tables = chart.lines.map((line) => {
    const { timeMs, column } = lineColumn(line, data);
    return [timeMs.map((ms) => ms / 1000), column.map(round)];
  });
  return {
    id: chart.id,
    title: chart.unit && !chart.title.endsWith(")") ? `${chart.title} (${chart.unit})` : chart.title,
    unit: chart.unit,
    yMax: chart.yMax,
    level: chart.level,
    lines: chart.lines.map((l) => ({ host: l.host, label: l.label, dash: l.dash, color: l.color ?? null })),
    tables,
  };
}

/** The section's HTML and the data its script draws, or empty when nothing was monitored. */
export function monitorSection(report: MonitorReport | undefined): { html: string; data: string } {
  if (report === undefined) return { html: "", data: "" };
  const { data } = report;
  const charts = monitorCharts(data);
  const chartDivs = charts
    .map((c) => `<div id="chart-target-${escapeHtml(c.id)}" class="chart"></div>`)
    .join("\n");
  const finding = `<p class="finding finding-${report.finding.kind}">${escapeHtml(report.findingText)}</p>`;
  const html = `<section id="target" class="charts"><h2>Target</h2>
${finding}
${hostsTable(data)}
${endpointsTable(data)}
${charts.length > 0 ? `<h3>Over time</h3>${chartDivs}` : '<p class="empty">No value over time was recorded.</p>'}
</section>`;
  const json = JSON.stringify({ charts: charts.map((c) => chartJson(c, data)) }).replaceAll("<", "\\u003c");
  return { html, data: json };
}

/** CSS of the section (added to the report's). */
export const MONITOR_CSS = `
.finding { border-radius: 6px; padding: 8px 12px; margin: 8px 0; background: var(--head); }
.finding-saturated, .finding-latency-rose { background: var(--warn-bg); }
tr.failed td { color: var(--bad); }
h3 { font-size: 15px; margin: 20px 0 6px; }
`;

/**
 * Draws the Target charts. Data (#cicada-monitor-data): { charts: [{ id, title, unit,
 * yMax, level, lines: [{host, label, dash, color}], tables: [[t (s)[], values[]], ...] }] }; the
 * tables are joined on one time axis (uPlot.join: a null stays a gap, a time only another
 * line has is spanned). window.cicadaRange and the sync key come from the report script.
 */
export const MONITOR_SCRIPT = `
(function () {
  "use strict";
  var holder = document.getElementById("cicada-monitor-data");
  if (!holder || typeof uPlot === "undefined") return;
  var data = JSON.parse(holder.textContent || "{}");
  var style = getComputedStyle(document.documentElement);
  function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
  var fg = color("--fg", "#1d2330"), grid = color("--grid", "rgba(0,0,0,0.08)");
  var palette = ["--c1", "--c3", "--c4", "--c5", "--c2"].map(function (n, i) {
    return color(n, ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728"][i]);
  });
  function fmt(v, unit) {
    if (v == null) return "-";
    if (unit === "B/s") {
      var units = ["B/s", "kB/s", "MB/s", "GB/s"], i = 0;
      while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
      return (Math.round(v * 10) / 10) + " " + units[i];
    }
    return (Math.round(v * 100) / 100) + (unit ? " " + unit : "");
  }
  function axis(unit) {
    return { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
      values: unit === "B/s" ? function (u, vals) { return vals.map(function (v) { return fmt(v, unit); }); } : undefined,
      size: 80, label: unit === "B/s" ? "" : unit };
  }
  var range = window.cicadaRange;
  (data.charts || []).forEach(function (chart) {
    var el = document.getElementById("chart-target-" + chart.id);
    if (!el) return;
    var joined = uPlot.join(chart.tables);
    var hostColors = {};
    var series = [{}].concat(chart.lines.map(function (line, i) {
      if (!line.color && !(line.host in hostColors)) hostColors[line.host] = palette[Object.keys(hostColors).length % palette.length];
      return { label: line.label, stroke: line.color || hostColors[line.host], width: 2, spanGaps: false, dash: line.dash ? [6, 4] : undefined,
        value: function (u, v) { return fmt(v, chart.unit); } };
    }));
    var opts = {
      title: chart.title, width: Math.max(320, el.clientWidth), height: 240,
      cursor: { sync: { key: "${CHART_SYNC_KEY}" } },
      scales: { x: range ? { time: true, range: function () { return range; } } : { time: true },
        y: { range: function (u, min, max) { return [0, chart.yMax != null ? chart.yMax : Math.max(1, (max || 0) * 1.1)]; } } },
      series: series,
      axes: [{ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }, axis(chart.unit)]
    };
    if (chart.level != null) {
      opts.hooks = { draw: [function (u) {
        var y = u.valToPos(chart.level, "y", true), ctx = u.ctx;
        ctx.save(); ctx.strokeStyle = color("--bad", "#c62828"); ctx.setLineDash([3, 5]); ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke(); ctx.restore();
      }] };
    }
    var plot = new uPlot(opts, joined, el);
    window.addEventListener("resize", function () { plot.setSize({ width: Math.max(320, el.clientWidth), height: 240 }); });
  });
})();
`;
