/**
 * Requests a stopped user aborts after sending them are in no statistic (as in Locust:
 * neither requests nor failures), but the target counted them: RequestStats.abortedRequests
 * counts them, and the final console summary, the JSON report and a distributed master's
 * merged stats carry the count, so Cicada's total + aborted = the target's count. Requests
 * still waiting for a connection when the user stopped never reached the target: they are
 * counted apart (abortedUnsentRequests), and carried the same way.
 */
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { formatFinalSummary } from "../../../src/reports/console.js";
import { buildJsonReport, validateJsonReport } from "../../../src/reports/index.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";
import { sampleMeta } from "../reports/fixtures.js";
import { countInReports, startTwoWorkers } from "./count-report-helpers.js";

/** A session opens at most 10 connections: 10 held requests go out, 2 wait for one. */
const HELD_PER_USER = 12;
const SENT_HELD_PER_USER = 10;
const UNSENT_PER_USER = HELD_PER_USER - SENT_HELD_PER_USER;

/** Answers /quick at once and holds /hold until the file ends; counts every request it received. */
let received = 0;
let held = 0;
const holding: ServerResponse[] = [];
const server = createServer((request, response) => {
  received++;
  if (request.url === "/hold") {
    held++;
    holding.push(response);
  } else {
    response.end("ok");
  }
});
let host = "";
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

function resetServerCounts(): void {
  received = 0;
  held = 0;
  for (const response of holding.splice(0)) response.destroy();
}

/** One answered request, then 12 at once that the server holds: stopped in the middle of its task. */
class Holder extends HttpUser {
  override waitTime = constant(0);
  @task async work() {
    await this.client.get("/quick");
    await Promise.all(Array.from({ length: HELD_PER_USER }, () => this.client.get("/hold")));
  }
}

describe("requests aborted by the stop", () => {
  it("are counted (sent and unsent apart), and the summary lines and JSON report reconcile the target's count", async () => {
    resetServerCounts();
    const users = 2;
    const { runner, environment } = makeRun([Holder], { host });
    await runner.start(users, 100);
    assert.ok(
      await waitFor(() => held === users * SENT_HELD_PER_USER, 3000),
      `the server holds ${held} requests`,
    );
    await runner.stopAndWait();
    const stats = environment.stats;
    assert.equal(stats.total.numRequests, users, "the answered /quick requests");
    assert.equal(stats.total.numFailures, 0, "an aborted request is no failure");
    assert.equal(
      stats.abortedRequests,
      users * SENT_HELD_PER_USER,
      "the queued ones never reached the server",
    );
    assert.equal(stats.abortedUnsentRequests, users * UNSENT_PER_USER, "the queued ones, apart");
    assert.equal(stats.total.numRequests + stats.abortedRequests, received);

    const snapshot = stats.snapshot(environment.now());
    assert.deepEqual(
      formatFinalSummary(snapshot).filter((line) => line.includes("in flight")),
      [
        `${users * SENT_HELD_PER_USER} requests were in flight when their users stopped: they are in no statistic ` +
          "(the server may have answered them); -s/--stop-timeout lets tasks finish",
      ],
    );
    assert.deepEqual(
      formatFinalSummary(snapshot).filter((line) => line.includes("waiting for a connection")),
      [
        `⚠ ${users * UNSENT_PER_USER} requests were still waiting for a connection (connect, TLS handshake, ` +
          "or a busy connection) when their users stopped: the target never received them, they are in no " +
          "statistic. A target that accepts no connections, or never completes the TLS handshake, looks like " +
          "this; an HttpUser's connectionTimeout makes such waits failures",
      ],
    );
    const report = buildJsonReport(reportInputFromStats(stats, sampleMeta(), environment.now()));
    assert.equal(report.abortedRequests, users * SENT_HELD_PER_USER);
    assert.equal(report.abortedUnsentRequests, users * UNSENT_PER_USER);
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(report))), []);
    // None: no line, and 0 in the JSON report; a report without the key still validates.
    stats.reset(environment.now());
    assert.equal(
      formatFinalSummary(stats.snapshot(environment.now())).filter((l) => l.includes("in flight")).length,
      0,
    );
    assert.equal(
      formatFinalSummary(stats.snapshot(environment.now())).filter((l) => l.includes("waiting for")).length,
      0,
    );
    const quiet = buildJsonReport(reportInputFromStats(stats, sampleMeta(), environment.now()));
    assert.equal(quiet.abortedRequests, 0);
    assert.equal(quiet.abortedUnsentRequests, 0);
    const {
      abortedRequests: _,
      abortedUnsentRequests: __,
      ...older
    } = JSON.parse(JSON.stringify(quiet)) as Record<string, unknown>;
    assert.deepEqual(validateJsonReport(older), []);
  });

  it("travel in a worker's report, read alike by the direct and the general decoder", () => {
    const reported = countInReports("cicada_aborted_requests", (stats) => {
      stats.countAbortedRequests(3);
      stats.countAbortedRequests(4);
    });
    assert.deepEqual(reported, { direct: 7, general: 7, extra: undefined, next: undefined });
    const unsent = countInReports("cicada_aborted_unsent_requests", (stats) => {
      stats.countAbortedRequests(0, 2);
      stats.countAbortedRequests(1, 3);
    });
    assert.deepEqual(unsent, { direct: 5, general: 5, extra: undefined, next: undefined });
  });

  it("are added up over the workers by the master", async (t) => {
    resetServerCounts();
    const cluster = await startTwoWorkers(t, [Holder], host);
    assert.ok(
      await waitFor(() => held === 2 * SENT_HELD_PER_USER, 5000),
      `the server holds ${held} requests`,
    );
    await cluster.master.stopAndWait();
    const stats = cluster.master.environment.stats;
    assert.ok(
      await waitFor(() => stats.total.numRequests + stats.abortedRequests === received, 3000),
      `${stats.total.numRequests} + ${stats.abortedRequests} merged, the server received ${received}`,
    );
    assert.equal(stats.abortedRequests, 2 * SENT_HELD_PER_USER);
    assert.ok(
      await waitFor(() => stats.abortedUnsentRequests === 2 * UNSENT_PER_USER, 3000),
      `${stats.abortedUnsentRequests} unsent merged`,
    );
  });
});
