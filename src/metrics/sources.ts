/**
 * Where the exported series come from, and the one place a feature adds its own.
 *
 * A source reads state that already exists (the stats table, the runner, the generator
 * monitor) when a scrape or a push asks, and returns metric families (families.ts); it
 * never runs in the request path. /metrics, remote write and OTLP all export what
 * {@link MetricsCollector.collect} returns, so a source added here appears in all three.
 *
 * To export a new series, write a {@link MetricSourceFactory} beside its feature's data
 * and add one line to {@link METRIC_SOURCES}. For a count that restarts with the stats
 * (as the table does on a new test), keep it monotonic the way RequestSeries does:
 * fold it into a running total in `stats.onBeforeReset`.
 */
import type { Runner } from "../runner/index.js";
import type { Logger } from "../shared/logger.js";
import type { MetricFamily } from "./families.js";
import { RequestSeries } from "./request-series.js";
import { generatorSeries, runSeries, workerSeries } from "./run-series.js";
import { checkSeries, customMetricSeries } from "./scripting-series.js";

/** What a source may read. */
export interface MetricsContext {
  /** The local runner, or a master (its stats are the workers' merged totals). */
  runner: Runner;
  /** True on a master: the worker series apply. */
  distributed: boolean;
  /** Cicada's version, for cicada_info. */
  version: string;
  logger: Logger;
}

export interface MetricSource {
  /** The families now; called once per scrape or push. */
  collect(): MetricFamily[];
  /** Releases what the source subscribed to. */
  close?(): void;
}

export type MetricSourceFactory = (context: MetricsContext) => MetricSource;

/** Every exported series, in /metrics order. One line per source. */
export const METRIC_SOURCES: readonly MetricSourceFactory[] = [
  runSeries,
  (context) => new RequestSeries(context.runner.environment.stats, context.logger),
  generatorSeries,
  workerSeries,
  (context) => new RequestSeries(context.runner.environment.stats, context.logger, "transactions"),
  checkSeries,
  customMetricSeries,
  // Open model (issue 12): dropped iterations, e.g. droppedIterationSeries, joins here with one line.
];

/** The sources of one run, collected together. */
export class MetricsCollector {
  private readonly sources: MetricSource[];

  constructor(context: MetricsContext, factories: readonly MetricSourceFactory[] = METRIC_SOURCES) {
    this.sources = factories.map((factory) => factory(context));
  }

  collect(): MetricFamily[] {
    return this.sources.flatMap((source) => source.collect());
  }

  close(): void {
    for (const source of this.sources) source.close?.();
  }
}
