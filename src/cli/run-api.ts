/**
 * The `cicada` module a locustfile imports, built for one run: the package's exports,
 * with the `events` of this run and the parts of the API that record into it (`check`,
 * the metric classes, `data`).
 */
import * as api from "../index.js";
import { Events, scriptingApiFor } from "../user/index.js";

/** A fresh API object; `worker` defers reading data files (a worker's master may hand out the rows). */
export function runApi(options: { worker?: boolean } = {}): Record<string, unknown> {
  const events = new Events();
  events.dataSets.deferFiles = options.worker === true;
  return { ...api, events, ...scriptingApiFor(events) };
}
