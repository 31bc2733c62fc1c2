/**
 * A worker's stats reports: the requests since the previous report (deltas, as Locust
 * workers send), as Locust's dicts. The worker's Environment stats are the accumulator:
 * each report serializes them and resets them, as Locust's `get_stripped_report` does.
 * Locust's response-time buckets are kept alongside from the exact response times.
 */
import type { Environment } from "../runner/index.js";
import type { StatsEntry } from "../stats/index.js";
import { toCicadaIterations, toLocustEntry, toLocustErrors } from "./locust-stats.js";
import type { StatsReport } from "./protocol.js";
import { locustBucket } from "./python-compat.js";

/** What a worker measured since it started, to compare with a master's totals. */
export interface WorkerTotals {
  requests: number;
  failures: number;
}

/** Builds a worker's stats reports from its Environment (see the file comment). */
export class WorkerStatsReporter {
  /** Locust buckets per row since the last report; rows are identity keys (reset makes new ones). */
  private buckets = new Map<StatsEntry, Map<number, number>>();
  private readonly sent: WorkerTotals = { requests: 0, failures: 0 };

  constructor(private readonly environment: Environment) {
    // Registered after the Environment's own listener, so the row exists when this runs.
    environment.events.request.addListener((event) => {
      const entry = environment.stats.entryFor(event.requestType, event.name, environment.now());
      let map = this.buckets.get(entry);
      if (map === undefined) {
        map = new Map();
        this.buckets.set(entry, map);
      }
      const bucket = locustBucket(event.responseTimeMs);
      map.set(bucket, (map.get(bucket) ?? 0) + 1);
    });
  }

  /** Requests and failures put in reports so far (the worker's own totals). */
  get totals(): WorkerTotals {
    return { ...this.sent };
  }

  /**
   * The report of everything since the previous one, then a reset. Rows without requests
   * are left out; `stats_total` is always there (Locust does the same).
   */
  takeReport(userClassesCount: Record<string, number>): StatsReport {
    const stats = this.environment.stats;
    const nowMs = this.environment.now();
    const totalBuckets = new Map<number, number>();
    const entries = stats.entries().filter((e) => e.numRequests > 0 || e.numFailures > 0);
    const rows = entries.map((entry) => {
      const buckets = this.buckets.get(entry) ?? new Map<number, number>();
      for (const [bucket, count] of buckets)
        totalBuckets.set(bucket, (totalBuckets.get(bucket) ?? 0) + count);
      return toLocustEntry(entry, buckets);
    });
    const errors = toLocustErrors(stats.snapshot(nowMs).errors);
    const report: StatsReport = {
      stats: rows,
      stats_total: toLocustEntry(stats.total, totalBuckets),
      errors,
      user_count: Object.values(userClassesCount).reduce((a, b) => a + b, 0),
      user_classes_count: { ...userClassesCount },
    };
    if (stats.iterations.active) report.cicada_iterations = toCicadaIterations(stats.iterations.serialize());
    if (stats.resentRequests > 0) report.cicada_resent_requests = stats.resentRequests;
    if (stats.abortedRequests > 0) report.cicada_aborted_requests = stats.abortedRequests;
    if (stats.abortedUnsentRequests > 0) report.cicada_aborted_unsent_requests = stats.abortedUnsentRequests;
    if (!stats.checks.isEmpty) report.cicada_checks = stats.checks.serialize();
    const metrics = stats.metrics.serializeUpdated();
    if (metrics.length > 0) report.cicada_metrics = metrics;
    this.sent.requests += stats.total.numRequests;
    this.sent.failures += stats.total.numFailures;
    stats.reset(nowMs, true);
    this.buckets = new Map();
    return report;
  }
}
