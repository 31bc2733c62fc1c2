/**
 * The sections of the HTML report as HTML text: header, thresholds, statistics tables,
 * failures, exceptions and task ratios. Every value from the run is escaped.
 */
import { formatLoad } from "../shared/capacity.js";
import { type EntrySnapshot, percentileLabel, percentileValue, type StatsSnapshot } from "../stats/index.js";
import {
  cellFormat,
  formatAbortedRequests,
  formatAbortedUnsentRequests,
  formatResentRequests,
} from "./console.js";
import { openModelMetaRows } from "./html-open-model.js";
import type { JsonThresholdResult, RatioTree, ReportCapacitySearch, ReportMeta } from "./json-schema.js";
import { describeMeasured, interruptedWarning } from "./threshold-eval.js";

/** How much of the failures and exceptions a report shows (the rest is counted). */
export interface HtmlLimits {
  /** Failure rows shown (default 100). */
  maxFailures: number;
  /** Exception rows shown (default 20). */
  maxExceptions: number;
  /** Characters of an error message or exception message shown (default 1000). */
  maxMessageLength: number;
  /** Characters of a traceback shown (default 4000). */
  maxTracebackLength: number;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… (cut)`);
const int = (value: number) => Math.round(value).toLocaleString("en-US");
const fixed = (value: number, digits: number) => value.toFixed(digits);

/** "2026-05-01 12:00:00 UTC". */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "1h 02m 03s", "45.2s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

function metaRows(meta: ReportMeta): Array<[string, string]> {
  const classes = meta.userClasses
    .map((c) => `${c.name} (${c.fixedCount > 0 ? `fixedCount ${c.fixedCount}` : `weight ${c.weight}`})`)
    .join(", ");
  const rows: Array<[string, string]> = [
    ["Start", formatUtc(meta.startTimeMs)],
    ["End", meta.endTimeMs === null ? "still running" : formatUtc(meta.endTimeMs)],
    ["Duration", formatDuration(meta.durationMs)],
    ["Host", meta.host ?? "(not set)"],
    ["Locustfile", meta.locustfile],
  ];
  if (meta.shape !== null) rows.push(["Load shape", meta.shape]);
  if (meta.users !== null) rows.push(["Users", String(meta.users)]);
  if (meta.spawnRate !== null) rows.push(["Spawn rate", `${meta.spawnRate} users/s`]);
  if (meta.capacitySearch) rows.push(["Load", capacitySearchText(meta.capacitySearch)]);
  rows.push(...openModelMetaRows(meta));
  rows.push(["Run time", meta.runTimeMs === null ? "unlimited" : formatDuration(meta.runTimeMs)]);
  if (classes) rows.push(["User classes", classes]);
  rows.push(["Cicada", meta.cicadaVersion]);
  return rows;
}

/** "capacity search of users: from 15 users (at most 10000 users), the highest run 80 users; capacity 50 users". */
export function capacitySearchText(search: ReportCapacitySearch): string {
  const load = (value: number) => formatLoad(search.model, value);
  const highest =
    search.highestLoad === null ? "no step run yet" : `the highest run ${load(search.highestLoad)}`;
  const answer =
    search.outcome === null
      ? "still searching"
      : search.capacity === null
        ? `no capacity (${search.outcome})`
        : `capacity ${load(search.capacity)} (${search.outcome})`;
  return `capacity search of ${search.model === "users" ? "users" : "the arrival rate"}: from ${load(search.start)} (at most ${load(search.max)}), ${highest}; ${answer}`;
}

/** The header: title, run facts and flags. */
export function headerSection(meta: ReportMeta): string {
  const rows = metaRows(meta)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("");
  const flags = meta.flags.map(
    (f) => `<p class="flag" data-flag="${escapeHtml(f.code)}">⚠ ${escapeHtml(f.message)}</p>`,
  );
  return `<header><h1>Cicada load test report</h1><p class="sub">${escapeHtml(meta.host ?? "")}</p>
<dl class="meta">${rows}</dl>${flags.join("")}</header>`;
}

/** A passed threshold's "⚠ N interrupted iterations …" (see markInterrupted), else "". */
function warningSpan(result: JsonThresholdResult): string {
  const warning = interruptedWarning(result);
  return warning
    ? ` <span class="warn" data-interrupted="${result.interruptedIterations}">${escapeHtml(warning)}</span>`
    : "";
}

/** Thresholds with ✓/✗ and the measured value; empty when none were declared. */
export function thresholdsSection(results: readonly JsonThresholdResult[]): string {
  if (results.length === 0) return "";
  const failed = results.filter((r) => !r.passed).length;
  const rows = results
    .map(
      (r) => `<tr><td class="${r.passed ? "pass" : "fail"}">${r.passed ? "✓" : "✗"}</td>
<td class="name">${escapeHtml(r.key)}</td><td class="l">${escapeHtml(r.expression)}</td>
<td class="l">${escapeHtml(r.reason ?? describeMeasured(r))}${r.aborted ? " (aborted the run)" : ""}${warningSpan(r)}</td></tr>`,
    )
    .join("\n");
  const verdict = failed === 0 ? "All thresholds passed." : `${failed} of ${results.length} failed.`;
  return `<section id="thresholds"><h2>Thresholds</h2><p>${verdict}</p><div class="scroll"><table>
<thead><tr><th></th><th class="l">Name</th><th class="l">Threshold</th><th class="l">Measured</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

function typeCell(entry: EntrySnapshot): string {
  return `<td class="l">${escapeHtml(entry.method)}</td><td class="name">${escapeHtml(entry.name)}</td>`;
}

function statsRow(entry: EntrySnapshot, total: boolean): string {
  const timed = entry.numRequests > entry.numNoneRequests;
  const ms = (v: number | null) => (timed ? cellFormat(entry)(v) : "–");
  return `<tr${total ? ' class="total"' : ""}>${typeCell(entry)}<td>${int(entry.numRequests)}</td>
<td>${int(entry.numFailures)} (${fixed(entry.failRatio * 100, 2)}%)</td><td>${ms(entry.avgResponseTimeMs)}</td>
<td>${ms(entry.minResponseTimeMs)}</td><td>${ms(entry.maxResponseTimeMs)}</td><td>${ms(entry.medianResponseTimeMs)}</td>
<td>${int(entry.avgContentLength)}</td><td>${fixed(entry.totalRps, 2)}</td><td>${fixed(entry.totalFailPerSec, 2)}</td></tr>`;
}

/** "Request statistics": counts, failures, times, size and whole-run rates per row. */
export function requestStatsSection(snapshot: StatsSnapshot, stopTimeoutMs = 0, cutShort = false): string {
  const rows = [...snapshot.entries.map((e) => statsRow(e, false)), statsRow(snapshot.total, true)].join(
    "\n",
  );
  return `<section id="request-stats"><h2>Request statistics</h2><div class="scroll"><table>
<thead><tr><th class="l">Type</th><th class="l">Name</th><th># Requests</th><th># Fails</th><th>Average (ms)</th>
<th>Min (ms)</th><th>Max (ms)</th><th>Median (ms)</th><th>Average size (bytes)</th><th>RPS</th><th>Failures/s</th></tr></thead>
<tbody>${rows}</tbody></table></div>${reconcilingNotes(snapshot, stopTimeoutMs, cutShort)}</section>`;
}

/**
 * Under the table, as in the console: requests the target received that the table counts
 * once (sent twice) or not at all (aborted by the stop), so its count can be reconciled,
 * and requests the stop aborted while they still waited for a connection.
 */
function reconcilingNotes(snapshot: StatsSnapshot, stopTimeoutMs: number, cutShort: boolean): string {
  const notes = [
    ["resent", snapshot.resentRequests ?? 0, formatResentRequests(snapshot)],
    ["aborted", snapshot.abortedRequests ?? 0, formatAbortedRequests(snapshot, stopTimeoutMs, cutShort)],
    ["aborted-unsent", snapshot.abortedUnsentRequests ?? 0, formatAbortedUnsentRequests(snapshot)],
  ] as const;
  return notes
    .filter(([, count]) => count > 0)
    .map(
      ([kind, count, lines]) =>
        `<p class="more" data-${kind}="${count}">${escapeHtml(lines.join(" ").trim())}</p>`,
    )
    .join("");
}

function percentileRow(entry: EntrySnapshot, percentiles: readonly number[], total: boolean): string {
  const cells = percentiles
    .map((p) => percentileValue(entry.percentiles, p))
    .map((v) => `<td>${v === null ? "–" : cellFormat(entry)(v)}</td>`)
    .join("");
  return `<tr${total ? ' class="total"' : ""}>${typeCell(entry)}${cells}</tr>`;
}

/** "Response time statistics": every reported percentile per row (exact to 3 significant digits). */
export function percentilesSection(snapshot: StatsSnapshot): string {
  const percentiles = snapshot.reportedPercentiles;
  const heads = percentiles.map((p) => `<th>${escapeHtml(percentileLabel(p))}</th>`).join("");
  const rows = [
    ...snapshot.entries.map((e) => percentileRow(e, percentiles, false)),
    percentileRow(snapshot.total, percentiles, true),
  ].join("\n");
  return `<section id="response-times"><h2>Response time statistics (ms)</h2><div class="scroll"><table>
<thead><tr><th class="l">Type</th><th class="l">Name</th>${heads}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** The charts (drawn by the page script), or a note when there is no history. */
export function chartsSection(points: number, iterations = false): string {
  if (points === 0)
    return `<section id="charts"><h2>Charts</h2><p class="empty">No data over time was recorded.</p></section>`;
  const iterationChart = iterations ? `<div id="chart-iterations" class="chart"></div>` : "";
  return `<section id="charts" class="charts"><h2>Charts</h2><div id="chart-rps" class="chart"></div>${iterationChart}
<div id="chart-response-times" class="chart"></div><div id="chart-users" class="chart"></div></section>`;
}

/** Failures, most frequent first, capped; what is not shown is counted. */
export function failuresSection(snapshot: StatsSnapshot, limits: HtmlLimits): string {
  if (snapshot.errors.length === 0 && snapshot.droppedErrors === 0) return "";
  const shown = snapshot.errors.slice(0, limits.maxFailures);
  const rows = shown
    .map(
      (
        e,
      ) => `<tr><td>${int(e.occurrences)}</td><td class="l">${escapeHtml(e.method)}</td><td class="name">${escapeHtml(e.name)}</td>
<td class="l"><pre>${escapeHtml(cut(e.error, limits.maxMessageLength))}</pre></td><td class="l">${formatUtc(e.firstSeenMs)}</td><td class="l">${formatUtc(e.lastSeenMs)}</td></tr>`,
    )
    .join("\n");
  const notes: string[] = [];
  const hidden = snapshot.errors.slice(limits.maxFailures);
  if (hidden.length > 0) {
    const occurrences = hidden.reduce((sum, e) => sum + e.occurrences, 0);
    notes.push(
      `… and ${int(hidden.length)} more failure groups (${int(occurrences)} occurrences) not shown here; the CSV and JSON reports list them.`,
    );
  }
  if (snapshot.droppedErrors > 0) {
    notes.push(
      `… and ${int(snapshot.droppedErrors)} more occurrences of other errors, not grouped because the limit of distinct errors was reached.`,
    );
  }
  const more = notes.map((n) => `<tr><td colspan="6" class="l more">${escapeHtml(n)}</td></tr>`).join("");
  return `<section id="failures"><h2>Failures</h2><div class="scroll"><table>
<thead><tr><th># Failures</th><th class="l">Method</th><th class="l">Name</th><th class="l">Message</th><th class="l">First seen</th><th class="l">Last seen</th></tr></thead>
<tbody>${rows}${more}</tbody></table></div></section>`;
}

/** Exceptions thrown by task code, capped like failures. */
export function exceptionsSection(snapshot: StatsSnapshot, limits: HtmlLimits): string {
  if (snapshot.exceptions.length === 0 && snapshot.droppedExceptions === 0) return "";
  const rows = snapshot.exceptions
    .slice(0, limits.maxExceptions)
    .map(
      (
        e,
      ) => `<tr><td>${int(e.count)}</td><td class="l"><pre>${escapeHtml(cut(e.message, limits.maxMessageLength))}</pre></td>
<td class="l"><pre>${escapeHtml(cut(e.traceback, limits.maxTracebackLength))}</pre></td><td class="l">${escapeHtml(e.nodes.join(", "))}</td></tr>`,
    )
    .join("\n");
  const notes: string[] = [];
  const hidden = snapshot.exceptions.length - limits.maxExceptions;
  if (hidden > 0)
    notes.push(`… and ${int(hidden)} more exceptions not shown here; the CSV and JSON reports list them.`);
  if (snapshot.droppedExceptions > 0) {
    notes.push(
      `… and ${int(snapshot.droppedExceptions)} more exceptions, not grouped because the limit was reached.`,
    );
  }
  const more = notes.map((n) => `<tr><td colspan="4" class="l more">${escapeHtml(n)}</td></tr>`).join("");
  return `<section id="exceptions"><h2>Exceptions</h2><div class="scroll"><table>
<thead><tr><th>Count</th><th class="l">Message</th><th class="l">Traceback</th><th class="l">Nodes</th></tr></thead>
<tbody>${rows}${more}</tbody></table></div></section>`;
}

function ratioList(tree: Record<string, RatioTree>): string {
  const items = Object.entries(tree).map(
    ([name, node]) =>
      `<li>${(node.ratio * 100).toFixed(1)}% ${escapeHtml(name)}${node.tasks && Object.keys(node.tasks).length > 0 ? ratioList(node.tasks) : ""}</li>`,
  );
  return `<ul class="ratio">${items.join("")}</ul>`;
}

/** Task ratios per user class and in total (Locust's "Final ratio"). */
export function taskRatioSection(meta: ReportMeta): string {
  if (Object.keys(meta.taskRatio.perClass).length === 0) return "";
  return `<section id="task-ratio"><h2>Task ratios</h2><h3>Per user class</h3>${ratioList(meta.taskRatio.perClass)}
<h3>Total</h3>${ratioList(meta.taskRatio.total)}</section>`;
}
