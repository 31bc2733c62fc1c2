/** Checks and custom metrics in the HTML report: two tables, shown only when there are any. */
import type { StatsSnapshot } from "../stats/index.js";
import { escapeHtml } from "./html-sections.js";
import { allChecks, describeMetric } from "./scripting-tables.js";

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/** The checks: passes, fails and pass rate per check, then all of them. */
export function checksSection(snapshot: StatsSnapshot): string {
  const checks = snapshot.checks;
  if (checks === undefined || checks.length === 0) return "";
  const row = (c: { name: string; passes: number; fails: number; rate: number }, total = false) =>
    `<tr${total ? ' class="total"' : ""}><td class="${c.fails === 0 ? "pass" : "fail"}">${c.fails === 0 ? "✓" : "✗"}</td>` +
    `<td class="name">${escapeHtml(c.name)}</td><td>${c.passes.toLocaleString("en-US")}</td>` +
    `<td>${c.fails.toLocaleString("en-US")}</td><td>${percent(c.rate)}</td></tr>`;
  return `<section id="checks"><h2>Checks</h2><div class="scroll"><table>
<thead><tr><th></th><th class="l">Name</th><th>Passes</th><th>Fails</th><th>Pass rate</th></tr></thead>
<tbody>${checks.map((c) => row(c)).join("\n")}
${row(allChecks(checks), true)}</tbody></table></div></section>`;
}

/** The custom metrics, one row each, in the terms of its kind. */
export function customMetricsSection(snapshot: StatsSnapshot): string {
  const metrics = snapshot.metrics;
  if (metrics === undefined || metrics.length === 0) return "";
  const rows = metrics
    .map(
      (m) =>
        `<tr><td class="name">${escapeHtml(m.name)}</td><td class="l">${m.kind}</td><td class="l">${escapeHtml(describeMetric(m))}</td></tr>`,
    )
    .join("\n");
  return `<section id="custom-metrics"><h2>Custom metrics</h2><div class="scroll"><table>
<thead><tr><th class="l">Name</th><th class="l">Type</th><th class="l">Values</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}
