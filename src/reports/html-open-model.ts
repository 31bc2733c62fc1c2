/**
 * The open model's sections of the HTML report: the iterations (target and achieved rate,
 * completed, interrupted, dropped), the response times from the intended start, and the iterations chart's data.
 * Each is empty for a closed-model run, so those reports are unchanged.
 */
import {
  droppedAtStopNote,
  type EntrySnapshot,
  type IterationColumns,
  interruptedIterationsWarning,
  PERCENTILES_TO_REPORT,
  percentileLabel,
  type StatsSnapshot,
} from "../stats/index.js";
import { formatMs, interruptedText, lostWithWorkersText } from "./console.js";
import { escapeHtml } from "./html-sections.js";
import type { ReportMeta } from "./json-schema.js";

const rate = (value: number) => `${Number(value.toFixed(2))}/s`;

/** Rows for the report's header: the arrival rate and the caps of an arrival-rate test. */
export function openModelMetaRows(meta: ReportMeta): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const arrival = meta.arrivalRate;
  if (arrival !== null) {
    const ramp = arrival.to === null ? "" : ` → ${arrival.to}/s over ${(arrival.rampMs ?? 0) / 1000} s`;
    rows.push(["Arrival rate", `${arrival.from}/s${ramp}`]);
  }
  if (meta.openModel !== null) {
    rows.push(["Max users", String(meta.openModel.maxUsers)]);
    rows.push(["Max queue time", `${meta.openModel.maxQueueTimeMs / 1000} s`]);
  }
  return rows;
}

/**
 * "Iterations": what the arrival rate asked for, what started, what was dropped, and what
 * completed; `ended`: the test is over, so those still in flight were interrupted;
 * `capacitySearch`: the test was one, whose steps the interrupted ones do not touch.
 */
export function iterationsSection(snapshot: StatsSnapshot, ended: boolean, capacitySearch = false): string {
  const it = snapshot.iterations;
  if (it === undefined) return "";
  const share = it.scheduled > 0 ? ((it.dropped / it.scheduled) * 100).toFixed(2) : "0.00";
  const atStop = it.droppedAtStop > 0 ? `, ${it.droppedAtStop} at the stop` : "";
  const cells: Array<[string, string]> = [
    ["Target rate (at the end)", rate(it.targetRate)],
    ["Scheduled", String(it.scheduled)],
    ["Started", `${it.started} (${rate(it.totalRate)})`],
    ["Completed", String(it.completed)],
    // The row's label says "Interrupted": the cell gives the count without the word again.
    ended ? ["Interrupted", interruptedText(it, "")] : ["In flight", String(it.inFlight)],
    ["Dropped", `${it.dropped} (${share}%${atStop})`],
  ];
  if (it.lostWithWorkers > 0) cells.push(["Lost with missing workers (about)", String(it.lostWithWorkers)]);
  if (it.waiting > 0) cells.push(["Waiting", String(it.waiting)]);
  const rows = cells.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
  let notes = "";
  // Those the stop dropped were still waiting: the stop ended their wait, not the queue time.
  const waitedOut = it.dropped - it.droppedAtStop;
  if (waitedOut > 0)
    notes += `<p class="flag" data-flag="dropped-iterations">⚠ ${waitedOut} iterations found no free user within the queue time and were dropped: the target was too slow for this rate, or --max-users too low.</p>`;
  const atStopNote = droppedAtStopNote(it.droppedAtStop);
  if (atStopNote !== undefined)
    notes += `<p class="sub" data-flag="dropped-at-stop">${escapeHtml(atStopNote)}.</p>`;
  if (it.lostWithWorkers > 0)
    notes += `<p class="flag" data-flag="lost-with-workers">⚠ ${escapeHtml(lostWithWorkersText(it.lostWithWorkers))}.</p>`;
  const warning = ended ? interruptedIterationsWarning(it, null, capacitySearch) : undefined;
  if (warning !== undefined)
    notes += warning.serious
      ? `<p class="flag" data-flag="interrupted-iterations">⚠ ${escapeHtml(warning.text)}</p>`
      : `<p class="sub" data-flag="interrupted-iterations">${escapeHtml(warning.text)}</p>`;
  return `<section id="iterations"><h2>Iterations (arrival rate)</h2><dl class="meta">${rows}</dl>${notes}</section>`;
}

function intendedRow(entry: EntrySnapshot, total: boolean): string {
  const intended = entry.intended;
  if (intended === undefined) return "";
  const cells = intended.percentiles.map(([, v]) => `<td>${v === null ? "–" : formatMs(v)}</td>`).join("");
  return `<tr${total ? ' class="total"' : ""}><td class="l">${escapeHtml(entry.method)}</td><td class="name">${escapeHtml(entry.name)}</td>${cells}<td>${intended.count}</td></tr>`;
}

/** The percentiles of the response times from the intended start (waits for a free user included). */
export function intendedPercentilesSection(snapshot: StatsSnapshot): string {
  if (snapshot.total.intended === undefined) return "";
  const heads = PERCENTILES_TO_REPORT.map((p) => `<th>${escapeHtml(percentileLabel(p))}</th>`).join("");
  const rows = [...snapshot.entries.map((e) => intendedRow(e, false)), intendedRow(snapshot.total, true)]
    .filter((row) => row !== "")
    .join("\n");
  return `<section id="intended-response-times"><h2>Response times from the intended start (ms)</h2>
<p class="sub">From each iteration's scheduled start to the response: waiting for a free user and earlier requests of the iteration count, as a visitor arriving on schedule would feel them. The table above is the service time (send to response).</p>
<div class="scroll"><table><thead><tr><th class="l">Type</th><th class="l">Name</th>${heads}<th># reqs</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** The iterations chart's data for the page script (`it` of #cicada-data), or undefined. */
export function iterationChartData(
  columns: IterationColumns | undefined,
): Record<string, number[]> | undefined {
  if (columns === undefined || columns.timeMs.length === 0) return undefined;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    t: columns.timeMs.map((ms) => Math.round(ms / 1000)),
    target: columns.targetRate.map(round2),
    rate: columns.rate.map(round2),
    dropped: columns.droppedPerSec.map(round2),
  };
}
