/**
 * Checks and custom metrics in the console summary and in their own CSV files
 * (`PREFIX_checks.csv`, `PREFIX_metrics.csv`). Pure functions of a stats snapshot; both
 * are empty when the locustfile has no checks or custom metrics, so a run without them
 * prints and writes exactly what it did before.
 */
import {
  type CheckSnapshot,
  type MetricSnapshot,
  PERCENTILES_TO_REPORT,
  percentileLabel,
  type StatsSnapshot,
} from "../stats/index.js";
import { formatMs } from "./console.js";
import { csvLine, pythonFloat } from "./csv.js";

/** Columns of `_checks.csv`. */
export const CHECKS_CSV_COLUMNS = ["Name", "Passes", "Fails", "Pass Rate"];
/** Columns of `_metrics.csv`: a counter fills Count (its sum) and Rate (per second), a gauge Value, Min, Max... */
export const METRICS_CSV_COLUMNS = [
  "Name",
  "Type",
  "Count",
  "Rate",
  "Value",
  "Min",
  "Max",
  "Average",
  "Median",
  ...PERCENTILES_TO_REPORT.map(percentileLabel),
  "Unit",
];

const MAX_NAME_WIDTH = 80;

/** Every check together, as the `checks` threshold sees them. */
export function allChecks(checks: readonly CheckSnapshot[]): CheckSnapshot {
  const passes = checks.reduce((sum, c) => sum + c.passes, 0);
  const fails = checks.reduce((sum, c) => sum + c.fails, 0);
  return { name: "All checks", passes, fails, rate: passes + fails > 0 ? passes / (passes + fails) : 0 };
}

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/** "Checks": passes, fails and pass rate per check, then all of them together. */
export function formatChecks(snapshot: StatsSnapshot): string[] {
  const checks = snapshot.checks;
  if (checks === undefined || checks.length === 0) return [];
  const width = Math.min(MAX_NAME_WIDTH, Math.max(24, ...checks.map((c) => c.name.length)));
  const line = (c: CheckSnapshot) =>
    `${truncate(c.name, width).padEnd(width)} ${String(c.passes).padStart(10)} ${String(c.fails).padStart(10)} ${percent(c.rate).padStart(10)}`;
  const separator = "-".repeat(width + 33);
  return [
    "Checks",
    `${"Name".padEnd(width)} ${"passes".padStart(10)} ${"fails".padStart(10)} ${"pass rate".padStart(10)}`,
    separator,
    ...checks.map(line),
    separator,
    line(allChecks(checks)),
    "",
  ];
}

/** "Custom metrics": one line per metric, in the terms of its kind. */
export function formatCustomMetrics(snapshot: StatsSnapshot): string[] {
  const metrics = snapshot.metrics;
  if (metrics === undefined || metrics.length === 0) return [];
  const width = Math.min(MAX_NAME_WIDTH, Math.max(24, ...metrics.map((m) => m.name.length)));
  return [
    "Custom metrics",
    ...metrics.map(
      (m) => `  ${truncate(m.name, width).padEnd(width)} ${m.kind.padEnd(8)} ${describeMetric(m)}`,
    ),
    "",
  ];
}

/** A metric's values in words: "20 (0.33/s)", "3 (min 0, max 12, merged by max)", ... */
export function describeMetric(m: MetricSnapshot): string {
  const n = (value: number | null) => (value === null ? "-" : formatMs(value));
  switch (m.kind) {
    case "counter":
      return `${formatNumber(m.count)} (${m.ratePerSec.toFixed(2)}/s)`;
    case "gauge":
      return m.value === null
        ? "never set"
        : `${formatNumber(m.value)} (min ${formatNumber(m.min!)}, max ${formatNumber(m.max!)}; workers merged by ${m.merge})`;
    case "rate":
      return m.total === 0 ? "no value" : `${percent(m.rate)} (${m.trues} of ${m.total})`;
    case "trend": {
      if (m.count === 0) return "no value";
      const at = (p: number) => n(m.percentiles.find(([q]) => q === p)?.[1] ?? null);
      const unit = m.unit === "" ? "" : ` ${m.unit}`;
      return `count ${m.count}, avg ${n(m.avg)}, min ${n(m.min)}, med ${n(m.med)}, p90 ${at(0.9)}, p95 ${at(0.95)}, p99 ${at(0.99)}, max ${n(m.max)}${unit}`;
    }
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** `_checks.csv`: a row per check, then "All checks"; "" when no check ran. */
export function checksCsv(snapshot: StatsSnapshot): string {
  const checks = snapshot.checks;
  if (checks === undefined || checks.length === 0) return "";
  const rows = [...checks, allChecks(checks)].map((c) => [c.name, c.passes, c.fails, pythonFloat(c.rate)]);
  return [CHECKS_CSV_COLUMNS, ...rows].map(csvLine).join("");
}

/** `_metrics.csv`: a row per custom metric (cells that do not apply to its kind are empty); "" when none. */
export function metricsCsv(snapshot: StatsSnapshot): string {
  const metrics = snapshot.metrics;
  if (metrics === undefined || metrics.length === 0) return "";
  const rows = metrics.map(metricCsvRow);
  return [METRICS_CSV_COLUMNS, ...rows].map(csvLine).join("");
}

const cell = (value: number | null | undefined) =>
  value === null || value === undefined ? "" : pythonFloat(value);
const noPercentiles = () => PERCENTILES_TO_REPORT.map(() => "");

function metricCsvRow(m: MetricSnapshot): Array<string | number> {
  switch (m.kind) {
    case "counter":
      return [m.name, m.kind, cell(m.count), cell(m.ratePerSec), "", "", "", "", "", ...noPercentiles(), ""];
    case "gauge":
      return [
        m.name,
        m.kind,
        "",
        "",
        cell(m.value),
        cell(m.min),
        cell(m.max),
        "",
        "",
        ...noPercentiles(),
        "",
      ];
    case "rate":
      return [
        m.name,
        m.kind,
        m.total,
        cell(m.total > 0 ? m.rate : null),
        m.trues,
        "",
        "",
        "",
        "",
        ...noPercentiles(),
        "",
      ];
    case "trend":
      return [
        m.name,
        m.kind,
        m.count,
        "",
        "",
        cell(m.min),
        cell(m.max),
        cell(m.avg),
        cell(m.med),
        ...m.percentiles.map(([, value]) => cell(value)),
        m.unit,
      ];
  }
}
