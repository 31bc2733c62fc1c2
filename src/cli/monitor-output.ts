/**
 * The CLI side of target monitoring: starts the TargetMonitor of a run (after checking the
 * PromQL queries with the Prometheus server, when there is one), and writes
 * `PREFIX_monitor.csv` as the samples arrive: one row per scrape and host, appended, so a
 * run killed at any moment leaves every row written until then (on a master, each row
 * waits until the workers have reported its interval's requests, about 6 s).
 */
import { appendFileSync, writeFileSync } from "node:fs";
import type { MonitorConfig } from "../monitor/config.js";
import { checkQueries, type HostSample, rateOver, TargetMonitor } from "../monitor/index.js";
import { type MonitorCsvLoad, monitorCsvHeader, monitorCsvRow } from "../reports/monitor-csv.js";
import type { Environment, Runner } from "../runner/index.js";
import { UsageError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { SettledCounts } from "../stats/settled-counts.js";
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
  // The process lives as long as its stats: this never needs closing.
  const counts = new SettledCounts(environment.stats);
  const monitor = new TargetMonitor({
    config,
    logger,
    now: environment.now,
    requestCounts: (nowMs, moment) => counts.read(nowMs, moment),
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

/** A sample waiting for its interval's request count, with the load read when it arrived. */
interface PendingRow {
  sample: HostSample;
  load: Omit<MonitorCsvLoad, "rps">;
}

/**
 * Appends a `PREFIX_monitor.csv` row for every sample of `monitor`, the load of that moment
 * beside it: the requests completed per second in the interval before the scrape, written
 * once the counts reach the scrape (at once in a local run).
 */
export class MonitorCsvOutput {
  private failed = false;
  private readonly pending: PendingRow[] = [];
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly path: string,
    private readonly monitor: TargetMonitor,
    environment: Environment,
    runner: Runner,
    private readonly logger: Logger,
  ) {
    this.guard(() => writeFileSync(path, monitorCsvHeader(monitor.definitions)));
    this.unsubscribe = [
      monitor.recorded.addListener((sample) => {
        const now = environment.now();
        this.pending.push({
          sample,
          load: {
            userCount: runner.userCount,
            p95Ms: environment.stats.total.currentPercentiles([0.95], now)[0] ?? null,
            generatorCpuPercent: environment.generatorMonitor?.state.last?.cpuPercent ?? null,
          },
        });
        this.writeCounted();
      }),
      monitor.requests.counted.addListener(() => this.writeCounted()),
    ];
  }

  /** Writes the waiting rows the request counts reach (all of them with `all`, unknown rates left empty). */
  private writeCounted(all = false): void {
    const through = this.monitor.requests.countedThroughMs ?? Number.NEGATIVE_INFINITY;
    let count = 0;
    while (count < this.pending.length && (all || this.pending[count]!.sample.timeMs <= through)) count++;
    if (count === 0) return;
    const rows = this.pending.splice(0, count);
    const load = this.monitor.requests.columns();
    const interval = this.monitor.config.intervalMs;
    const text = rows
      .map(({ sample, load: at }) => {
        const rps = rateOver(load, sample.timeMs - interval, sample.timeMs);
        return monitorCsvRow(this.monitor.definitions, sample, { ...at, rps });
      })
      .join("");
    this.guard(() => appendFileSync(this.path, text));
  }

  /** False if a write failed (logged once). */
  get ok(): boolean {
    return !this.failed;
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.writeCounted(true);
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
