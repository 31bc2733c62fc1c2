/**
 * The report and threshold options (Locust's names where Locust has them), appended to
 * OPTION_TABLE, and typed access to their parsed values.
 */
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const stats = "Stats and report options";
const thresholds = "Threshold options";

/** --csv, --csv-full-history, --html, --json, --json-file, --threshold, --junit. */
export const REPORT_OPTIONS: OptionSpec[] = [
  {
    flags: "--csv <prefix>",
    key: "csv",
    kind: "string",
    group: stats,
    description:
      "Write Locust's CSV files PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and PREFIX_exceptions.csv (rewritten every second); also PREFIX_iterations.csv in an arrival-rate test, PREFIX_monitor.csv with --monitor or --prometheus, PREFIX_checks.csv and PREFIX_metrics.csv when the locustfile has checks or custom metrics (docs/reports.md)",
  },
  {
    flags: "--csv-full-history",
    key: "csvFullHistory",
    kind: "boolean",
    group: stats,
    description: "Also write a row per request name to PREFIX_stats_history.csv (needs --csv)",
  },
  {
    flags: "--html <file>",
    key: "html",
    kind: "string",
    group: stats,
    description:
      "Write a self-contained HTML report at the end of the run (also on Ctrl-C); {u}, {r} and {t} become users, spawn rate and run time",
  },
  {
    flags: "--json",
    key: "json",
    kind: "boolean",
    group: stats,
    description: "Print the final statistics as JSON to stdout (tables and summary then go to stderr)",
    cliOnly: true,
  },
  {
    flags: "--json-file <name>",
    key: "jsonFile",
    kind: "string",
    group: stats,
    description:
      "Write the final statistics as JSON to NAME.json (to NAME itself when it is /dev/stdout, /dev/stderr, a FIFO or a device)",
  },
  {
    flags: "--threshold <expr>",
    key: "threshold",
    kind: "list",
    group: thresholds,
    description:
      'Pass/fail condition, repeatable: "p95<300" (all requests) or "NAME:EXPR", e.g. "/coupons:failRate<0.01"; a crossed threshold exits with 99',
  },
  {
    flags: "--junit <file>",
    key: "junit",
    kind: "string",
    group: thresholds,
    description: "Write the threshold results as JUnit XML (one test case per threshold) for CI",
  },
];

/** The parsed values of {@link REPORT_OPTIONS}. */
export interface ReportOptions {
  csv: string | undefined;
  csvFullHistory: boolean;
  html: string | undefined;
  json: boolean;
  jsonFile: string | undefined;
  thresholds: string[];
  junit: string | undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** Reads the report options out of the parsed CLI options. */
export function reportOptionsOf(options: CliOptions): ReportOptions {
  return {
    csv: text(options.csv),
    csvFullHistory: options.csvFullHistory === true,
    html: text(options.html),
    json: options.json === true,
    jsonFile: text(options.jsonFile),
    thresholds: Array.isArray(options.threshold) ? options.threshold.map(String) : [],
    junit: text(options.junit),
  };
}
