/**
 * The CLI side of target monitoring: starts the TargetMonitor of a run (after checking the
 * PromQL queries with the Prometheus server, when there is one), and writes
 * `PREFIX_monitor.csv` as the samples arrive: one row per scrape and host, appended, so a
 * run killed at any moment leaves every row written until then.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import type { MonitorConfig } from "../monitor/config.js";
import { checkQueries, TargetMonitor } from "../monitor/index.js";
import { monitorCsvHeader, monitorCsvRow } from "../reports/monitor-csv.js";
import type { Environment, Runner } from "../runner/index.js";
import { UsageError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { RunOutputs } from "./outputs.js";

/** How long the PromQL check before the test may take. */
const QUERY_CHECK_TIMEOUT_MS = 3000;

/**
 * Asks Prometheus once about each `--monitor-query` before the test, so a query it
 * refuses (bad PromQL) stops the run at once instead of giving empty charts.
 * @throws UsageError (CICADA_ERR_PROMQL) when Prometheus refuses a query.
 */
export async function checkPrometheusQueries(config: MonitorConfig, nowMs: number): Promise<void> {
  if (config.prometheus === undefined || config.queries.length === 0) return;
  // A server that does not answer is no reason to stop: the test goes on, and the first query
  // during it says so once (with the failure counted in the report), so nothing is said here.
  const { refused } = await checkQueries(config.prometheus, config.queries, nowMs, QUERY_CHECK_TIMEOUT_MS);
  if (refused.length > 0) {
    throw new UsageError(
      "CICADA_ERR_PROMQL",
      `Prometheus refused ${refused.length === 1 ? "a query" : "queries"}:\n${refused.map((r) => `✖ ${r}`).join("\n")}`,
      { hint: "Try the query in Prometheus's own UI (Graph tab) first; see docs/monitoring.md" },
    );
  }
}

/**
 * Makes the run's monitor and hands it to the environment (the runner starts and stops it
 * with each test). Workers never get one: their master scrapes.
 */
function startTargetMonitor(
  config: MonitorConfig,
  environment: Environment,
  runner: Runner,
  distributed: boolean,
): TargetMonitor {
  const logger = environment.logger;
  const monitor = new TargetMonitor({
    config,
    logger,
    now: environment.now,
    generator: () => {
      const last = environment.generatorMonitor?.state.last;
      const workers = distributed ? runner.workers() : [];
      return {
        cpuPercent: last?.cpuPercent ?? null,
        lagMs: last?.lagMs ?? null,
        ...(distributed
          ? { workerCpuPercent: workers.length > 0 ? Math.max(...workers.map((w) => w.cpuPercent)) : null }
          : {}),
      };
    },
  });
  environment.targetMonitor = monitor;
  const where = [
    ...config.endpoints.map((e) => `${e.label}=${e.url}`),
    ...(config.prometheus ? [`Prometheus ${config.prometheus}`] : []),
  ];
  logger.info(`Monitoring the target every ${config.intervalMs / 1000} s: ${where.join(", ")}`);
  return monitor;
}

/** Appends a `PREFIX_monitor.csv` row for every sample of `monitor`, the load of that moment beside it. */
export class MonitorCsvOutput {
  private failed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly path: string,
    monitor: TargetMonitor,
    environment: Environment,
    runner: Runner,
    private readonly logger: Logger,
  ) {
    const definitions = monitor.definitions;
    this.guard(() => writeFileSync(path, monitorCsvHeader(definitions)));
    this.unsubscribe = monitor.recorded.addListener((sample) => {
      const now = environment.now();
      const total = environment.stats.total;
      const load = {
        userCount: runner.userCount,
        rps: total.currentRps(now),
        p95Ms: total.currentPercentiles([0.95], now)[0] ?? null,
        generatorCpuPercent: environment.generatorMonitor?.state.last?.cpuPercent ?? null,
      };
      this.guard(() => appendFileSync(path, monitorCsvRow(definitions, sample, load)));
    });
  }

  /** False if a write failed (logged once). */
  get ok(): boolean {
    return !this.failed;
  }

  stop(): void {
    this.unsubscribe();
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!this.failed) this.logger.error(`could not write ${this.path}: ${(error as Error).message}`);
      this.failed = true;
    }
  }
}

/** The run's monitoring: the monitor started with each test, its CSV (with --csv) and its place in the reports. */
export function setUpMonitoring(
  config: MonitorConfig,
  environment: Environment,
  runner: Runner,
  outputs: RunOutputs,
  distributed: boolean,
): TargetMonitor {
  const monitor = startTargetMonitor(config, environment, runner, distributed);
  const path = outputs.monitorCsvPath;
  const csv =
    path === undefined
      ? undefined
      : new MonitorCsvOutput(path, monitor, environment, runner, environment.logger);
  outputs.attachMonitor(monitor, csv);
  return monitor;
}
