/**
 * The style and the chart script of the HTML report. The script runs in the reader's
 * browser with no network: it reads the data embedded in the page (a JSON <script>
 * element) and draws three uPlot charts. It is plain ES5-level JavaScript kept as text, so
 * no bundler is involved; the browser test (test/e2e/reports-html.test.ts) runs it.
 */

/** CSS of the report: light by default, dark when the reader's system prefers it. */
export const REPORT_CSS = `
:root {
  --bg: #ffffff; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --head: #f3f5f8;
  --ok: #17803d; --bad: #c62828; --warn-bg: #fff4d6; --grid: rgba(0,0,0,0.08);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171c; --fg: #e4e8ef; --muted: #9aa3b2; --line: #2d333d; --head: #1c2027;
    --ok: #4cc26f; --bad: #ff6b6b; --warn-bg: #3a3214; --grid: rgba(255,255,255,0.08);
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1400px; margin: 0 auto; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 16px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.flag { background: var(--warn-bg); border-radius: 6px; padding: 6px 10px; margin: 8px 0; }
.warn { background: var(--warn-bg); border-radius: 4px; padding: 0 4px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: var(--head); font-weight: 600; position: sticky; top: 0; }
td.l, th.l { text-align: left; }
td.name { text-align: left; overflow-wrap: anywhere; max-width: 520px; }
tr.total td { font-weight: 600; }
td.pass { color: var(--ok); font-weight: 600; text-align: center; }
td.fail { color: var(--bad); font-weight: 600; text-align: center; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.more { color: var(--muted); font-style: italic; }
.charts .chart { margin: 8px 0 20px; min-height: 300px; }
.empty { color: var(--muted); }
ul.ratio { margin: 0; padding-left: 20px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
.uplot, .uplot .u-title { color: var(--fg); font-family: inherit; }
.u-legend { color: var(--fg); }
`;

/**
 * Draws the charts. Data layout (element #cicada-data): { t: epoch seconds[], users[],
 * rps[], fail[], p50[], p95[], p99[], avg[], colors: {rps, failures, p50, p95, p99,
 * average, users}, range?: [from, to], it? }; percentiles may hold nulls (gaps). The
 * colours are the web UI's (src/shared/chart-palette.ts), so a percentile looks the same
 * in both. With `range` (a report with a Target section) every chart of the page shows
 * that time range, and all cursors move together. `it` (arrival-rate tests) is
 * { t[], target[], rate[], dropped[] } with its own times.
 */
export const REPORT_SCRIPT = `
(function () {
  "use strict";
  var holder = document.getElementById("cicada-data");
  if (!holder || typeof uPlot === "undefined") return;
  var data = JSON.parse(holder.textContent || "{}");
  if (data.range) window.cicadaRange = data.range;
  if (!data.t || data.t.length === 0) return;
  var style = getComputedStyle(document.documentElement);
  function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
  var fg = color("--fg", "#1d2330"), grid = color("--grid", "rgba(0,0,0,0.08)");
  function axis(label) {
    var a = { label: label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    // Beside the Target charts every y axis has one width, so all plots span the same pixels.
    if (data.range && label) a.size = 80;
    return a;
  }
  var colors = data.colors || {};
  function line(label, name, unit, dash) {
    var options = { label: label, stroke: colors[name] || fg, width: 2, spanGaps: false,
      value: function (u, v) { return v == null ? "-" : (Math.round(v * 100) / 100) + unit; } };
    if (dash) options.dash = [6, 4];
    return options;
  }
  var charts = [];
  function chart(id, title, yLabel, series, columns, times) {
    var el = document.getElementById(id);
    if (!el) return;
    var opts = {
      title: title, width: Math.max(320, el.clientWidth), height: 280,
      cursor: { sync: { key: "cicada-time" } },
      scales: { x: data.range ? { time: true, range: function () { return data.range; } } : { time: true } },
      series: [{}].concat(series),
      axes: [axis(""), axis(yLabel)]
    };
    charts.push({ plot: new uPlot(opts, [times || data.t].concat(columns), el), el: el });
  }
  if (data.it) {
    chart("chart-iterations", "Iterations per second (arrival rate)", "per second",
      [line("Target rate", "users", "", true), line("Iterations/s", "rps", ""),
       line("Dropped/s", "failures", "")],
      [data.it.target, data.it.rate, data.it.dropped], data.it.t);
  }
  chart("chart-rps", "Requests per second", "per second",
    [line("RPS", "rps", ""), line("Failures/s", "failures", "")],
    [data.rps, data.fail]);
  chart("chart-response-times", "Response times (ms)", "ms",
    [line("50th percentile", "p50", " ms"), line("95th percentile", "p95", " ms"),
     line("99th percentile", "p99", " ms", true), line("Average", "average", " ms")],
    [data.p50, data.p95, data.p99, data.avg]);
  chart("chart-users", "Number of users", "users",
    [line("Users", "users", "")], [data.users]);
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) { c.plot.setSize({ width: Math.max(320, c.el.clientWidth), height: 280 }); });
    });
  });
})();
`;
