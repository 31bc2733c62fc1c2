/**
 * The text a scrape of /metrics gets: Prometheus's text format 0.0.4, or OpenMetrics 1.0
 * when the scraper asks for it (Prometheus does), written by prom-client (escaping,
 * number formats, OpenMetrics' `_total` and `# EOF`). prom-client is loaded on the first
 * scrape, so a run that is never scraped does not pay for it.
 */
import type { RegistryContentType } from "prom-client";
import type { MetricFamily } from "./families.js";

/** One line of the exposition: a sample name (with _bucket/_sum/_count), labels and a value. */
export interface FlatSample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/** A family's samples as Prometheus lays them out; histograms become _bucket, _sum and _count. */
export function flattenFamily(family: MetricFamily): FlatSample[] {
  if (family.kind !== "histogram") {
    return family.samples.map((s) => ({ metricName: family.name, labels: { ...s.labels }, value: s.value }));
  }
  const out: FlatSample[] = [];
  for (const sample of family.samples) {
    family.bounds.forEach((bound, i) => {
      out.push({
        metricName: `${family.name}_bucket`,
        labels: { ...sample.labels, le: String(bound) },
        value: sample.cumulativeCounts[i]!,
      });
    });
    out.push({
      metricName: `${family.name}_bucket`,
      labels: { ...sample.labels, le: "+Inf" },
      value: sample.count,
    });
    out.push({ metricName: `${family.name}_sum`, labels: { ...sample.labels }, value: sample.sum });
    out.push({ metricName: `${family.name}_count`, labels: { ...sample.labels }, value: sample.count });
  }
  return out;
}

/** True when an Accept header prefers OpenMetrics (Prometheus's scrapes do). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

export interface Exposition {
  contentType: string;
  body: string;
}

/** Renders `families` in the format the scraper asked for. */
export async function renderExposition(families: MetricFamily[], openMetrics: boolean): Promise<Exposition> {
  const { Registry } = await import("prom-client");
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
  for (const family of families) {
    // A counter's samples take the metric's name, which prom-client changes for OpenMetrics
    // (cicada_requests_total becomes the family cicada_requests with samples ..._total).
    const values = flattenFamily(family).map(({ metricName, labels, value }) =>
      family.kind === "histogram" ? { metricName, labels, value } : { labels, value },
    );
    // prom-client prints any registered object with a name, a type and get(); its own
    // cluster aggregator registers metrics the same way. A fresh registry per scrape,
    // because prom-client renames counters in place for OpenMetrics.
    const metric = {
      name: family.name,
      help: family.help,
      type: family.kind,
      get: async () => ({ name: metric.name, help: family.help, type: family.kind, values }),
    };
    registry.registerMetric(metric as unknown as Parameters<typeof registry.registerMetric>[0]);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
