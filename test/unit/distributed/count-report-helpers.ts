/**
 * Shared by the tests of Cicada's own counts in a worker's stats report (requests sent twice,
 * requests aborted by a stop): how a count travels, and a two-worker run against a target.
 */
import type { TestContext } from "node:test";
import {
  decodeWorkerMessageGenerally,
  encodeMessage,
  WorkerStatsReporter,
} from "../../../src/distributed/index.js";
import type { StatsReport } from "../../../src/distributed/protocol.js";
import { readStatsFrame } from "../../../src/distributed/stats-frame.js";
import { Environment } from "../../../src/runner/index.js";
import type { RequestStats } from "../../../src/stats/index.js";
import type { UserClass } from "../../../src/user/index.js";
import { type Cluster, startCluster } from "./cluster-helpers.js";

type CountKey = "cicada_resent_requests" | "cicada_aborted_requests" | "cicada_aborted_unsent_requests";

/**
 * A worker's stats report with one request and whatever `count` adds to its stats: `key` as
 * the direct and the general decoder read it (and whether the general one filed it as a
 * report_to_master extra), then in the next report (deltas: none).
 */
export function countInReports(
  key: CountKey,
  count: (stats: RequestStats) => void,
): { direct: unknown; general: unknown; extra: unknown; next: unknown } {
  const environment = new Environment({ userClasses: [] });
  const reporter = new WorkerStatsReporter(environment);
  const report = (): Uint8Array => {
    environment.events.request.fire({ requestType: "GET", name: "/", responseTimeMs: 1, responseLength: 2 });
    return encodeMessage("stats", reporter.takeReport({ Someone: 1 }), "w1");
  };
  count(environment.stats);
  const frame = report();
  const decoded = decodeWorkerMessageGenerally(frame);
  const general =
    decoded.ok && decoded.message.type === "stats" ? (decoded.message.data as StatsReport) : undefined;
  return {
    direct: readStatsFrame(frame)?.data[key],
    general: general?.[key],
    extra: general?.extra,
    next: readStatsFrame(report())?.data[key],
  };
}

/** A master and two workers (stats every 100 ms) running one user each of `classes` against `host`; closed after the test. */
export async function startTwoWorkers(t: TestContext, classes: UserClass[], host: string): Promise<Cluster> {
  const cluster = await startCluster({}, classes);
  cluster.master.environment.host = host;
  t.after(() => cluster.close());
  for (const id of ["w_1", "w_2"]) cluster.addWorker(id, { statsIntervalMs: 100 });
  await cluster.master.waitForWorkers(2, 5000);
  await cluster.master.start(2, 100);
  return cluster;
}
