/**
 * Requests the HTTP client sends twice (the server closed a kept connection without
 * answering, and the method may be repeated) are recorded once, and counted where a user
 * reconciling Cicada's count with the target's looks: RequestStats.resentRequests, the
 * final console summary, the JSON report, and a distributed master's merged stats. The
 * target here closes every connection, without saying so, after its 5th response.
 */
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { formatFinalSummary } from "../../../src/reports/console.js";
import { buildJsonReport, validateJsonReport } from "../../../src/reports/index.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import { StopUser } from "../../../src/shared/control-flow.js";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { runUntilStopped, waitFor } from "../../helpers/env.js";
import { type RawServer, startRawServer } from "../../helpers/raw-server.js";
import { sampleMeta } from "../reports/fixtures.js";
import { countInReports, startTwoWorkers } from "./count-report-helpers.js";

const REQUESTS_PER_USER = 60;

/** Counts every request it reads; closes each connection silently after its 5th response. */
let requestsSeen = 0;
const answeredOn = new WeakMap<Socket, number>();
let server: RawServer;
let host = "";
before(async () => {
  server = await startRawServer((socket) => {
    requestsSeen++;
    socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    const answered = (answeredOn.get(socket) ?? 0) + 1;
    answeredOn.set(socket, answered);
    if (answered === 5) socket.end();
  });
  host = `http://127.0.0.1:${server.port}`;
});
after(() => server.close());

/** Sends its requests back to back (waitTime 0: the connection is never idle), then stops. */
class Eager extends HttpUser {
  override waitTime = constant(0);
  @task async burst() {
    for (let i = 0; i < REQUESTS_PER_USER; i++) await this.client.get("/");
    throw new StopUser();
  }
}

describe("requests sent twice", () => {
  it("are counted, and the summary line and JSON report reconcile the target's count", async () => {
    requestsSeen = 0;
    const { environment } = await runUntilStopped(Eager, { host });
    const stats = environment.stats;
    assert.equal(stats.total.numRequests, REQUESTS_PER_USER);
    assert.equal(stats.total.numFailures, 0);
    assert.ok(stats.resentRequests > 0, "the server's closes made the client send some again");
    assert.equal(stats.total.numRequests + stats.resentRequests, requestsSeen);

    const snapshot = stats.snapshot(environment.now());
    const line = formatFinalSummary(snapshot).find((l) => l.includes("sent twice"));
    assert.equal(
      line,
      `${stats.resentRequests} requests were sent twice: the server closed a keep-alive connection without ` +
        "answering, so they went again on a new connection. Each is counted once above; the server may have counted it twice",
    );
    const report = buildJsonReport(reportInputFromStats(stats, sampleMeta(), environment.now()));
    assert.equal(report.resentRequests, stats.resentRequests);
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(report))), []);
    // None: no line, and 0 in the JSON report.
    stats.reset(environment.now());
    const quiet = stats.snapshot(environment.now());
    assert.equal(formatFinalSummary(quiet).filter((l) => l.includes("sent twice")).length, 0);
    assert.equal(
      buildJsonReport(reportInputFromStats(stats, sampleMeta(), environment.now())).resentRequests,
      0,
    );
  });

  it("travel in a worker's report, read alike by the direct and the general decoder", () => {
    const reported = countInReports("cicada_resent_requests", (stats) => {
      for (let i = 0; i < 7; i++) stats.countResentRequest();
    });
    assert.deepEqual(reported, { direct: 7, general: 7, extra: undefined, next: undefined });
  });

  it("are added up over the workers by the master", async (t) => {
    requestsSeen = 0;
    const cluster = await startTwoWorkers(t, [Eager], host);
    const stats = cluster.master.environment.stats;
    assert.ok(
      await waitFor(() => stats.total.numRequests === 2 * REQUESTS_PER_USER, 10_000),
      `${stats.total.numRequests} requests merged`,
    );
    assert.ok(await waitFor(() => stats.total.numRequests + stats.resentRequests === requestsSeen, 3000));
    assert.ok(stats.resentRequests > 0);
  });
});
