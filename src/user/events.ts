import { DataSets } from "../data/index.js";
import { EventHook } from "../shared/event-hook.js";
import { RequestEventHook } from "../shared/request-event.js";
import type { CheckEvent } from "./check.js";
import type { ArgumentParser } from "./custom-arguments.js";
import { MetricDeclarations, type MetricEvent } from "./custom-metrics.js";
import type { UserEnvironment } from "./environment.js";
import type { User } from "./user.js";

/** Payload of `userError`: a task (or onStart/onStop) threw something that is not control flow. */
export interface UserErrorEvent {
  user: User;
  exception: unknown;
  traceback: string;
}

/** Payload of `reportToMaster` and `workerReport`: a worker's stats report. */
export interface WorkerReportEvent {
  /** The worker's id. */
  clientId: string;
  /**
   * The report's data. On a worker, add keys for the master (`stats`, `stats_total`,
   * `errors`, `user_count` and `user_classes_count` are Cicada's own); on a master, the
   * keys the worker sent, including those.
   */
  data: Record<string, unknown>;
}

/** Payload of events that only carry the environment. */
export interface EnvironmentEvent {
  environment: UserEnvironment;
}

/**
 * The typed events of a Cicada run, Locust's `events` in camelCase, and what the
 * locustfile declared for the run (its custom metrics and data sets), which the run reads
 * when it is built. A locustfile subscribes through the `events` export:
 *
 * @example
 * events.testStart.addListener(({ environment }) => console.log("starting against", environment.host));
 * events.request.addListener((e) => { if (e.responseTimeMs > 1000) console.log("slow:", e.name) });
 */
export class Events {
  /**
   * Every request, from the HTTP client or any protocol a user measures by firing it or
   * with `events.request.measure(type, name, block)`; also every transaction (type TXN).
   */
  readonly request = new RequestEventHook();
  /** Every named check that ran (`check(res, { ... })`). */
  readonly check = new EventHook<CheckEvent>();
  /** Every update of a custom metric (Counter, Gauge, Rate, Trend). */
  readonly metric = new EventHook<MetricEvent>();
  /** The custom metrics the locustfile declared. */
  readonly metricDeclarations = new MetricDeclarations();
  /** The data sets the locustfile declared (`data.csv(...)`). */
  readonly dataSets = new DataSets();
  /** Once per process, after the locustfile is loaded and the environment is built. */
  readonly init = new EventHook<EnvironmentEvent>();
  /** When a test starts (the first spawn after ready/stopped). Awaited before users spawn. */
  readonly testStart = new EventHook<EnvironmentEvent>();
  /** When a test is about to stop, before users are stopped. */
  readonly testStopping = new EventHook<EnvironmentEvent>();
  /** When a test has stopped: every user has finished. */
  readonly testStop = new EventHook<EnvironmentEvent>();
  /** When the ramp-up has reached its target. */
  readonly spawningComplete = new EventHook<{ userCount: number }>();
  /** When Cicada is about to exit, after the last stop. */
  readonly quitting = new EventHook<EnvironmentEvent>();
  /** A task, onStart or onStop threw an exception that is not control flow. */
  readonly userError = new EventHook<UserErrorEvent>();
  /**
   * A worker is about to send a stats report to its master (Locust's `report_to_master`):
   * listeners add their own keys to `data`, which reach the master's `workerReport`.
   */
  readonly reportToMaster = new EventHook<WorkerReportEvent>();
  /** The master received a worker's stats report (Locust's `worker_report`), extra keys included. */
  readonly workerReport = new EventHook<WorkerReportEvent>();
  /** The statistics were reset (web UI button or --reset-stats). */
  readonly resetStats = new EventHook<undefined>();
  /**
   * Once, right after the locustfile is loaded and before the command line is parsed:
   * add custom options with `parser.addArgument` (Locust's `init_command_line_parser`).
   */
  readonly initCommandLineParser = new EventHook<ArgumentParser>();

  /** Routes listener failures of every hook to one handler (the environment logs them). */
  setListenerErrorHandler(handler: (error: unknown) => void): void {
    for (const hook of Object.values(this)) {
      if (hook instanceof EventHook) hook.onListenerError = handler;
    }
  }
}
