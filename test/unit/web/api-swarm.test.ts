import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LoadTestShape } from "../../../src/user/index.js";
import { parseSwarm } from "../../../src/web/swarm.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, NoHostUser, startTarget, type Target } from "./helpers.js";

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

describe("POST /swarm", () => {
  it("starts a test from JSON, then edits it, then refuses a new host while it runs", async () => {
    const run = await makeWebRun({ userClasses: [NoHostUser] });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 3, spawn_rate: 100, host: target.url },
      });
      assert.equal(started.statusCode, 200, started.body);
      assert.deepEqual(started.json(), { success: true, message: "Swarming started", host: target.url });
      assert.ok(await waitFor(() => run.runner.userCount === 3 && target.requests > 5, 5000));
      assert.equal(run.environment.host, target.url);

      const edited = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: "1", spawn_rate: "50" },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().message, "Test changed");
      assert.ok(await waitFor(() => run.runner.userCount === 1, 5000), `users ${run.runner.userCount}`);

      const moved = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 2, spawn_rate: 1, host: "http://127.0.0.1:1" },
      });
      assert.equal(moved.statusCode, 409);
      assert.match(moved.json().message, /host cannot change while a test runs/);
      assert.equal(run.environment.host, target.url);
    } finally {
      await run.close();
    }
  });

  it("accepts Locust's form encoding with a run time, and stops at its end", async () => {
    const run = await makeWebRun({ userClasses: [NoHostUser] });
    try {
      const response = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: `user_count=2&spawn_rate=10&host=${encodeURIComponent(target.url)}&run_time=1s`,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(await waitFor(() => run.runner.state === "running", 5000));
      assert.ok(await waitFor(() => run.runner.state === "stopped", 5000), `state ${run.runner.state}`);
    } finally {
      await run.close();
    }
  });

  it("a run time of 600 h from the form lasts (no timer overflow ending it after 1 ms)", async (t) => {
    const run = await makeWebRun({ userClasses: [NoHostUser] });
    t.after(() => run.close());
    const response = await run.app.inject({
      method: "POST",
      url: "/swarm",
      payload: { user_count: 1, spawn_rate: 10, host: target.url, run_time: "600h" },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(await waitFor(() => run.runner.state === "running", 5000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(run.runner.state, "running");
  });

  it("deeply nested JSON is the client's mistake (400), not a server error", async (t) => {
    const run = await makeWebRun({ userClasses: [NoHostUser] });
    t.after(() => run.close());
    const nested = `{"user_count": ${"[".repeat(20_000)}${"]".repeat(20_000)}, "spawn_rate": 1}`;
    const response = await run.app.inject({
      method: "POST",
      url: "/swarm",
      headers: { "content-type": "application/json" },
      payload: nested,
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /nested too deeply/);
    assert.equal(run.runner.state, "ready");
  });

  const bad: Array<{ title: string; payload: Record<string, unknown>; field: string; message: RegExp }> = [
    {
      title: "negative users",
      payload: { user_count: -5, spawn_rate: 1 },
      field: "user_count",
      message: /user_count must be a whole number from 1 to 1000000, got '-5'/,
    },
    {
      title: "zero users",
      payload: { user_count: 0, spawn_rate: 1 },
      field: "user_count",
      message: /got '0'/,
    },
    {
      title: "fractional users",
      payload: { user_count: "2.5", spawn_rate: 1 },
      field: "user_count",
      message: /got '2.5'/,
    },
    {
      title: "missing users",
      payload: { spawn_rate: 1 },
      field: "user_count",
      message: /user_count is required/,
    },
    {
      title: "non-numeric spawn rate",
      payload: { user_count: 1, spawn_rate: "fast" },
      field: "spawn_rate",
      message: /spawn_rate must be a number greater than 0, got 'fast'/,
    },
    {
      title: "zero spawn rate",
      payload: { user_count: 1, spawn_rate: 0 },
      field: "spawn_rate",
      message: /got '0'/,
    },
    {
      title: "a host that is not a URL",
      payload: { user_count: 1, spawn_rate: 1, host: "localhost:8080" },
      field: "host",
      message: /host must be an http\(s\) URL/,
    },
    {
      title: "a host whose port is out of range",
      payload: { user_count: 1, spawn_rate: 1, host: "ws://127.0.0.1:99999" },
      field: "host",
      message:
        /host 'ws:\/\/127\.0\.0\.1:99999' cannot be used: its port 99999 is out of range \(a port is 1 to 65535\)/,
    },
    {
      title: "a run time that is not a time span",
      payload: { user_count: 1, spawn_rate: 1, run_time: "soon" },
      field: "run_time",
      message: /run_time must be a time span such as 30s, 5m or 1h30m, got 'soon'/,
    },
  ];
  for (const { title, payload, field, message } of bad) {
    it(`answers 400 for ${title}, naming the field`, async () => {
      const run = await makeWebRun({ host: target.url });
      try {
        const response = await run.app.inject({ method: "POST", url: "/swarm", payload });
        assert.equal(response.statusCode, 400);
        const body = response.json();
        assert.equal(body.success, false);
        assert.match(body.message, message);
        assert.ok(
          body.errors.some((e: { field: string }) => e.field === field),
          JSON.stringify(body.errors),
        );
        assert.equal(run.runner.state, "ready");
      } finally {
        await run.close();
      }
    });
  }

  it("refuses users that cannot fit in this process's memory (as -u does), warns of ones that probably do not, and leaves a master's to its workers", async () => {
    const run = await makeWebRun({ host: target.url });
    try {
      const oneGigabyte = 1024 ** 3;
      // 2.5 KB each at least: 500,000 users need 1.2 GB, more than 1 GB.
      const refused = parseSwarm({ user_count: 500_000, spawn_rate: 10 }, run.runner, {
        heapLimitBytes: oneGigabyte,
      });
      assert.ok("problems" in refused);
      assert.equal(refused.problems[0]?.field, "user_count");
      assert.match(
        refused.problems[0]!.message,
        /500000 users need at least 1\.2 GB of memory .*--processes/,
      );
      // 20 KB each with connections: 100,000 users usually take 1.9 GB: they start, with a warning.
      const warned = parseSwarm({ user_count: 100_000, spawn_rate: 10 }, run.runner, {
        heapLimitBytes: oneGigabyte,
      });
      assert.ok("command" in warned);
      assert.ok(
        run.logs
          .since()
          .some((line) => /100000 users with HTTP connections usually take about 1\.9 GB/.test(line.message)),
      );
      const master = parseSwarm({ user_count: 500_000, spawn_rate: 10 }, run.runner, {
        heapLimitBytes: oneGigabyte,
        distributed: true,
      });
      assert.ok("command" in master, "a master's users run on its workers");
    } finally {
      await run.close();
    }
  });

  it("answers 400 for a missing host when a class has none, and lists every problem at once", async () => {
    const run = await makeWebRun({ userClasses: [NoHostUser] });
    try {
      const response = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: "x", spawn_rate: -1 },
      });
      assert.equal(response.statusCode, 400);
      const fields = response.json().errors.map((e: { field: string }) => e.field);
      assert.deepEqual(fields.sort(), ["host", "spawn_rate", "user_count"]);
      assert.match(response.json().message, /host is required: NoHostUser has no host of its own/);
    } finally {
      await run.close();
    }
  });

  it("answers 400 with a clear message for malformed JSON, an array body and an empty JSON body", async () => {
    const run = await makeWebRun({ host: target.url });
    try {
      const malformed = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: { "content-type": "application/json" },
        payload: '{"user_count": 1,',
      });
      assert.equal(malformed.statusCode, 400);
      assert.match(malformed.json().message, /^malformed JSON body/);

      const array = await run.app.inject({ method: "POST", url: "/swarm", payload: [1, 2] });
      assert.equal(array.statusCode, 400);
      assert.match(array.json().message, /must be a JSON object or a form/);

      const empty = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: { "content-type": "application/json" },
        payload: "",
      });
      assert.equal(empty.statusCode, 400);
      assert.equal(empty.json().success, false);
    } finally {
      await run.close();
    }
  });

  it("starts a load shape without users or rate, and refuses to change it while it runs", async () => {
    class TwoUsers extends LoadTestShape {
      tick() {
        return this.getRunTime() < 30 ? { users: 2, spawnRate: 100 } : null;
      }
    }
    const run = await makeWebRun({ host: target.url, shapeClass: TwoUsers });
    try {
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json();
      assert.equal(state.meta.shapeClass, "TwoUsers");
      const started = await run.app.inject({ method: "POST", url: "/swarm", payload: {} });
      assert.equal(started.statusCode, 200, started.body);
      assert.equal(started.json().message, "Swarming started using shape class");
      assert.ok(await waitFor(() => run.runner.userCount === 2, 5000));
      const edit = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 9, spawn_rate: 1 },
      });
      assert.equal(edit.statusCode, 409);
      assert.match(edit.json().message, /a load shape controls this test/);
    } finally {
      await run.close();
    }
  });

  it("answers 415 for multipart bodies, saying what to send instead", async () => {
    const run = await makeWebRun({ host: target.url });
    try {
      const response = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: { "content-type": "multipart/form-data; boundary=x" },
        payload: '--x\r\nContent-Disposition: form-data; name="user_count"\r\n\r\n1\r\n--x--\r\n',
      });
      assert.equal(response.statusCode, 415);
      assert.match(response.json().message, /send JSON .* or a form/);
    } finally {
      await run.close();
    }
  });
});
