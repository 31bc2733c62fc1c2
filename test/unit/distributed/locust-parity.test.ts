/**
 * Locust's API between a master and its workers, in process over real ZeroMQ sockets:
 * spawning_complete once per ramp with the test's total, custom messages both ways,
 * reportToMaster/workerReport, -i exact across workers, --reset-stats after the ramp.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { canonicalErrorText, locustErrorText } from "../../../src/distributed/http-error-text.js";
import { locustErrorKey } from "../../../src/distributed/python-compat.js";
import { WorkerNode } from "../../../src/distributed/worker-nodes.js";
import type { CustomMessage } from "../../../src/index.js";
import { describeFailure, type RequestEvent } from "../../../src/shared/request-event.js";
import { constant, task, User } from "../../../src/user/index.js";
import { waitFor } from "../../helpers/env.js";
import { LOCUST, PYTHON } from "../../helpers/locust.js";
import { recordingSession, sendJson, startServer } from "../http/helpers.js";
import { startCluster, workerTotals } from "./cluster-helpers.js";

class Counter extends User {
  static tasksStarted = 0;
  override waitTime = constant(0.002);
  override onStart() {
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/start",
      responseTimeMs: 1,
      responseLength: 0,
    });
  }
  @task work() {
    Counter.tasksStarted++;
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/work",
      responseTimeMs: 2,
      responseLength: 1,
    });
  }
}

test("workers fire spawningComplete once per ramp, with the test's total, when the master says so", async (t) => {
  const cluster = await startCluster({}, [Counter]);
  t.after(() => cluster.close());
  const fired: number[][] = [[], []];
  for (const [i, id] of ["h_1", "h_2"].entries()) {
    const worker = cluster.addWorker(id);
    worker.environment.events.spawningComplete.addListener(({ userCount }) => {
      fired[i]!.push(userCount);
    });
  }
  await cluster.master.waitForWorkers(2, 10_000);
  // Two ramp steps (3 users, then 6): two spawn messages per worker, one spawning_complete.
  await cluster.master.start(6, 3);
  assert.ok(await waitFor(() => fired.every((f) => f.length > 0), 5000), JSON.stringify(fired));
  await cluster.master.stopAndWait();
  assert.deepEqual(fired, [[6], [6]]);
});

test("custom messages go both ways, by worker or to all; a master's workerReport gets what reportToMaster added", async (t) => {
  const cluster = await startCluster({}, [Counter]);
  t.after(() => cluster.close());
  const atMaster: Array<[string, unknown]> = [];
  const atWorkers: Array<[string, unknown]> = [];
  const reports = new Map<string, unknown>();
  cluster.master.registerMessage("from_worker", (message: CustomMessage) => {
    atMaster.push([message.nodeId, { ...(message.data as object) }]);
  });
  cluster.master.environment.events.workerReport.addListener(({ clientId, data }) => {
    if (data.plugin_counter !== undefined) reports.set(clientId, data.plugin_counter);
  });
  for (const id of ["h_1", "h_2"]) {
    const worker = cluster.addWorker(id, { statsIntervalMs: 100 });
    worker.runner.registerMessage("to_worker", (message) => {
      atWorkers.push([`${id}:${message.nodeId}`, { ...(message.data as object) }]);
    });
    worker.environment.events.reportToMaster.addListener(({ data }) => {
      data.plugin_counter = id;
    });
  }
  await cluster.master.waitForWorkers(2, 10_000);
  cluster.workers[1]!.runner.sendMessage("from_worker", { n: 1, list: ["a", 2] });
  cluster.master.sendMessage("to_worker", { only: "h_1" }, "h_1");
  cluster.master.sendMessage("to_worker", { all: true });
  assert.ok(await waitFor(() => atMaster.length === 1 && atWorkers.length === 3 && reports.size === 2, 5000));
  assert.deepEqual(atMaster, [["h_2", { n: 1, list: ["a", 2] }]]);
  assert.deepEqual(
    atWorkers.sort(
      (a, b) => a[0].localeCompare(b[0]) || JSON.stringify(a[1]).localeCompare(JSON.stringify(b[1])),
    ),
    [
      ["h_1:h_1", { all: true }],
      ["h_1:h_1", { only: "h_1" }],
      ["h_2:h_2", { all: true }],
    ],
  );
  assert.deepEqual(Object.fromEntries(reports), { h_1: "h_1", h_2: "h_2" });
  assert.throws(() => cluster.master.sendMessage("stats", {}), /message type of the protocol itself/);
  assert.throws(() => cluster.master.registerMessage("from_worker", () => {}), /already has a listener/);
});

test("-i N runs exactly N tasks over every worker and user, then the master stops the test", async (t) => {
  Counter.tasksStarted = 0;
  const cluster = await startCluster({ iterations: 157 }, [Counter]);
  t.after(() => cluster.close());
  for (const id of ["h_1", "h_2", "h_3"]) cluster.addWorker(id);
  await cluster.master.waitForWorkers(3, 10_000);
  await cluster.master.start(9, 100);
  assert.ok(await waitFor(() => cluster.master.state === "stopped", 10_000), `state ${cluster.master.state}`);
  assert.equal(Counter.tasksStarted, 157);
  const work = cluster.master.environment.stats.get("GET", "/work")!;
  assert.equal(work.numRequests, 157, "the master's merged stats count every task");
  assert.equal(workerTotals(cluster.workers).requests, cluster.master.environment.stats.total.numRequests);
  assert.ok(cluster.masterLogs.some((r) => r.message.includes("The iteration limit (157) is reached")));
});

test("--reset-stats on the master: what ran during the ramp is gone from the master's statistics", async (t) => {
  for (const reset of [false, true]) {
    const cluster = await startCluster({}, [Counter]);
    t.after(() => cluster.close());
    cluster.master.environment.resetStatsAfterRamp = reset;
    cluster.addWorker("h_1", { statsIntervalMs: 200 });
    await cluster.master.waitForWorkers(1, 10_000);
    await cluster.master.start(4, 100);
    const stats = cluster.master.environment.stats;
    assert.ok(await waitFor(() => (stats.get("GET", "/work")?.numRequests ?? 0) > 20, 5000));
    // Every onStart ran before the ramp completed.
    assert.equal(stats.get("GET", "/start")?.numRequests ?? 0, reset ? 0 : 4, `reset ${reset}`);
    await cluster.close();
  }
});

test("HTTP errors: Locust's texts become Cicada's on a master; a worker under a Locust master words them as Locust does", () => {
  // From Debian's Locust 2.12.1 (HttpUser and FastHttpUser against a Node server).
  assert.equal(
    canonicalErrorText(
      "HTTPError('500 Server Error: Internal Server Error for url: http://127.0.0.1:35985/500')",
    ),
    "HTTPError: 500 Internal Server Error",
  );
  assert.equal(
    canonicalErrorText("HTTPError('404 Client Error: Not Found for url: /named')"),
    "HTTPError: 404 Not Found",
  );
  assert.equal(
    canonicalErrorText(
      "HTTPError('503 Server Error: Custom Reason for url: http://127.0.0.1:35985/503?custom=1')",
    ),
    "HTTPError: 503 Custom Reason",
  );
  assert.equal(
    canonicalErrorText("BadStatusCode('http://127.0.0.1:35985/500', code=500)"),
    "HTTPError: 500 Internal Server Error",
  );
  assert.equal(canonicalErrorText("LocustBadStatusCode(code=404)"), "HTTPError: 404 Not Found");
  // catchResponse's failure("reason"): Locust's workers send the repr of CatchResponseError(reason).
  assert.equal(
    canonicalErrorText("CatchResponseError('search returned ok=false')"),
    "search returned ok=false",
  );
  assert.equal(canonicalErrorText(`CatchResponseError("user's cart is empty")`), "user's cart is empty");
  assert.equal(canonicalErrorText(`CatchResponseError('both \\' and "')`), `both ' and "`);
  assert.equal(
    canonicalErrorText("CatchResponseError('tab\\there\\nnull \\x00 zero\\u200bwidth')"),
    "tab\there\nnull \u0000 zero\u200bwidth",
  );
  // é is printable: repr writes it as itself, so \xe9 is not repr's spelling.
  assert.equal(canonicalErrorText("CatchResponseError('caf\\xe9')"), "CatchResponseError('caf\\xe9')");
  assert.equal(canonicalErrorText("CatchResponseError('caf\u00e9 \u4e2d')"), "caf\u00e9 \u4e2d");
  for (const other of [
    "ConnectionRefusedError(111, 'Connection refused')",
    // Not what Locust writes: left as they came.
    "CatchResponseError(42)",
    "CatchResponseError('a', 'b')",
    `CatchResponseError("plain")`,
    "CatchResponseError('it's')",
    "boom",
    "HTTPError: 500 Internal Server Error",
  ]) {
    assert.equal(canonicalErrorText(other), other);
  }

  const event = (
    name: string,
    url: string,
    finalUrl: string,
    status: number,
    statusText: string,
  ): RequestEvent => ({
    requestType: "GET",
    name,
    responseTimeMs: 1,
    responseLength: 2,
    url,
    exception: Object.assign(new Error(`${status} ${statusText}`), { name: "HTTPError" }),
    response: { url: finalUrl, statusText },
  });
  const port = 35985;
  const base = `http://127.0.0.1:${port}`;
  assert.equal(
    locustErrorText(
      event("/500", `${base}/500`, `${base}/500`, 500, "Internal Server Error"),
      describeFailure,
    ),
    `HTTPError('500 Server Error: Internal Server Error for url: ${base}/500')`,
  );
  assert.equal(
    locustErrorText(event("/named", `${base}/404`, `${base}/404`, 404, "Not Found"), describeFailure),
    "HTTPError('404 Client Error: Not Found for url: /named')",
  );
  assert.equal(
    locustErrorText(
      event("/503?custom=1", `${base}/503?custom=1`, `${base}/503?custom=1`, 503, "Custom Reason"),
      describeFailure,
    ),
    `HTTPError('503 Server Error: Custom Reason for url: ${base}/503?custom=1')`,
  );
  const refused = {
    ...event("/x", `${base}/x`, `${base}/x`, 0, ""),
    exception: "ConnectionRefusedError: nope",
  };
  assert.equal(locustErrorText(refused, describeFailure), "ConnectionRefusedError: nope");
});

test("a catchResponse failure: a worker under a Locust master sends Locust's CatchResponseError text and key, a master reads it back", {
  skip: LOCUST === undefined ? "Locust is not installed (apt-get install python3-locust)" : false,
}, async (t) => {
  const server = await startServer((_req, res) => sendJson(res, 200, { ok: false }));
  t.after(() => server.close());
  const { session, events } = recordingSession({ baseUrl: server.url });
  t.after(() => session.close());
  const reasons = [
    "search returned ok=false",
    "user's cart is empty",
    `both ' and "`,
    "tab\tand caf\u00e9\u200b",
  ];
  for (const reason of reasons) (await session.get("/search", { catchResponse: true })).failure(reason);
  // A verdict is recorded once the code that gave it waits.
  await new Promise((resolve) => setImmediate(resolve));
  const texts = events.map((event) => locustErrorText(event, describeFailure));
  // Locust's own text and error key for response.failure(reason) (clients.py wraps it in CatchResponseError).
  const script = [
    "import json, sys",
    "from locust.exception import CatchResponseError",
    "from locust.stats import StatsError",
    "out = [[StatsError.parse_error(CatchResponseError(r)), StatsError.create_key('GET', '/search', CatchResponseError(r))] for r in json.load(sys.stdin)]",
    "print(json.dumps(out))",
  ].join("\n");
  const python = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(reasons), encoding: "utf8" });
  assert.equal(python.status, 0, python.stderr);
  const locust = JSON.parse(python.stdout) as Array<[string, string]>;
  assert.deepEqual(
    texts,
    locust.map(([text]) => text),
  );
  assert.deepEqual(
    texts.map((text) => locustErrorKey("GET", "/search", text)),
    locust.map(([, key]) => key),
    "the same error key: a Locust master merges the rows of Python and Cicada workers",
  );
  // A Cicada master turns either worker's text into Cicada's own: the reason.
  assert.deepEqual(texts.map(canonicalErrorText), reasons);
  // A failure text with no HTTP response (events.request.measure, a fired event) stays as it is.
  assert.equal(locustErrorText({ ...events[0]!, response: undefined }, describeFailure), reasons[0]);
});

test("spawning_complete goes to Cicada workers and Locust >= 2.29 workers, not to older ones (they would log it as unknown)", () => {
  const wants = (version: unknown) => new WorkerNode("w_1", 0, version, 3).wantsSpawningComplete;
  assert.equal(wants("cicada-0.1.0"), true);
  assert.equal(wants("2.29.0"), true);
  assert.equal(wants("2.46.3"), true);
  assert.equal(wants("3.0.0"), true);
  assert.equal(wants("2.28.9"), false);
  assert.equal(wants("2.12.1"), false);
  assert.equal(wants(""), false, "Debian's 2.12.1 sends no version");
  assert.equal(wants(-1), false, "a worker that hides its version");
});
