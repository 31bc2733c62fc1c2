/** Monitored values and saturation findings as text for people (console, reports, UI). */
import type { LoadAtMoment, ResourceValue, SaturationFinding } from "./saturation.js";

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"];

/** "96 %", "12.3 MB/s", "1,520", "3.21". */
export function formatMonitorValue(value: number, unit: string): string {
  if (unit === "B/s") {
    let scaled = value;
    let index = 0;
    while (Math.abs(scaled) >= 1000 && index < BYTE_UNITS.length - 1) {
      scaled /= 1000;
      index++;
    }
    return `${scaled.toFixed(index === 0 ? 0 : 1)} ${BYTE_UNITS[index]}/s`;
  }
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", { maximumFractionDigits: digits });
  if (unit === "%") return `${text} %`;
  return unit === "" ? text : `${text} ${unit}`;
}

/** "12:03:10 UTC". */
function clock(timeMs: number): string {
  return `${new Date(timeMs).toISOString().slice(11, 19)} UTC`;
}

/** "1m 23s", "45s". */
function sinceStart(timeMs: number, startMs: number | undefined): string {
  if (startMs === undefined) return "";
  const seconds = Math.max(0, Math.round((timeMs - startMs) / 1000));
  const text =
    seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `, ${text} into the test`;
}

const ms = (value: number) =>
  `${value.toLocaleString("en-US", { maximumFractionDigits: value >= 100 ? 0 : 1 })} ms`;

function resource(value: ResourceValue): string {
  return `${value.host} ${value.label} ${formatValueBelowLevel(value)}`;
}

/**
 * A value that stayed below its level, never printed as the level itself: 99.996 % beside
 * a level of 100 % reads "99.99 %", not "100 %" (which would contradict "not reached").
 */
export function formatValueBelowLevel({
  value,
  level,
  unit,
}: Pick<ResourceValue, "value" | "level" | "unit">): string {
  const text = formatMonitorValue(value, unit);
  if (value >= level || unit === "B/s" || text !== formatMonitorValue(level, unit)) return text;
  const truncated = (Math.floor(value * 100) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 });
  return unit === "" ? truncated : `${truncated} ${unit}`;
}

function loadText(load: LoadAtMoment | null): string {
  if (load === null) return "no load data at that moment";
  const users = `${load.users.toLocaleString("en-US")} users`;
  // A distributed master's last seconds: the workers have not reported them yet.
  if (load.rps === null) return `${users}, req/s not reported yet`;
  return `${users}, ${load.rps.toLocaleString("en-US", { maximumFractionDigits: 1 })} req/s`;
}

function generatorNote(cpu: number | null): string {
  if (cpu === null || cpu < 90) return "";
  return ` The load generator's own CPU was at ${Math.round(cpu)} % of a core then: Cicada itself may be the bottleneck (use more processes).`;
}

/**
 * When the saturated CPU is the load generator's own machine's: Cicada's share of it, so a
 * reader tells a busy machine from a busy Cicada ("Cicada's own CPU was 15 % of a core
 * then, 7.5 % of this machine's 2 CPUs").
 */
function generatorShare(finding: Saturated): string {
  const cpu = finding.generatorCpuPercent;
  if (finding.generatorMachine === null || cpu === null || !finding.series.startsWith("cpu")) return "";
  const cpus = finding.generatorMachine.cpus;
  const ofMachine =
    cpus === null
      ? ""
      : `, ${formatMonitorValue(cpu / cpus, "%")} of this machine's ${cpus} CPU${cpus === 1 ? "" : "s"}`;
  return ` ${finding.host} is the load generator's own machine: Cicada's own CPU was ${formatMonitorValue(cpu, "%")} of a core then${ofMachine}.`;
}

type Saturated = Extract<SaturationFinding, { kind: "saturated" }>;

/** "it was 93 %": what the scrape taken as the test began measured. */
export function beforeLoadText(finding: Saturated): string {
  const evidence = finding.beforeLoad;
  return evidence === null ? "" : `it was ${formatMonitorValue(evidence.value, finding.unit)}`;
}

/** For the busiest core: why one full core is the limit while the CPU as a whole is not. */
export function singleCoreNote(finding: Saturated): string {
  if (finding.series !== "cpuMax") return "";
  const all =
    finding.allCoresPercent === null
      ? ""
      : ` while the CPU as a whole was ${formatMonitorValue(finding.allCoresPercent, "%")} busy`;
  if (!finding.singleCore) return all;
  return `${all}: one core at its limit is the bottleneck, as a single-threaded process (a typical Node or Python service) or a core busy with interrupts makes it`;
}

/**
 * One sentence for people, e.g. "10.0.0.7 CPU busy 96 % at 12:03:10 UTC, 1m 23s into the
 * test (340 users, 812 req/s, p95 from 45 ms to 930 ms)".
 */
export function describeSaturation(finding: SaturationFinding, startMs?: number): string {
  switch (finding.kind) {
    case "saturated": {
      const p95 = finding.load?.p95Ms ?? null;
      const before = finding.p95BeforeMs;
      // "from ... to ..." only when latency did rise (by more than a tenth) since before that moment.
      // (And as shown: "from 0.2 ms to 0.2 ms" says nothing.)
      const rose = p95 !== null && before !== null && p95 > before * 1.1 && ms(before) !== ms(p95);
      const latency =
        p95 === null ? "" : rose ? `, p95 from ${ms(before!)} to ${ms(p95)}` : `, p95 ${ms(p95)}`;
      const share = generatorShare(finding);
      if (finding.atStart) {
        return (
          `${finding.host} ${finding.label} was already ${formatMonitorValue(finding.value, finding.unit)} ` +
          `(level ${formatMonitorValue(finding.level, finding.unit)}) when the test began, at ${clock(finding.timeMs)} ` +
          `(${loadText(finding.load)}${latency}), and before any user ran ${beforeLoadText(finding)}: something ` +
          `besides this test keeps it busy, and its figures say little about the load.${share}${generatorNote(finding.generatorCpuPercent)}`
        );
      }
      return (
        `${resource(finding)} (level ${formatMonitorValue(finding.level, finding.unit)}) at ${clock(finding.timeMs)}` +
        `${sinceStart(finding.timeMs, startMs)} (${loadText(finding.load)}${latency})` +
        singleCoreNote(finding) +
        (share === "" ? "" : `.${share}`) +
        generatorNote(finding.generatorCpuPercent)
      );
    }
    case "latency-rose": {
      const later = finding.saturatedLater;
      if (later !== null) {
        return (
          `p95 rose from ${ms(finding.p95BeforeMs)} to ${ms(finding.load.p95Ms ?? finding.p95PeakMs)} at ${clock(finding.timeMs)}` +
          `${sinceStart(finding.timeMs, startMs)} (${loadText(finding.load)}; up to ${ms(finding.p95PeakMs)} later) while ` +
          "everything monitored on the target was below its saturation level: the bottleneck is elsewhere: a resource " +
          "not monitored, a database or service behind the target, locks, a connection pool, or the network. " +
          `A resource reached its level only later: ${resource(later)} (level ${formatMonitorValue(later.level, later.unit)}) ` +
          `at ${clock(later.timeMs)}${sinceStart(later.timeMs, startMs)}, a consequence or a second limit, not the first.` +
          generatorNote(finding.generatorCpuPercent)
        );
      }
      const highest = finding.highest
        ? ` (highest: ${resource(finding.highest)}, level ${formatMonitorValue(finding.highest.level, finding.highest.unit)})`
        : "";
      return (
        `Nothing monitored on the target reached its saturation level${highest}, yet p95 rose from ` +
        `${ms(finding.p95BeforeMs)} to ${ms(finding.load.p95Ms ?? finding.p95PeakMs)} at ${clock(finding.timeMs)}` +
        `${sinceStart(finding.timeMs, startMs)} (${loadText(finding.load)}; up to ${ms(finding.p95PeakMs)} later): ` +
        "the bottleneck is elsewhere: a resource not monitored, a database or service behind the target, " +
        `locks, a connection pool, or the network.${generatorNote(finding.generatorCpuPercent)}`
      );
    }
    case "none":
      return finding.highest
        ? `No monitored resource reached its saturation level (highest: ${resource(finding.highest)}, level ${formatMonitorValue(finding.highest.level, finding.highest.unit)}), and p95 held.`
        : "No monitored resource has a saturation level, and p95 held.";
    case "no-data":
      return "No value was recorded from the target.";
  }
}
