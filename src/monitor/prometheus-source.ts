/**
 * The Prometheus server (`--prometheus URL`, `--monitor-query NAME=PROMQL`): every
 * interval, an instant query per `--monitor-query` (the live charts); when the test ends,
 * one range query per query over the test's time range, whose points then replace the
 * live ones (Prometheus's own timestamps, and the gaps of failed live queries filled).
 * Each result series belongs to the host named by its `instance` label.
 */
import { closestMatches } from "../shared/closest.js";
import type { Logger } from "../shared/logger.js";
import type { QuerySpec } from "./config.js";
import { HealthTracker } from "./endpoint-health.js";
import { ScrapeFailure } from "./fetch-text.js";
import {
  hostOfSeries,
  metricNamesIn,
  PromQueryError,
  type PromSeries,
  promMetricNames,
  promQuery,
  promQueryRange,
} from "./prometheus.js";

/** The host of series without labels (e.g. `sum(rate(...))`). */
export const PROMETHEUS_HOST = "prometheus";
/** Prometheus answers at most 11,000 points per series; stay well below. */
const MAX_RANGE_POINTS = 10_000;
/** The end-of-test range queries must not hold the reports for long. */
const RANGE_TIMEOUT_MS = 10_000;

/** Values per host at one time. */
export type HostValues = Map<string, Record<string, number | null>>;

export interface PrometheusSink {
  recordQueries(timeMs: number, values: HostValues): void;
  recordQueryGap(timeMs: number, error: string): void;
}

function toHostValues(
  results: ReadonlyArray<{ name: string; series: PromSeries[] }>,
  pick: (s: PromSeries) => number | null,
): HostValues {
  const out: HostValues = new Map();
  for (const { name, series } of results) {
    for (const s of series) {
      const host = hostOfSeries(s.labels, PROMETHEUS_HOST);
      const values = out.get(host) ?? {};
      values[name] = pick(s);
      out.set(host, values);
    }
  }
  return out;
}

export class PrometheusSource {
  tracker: HealthTracker;
  private inFlight: AbortController | undefined;
  private readonly refused = new Set<string>();
  private readonly warnedEmpty = new Set<string>();

  constructor(
    readonly url: string,
    private readonly queries: readonly QuerySpec[],
    private readonly sink: PrometheusSink,
    private readonly logger: Logger,
  ) {
    this.tracker = new HealthTracker(PROMETHEUS_HOST, url, "prometheus", logger);
  }

  reset(): void {
    this.stop();
    this.tracker = new HealthTracker(PROMETHEUS_HOST, this.url, "prometheus", this.logger);
  }

  /** Cuts off the queries in progress without recording them nor counting them (the test is over). */
  stop(): void {
    if (this.inFlight !== undefined) this.tracker.cutShort();
    this.inFlight?.abort("stopped");
    this.inFlight = undefined;
  }

  /** The live instant queries at `timeMs`. Never rejects. */
  async live(timeMs: number, intervalMs: number): Promise<void> {
    this.inFlight?.abort("superseded");
    const controller = new AbortController();
    this.inFlight = controller;
    this.tracker.attempt();
    const options = {
      signal: controller.signal,
      abortMessage: `no answer within the ${intervalMs} ms interval`,
    };
    const active = this.queries.filter((q) => !this.refused.has(q.name));
    const settled = await Promise.allSettled(
      active.map((q) => promQuery(this.url, q.query, timeMs, options)),
    );
    if (this.inFlight === controller) this.inFlight = undefined;
    if (controller.signal.reason === "stopped") return;
    const results: Array<{ name: string; series: PromSeries[] }> = [];
    let failure: ScrapeFailure | undefined;
    settled.forEach((outcome, i) => {
      const query = active[i]!;
      if (outcome.status === "fulfilled") {
        results.push({ name: query.name, series: outcome.value });
        if (outcome.value.length === 0) this.warnEmpty(query);
      } else if (outcome.reason instanceof PromQueryError) {
        this.refused.add(query.name);
        this.logger.warning(
          `monitor: Prometheus refused --monitor-query '${query.name}': ${outcome.reason.message}`,
        );
      } else {
        failure ??=
          outcome.reason instanceof ScrapeFailure
            ? outcome.reason
            : new ScrapeFailure("garbage", String(outcome.reason));
      }
    });
    if (failure !== undefined) {
      this.tracker.fail(failure, timeMs);
      this.sink.recordQueryGap(timeMs, failure.message);
      return;
    }
    this.tracker.succeed();
    this.sink.recordQueries(
      timeMs,
      toHostValues(results, (s) => s.points[0]?.[1] ?? null),
    );
  }

  /**
   * The whole test from Prometheus, one range query per query; undefined (and a warning)
   * if it cannot be had, so the live points stay.
   */
  async range(
    startMs: number,
    endMs: number,
    intervalMs: number,
  ): Promise<Array<{ timeMs: number; values: HostValues }> | undefined> {
    const stepMs = Math.max(intervalMs, Math.ceil((endMs - startMs) / MAX_RANGE_POINTS));
    const options = {
      signal: AbortSignal.timeout(RANGE_TIMEOUT_MS),
      abortMessage: `no answer within ${RANGE_TIMEOUT_MS / 1000} s`,
    };
    const active = this.queries.filter((q) => !this.refused.has(q.name));
    try {
      const results = await Promise.all(
        active.map(async (q) => ({
          name: q.name,
          series: await promQueryRange(this.url, q.query, { startMs, endMs, stepMs }, options),
        })),
      );
      const byTime = new Map<number, Array<{ name: string; series: PromSeries[] }>>();
      for (const { name, series } of results) {
        for (const s of series) {
          for (const [timeMs, value] of s.points) {
            const list = byTime.get(timeMs) ?? [];
            list.push({ name, series: [{ labels: s.labels, points: [[timeMs, value]] }] });
            byTime.set(timeMs, list);
          }
        }
      }
      return [...byTime.keys()]
        .sort((a, b) => a - b)
        .map((timeMs) => ({
          timeMs,
          values: toHostValues(byTime.get(timeMs)!, (s) => s.points[0]?.[1] ?? null),
        }));
    } catch (error) {
      // When no live query answered either, the warning of the live failures has said it all.
      const health = this.tracker.health;
      if (health.failures >= health.scrapes) return undefined;
      this.logger.warning(
        `monitor: the range query to Prometheus at ${this.url} failed (${(error as Error).message}); the report keeps the live values`,
      );
      return undefined;
    }
  }

  /** Once per query: it returned nothing; name the metric names it uses that Prometheus does not know. */
  private warnEmpty(query: QuerySpec): void {
    if (this.warnedEmpty.has(query.name)) return;
    this.warnedEmpty.add(query.name);
    const options = { signal: AbortSignal.timeout(RANGE_TIMEOUT_MS), abortMessage: "no answer" };
    void promMetricNames(this.url, options)
      .catch(() => [] as string[])
      .then((known) => {
        const names = new Set(known);
        const unknown = metricNamesIn(query.query).filter((n) => names.size > 0 && !names.has(n));
        const hints = unknown.map((n) => {
          const near = closestMatches(n, names);
          return `'${n}' is not a metric Prometheus has${near.length > 0 ? ` (closest: ${near.join(", ")})` : ""}`;
        });
        this.logger.warning(
          `monitor: --monitor-query '${query.name}' returned no data${hints.length > 0 ? `: ${hints.join("; ")}` : " (check its metric names and labels)"}`,
        );
      });
  }
}

/** Checks every query once before the test: the ones Prometheus refuses (bad PromQL) are returned with its message. */
export async function checkQueries(
  url: string,
  queries: readonly QuerySpec[],
  nowMs: number,
  timeoutMs: number,
): Promise<{ refused: string[]; unreachable: string | undefined }> {
  const options = {
    signal: AbortSignal.timeout(timeoutMs),
    abortMessage: `no answer within ${timeoutMs} ms`,
  };
  const refused: string[] = [];
  let unreachable: string | undefined;
  await Promise.all(
    queries.map(async (q) => {
      try {
        await promQuery(url, q.query, nowMs, options);
      } catch (error) {
        if (error instanceof PromQueryError)
          refused.push(`--monitor-query '${q.name}=${q.query}': ${error.message}`);
        else unreachable ??= (error as Error).message;
      }
    }),
  );
  return { refused, unreachable };
}
