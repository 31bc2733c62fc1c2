/**
 * The locustfile's checks and custom metrics as exported series (/metrics, remote write,
 * OTLP), read from the stats when a scrape or push asks:
 *
 * - `cicada_checks_total{check, result="pass"|"fail"}`;
 * - one family per custom metric: a Counter is `cicada_custom_<name>_total`, a Rate
 *   `cicada_custom_<name>_total{value="true"|"false"}`, a Gauge `cicada_custom_<name>`
 *   (its value now), a Trend `cicada_custom_<name>{stat="avg"|"p50"|...}` (the test's
 *   values so far) with `cicada_custom_<name>_values_total`.
 *
 * Counts stay monotonic across stats resets (a new test): they are folded into running
 * totals just before each reset, as RequestSeries does for requests.
 */
import type { RequestStats } from "../stats/index.js";
import { counter, gauge, type MetricFamily, type ValueSample } from "./families.js";
import type { MetricSource, MetricsContext } from "./sources.js";

/** Running totals by series key, folded in before every reset. */
class Folded {
  private readonly totals = new Map<string, number>();

  add(key: string, value: number): void {
    this.totals.set(key, (this.totals.get(key) ?? 0) + value);
  }

  /** The folded total of `key` plus what the table holds now. */
  with(key: string, live: number): number {
    return (this.totals.get(key) ?? 0) + live;
  }

  keys(): IterableIterator<string> {
    return this.totals.keys();
  }
}

/** `cicada_checks_total`. */
export function checkSeries(context: MetricsContext): MetricSource {
  const stats = context.runner.environment.stats;
  const folded = new Folded();
  const live = () => {
    const counts = new Map<string, number>();
    for (const c of stats.checks.snapshot()) {
      counts.set(`${c.name}\u0000pass`, c.passes);
      counts.set(`${c.name}\u0000fail`, c.fails);
    }
    return counts;
  };
  const remove = stats.onBeforeReset(() => {
    for (const [key, value] of live()) folded.add(key, value);
  });
  return {
    collect: () => {
      const counts = live();
      for (const key of folded.keys()) if (!counts.has(key)) counts.set(key, 0);
      if (counts.size === 0) return [];
      const samples: ValueSample[] = [...counts].map(([key, value]) => {
        const [check = "", result = ""] = key.split("\u0000");
        return { labels: { check, result }, value: folded.with(key, value) };
      });
      return [
        counter(
          "cicada_checks_total",
          "Named checks run, by check and result (pass or fail)",
          "{check}",
          samples,
        ),
      ];
    },
    close: remove,
  };
}

/** One family per custom metric. */
export function customMetricSeries(context: MetricsContext): MetricSource {
  const stats = context.runner.environment.stats;
  const folded = new Folded();
  const remove = stats.onBeforeReset(() => {
    for (const [key, value] of countsOf(stats)) folded.add(key, value);
  });
  return {
    collect: () => {
      const now = context.runner.environment.now();
      const counts = countsOf(stats);
      const families: MetricFamily[] = [];
      for (const m of stats.metrics.snapshot(now)) {
        const name = `cicada_custom_${m.name}`;
        switch (m.kind) {
          case "counter":
            families.push(
              counter(`${name}_total`, `Counter ${m.name} of the locustfile`, "1", [
                { labels: {}, value: folded.with(m.name, counts.get(m.name) ?? 0) },
              ]),
            );
            break;
          case "rate":
            families.push(
              counter(
                `${name}_total`,
                `Rate ${m.name} of the locustfile: values added, by value (true or false)`,
                "1",
                ["true", "false"].map((value) => {
                  const key = `${m.name}\u0000${value}`;
                  return { labels: { value }, value: folded.with(key, counts.get(key) ?? 0) };
                }),
              ),
            );
            break;
          case "gauge":
            if (m.value !== null) {
              families.push(
                gauge(name, `Gauge ${m.name} of the locustfile (merged by ${m.merge})`, "1", [
                  { labels: {}, value: m.value },
                ]),
              );
            }
            break;
          case "trend": {
            const stat = (label: string, value: number | null) =>
              value === null ? [] : [{ labels: { stat: label }, value }];
            const at = (p: number) => m.percentiles.find(([q]) => q === p)?.[1] ?? null;
            families.push(
              gauge(
                name,
                `Trend ${m.name} of the locustfile${m.unit ? ` (${m.unit})` : ""}: the test's values so far`,
                m.unit || "1",
                [
                  ...stat("avg", m.avg),
                  ...stat("min", m.min),
                  ...stat("p50", m.med),
                  ...stat("p90", at(0.9)),
                  ...stat("p95", at(0.95)),
                  ...stat("p99", at(0.99)),
                  ...stat("max", m.max),
                ],
              ),
              counter(`${name}_values_total`, `Values added to the Trend ${m.name}`, "1", [
                { labels: {}, value: folded.with(m.name, counts.get(m.name) ?? 0) },
              ]),
            );
            break;
          }
        }
      }
      return families;
    },
    close: remove,
  };
}

/** What counts in the custom metrics now: a counter's sum, a rate's true and false values, a trend's values. */
function countsOf(stats: RequestStats): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of stats.metrics.snapshot(0)) {
    if (m.kind === "counter") counts.set(m.name, m.count);
    else if (m.kind === "trend") counts.set(m.name, m.count);
    else if (m.kind === "rate") {
      counts.set(`${m.name}\u0000true`, m.trues);
      counts.set(`${m.name}\u0000false`, m.total - m.trues);
    }
  }
  return counts;
}
