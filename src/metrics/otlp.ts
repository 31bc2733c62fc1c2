/**
 * OTLP/HTTP export: the same families as OpenTelemetry metric data (cumulative sums,
 * gauges, explicit-bucket histograms with Cicada's exact min and max), sent by the
 * official OpenTelemetry exporter (@opentelemetry/exporter-metrics-otlp-proto, protobuf
 * over HTTP). Those packages are optional dependencies, loaded only for `--otlp`.
 *
 * Names: a counter loses its `_total` (OpenTelemetry's convention; its Prometheus
 * translation adds it back), so Prometheus fed by OTLP shows the /metrics names.
 */
import { EnvironmentError } from "../shared/errors.js";
import type { MetricFamily } from "./families.js";
import type { PushOutcome, PushPayload } from "./push-loop.js";

/** The optional packages, as --otlp needs them. */
const OTLP_PACKAGES = [
  "@opentelemetry/exporter-metrics-otlp-proto",
  "@opentelemetry/sdk-metrics",
  "@opentelemetry/resources",
  "@opentelemetry/api",
];

export interface OtelModules {
  exporter: typeof import("@opentelemetry/exporter-metrics-otlp-proto");
  sdk: typeof import("@opentelemetry/sdk-metrics");
  resources: typeof import("@opentelemetry/resources");
  api: typeof import("@opentelemetry/api");
}

async function importOtel(): Promise<OtelModules> {
  const [exporter, sdk, resources, api] = await Promise.all([
    import("@opentelemetry/exporter-metrics-otlp-proto"),
    import("@opentelemetry/sdk-metrics"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/api"),
  ]);
  return { exporter, sdk, resources, api };
}

/** Loads the OpenTelemetry packages, or says how to install them. */
export async function loadOtel(): Promise<OtelModules> {
  try {
    return await importOtel();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new EnvironmentError(
      "CICADA_ERR_OTLP_PACKAGES",
      "--otlp needs the OpenTelemetry packages, which are optional dependencies of Cicada and are not installed",
      {
        hint: `Install them next to Cicada: npm install ${OTLP_PACKAGES.join(" ")} (or drop --otlp)`,
        cause: error,
      },
    );
  }
}

/** --otlp URL: a bare origin gets OTLP's metrics path. */
export function otlpMetricsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/v1/metrics";
  return parsed.toString();
}

export interface OtlpSender {
  /** The push of `families` measured from `startMs` to `endMs` (epoch ms). */
  payload(families: MetricFamily[], startMs: number, endMs: number): PushPayload;
  shutdown(): Promise<void>;
}

/** An exporter for `url`; `resourceAttributes` describe this process (service.name ...). */
export function createOtlpSender(
  otel: OtelModules,
  url: string,
  resourceAttributes: Record<string, string>,
  version: string,
  timeoutMs: number,
): OtlpSender {
  // The exporter retries 429/502/503/504 itself within its timeout.
  const exporter = new otel.exporter.OTLPMetricExporter({
    url: otlpMetricsUrl(url),
    timeoutMillis: timeoutMs,
  });
  const resource = otel.resources.resourceFromAttributes(resourceAttributes);
  const { AggregationTemporality, DataPointType } = otel.sdk;
  const { ValueType } = otel.api;
  type Metric = import("@opentelemetry/sdk-metrics").MetricData;

  const toMetric = (family: MetricFamily, startMs: number, endMs: number): Metric => {
    const times = { startTime: hrTime(startMs), endTime: hrTime(endMs) };
    const descriptor = {
      name: family.kind === "counter" ? family.name.replace(/_total$/, "") : family.name,
      description: family.help,
      unit: family.unit,
      valueType: ValueType.DOUBLE,
    };
    const cumulative = AggregationTemporality.CUMULATIVE;
    if (family.kind === "histogram") {
      return {
        descriptor,
        aggregationTemporality: cumulative,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: family.samples.map((s) => ({
          ...times,
          attributes: { ...s.labels },
          value: {
            buckets: { boundaries: [...family.bounds], counts: perBucketCounts(s.cumulativeCounts, s.count) },
            sum: s.sum,
            count: s.count,
            ...(s.min === undefined ? {} : { min: s.min, max: s.max }),
          },
        })),
      };
    }
    const dataPoints = family.samples.map((s) => ({ ...times, attributes: { ...s.labels }, value: s.value }));
    return family.kind === "counter"
      ? {
          descriptor,
          aggregationTemporality: cumulative,
          dataPointType: DataPointType.SUM,
          dataPoints,
          isMonotonic: true,
        }
      : { descriptor, aggregationTemporality: cumulative, dataPointType: DataPointType.GAUGE, dataPoints };
  };

  return {
    payload(families, startMs, endMs) {
      const resourceMetrics = {
        resource,
        scopeMetrics: [
          { scope: { name: "cicada", version }, metrics: families.map((f) => toMetric(f, startMs, endMs)) },
        ],
      };
      return {
        // Only the newest state is kept (cumulative), so the size hardly matters: one data point ~ 100 B.
        bytes: families.reduce((n, f) => n + f.samples.length * 100, 0),
        send: () =>
          new Promise<PushOutcome>((resolve) =>
            exporter.export(resourceMetrics, (result) =>
              resolve(
                result.code === 0
                  ? { delivered: true }
                  : { delivered: false, retryable: true, reason: result.error?.message ?? "export failed" },
              ),
            ),
          ),
      };
    },
    shutdown: () => exporter.shutdown(),
  };
}

/** OTLP's per-bucket counts (the last one above every bound) from cumulative ones. */
export function perBucketCounts(cumulative: readonly number[], count: number): number[] {
  const counts = cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]!));
  counts.push(count - (cumulative.at(-1) ?? 0));
  return counts;
}

function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
