/** Checks and custom metrics in the JSON report (json-schema.ts: JsonCheck, JsonMetric). */
import { type MetricSnapshot, PERCENTILES_TO_REPORT, type StatsSnapshot } from "../stats/index.js";
import { type JsonCheck, type JsonMetric, PERCENTILE_KEYS, type PercentileKey } from "./json-schema.js";

/** The report's `checks`: every check, sorted by name. */
export function checksJson(snapshot: StatsSnapshot): JsonCheck[] {
  return (snapshot.checks ?? []).map((c) => ({
    name: c.name,
    passes: c.passes,
    fails: c.fails,
    rate: c.rate,
  }));
}

const NONE = {
  count: null,
  rate: null,
  value: null,
  merge: null,
  trues: null,
  min: null,
  max: null,
  avg: null,
  med: null,
  percentiles: null,
  unit: "",
} as const;

/** The report's `metrics`: every custom metric, sorted by name, with the fields of its kind. */
export function metricsJson(snapshot: StatsSnapshot): JsonMetric[] {
  return (snapshot.metrics ?? []).map(metricJson);
}

function metricJson(m: MetricSnapshot): JsonMetric {
  switch (m.kind) {
    case "counter":
      return { ...NONE, name: m.name, kind: m.kind, count: m.count, rate: m.ratePerSec };
    case "gauge":
      return {
        ...NONE,
        name: m.name,
        kind: m.kind,
        value: m.value,
        merge: m.merge,
        min: m.min,
        max: m.max,
      };
    case "rate":
      return {
        ...NONE,
        name: m.name,
        kind: m.kind,
        count: m.total,
        trues: m.trues,
        rate: m.total > 0 ? m.rate : null,
      };
    case "trend": {
      const percentiles = {} as Record<PercentileKey, number | null>;
      PERCENTILE_KEYS.forEach((key, i) => {
        percentiles[key] = m.percentiles.find(([p]) => p === PERCENTILES_TO_REPORT[i])?.[1] ?? null;
      });
      return {
        ...NONE,
        name: m.name,
        kind: m.kind,
        count: m.count,
        min: m.min,
        max: m.max,
        avg: m.avg,
        med: m.med,
        percentiles,
        unit: m.unit,
      };
    }
  }
}
