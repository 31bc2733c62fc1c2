/**
 * A capacity search on a real Runner: a LocalRunner, or a master (its workers just follow
 * the user counts or the rate it sends; its statistics are their merged reports). The
 * probe reads the Aggregated row, the generator monitor and the workers' CPU, sets the
 * load through the runner, and asks the target monitor what saturated.
 */
import { findSaturation } from "../../monitor/saturation.js";
import type { CapacitySaturation, CapacitySettings } from "../../shared/capacity.js";
import { overloadCause } from "../generator-advice.js";
import type { Runner } from "../runner.js";
import { capacitySaturation } from "./saturation-text.js";
import { type CapacityProbe, CapacitySearch } from "./search.js";
import type { CumulativeSample, GeneratorReading, WorkerReports } from "./window.js";

/** Distributed runs: workers report every 3 s (Locust's interval), so a step needs that long to show in the stats. */
export const WORKER_REPORT_MS = 3000;

function generatorReading(runner: Runner): GeneratorReading | null {
  const state = runner.environment.generatorMonitor?.state;
  const last = state?.last;
  if (state === undefined || last === null || last === undefined || !last.counted) return null;
  // A master runs no users: its load delays the merged stats, not the latencies (the workers' CPU counts instead).
  if (state.role === "master") return null;
  return {
    timeMs: last.timeMs,
    cpuPercent: last.cpuPercent,
    lagMs: last.lagMs,
    overloaded: last.overloaded,
    cause: overloadCause(last, state.cpuThresholdPercent),
  };
}

/** The workers' last reports (a master), or null (a local runner, which has no workers). */
function workerReports(runner: Runner): WorkerReports[] | null {
  const workers = runner.workers();
  if (workers.length === 0) return null;
  return workers.flatMap((worker) =>
    worker.reports === undefined
      ? []
      : [
          {
            id: worker.id,
            live: worker.state === "running" || worker.state === "spawning",
            last: worker.reports.last,
            previous: worker.reports.previous,
          },
        ],
  );
}

function busiestWorker(runner: Runner): number | null {
  const workers = runner.workers();
  return workers.length === 0 ? null : Math.max(...workers.map((worker) => worker.cpuPercent));
}

/** What saturated on the monitored target between two moments (null when nothing is monitored). */
function saturationOf(runner: Runner, fromMs: number, toMs: number): CapacitySaturation | null {
  const monitor = runner.environment.targetMonitor;
  if (monitor === undefined) return null;
  const data = monitor.data();
  const finding = findSaturation({
    hosts: data.hosts,
    series: data.series,
    levels: data.levels,
    generator: data.generator,
    load: runner.environment.stats.history.toJSON().total,
    requests: data.load,
    intervalMs: data.intervalMs,
    testStartMs: data.startTimeMs,
    loadChangesMs: data.loadChangesMs,
    fromMs,
    toMs,
  });
  return capacitySaturation(finding);
}

/** How often a step checks whether its new users' onStart has ended. */
const ON_START_POLL_MS = 50;

/**
 * Resolves once no user of `runner` is in its onStart any more, or after `maxWaitMs`. A
 * step's new users log in (onStart) before their first task: a hold that began at once
 * judged the step on a burst of logins, which the steady load never makes (40 Django
 * logins of 100 ms of CPU each on 2 workers broke p95 < 200 ms at 2.6 s, on a site that
 * holds 130 users). Bounded: an onStart that never ends (the target is down, a loop) must
 * not stall the search; the step is then held and judged with it. A master does not know
 * its workers' users (undefined): it does not wait.
 */
async function onStartsEnded(runner: Runner, maxWaitMs: number): Promise<void> {
  const logger = runner.environment.logger;
  const since = performance.now();
  const active = () => runner.state === "spawning" || runner.state === "running";
  while ((runner.usersStarting ?? 0) > 0 && active()) {
    const waited = performance.now() - since;
    if (waited >= maxWaitMs) {
      logger.warning(
        `${runner.usersStarting} users still in their onStart after ${(waited / 1000).toFixed(1)} s (the maximum hold): the step is held with them`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, ON_START_POLL_MS));
  }
  const waited = performance.now() - since;
  if (waited >= ON_START_POLL_MS) {
    logger.info(`The new users' onStart took ${(waited / 1000).toFixed(1)} s: the step's hold begins now`);
  }
}

/** The probe of a search that drives `runner`. */
export function runnerProbe(runner: Runner, settings: CapacitySettings): CapacityProbe {
  const environment = runner.environment;
  // Each step, pause and stop changes the load at once: the target monitor judges a value at
  // its level only against values measured under the same load (src/monitor/confirmation.ts).
  const loadChanges = () => environment.targetMonitor?.markLoadChange(environment.now());
  return {
    now: () => environment.now(),
    sample(): CumulativeSample {
      const stats = environment.stats;
      const total = stats.total;
      return {
        timeMs: environment.now(),
        requests: total.numRequests,
        failures: total.numFailures,
        timedRequests: total.numRequests - total.numNoneRequests,
        responseTimeSumMs: total.totalResponseTimeMs,
        histogram: total.histogram.clone(),
        intended: total.intended ? total.intended.histogram.clone() : null,
        dropped: stats.iterations.dropped,
        iterationsCompleted: stats.iterations.completed,
        inFlight: stats.iterations.inFlight,
        waiting: Math.max(
          0,
          stats.iterations.scheduled - stats.iterations.started - stats.iterations.dropped,
        ),
        users: runner.userCount,
        generator: generatorReading(runner),
        workerCpuPercent: busiestWorker(runner),
        workerReports: workerReports(runner),
      };
    },
    async setLoad(load, first) {
      loadChanges();
      if (settings.model === "arrival-rate") {
        if (!first) return runner.setArrivalRate(load, 0);
        await runner.startArrivalRate({ rate: load });
      } else {
        // Between steps the new users start within a quarter of a second, unless -r says otherwise:
        // the hold begins once they run, and a warm-up shows as an unsteady hold, not as a slow ramp.
        const spawnRate = settings.spawnRate ?? Math.max(1, 4 * Math.abs(load - runner.userCount));
        await runner.start(load, spawnRate);
        await onStartsEnded(runner, settings.maxHoldMs);
      }
      // The search, not the runner, ends the test at -t: the test's record must still say so.
      if (first && settings.runTimeMs !== undefined) runner.tests.limitRunTime(settings.runTimeMs);
    },
    pause:
      settings.model === "arrival-rate"
        ? () => {
            loadChanges();
            return runner.setArrivalRate(0, 0);
          }
        : undefined,
    stop: () => {
      loadChanges();
      return runner.stop("capacity-search");
    },
    onStopped: (listener) =>
      runner.stateChanged.addListener((state) => {
        if (state !== "stopping" && state !== "stopped") return;
        loadChanges();
        listener();
      }),
    saturation: (fromMs, toMs) => saturationOf(runner, fromMs, toMs),
    testNumber: () => runner.tests.current?.number ?? null,
  };
}

export interface StartCapacityOptions {
  /** The runner is a master: each step waits for the workers' next report. */
  distributed?: boolean;
}

/**
 * Starts a capacity search on `runner` (which must have no test running): the first step
 * begins a new test. The search is also `runner.environment.capacity`, where the reports
 * and the web UI find it.
 */
export function startCapacitySearch(
  runner: Runner,
  settings: CapacitySettings,
  options: StartCapacityOptions = {},
): CapacitySearch {
  const environment = runner.environment;
  const logger = environment.logger;
  let effective = settings;
  if (options.distributed && settings.minHoldMs < 2 * WORKER_REPORT_MS) {
    // Each half of the hold must hold at least one report of every worker.
    const minHoldMs = 2 * WORKER_REPORT_MS;
    logger.info(
      `workers report every ${WORKER_REPORT_MS / 1000} s: each step is held at least ${minHoldMs / 1000} s in a distributed run`,
    );
    effective = { ...settings, minHoldMs, maxHoldMs: Math.max(settings.maxHoldMs, minHoldMs) };
  }
  const search = new CapacitySearch({
    settings: effective,
    probe: runnerProbe(runner, effective),
    logger,
    settleMs: options.distributed ? WORKER_REPORT_MS + 500 : 0,
  });
  environment.capacity = search;
  search.start();
  return search;
}
