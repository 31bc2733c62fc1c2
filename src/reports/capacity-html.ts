/**
 * The HTML report's "Capacity" section (a capacity search): the answer, what explains
 * it, the knee chart (throughput and p95 against the load, the SLO's limit dashed, the
 * answer and the first broken load marked) and the table of steps.
 */

import { type CapacityResult, formatLoad } from "../shared/capacity.js";
import {
  capacityChartData,
  capacityDetails,
  capacityHeadline,
  formatCapacityMs,
  formatDropped,
  formatShare,
} from "../shared/capacity-text.js";
import { CHART_PALETTE } from "../shared/chart-palette.js";
import { escapeHtml } from "./html-sections.js";

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

function stepsTable(result: CapacityResult): string {
  const open = result.model === "arrival-rate";
  const rows = result.steps
    .map((s) => {
      const verdict = s.passed ? "met every SLO" : "broke";
      return `<tr class="${s.passed ? "met" : "broke"}"><td>${s.index}</td><td class="l">${s.phase}</td><td>${s.load}</td>
<td>${s.rps.toFixed(1)}</td><td>${formatCapacityMs(s.p50Ms)}</td><td>${formatCapacityMs(s.p95Ms)}</td><td>${formatCapacityMs(s.p99Ms)}</td>
${open ? `<td>${formatCapacityMs(s.intendedP95Ms)}</td><td>${formatDropped(s.droppedIterations)}</td>` : ""}<td>${formatShare(s.failRate)}</td>
<td>${seconds(s.endTimeMs - (s.holdStartMs ?? s.startTimeMs))}</td><td class="l">${s.steady ? "yes" : "no"}</td>
<td class="${s.passed ? "pass" : "fail"}">${verdict}</td><td class="name">${escapeHtml(s.reason)}</td></tr>`;
    })
    .join("\n");
  return `<div class="scroll"><table><thead><tr><th>#</th><th class="l">Phase</th><th>${open ? "Iterations/s" : "Users"}</th>
<th>Req/s</th><th>p50</th><th>p95</th><th>p99</th>${open ? "<th>p95 from intended start</th><th>Dropped</th>" : ""}<th>Failures</th>
<th>Held</th><th class="l">Steady</th><th>Verdict</th><th class="l">Why</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The section's HTML and the data its chart script reads; empty when the test was not a search. */
export function capacitySection(result: CapacityResult | undefined): { html: string; data: string } {
  if (result === undefined) return { html: "", data: "" };
  const { settings } = result;
  const details = capacityDetails(result)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("");
  const html = `<section id="capacity" class="charts"><h2>Capacity</h2>
<p class="capacity-answer outcome-${result.outcome}" data-outcome="${result.outcome}">${escapeHtml(capacityHeadline(result))}</p>
<ul class="capacity-details">${details}</ul>
<p class="sub">SLOs: ${escapeHtml(settings.slos.join(", "))}. ${escapeHtml(formatLoad(result.model, settings.start))} first, each step held
${seconds(settings.minHoldMs)} to ${seconds(settings.maxHoldMs)} once its load was reached, until throughput and latency stopped moving.</p>
<div id="chart-capacity" class="chart"></div>
<h3>Steps</h3>
${stepsTable(result)}
</section>`;
  const data = {
    unit: result.model === "users" ? "users" : "iterations/s",
    colors: CHART_PALETTE,
    ...capacityChartData(result.model, result.steps, {
      capacity: result.capacity,
      breaking: result.breaking?.load ?? null,
    }),
  };
  return { html, data: JSON.stringify(data).replaceAll("<", "\\u003c") };
}

/** CSS of the section (added to the report's). */
export const CAPACITY_CSS = `
.capacity-answer { font-size: 16px; font-weight: 600; border-radius: 6px; padding: 8px 12px; margin: 8px 0; background: var(--head); }
.outcome-below-start, .outcome-generator-limit, .outcome-at-least { background: var(--warn-bg); }
ul.capacity-details { margin: 4px 0 8px; padding-left: 20px; }
tr.broke td { color: var(--bad); }
#capacity td { white-space: nowrap; }
#capacity td.name { white-space: normal; }
`;

/**
 * Draws the knee chart. Data (#cicada-capacity-data): { unit, colors, load[], rps[],
 * p95[], intendedP95[] | null, passed[], p95Limit, capacity, breaking }. The x axis is
 * the load (not time); requests/s on the left axis, milliseconds on the right.
 */
export const CAPACITY_SCRIPT = `
(function () {
  "use strict";
  var holder = document.getElementById("cicada-capacity-data");
  var el = document.getElementById("chart-capacity");
  if (!holder || !el || typeof uPlot === "undefined") return;
  var d = JSON.parse(holder.textContent || "{}");
  if (!d.load || d.load.length === 0) { el.textContent = "No step was judged."; return; }
  var style = getComputedStyle(document.documentElement);
  function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
  var fg = color("--fg", "#1d2330"), grid = color("--grid", "rgba(0,0,0,0.08)"), bad = color("--bad", "#c62828"), ok = color("--ok", "#17803d");
  function axis(scale, label, side) {
    return { scale: scale, label: label, side: side, stroke: fg, grid: { stroke: grid, width: 1, show: side !== 1 }, ticks: { stroke: grid, width: 1 }, size: 60 };
  }
  // Away from the cursor uPlot has no value to show: a dash, not an empty "req/s:".
  function value(u, v) { return v == null ? "\u2013" : String(Math.round(v * 10) / 10); }
  var series = [{ label: d.unit, value: value },
    { label: "req/s", scale: "rps", stroke: d.colors.rps, width: 2, points: { show: true, size: 7 }, value: value },
    { label: "p95 (ms)", scale: "ms", stroke: d.colors.p95, width: 2, points: { show: true, size: 7 }, value: value }];
  var data = [d.load, d.rps, d.p95];
  if (d.intendedP95) {
    series.push({ label: "p95 from intended start (ms)", scale: "ms", stroke: d.colors.p99, width: 2, dash: [6, 4], points: { show: true, size: 6 }, value: value });
    data.push(d.intendedP95);
  }
  function vline(u, x, stroke, text, row) {
    if (x == null) return;
    var px = u.valToPos(x, "x", true), ctx = u.ctx;
    ctx.save(); ctx.strokeStyle = stroke; ctx.setLineDash([2, 4]); ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
    ctx.fillStyle = stroke; ctx.font = "12px sans-serif"; ctx.fillText(text, px + 4, u.bbox.top + 14 + 16 * row); ctx.restore();
  }
  var opts = {
    title: "Throughput and p95 against the load (the knee)", width: Math.max(320, el.clientWidth), height: 300,
    scales: { x: { time: false }, rps: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } },
      ms: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1, (d.p95Limit || 0) * 1.2)]; } } },
    series: series,
    axes: [axis("x", d.unit, 2), axis("rps", "req/s", 3), axis("ms", "ms", 1)],
    hooks: { draw: [function (u) {
      if (d.p95Limit != null) {
        var y = u.valToPos(d.p95Limit, "ms", true), ctx = u.ctx;
        ctx.save(); ctx.strokeStyle = bad; ctx.setLineDash([6, 5]); ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke(); ctx.restore();
      }
      vline(u, d.capacity, ok, "capacity " + d.capacity, 0);
      vline(u, d.breaking, bad, "broke " + d.breaking, 1);
    }] }
  };
  var plot = new uPlot(opts, data, el);
  window.addEventListener("resize", function () { plot.setSize({ width: Math.max(320, el.clientWidth), height: 300 }); });
})();
`;
