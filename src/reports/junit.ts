/**
 * Thresholds as JUnit XML (`--junit FILE`), the format CI systems (GitHub Actions test
 * reporters, GitLab, Jenkins, Azure) display: one test suite, one test case per threshold,
 * a <failure> for each one that failed.
 */
import type { JsonThresholdResult, ReportMeta } from "./json-schema.js";
import { formatMeasured, interruptedWarning } from "./threshold-eval.js";

/** Escapes text for XML attributes and content. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .split("")
    .filter(isXmlChar)
    .join("");
}

/** XML 1.0 forbids control characters other than tab, line feed and carriage return. */
function isXmlChar(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testCase(result: JsonThresholdResult): string {
  const name = escapeXml(`${result.key}: ${result.expression}`);
  const open = `    <testcase classname="cicada.thresholds" name="${name}" time="0">`;
  if (result.passed) {
    // A pass on incomplete data says so where CI shows a passed case's output.
    const warning = interruptedWarning(result);
    const out = `measured ${formatMeasured(result)}${warning ? `\n${warning}` : ""}`;
    return `${open}\n      <system-out>${escapeXml(out)}</system-out>\n    </testcase>`;
  }
  const message =
    result.reason ??
    `measured ${formatMeasured(result)}, expected ${result.metric} ${result.operator} ${result.limit}`;
  const detail = `${result.key}: ${result.expression}\n${message}${result.aborted ? "\nThis threshold aborted the run." : ""}`;
  return `${open}\n      <failure type="threshold" message="${escapeXml(message)}">${escapeXml(detail)}</failure>\n    </testcase>`;
}

/** The load as one property value: "500" iterations/s, or "100:1000 over 60 s" for a ramp. */
function arrivalRateProperty(meta: ReportMeta): string {
  const rate = meta.arrivalRate;
  if (rate === null) return "";
  if (rate.to === null) return String(rate.from);
  return `${rate.from}:${rate.to}${rate.rampMs === null ? "" : ` over ${seconds(rate.rampMs).replace(/\.?0+$/, "")} s`}`;
}

/**
 * The JUnit XML document of a run's threshold results. The run's flags (interrupted, ended by
 * the watchdog, stopped by a threshold, the generator overloaded) are properties and the
 * suite's output: a cancelled run whose thresholds passed on what it measured is not a
 * silent green.
 */
export function renderJunitXml(results: readonly JsonThresholdResult[], meta: ReportMeta): string {
  const failures = results.filter((r) => !r.passed).length;
  const time = seconds(meta.durationMs);
  const timestamp = new Date(meta.startTimeMs).toISOString().slice(0, 19);
  const properties = [
    ["host", meta.host ?? ""],
    ["locustfile", meta.locustfile],
    ["loadModel", meta.loadModel],
    ["users", meta.users === null ? "" : String(meta.users)],
    ["spawnRate", meta.spawnRate === null ? "" : String(meta.spawnRate)],
    ["arrivalRate", arrivalRateProperty(meta)],
    ["flags", meta.flags.map((flag) => flag.code).join(",")],
    ["cicadaVersion", meta.cicadaVersion],
  ]
    .map(([name, value]) => `      <property name="${escapeXml(name!)}" value="${escapeXml(value!)}"/>`)
    .join("\n");
  const flagged = meta.flags.map((flag) => `⚠ ${flag.message}`).join("\n");
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="cicada" tests="${results.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="cicada thresholds" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${timestamp}">`,
    `    <properties>\n${properties}\n    </properties>`,
    ...results.map(testCase),
    ...(flagged ? [`    <system-out>${escapeXml(flagged)}</system-out>`] : []),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
