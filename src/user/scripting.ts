/**
 * The parts of the scripting API that record into a run: `check`, the metric classes and
 * `data`. Each run of the CLI builds its own (as it builds its own `events`), so a
 * locustfile's checks, metrics and data sets belong to that run.
 */
import { type DataApi, dataApiFor } from "../data/index.js";
import { type CheckFn, checkFor } from "./check.js";
import { bindMetricClasses, type MetricClasses, metricClassesFor } from "./custom-metrics.js";
import type { Events } from "./events.js";

/** `check`, `Counter`, `Gauge`, `Rate`, `Trend` and `data`, recording into one run's events. */
export interface ScriptingApi extends MetricClasses {
  check: CheckFn;
  data: DataApi;
}

/** The scripting API of the run whose events are `events`. */
export function scriptingApiFor(events: Events): ScriptingApi {
  return { check: checkFor(events), ...metricClassesFor(events), data: dataApiFor(events.dataSets) };
}

/**
 * The package's own exports (`import { Counter } from "cicada-load"` outside the CLI, e.g. a
 * program that builds an Environment with the package's `events`): the classes
 * themselves report to `events`.
 */
export function defaultScriptingApi(events: Events): Pick<ScriptingApi, "check" | "data"> {
  bindMetricClasses(events);
  return { check: checkFor(events), data: dataApiFor(events.dataSets) };
}
