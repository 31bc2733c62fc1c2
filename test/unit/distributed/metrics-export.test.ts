import assert from "node:assert/strict";
import { test } from "node:test";
import { type MetricFamily, MetricsCollector } from "../../../src/metrics/index.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { startCluster, workerTotals } from "./cluster-helpers.js";

function sum(
  families: MetricFamily[],
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
) {
  const family = families.find((f) => f.name === name);
  assert.ok(family && family.kind !== "histogram", `no ${name}`);
  return family.samples.filter((s) => where(s.labels)).reduce((n, s) => n + s.value, 0);
}

test("a master exports the workers' merged totals, and its workers", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const collector = new MetricsCollector({
    runner: cluster.master,
    distributed: true,
    version: "test",
    logger: cluster.master.environment.logger,
  });
  t.after(() => collector.close());
  cluster.addWorker("host_1");
  cluster.addWorker("host_2");
  await cluster.master.waitForWorkers(2, 10_000);
  await cluster.master.start(4, 100);
  assert.ok(await waitFor(() => cluster.master.userCount === 4, 5000));
  const running = collector.collect();
  assert.equal(
    sum(running, "cicada_workers", (l) => l.state === "running"),
    2,
  );
  assert.equal(sum(running, "cicada_users"), 4);
  assert.deepEqual(
    running
      .find((f) => f.name === "cicada_worker_cpu_ratio")!
      .samples.map((s) => s.labels.worker)
      .sort(),
    ["host_1", "host_2"],
  );
  await sleep(1000);
  await cluster.master.quitAndWait();
  await Promise.all(cluster.workers.map((w) => w.finished));
  const totals = workerTotals(cluster.workers);
  assert.ok(totals.requests > 50, `${totals.requests} requests`);
  const done = collector.collect();
  assert.equal(sum(done, "cicada_requests_total"), totals.requests);
  assert.equal(sum(done, "cicada_request_failures_total"), totals.failures);
  assert.equal(
    sum(done, "cicada_request_failures_total", (l) => l.name === "/beta"),
    totals.failures,
  );
  const histogram = done.find((f) => f.name === "cicada_response_time_seconds");
  assert.ok(histogram?.kind === "histogram");
  assert.equal(
    histogram.samples.reduce((n, s) => n + s.count, 0),
    totals.requests,
  );
});
