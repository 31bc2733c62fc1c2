// A master checks every number of a worker's stats report before merging it: one
// well-formed report with num_requests: -1000000 used to turn the final report into
// -999,321 requests. Bad reports are dropped whole and logged (a few times per worker).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeMessage } from "../../../src/distributed/index.js";
import type { LocustStatsEntry, StatsReport } from "../../../src/distributed/protocol.js";
import { statsReportProblem } from "../../../src/distributed/report-checks.js";
import { Histogram } from "../../../src/stats/index.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { rawPeer, startCluster, VERSION, workerTotals } from "./cluster-helpers.js";

/** A consistent row of `count` requests of 2 ms each, with Cicada's histogram. */
function row(count: number, overrides: Partial<LocustStatsEntry> = {}): LocustStatsEntry {
  const histogram = new Histogram();
  if (count > 0) histogram.record(2000, count);
  return {
    name: "/forged",
    method: "GET",
    last_request_timestamp: 1_700_000_001,
    start_time: 1_700_000_000,
    num_requests: count,
    num_none_requests: 0,
    num_failures: 0,
    total_response_time: 2 * count,
    max_response_time: 2,
    min_response_time: 2,
    total_content_length: 10 * count,
    response_times: new Map(),
    num_reqs_per_sec: new Map([[1_700_000_000, count]]),
    num_fail_per_sec: new Map(),
    cicada_hdr: { histogram: histogram.encode(), min_us: 2000, max_us: 2000 },
    ...overrides,
  };
}

function report(entry: LocustStatsEntry, extra: Partial<StatsReport> = {}): StatsReport {
  const total = { ...entry, name: "Aggregated", method: "" };
  return { stats: [entry], stats_total: total, errors: {}, user_count: 1, user_classes_count: {}, ...extra };
}

describe("statsReportProblem", () => {
  it("accepts a consistent report", () => {
    assert.equal(statsReportProblem(report(row(5))), undefined);
  });

  const bad: Array<[string, StatsReport, RegExp]> = [
    ["negative requests", report(row(5, { num_requests: -1_000_000 })), /num_requests is -1000000/],
    ["fractional failures", report(row(5, { num_failures: 1.5 })), /num_failures is 1\.5/],
    ["NaN response time", report(row(5, { total_response_time: Number.NaN })), /total_response_time is NaN/],
    [
      "infinite size",
      report(row(5, { total_content_length: Number.POSITIVE_INFINITY })),
      /total_content_length/,
    ],
    ["min above max", report(row(5, { min_response_time: 9 })), /min_response_time is 9/],
    ["more untimed than requests", report(row(5, { num_none_requests: 6 })), /without a time/],
    [
      "negative per-second count",
      report(row(5, { num_reqs_per_sec: new Map([[1, -3]]) })),
      /num_reqs_per_sec/,
    ],
    ["negative bucket", report(row(5, { response_times: new Map([[-1, 5]]) })), /response_times/],
    ["negative user count", report(row(5), { user_count: -2 }), /user_count is -2/],
    ["negative class count", report(row(5), { user_classes_count: { A: -1 } }), /user_classes_count of A/],
    [
      "negative error occurrences",
      report(row(5), { errors: { k: { method: "GET", name: "/x", error: "e", occurrences: -7 } } }),
      /occurrences is -7/,
    ],
  ];
  for (const [title, input, message] of bad) {
    it(`refuses ${title}`, () => assert.match(statsReportProblem(input) ?? "(accepted)", message));
  }
});

describe("a master under forged reports", () => {
  it("drops them, logs a few, and its totals stay exactly what the real workers measured", async (t) => {
    const cluster = await startCluster();
    t.after(() => cluster.close());
    const { dealer: forger, replies } = rawPeer(t, cluster.master.port, "forger_1");
    await forger.send(encodeMessage("client_ready", VERSION, "forger_1"));
    assert.ok(await waitFor(() => replies.includes("ack"), 3000), "the forger was acknowledged");

    const forged = [
      report(row(5, { num_requests: -1_000_000 })),
      // Well-formed numbers, but a histogram of 5 values for 1,000 requests.
      report(row(5, { num_requests: 1000 })),
    ];
    for (let i = 0; i < 20; i++) await forger.send(encodeMessage("stats", forged[i % 2], "forger_1"));
    await forger.send(encodeMessage("quit", null, "forger_1"));
    assert.ok(
      await waitFor(() => cluster.masterLogs.some((l) => /forger_1 .*quit/.test(l.message)), 3000),
      "the master read everything",
    );
    assert.equal(cluster.master.environment.stats.get("GET", "/forged"), undefined, "nothing merged");
    const warnings = cluster.masterLogs.filter((l) => l.level === "WARNING").map((l) => l.message);
    const dropped = warnings.filter((m) => m.startsWith("dropped a stats report from worker forger_1"));
    assert.equal(dropped.length, 5, "a few warnings, then DEBUG only");
    assert.ok(dropped.some((m) => /num_requests is -1000000/.test(m)));
    assert.ok(dropped.some((m) => /holds 5 response times for 1000 timed requests/.test(m)));

    cluster.addWorker("h_1");
    await cluster.master.waitForWorkers(1, 5000);
    await cluster.master.start(2, 100);
    await sleep(300);
    await cluster.master.quitAndWait();
    await cluster.workers[0]!.finished;
    const total = cluster.master.environment.stats.total.numRequests;
    assert.ok(total > 0);
    assert.equal(total, workerTotals(cluster.workers).requests);
  });
});
