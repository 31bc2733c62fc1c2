/**
 * The target's block of the final console summary: per host the highest value of each
 * figure, the load generator's own CPU, what saturated first, and which endpoints failed
 * and how often.
 */
import { formatMonitorValue } from "../monitor/format.js";
import type { EndpointHealth, HostColumns, ScrapeFailureKind } from "../monitor/types.js";
import type { MonitorReport } from "./monitor-report.js";

function highest(column: ReadonlyArray<number | null> | undefined): number | null {
  let max: number | null = null;
  for (const v of column ?? [])
    if (v !== null && Number.isFinite(v)) max = max === null ? v : Math.max(max, v);
  return max;
}

/** Joins `parts` with ", " into lines of at most `width` characters, each indented. */
function wrap(parts: string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    const next = line === "" ? part : `${line}, ${part}`;
    if (line !== "" && indent.length + next.length > width) {
      lines.push(`${indent}${line},`);
      line = part;
    } else line = next;
  }
  if (line !== "") lines.push(`${indent}${line}`);
  return lines;
}

function hostLines(host: HostColumns, report: MonitorReport): string[] {
  const parts: string[] = [];
  for (const definition of report.data.series) {
    if (definition.name === "cpuMax" || definition.name === "load5" || definition.name === "load15") continue;
    const max = highest(host.values[definition.name]);
    // Swapping that never happened says nothing.
    if (max === null || (definition.name === "swapIo" && max === 0)) continue;
    let text = `${definition.label} ${formatMonitorValue(max, definition.unit)}`;
    if (definition.name === "cpu") {
      const core = highest(host.values.cpuMax);
      if (core !== null) text += ` (busiest core ${formatMonitorValue(core, "%")})`;
    }
    parts.push(text);
  }
  const info = host.info
    ? ` (${host.info.cpus} CPUs, ${formatMonitorValue(host.info.memoryBytes / 1e9, "GB")} memory)`
    : "";
  if (parts.length === 0) return [`  ${host.host}${info}: no value recorded`];
  return [`  ${host.host}${info}, highest values:`, ...wrap(parts, "    ")];
}

function failureLine(endpoint: EndpointHealth): string {
  const kinds = (Object.entries(endpoint.byKind) as Array<[ScrapeFailureKind, number]>)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  return (
    `  ✗ ${endpoint.url} (${endpoint.label}): ${endpoint.failures} of ${endpoint.scrapes} scrapes failed (${kinds})` +
    (endpoint.lastError ? `, last: ${endpoint.lastError}` : "")
  );
}

/** The lines of the block (empty when nothing was monitored). */
export function formatMonitorSummary(report: MonitorReport | undefined): string[] {
  if (report === undefined) return [];
  const { data } = report;
  const lines = [`Target resources (every ${data.intervalMs / 1000} s)`];
  for (const host of data.hosts) lines.push(...hostLines(host, report));
  if (data.hosts.length === 0) lines.push("  no value was recorded from any endpoint");
  const generator = highest(data.generator.cpuPercent);
  if (generator !== null) {
    const worker = highest(data.generator.workerCpuPercent ?? []);
    lines.push(
      `  load generator: Cicada's CPU up to ${formatMonitorValue(generator, "%")} of a core` +
        (worker === null ? "" : `, busiest worker up to ${formatMonitorValue(worker, "%")}`),
    );
  }
  lines.push(
    `  ${report.finding.kind === "saturated" ? "Saturated first" : "Saturation"}: ${report.findingText}`,
  );
  for (const endpoint of data.endpoints) if (endpoint.failures > 0) lines.push(failureLine(endpoint));
  lines.push("");
  return lines;
}
