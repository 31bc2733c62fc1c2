/**
 * The JSON bodies of Locust's own endpoints, field for field (locust/web.py), so scripts,
 * dashboards and exporters written for Locust read Cicada unchanged. Extra fields are
 * only added, never renamed.
 */
import { type Runner, taskRatioPerClass, taskRatioTotal } from "../runner/index.js";
import type { EntrySnapshot, StatsSnapshot } from "../stats/index.js";
import type { TasksResponse } from "./api-types.js";
import type { LogBuffer } from "./log-buffer.js";

/** The percentiles Locust's chart and `current_response_time_percentiles` use. */
const CHART_PERCENTILES = [0.5, 0.95] as const;

function percentileOf(entry: EntrySnapshot, p: number): number | null {
  return entry.percentiles.find(([q]) => Math.abs(q - p) < 1e-9)?.[1] ?? null;
}

/** One row of `stats` in `GET /stats/requests`. */
export function locustStatsRow(entry: EntrySnapshot): Record<string, unknown> {
  return {
    method: entry.method,
    name: entry.name,
    safe_name: entry.name,
    num_requests: entry.numRequests,
    num_failures: entry.numFailures,
    avg_response_time: entry.avgResponseTimeMs,
    min_response_time: entry.minResponseTimeMs ?? 0,
    max_response_time: entry.maxResponseTimeMs,
    current_rps: entry.currentRps,
    current_fail_per_sec: entry.currentFailPerSec,
    median_response_time: entry.medianResponseTimeMs,
    ninetieth_response_time: percentileOf(entry, 0.9),
    ninety_ninth_response_time: percentileOf(entry, 0.99),
    "response_time_percentile_0.95": percentileOf(entry, 0.95),
    "response_time_percentile_0.99": percentileOf(entry, 0.99),
    avg_content_length: entry.avgContentLength,
    total_rps: entry.totalRps,
    total_fail_per_sec: entry.totalFailPerSec,
  };
}

/** `GET /stats/requests`: every row (not cut at 500 as Locust does), then Aggregated. */
export function locustRequestsReport(runner: Runner, snapshot: StatsSnapshot, distributed: boolean) {
  const total = snapshot.total;
  const current = runner.environment.stats.total.currentPercentiles(CHART_PERCENTILES, snapshot.timeMs);
  const report: Record<string, unknown> = {
    stats: [...snapshot.entries, total].map(locustStatsRow),
    errors: snapshot.errors.map((e) => ({
      method: e.method,
      name: e.name,
      error: e.error,
      occurrences: e.occurrences,
    })),
    total_rps: total.currentRps,
    total_fail_per_sec: total.currentFailPerSec,
    fail_ratio: total.failRatio,
    total_avg_response_time: total.avgResponseTimeMs,
    current_response_time_percentiles: Object.fromEntries(
      CHART_PERCENTILES.map((p, i) => [`response_time_percentile_${p}`, current[i] ?? null]),
    ),
    current_response_time_percentile_50: current[0] ?? null,
    current_response_time_percentile_95: current[1] ?? null,
    state: runner.state,
    user_count: runner.userCount,
  };
  if (distributed) {
    const workers = runner.workers();
    report.workers = workers.map((w) => ({
      id: w.id,
      state: w.state,
      user_count: w.userCount,
      cpu_usage: w.cpuPercent,
      memory_usage: w.memoryBytes,
    }));
    report.worker_count = workers.length;
  }
  return report;
}

/** `GET /exceptions`. */
export function locustExceptions(snapshot: StatsSnapshot) {
  return {
    exceptions: snapshot.exceptions.map((e) => ({
      count: e.count,
      msg: e.message,
      traceback: e.traceback,
      nodes: e.nodes.join(", "),
    })),
  };
}

/** `GET /tasks`: task ratios per class and in total. */
export function locustTasks(runner: Runner): TasksResponse {
  const infos = runner.environment.activeUserClassInfos;
  return { per_class: taskRatioPerClass(infos), total: taskRatioTotal(infos) };
}

/** `GET /logs`: this process's lines (workers do not ship theirs yet). */
export function locustLogs(logs: LogBuffer | undefined) {
  return {
    master: (logs?.since(0) ?? []).map(
      (line) => `[${new Date(line.timeMs).toISOString()}] ${line.level}: ${line.message}`,
    ),
    workers: {},
  };
}
