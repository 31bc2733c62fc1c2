/**
 * The target-monitoring options (issue 13), appended to OPTION_TABLE, and their parsed,
 * checked form. See docs/monitoring.md.
 */
// The parsers themselves, not monitor/index.js: checking options loads no scraping code.
import {
  type MonitorConfig,
  normalisePrometheusUrl,
  parseEndpoints,
  parseLevels,
  parseMetrics,
  parseQueries,
  seriesDefinitions,
} from "../monitor/config.js";
import { DEFAULT_SATURATION_LEVELS } from "../monitor/saturation.js";
import { UsageError } from "../shared/errors.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const group = "Target monitoring options";

/** Default and smallest scrape interval, ms. */
export const DEFAULT_MONITOR_INTERVAL_MS = 1000;
export const MIN_MONITOR_INTERVAL_MS = 100;

export const MONITOR_OPTIONS: OptionSpec[] = [
  {
    flags: "--monitor <url>",
    key: "monitor",
    kind: "list",
    group,
    description:
      "Scrape this Prometheus exporter during the test (repeatable): URL, host:port, a bare host (port 9100, node_exporter's) or LABEL=URL, e.g. --monitor db=10.0.0.8:9187. node_exporter's CPU, load, memory, swap, disk, network and TCP figures are derived per host",
  },
  {
    flags: "--monitor-interval <time>",
    key: "monitorInterval",
    kind: "timespan",
    group,
    defaultValue: "1s",
    description:
      "How often to scrape and query, e.g. 0.5s, 1s, 5s (a scrape slower than this counts as failed)",
  },
  {
    flags: "--monitor-metric <name=expression>",
    key: "monitorMetric",
    kind: "entries",
    group,
    description:
      'Record another series of the exporters (repeatable): NAME=metric{label="value"} as a gauge, or NAME=rate(metric{...}) as a rate per second; sum (default), max, min or avg over matching series',
  },
  {
    flags: "--monitor-level <name=level>",
    key: "monitorLevel",
    kind: "list",
    group,
    description:
      "A saturation level (repeatable), e.g. cpu=80 or tps=5000; defaults: cpu=90, cpuMax=95 (the busiest core), memory=90, diskBusy=90 (%)",
  },
  {
    flags: "--prometheus <url>",
    key: "prometheus",
    kind: "string",
    group,
    description: "A Prometheus server to query with --monitor-query, e.g. http://10.0.0.5:9090",
  },
  {
    flags: "--monitor-query <name=promql>",
    key: "monitorQuery",
    kind: "entries",
    group,
    description:
      "Record a PromQL query from --prometheus (repeatable), live and over the test's range at the end; one host per `instance` label. In the env var or cicada.conf, separate several with ;",
  },
];

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** Whether any monitoring option was given (a worker ignores them: its master scrapes). */
export function hasMonitorOptions(options: CliOptions): boolean {
  return MONITOR_OPTIONS.some((spec) => spec.key !== "monitorInterval" && options[spec.key] !== undefined);
}

/**
 * The monitoring configuration of the options, or undefined when nothing is to be
 * monitored.
 * @throws UsageError (CICADA_ERR_MONITOR) listing every problem.
 */
export function monitorConfigOf(options: CliOptions): MonitorConfig | undefined {
  const endpointsText = strings(options.monitor);
  const metricsText = strings(options.monitorMetric);
  const levelsText = strings(options.monitorLevel);
  const queriesText = strings(options.monitorQuery);
  const prometheusText =
    typeof options.prometheus === "string" && options.prometheus !== "" ? options.prometheus : undefined;
  if (
    endpointsText.length + metricsText.length + queriesText.length + levelsText.length === 0 &&
    prometheusText === undefined
  ) {
    return undefined;
  }
  const problems: string[] = [];
  const attempt = <T>(what: string, parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      problems.push(`✖ ${what}: ${(error as Error).message}`);
      return fallback;
    }
  };
  const taken = new Set<string>();
  const config: MonitorConfig = {
    endpoints: attempt("--monitor", () => parseEndpoints(endpointsText), []),
    metrics: attempt("--monitor-metric", () => parseMetrics(metricsText, taken), []),
    queries: attempt("--monitor-query", () => parseQueries(queriesText, taken), []),
    prometheus:
      prometheusText && attempt("--prometheus", () => normalisePrometheusUrl(prometheusText), undefined),
    levels: attempt("--monitor-level", () => parseLevels(levelsText), []),
    intervalMs:
      typeof options.monitorInterval === "number" ? options.monitorInterval : DEFAULT_MONITOR_INTERVAL_MS,
  };
  if (config.intervalMs < MIN_MONITOR_INTERVAL_MS)
    problems.push(`✖ --monitor-interval must be at least ${MIN_MONITOR_INTERVAL_MS / 1000} s`);
  if (config.queries.length > 0 && prometheusText === undefined)
    problems.push("✖ --monitor-query needs --prometheus URL (the server to query)");
  if (prometheusText !== undefined && queriesText.length === 0)
    problems.push("✖ --prometheus needs at least one --monitor-query NAME=PROMQL");
  if (metricsText.length > 0 && endpointsText.length === 0)
    problems.push("✖ --monitor-metric needs --monitor URL (the exporters to read it from)");
  // --monitor-query and --monitor-metric each say what they lack (above): one message, not two.
  if (endpointsText.length + queriesText.length + metricsText.length === 0 && prometheusText === undefined)
    problems.push("✖ nothing to monitor: add --monitor URL or --prometheus URL");
  const known = new Set(seriesDefinitions(config).map((s) => s.name));
  for (const { series } of config.levels) {
    const isDefault = DEFAULT_SATURATION_LEVELS.some((level) => level.series === series);
    if (!known.has(series) && !(isDefault && config.endpoints.length === 0)) {
      problems.push(
        `✖ --monitor-level: '${series}' is not a monitored series (series: ${[...known].join(", ")})`,
      );
    }
  }
  if (problems.length > 0) {
    // The example of the way being used: a Prometheus server's queries, or exporters.
    const example =
      queriesText.length > 0 || prometheusText !== undefined
        ? "--prometheus http://10.0.0.9:9090 --monitor-query 'cpu_busy=100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[30s])))'"
        : "--monitor 10.0.0.7:9100 --monitor-metric 'tps=rate(pg_stat_database_xact_commit)'";
    throw new UsageError("CICADA_ERR_MONITOR", `invalid monitoring options:\n${problems.join("\n")}`, {
      hint: `e.g. ${example}; see docs/monitoring.md`,
    });
  }
  return config;
}
