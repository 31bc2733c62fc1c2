import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../../helpers/env.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { FakeMasterRunner, makeWebRun, startTarget, type Target, type WebRun } from "./helpers.js";

let target: Target;
let run: WebRun;

/**
 * One short test against the target, so every table has rows; it is stopped before the checks.
 * It waits for both paths: tasks are picked at random (9 : 1), so /fail can be reached twice
 * before /ok once.
 */
before(async () => {
  target = await startTarget();
  run = await makeWebRun({ host: target.url });
  run.environment.events.testStart.addListener(() => {
    run.environment.reportUserError(new (class Fake {})() as never, new Error("a task threw on purpose"));
  });
  await run.runner.start(2, 100);
  const requestsTo = (path: string) => run.environment.stats.get("GET", path)?.numRequests ?? 0;
  assert.ok(
    await waitFor(() => requestsTo("/fail") >= 2 && requestsTo("/ok") >= 1, 10_000),
    "the test should reach /fail twice and /ok",
  );
  await run.runner.stopAndWait();
});
after(async () => {
  await run.close();
  await target.close();
});

const get = (url: string) => run.app.inject({ method: "GET", url });

describe("Locust's endpoints", () => {
  it("GET /stats/requests has Locust's fields, every row then Aggregated", async () => {
    const response = await get("/stats/requests");
    assert.equal(response.statusCode, 200);
    const body = response.json();
    for (const key of [
      "stats",
      "errors",
      "total_rps",
      "total_fail_per_sec",
      "fail_ratio",
      "current_response_time_percentiles",
      "state",
      "user_count",
    ]) {
      assert.ok(key in body, `missing ${key}`);
    }
    assert.equal(body.state, "stopped");
    const names = body.stats.map((s: { name: string }) => s.name);
    assert.deepEqual(names, ["/fail", "/ok", "Aggregated"]);
    const ok = body.stats[1];
    for (const key of [
      "method",
      "name",
      "num_requests",
      "num_failures",
      "avg_response_time",
      "min_response_time",
      "max_response_time",
      "current_rps",
      "current_fail_per_sec",
      "median_response_time",
      "ninetieth_response_time",
      "ninety_ninth_response_time",
      "response_time_percentile_0.95",
      "avg_content_length",
    ]) {
      assert.ok(key in ok, `row lacks ${key}`);
    }
    assert.equal(ok.method, "GET");
    assert.ok(ok.num_requests > 0);
    assert.equal(ok.avg_content_length, 2);
    assert.ok(body.fail_ratio > 0 && body.fail_ratio < 1, `fail ratio ${body.fail_ratio}`);
    assert.equal(body.errors[0].name, "/fail");
    assert.match(body.errors[0].error, /500/);
    assert.ok(
      "response_time_percentile_0.5" in body.current_response_time_percentiles,
      JSON.stringify(body.current_response_time_percentiles),
    );
    assert.equal("workers" in body, false, "a local run has no workers field");
  });

  it("serves the CSVs as attachments in Locust's format", async () => {
    const stats = await get("/stats/requests/csv");
    assert.equal(stats.statusCode, 200);
    assert.match(String(stats.headers["content-type"]), /^text\/csv/);
    assert.match(String(stats.headers["content-disposition"]), /^attachment; filename="requests_\d+\.csv"$/);
    const lines = stats.body.trimEnd().split("\r\n");
    assert.match(lines[0]!, /^Type,Name,Request Count,Failure Count,Median Response Time/);
    assert.match(lines[1]!, /^GET,\/fail,\d+,\d+,/);
    assert.match(lines.at(-1)!, /^,Aggregated,\d+,\d+,/);

    const failures = await get("/stats/failures/csv");
    assert.equal(failures.statusCode, 200);
    const failureLines = failures.body.trimEnd().split("\r\n");
    assert.equal(failureLines[0], "Method,Name,Error,Occurrences,First Seen,Last Seen");
    assert.match(failureLines[1]!, /^GET,\/fail,.*500.*,\d+,\d{4}-\d\d-\d\dT/);

    const exceptions = await get("/exceptions/csv");
    assert.equal(exceptions.statusCode, 200);
    assert.match(exceptions.body, /^Count,Message,Traceback,Nodes\r\n1,a task threw on purpose,/);
  });

  it("answers 404 for the full-history CSV unless one is being written, then serves it", async () => {
    const missing = await get("/stats/requests_full_history/csv");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /--csv-full-history/);

    const dir = tempDir("cicada-web-");
    const file = join(dir, "run_stats_history.csv");
    writeFileSync(file, "Timestamp,User Count\r\n1,2\r\n");
    const withFile = await makeWebRun({ host: target.url, web: { fullHistoryCsvPath: () => file } });
    try {
      const served = await withFile.app.inject({ method: "GET", url: "/stats/requests_full_history/csv" });
      assert.equal(served.statusCode, 200);
      assert.equal(served.body, "Timestamp,User Count\r\n1,2\r\n");
      const state = (await withFile.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.ok(
        state.meta.downloads.some((d: { href: string }) => d.href === "stats/requests_full_history/csv"),
      );
    } finally {
      await withFile.close();
    }
  });

  it("GET /exceptions, /tasks, /logs and /worker-count", async () => {
    const exceptions = (await get("/exceptions")).json();
    assert.equal(exceptions.exceptions.length, 1);
    assert.equal(exceptions.exceptions[0].msg, "a task threw on purpose");
    assert.equal(exceptions.exceptions[0].count, 1);
    assert.equal(exceptions.exceptions[0].nodes, "local");

    const tasks = (await get("/tasks")).json();
    assert.equal(tasks.per_class.SteadyUser.ratio, 1);
    assert.ok(Math.abs(tasks.per_class.SteadyUser.tasks.ok.ratio - 0.9) < 1e-9);
    assert.ok(Math.abs(tasks.total.SteadyUser.tasks.fail.ratio - 0.1) < 1e-9);

    const logs = (await get("/logs")).json();
    assert.ok(Array.isArray(logs.master));
    assert.ok(
      logs.master.some((line: string) => line.includes("a task threw on purpose")),
      logs.master.join("\n"),
    );
    assert.deepEqual(logs.workers, {});

    assert.deepEqual((await get("/worker-count")).json(), { worker_count: 0 });
  });

  it("GET /stop and GET /stats/reset answer like Locust's", async () => {
    assert.deepEqual((await get("/stop")).json(), { success: true, message: "No test is running" });
    const reset = await get("/stats/reset");
    assert.equal(reset.statusCode, 200);
    assert.equal(reset.body, "ok");
    const after = (await get("/stats/requests")).json();
    assert.deepEqual(
      after.stats.map((s: { name: string }) => s.name),
      ["Aggregated"],
    );
    assert.equal((await get("/exceptions")).json().exceptions.length, 0);
  });
});

describe("Cicada's /api", () => {
  it("GET /api/state holds the meta, the status, the rows and the history", async () => {
    const fresh = await makeWebRun({
      host: target.url,
      web: { defaults: { userCount: 7, runTimeMs: 90_000 } },
    });
    try {
      await fresh.runner.start(1, 100);
      assert.ok(await waitFor(() => fresh.environment.stats.total.numRequests > 3, 5000));
      fresh.environment.stats.history.sample(fresh.environment.stats, Date.now(), 1);
      const state = (await fresh.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.kind, "full");
      assert.equal(state.meta.defaults.userCount, 7);
      assert.equal(state.meta.defaults.runTime, "1m30s");
      assert.equal(state.meta.defaults.host, target.url);
      assert.deepEqual(state.meta.userClasses, ["SteadyUser"]);
      assert.equal(state.meta.distributed, false);
      assert.equal(state.status.host, target.url);
      assert.ok(["spawning", "running"].includes(state.status.state));
      assert.equal(state.status.workerCount, null);
      assert.ok(state.rows.some((r: unknown[]) => r[0] === "GET" && r[1] === "/ok"));
      assert.ok(state.total[2] > 3);
      assert.ok(state.history.timeMs.length >= 1);
    } finally {
      await fresh.close();
    }
  });

  it("GET /api/history gives one name's series, 400 without a name, 404 for an unknown one", async () => {
    run.environment.stats.record("GET", "/ok", 5, 2, null, Date.now());
    run.environment.stats.history.sample(run.environment.stats, Date.now(), 2);
    const series = await get("/api/history?method=GET&name=%2Fok");
    assert.equal(series.statusCode, 200);
    const columns = series.json();
    assert.equal(columns.timeMs.length, 1);
    assert.equal(columns.userCount[0], 2);
    assert.equal((await get("/api/history?method=GET")).statusCode, 400);
    const unknown = await get("/api/history?method=GET&name=%2Fnope");
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().message, /no history for GET \/nope/);
  });

  it("GET /api/failures, /api/exceptions and /api/logs", async () => {
    run.environment.stats.record("GET", "/x", 1, 0, "HTTPError: 503", Date.now());
    const failures = (await get("/api/failures")).json();
    assert.equal(failures.errors[0].error, "HTTPError: 503");
    assert.equal(failures.dropped, 0);
    const exceptions = (await get("/api/exceptions")).json();
    assert.deepEqual(exceptions, { exceptions: [], dropped: 0 });
    run.environment.logger.info("a line for the logs tab");
    const all = (await get("/api/logs")).json();
    const last = all.lines.at(-1);
    assert.equal(last.message, "a line for the logs tab");
    assert.equal(last.level, "INFO");
    const newer = (await get(`/api/logs?after=${last.seq}`)).json();
    assert.deepEqual(newer.lines, []);
    assert.equal((await get("/api/logs?after=abc")).statusCode, 400);
  });

  it("POST /api/swarm, /api/stop and /api/reset drive the runner", async () => {
    const fresh = await makeWebRun({ host: target.url });
    try {
      const started = await fresh.app.inject({
        method: "POST",
        url: "/api/swarm",
        payload: { user_count: 1, spawn_rate: 10 },
      });
      assert.equal(started.statusCode, 200);
      assert.ok(await waitFor(() => fresh.environment.stats.total.numRequests > 2, 5000));
      const stopped = await fresh.app.inject({ method: "POST", url: "/api/stop" });
      assert.deepEqual(stopped.json(), { success: true, message: "Test stopped" });
      assert.equal(fresh.runner.state, "stopped");
      const reset = await fresh.app.inject({ method: "POST", url: "/api/reset" });
      assert.equal(reset.json().success, true);
      assert.equal(fresh.environment.stats.total.numRequests, 0);
    } finally {
      await fresh.close();
    }
  });

  it("answers unknown endpoints with a JSON 404", async () => {
    const response = await get("/api/nothing-here");
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { success: false, message: "no such endpoint: GET /api/nothing-here" });
  });
});

describe("a distributed runner", () => {
  it("reports its workers in /stats/requests, /worker-count and the state", async () => {
    const master = await makeWebRun({
      host: target.url,
      runner: (environment) => new FakeMasterRunner(environment),
      web: { distributed: true },
    });
    try {
      const report = (await master.app.inject({ method: "GET", url: "/stats/requests" })).json();
      assert.deepEqual(report.workers[0], {
        id: "worker-a",
        state: "running",
        user_count: 3,
        cpu_usage: 42,
        memory_usage: 50_000_000,
      });
      assert.equal(report.worker_count, 2);
      assert.deepEqual((await master.app.inject({ method: "GET", url: "/worker-count" })).json(), {
        worker_count: 2,
      });
      const state = (await master.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.meta.distributed, true);
      assert.equal(state.status.workerCount, 2);
      assert.equal(state.workers[1].id, "worker-b");
    } finally {
      await master.close();
    }
  });
});
