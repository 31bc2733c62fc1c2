/**
 * The capacity search's block of the console summary: the answer, what explains it, and
 * a table of every step (load, throughput, latencies, dropped iterations of an arrival-rate
 * search, failures, steady, verdict).
 */
import { type CapacityResult, type CapacityStep, formatGrowth, formatLoad } from "../shared/capacity.js";
import {
  capacityDetails,
  capacityHeadline,
  failRateTooFew,
  failureCount,
  formatDropped,
  formatShare,
} from "../shared/capacity-text.js";

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;
const msCell = (ms: number | null) => (ms === null ? "–" : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** The columns of the steps table: [heading, cell of a step]. */
function columns(result: CapacityResult): Array<[string, (step: CapacityStep) => string]> {
  const open = result.model === "arrival-rate";
  return [
    ["#", (s) => String(s.index)],
    ["phase", (s) => s.phase],
    [open ? "it/s" : "users", (s) => String(s.load)],
    ["req/s", (s) => s.rps.toFixed(1)],
    ["p50 ms", (s) => msCell(s.p50Ms)],
    ["p95 ms", (s) => msCell(s.p95Ms)],
    ["p99 ms", (s) => msCell(s.p99Ms)],
    ...(open
      ? ([
          ["p95 intended", (s: CapacityStep) => msCell(s.intendedP95Ms)],
          ["dropped", (s: CapacityStep) => formatDropped(s.droppedIterations)],
        ] as Array<[string, (s: CapacityStep) => string]>)
      : []),
    ["fail", (s) => formatShare(s.failRate)],
    ["held", (s) => seconds(s.endTimeMs - (s.holdStartMs ?? s.startTimeMs))],
    ["steady", (s) => (s.steady ? "yes" : "no")],
    ["verdict", (s) => (s.passed ? `met every SLO${unsureNote(s)}` : `broke ${brokenParts(s)}`.trimEnd())],
  ];
}

/** A step that met its SLOs with a failure rate over the limit on too few failures: " (failRate<1%: 4 of 398 requests, too few to be sure)". */
function unsureNote(step: CapacityStep): string {
  const over = step.checks.filter((check) => failRateTooFew(check, step));
  return over.map((check) => ` (${check.expression}: ${failureCount(check, step)})`).join("");
}

/**
 * What a step broke, in short: its failed SLOs (a failure rate with its count),
 * "keep-up" (the open model's target lagged), "dropped".
 */
function brokenParts(step: CapacityStep): string {
  const parts = step.checks
    .filter((check) => !check.passed)
    .map((check) =>
      check.expression.startsWith("failRate")
        ? `${check.expression} (${failureCount(check, step)})`
        : check.expression,
    );
  if (step.reason.includes("keep-up:")) parts.push("keep-up");
  if (/\bdropped \d+ iterations/.test(step.reason)) parts.push("dropped");
  return parts.join(", ");
}

/** The steps as an aligned table (text columns left, numbers right). */
export function formatCapacitySteps(result: CapacityResult): string[] {
  const cols = columns(result);
  const rows = [
    cols.map(([heading]) => heading),
    ...result.steps.map((step) => cols.map(([, cell]) => cell(step))),
  ];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const left = new Set(["phase", "steady", "verdict"]);
  return rows.map(
    (row) =>
      `    ${row
        .map((cell, i) => (left.has(cols[i]![0]) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join("  ")
        .trimEnd()}`,
  );
}

/** The whole block, or [] when no search ran. */
export function formatCapacitySummary(result: CapacityResult | undefined): string[] {
  if (result === undefined) return [];
  const { settings } = result;
  return [
    `Capacity search (${result.model === "users" ? "users" : "arrival rate"}; SLOs: ${settings.slos.join(", ")})`,
    `  ${capacityHeadline(result)}`,
    ...capacityDetails(result).map((line) => `  ${line}`),
    `  Steps (${formatLoad(result.model, settings.start)} first, ${formatGrowth(settings.growth)}, each held ` +
      `${seconds(settings.minHoldMs)} to ${seconds(settings.maxHoldMs)} once its load was reached):`,
    ...formatCapacitySteps(result),
    "",
  ];
}
