/**
 * Wires what a locustfile records besides requests into the statistics: its checks and
 * custom metrics (through the `check` and `metric` events, as requests go through
 * `request`), the metrics it declared, and its data sets, which start again with each test.
 */
import type { Logger } from "../shared/logger.js";
import type { RequestStats } from "../stats/index.js";
import type { Events } from "../user/index.js";

/** Feeds `events`' checks and metrics into `stats` (see the file comment). */
export function recordScripting(events: Events, stats: RequestStats, logger: Logger): void {
  const declare = (declaration: Parameters<RequestStats["metrics"]["declare"]>[0]) => {
    const problem = stats.metrics.declare(declaration);
    if (problem !== undefined) logger.error(`custom metric: ${problem}`);
  };
  for (const declaration of events.metricDeclarations.list()) declare(declaration);
  events.metricDeclarations.onDeclare(declare);
  events.metric.addListener(({ metric, value }) => {
    const problem = stats.metrics.record(metric, value);
    if (problem !== undefined) logger.error(`custom metric: ${problem}; the value was not recorded`);
  });
  const reportedErrors = new Set<string>();
  events.check.addListener(({ name, passed, error }) => {
    stats.checks.record(name, passed);
    if (error !== undefined && !reportedErrors.has(name) && reportedErrors.size < 1000) {
      reportedErrors.add(name);
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logger.warning(`check "${name}" threw ${text}: counted as failed (logged once per check)`);
    }
  });
  events.dataSets.logger = logger;
  events.testStart.addListener(() => events.dataSets.beginTest());
}
