/**
 * The run's own series: Cicada's version and state, users, the load generator's health
 * (the GeneratorMonitor's last one-second sample) and, on a master, its workers.
 */
import type { RunnerState } from "../user/index.js";
import { counter, gauge } from "./families.js";
import type { MetricSource, MetricsContext } from "./sources.js";

const STATES: readonly RunnerState[] = ["ready", "spawning", "running", "stopping", "stopped"];
const WORKER_STATES: readonly RunnerState[] = [...STATES, "missing"];

/** Version, state, users. */
export function runSeries(context: MetricsContext): MetricSource {
  const { runner } = context;
  return {
    collect: () => [
      gauge("cicada_info", "Always 1; the labels say which Cicada runs", "1", [
        { labels: { version: context.version }, value: 1 },
      ]),
      gauge(
        "cicada_state",
        "1 for the runner's current state (ready, spawning, running, stopping, stopped), 0 for the others",
        "1",
        STATES.map((state) => ({ labels: { state }, value: runner.state === state ? 1 : 0 })),
      ),
      gauge("cicada_users", "Users running now", "{user}", [{ labels: {}, value: runner.userCount }]),
      gauge("cicada_target_users", "Users the test ramps to (the -u / form value)", "{user}", [
        { labels: {}, value: runner.targetUserCount },
      ]),
    ],
  };
}

/** CPU and event-loop lag of this process (on a master: the master's). */
export function generatorSeries(context: MetricsContext): MetricSource {
  return {
    collect: () => {
      const load = context.runner.environment.generatorMonitor?.state;
      if (load === undefined) return [];
      const last = load.last;
      // No sample before the monitor's first second ends: no series rather than a made-up 0.
      const latest = (value: number) => (last === null ? [] : [{ labels: {}, value }]);
      return [
        gauge(
          "cicada_generator_cpu_ratio",
          "CPU time of the Cicada process over the last second, in cores (1 = one core busy)",
          "1",
          latest((last?.cpuPercent ?? 0) / 100),
        ),
        gauge(
          "cicada_generator_event_loop_lag_seconds",
          "Largest event-loop delay of the Cicada process over the last second",
          "s",
          latest((last?.lagMs ?? 0) / 1000),
        ),
        gauge(
          "cicada_generator_overloaded",
          "1 while the generator is overloaded (response times then include time waiting inside Cicada)",
          "1",
          [{ labels: {}, value: load.overloaded ? 1 : 0 }],
        ),
        counter(
          "cicada_generator_overloaded_seconds_total",
          "Seconds in which the generator was overloaded",
          "s",
          [{ labels: {}, value: load.overloadedSeconds }],
        ),
      ];
    },
  };
}

/** Workers of a master, by state, and each worker's CPU and memory. */
export function workerSeries(context: MetricsContext): MetricSource {
  return {
    collect: () => {
      if (!context.distributed) return [];
      const workers = context.runner.workers();
      return [
        gauge(
          "cicada_workers",
          "Workers connected to this master, by state",
          "{worker}",
          WORKER_STATES.map((state) => ({
            labels: { state },
            value: workers.filter((w) => w.state === state).length,
          })),
        ),
        gauge(
          "cicada_worker_cpu_ratio",
          "CPU of each worker process as it last reported, in cores",
          "1",
          workers.map((w) => ({ labels: { worker: w.id }, value: w.cpuPercent / 100 })),
        ),
        gauge(
          "cicada_worker_memory_bytes",
          "Memory (RSS) of each worker process as it last reported",
          "By",
          workers.map((w) => ({ labels: { worker: w.id }, value: w.memoryBytes })),
        ),
      ];
    },
  };
}
