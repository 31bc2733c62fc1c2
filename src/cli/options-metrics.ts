/**
 * The metrics export options (docs/metrics.md), appended to OPTION_TABLE, and their checks.
 */
import { UsageError } from "../shared/errors.js";
import { isHttpUrl } from "../shared/url.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const group = "Metrics export options";

export const METRICS_OPTIONS: OptionSpec[] = [
  {
    flags: "--metrics-port <port>",
    key: "metricsPort",
    kind: "int",
    group,
    description:
      "Serve Prometheus metrics at /metrics on this port (0: any free one), on --web-host (default 127.0.0.1) and behind --web-login; the web UI serves /metrics anyway",
  },
  {
    flags: "--prometheus-remote-write <url>",
    key: "prometheusRemoteWrite",
    kind: "string",
    group,
    description:
      "Push the same series to this Prometheus remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write (user:password@ in the URL for Basic auth)",
  },
  {
    flags: "--otlp <url>",
    key: "otlp",
    kind: "string",
    group,
    description:
      "Push the same series over OTLP/HTTP (protobuf) to this URL, e.g. http://127.0.0.1:4318 (/v1/metrics is added to a bare address); needs the optional @opentelemetry packages",
  },
  {
    flags: "--metrics-push-interval <time>",
    key: "metricsPushInterval",
    kind: "timespan",
    group,
    description: "How often --prometheus-remote-write and --otlp push (default 5s)",
    defaultValue: "5s",
  },
];

/** The metrics options of a run, checked. */
export interface MetricsOptions {
  port: number | undefined;
  remoteWriteUrl: string | undefined;
  otlpUrl: string | undefined;
  pushIntervalMs: number;
}

/** True when the run asked for any export besides the web UI's /metrics. */
export function asksForMetricsExport(options: CliOptions): boolean {
  return (
    options.metricsPort !== undefined ||
    options.prometheusRemoteWrite !== undefined ||
    options.otlp !== undefined
  );
}

/** Reads and checks the metrics options; every problem is reported at once. */
export function readMetricsOptions(options: CliOptions): MetricsOptions {
  const problems: string[] = [];
  const port = options.metricsPort as number | undefined;
  if (port !== undefined && (port < 0 || port > 65535)) {
    problems.push(`✖ --metrics-port must be 0 to 65535, got '${port}'`);
  }
  const url = (flag: string, value: unknown) => {
    if (value === undefined) return undefined;
    if (isHttpUrl(String(value))) return String(value);
    problems.push(`✖ ${flag} must be an http:// or https:// URL, got '${String(value)}'`);
    return undefined;
  };
  const remoteWriteUrl = url("--prometheus-remote-write", options.prometheusRemoteWrite);
  const otlpUrl = url("--otlp", options.otlp);
  const pushIntervalMs = (options.metricsPushInterval as number | undefined) ?? 5000;
  if (pushIntervalMs < 1000) {
    problems.push(`✖ --metrics-push-interval must be at least 1s, got '${pushIntervalMs / 1000}s'`);
  }
  if (problems.length > 0) {
    throw new UsageError("CICADA_ERR_OPTIONS", `invalid options:\n${problems.join("\n")}`, {
      hint: "Run cicada --help for the metrics export options (docs/metrics.md)",
    });
  }
  return { port, remoteWriteUrl, otlpUrl, pushIntervalMs };
}
