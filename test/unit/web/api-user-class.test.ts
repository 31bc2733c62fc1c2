/**
 * Locust's POST /user: a class's host, weight and fixed count for the next test, checked
 * field by field; and what the web server sends compressed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import type { FullUpdate } from "../../../src/web/api-types.js";
import { chooseEncoding } from "../../../src/web/compression.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, SAME_ORIGIN, startTarget, type Target, type WebRun } from "./helpers.js";

class Alpha extends HttpUser {
  override waitTime = constant(0.05);
  @task async alpha() {
    await this.client.get("/ok", { name: "alpha" });
  }
}

class Beta extends HttpUser {
  override host = "http://127.0.0.1:1"; // nothing listens there
  override waitTime = constant(0.05);
  @task async beta() {
    await this.client.get("/ok", { name: "beta" });
  }
}

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

const JSON_HEADERS = { ...SAME_ORIGIN, "content-type": "application/json" };

/** A same-origin JSON POST, as the web app sends it. */
const postJson = (run: WebRun, url: string, body: unknown) =>
  run.app.inject({ method: "POST", url, headers: JSON_HEADERS, payload: JSON.stringify(body) });

describe("POST /user", () => {
  it("sets a class's host, weight and fixed count for the next test, which runs with them", async () => {
    const run = await makeWebRun({ userClasses: [Alpha, Beta] });
    try {
      const post = (body: object) => postJson(run, "/user", body);
      const changed = await post({ user_class_name: "Beta", host: target.url, weight: 3, fixed_count: 0 });
      assert.equal(changed.statusCode, 201, changed.body);
      await post({ user_class_name: "Alpha", host: target.url, weight: 1 });
      const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json() as FullUpdate;
      assert.deepEqual(state.meta.userClassSettings, [
        { name: "Alpha", host: target.url, weight: 1, fixedCount: 0 },
        { name: "Beta", host: target.url, weight: 3, fixedCount: 0 },
      ]);
      const started = await postJson(run, "/swarm", { user_count: 4, spawn_rate: 100 });
      assert.equal(started.statusCode, 200, started.body);
      // Beta's users reach the target (its own host was replaced), three for each Alpha.
      assert.ok(await waitFor(() => (run.environment.stats.get("GET", "beta")?.numRequests ?? 0) > 5, 5000));
      assert.deepEqual(run.runner.userClassesCount, { Alpha: 1, Beta: 3 });
      assert.equal(run.environment.stats.get("GET", "beta")?.numFailures, 0);
      assert.equal(run.runner.tests.current?.userClasses.find((c) => c.name === "Beta")?.weight, 3);
      // Not while a test runs: one test never mixes two plans.
      const refused = await post({ user_class_name: "Beta", weight: 1 });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().message, /cannot change while a test runs/);
    } finally {
      await run.close();
    }
  });

  it("a class's host set in the form holds in an open-model test too", async () => {
    const run = await makeWebRun({ userClasses: [Beta] });
    try {
      const changed = await postJson(run, "/user", { user_class_name: "Beta", host: target.url });
      assert.equal(changed.statusCode, 201, changed.body);
      const started = await postJson(run, "/swarm", { arrival_rate: 50, max_users: 5 });
      assert.equal(started.statusCode, 200, started.body);
      // Beta's own host has nothing listening: every request would fail without the form's host.
      assert.ok(await waitFor(() => (run.environment.stats.get("GET", "beta")?.numRequests ?? 0) >= 5, 5000));
      assert.equal(run.environment.stats.get("GET", "beta")?.numFailures, 0);
    } finally {
      await run.close();
    }
  });

  it("refuses a bad field with a message naming it, and a change that would start no user", async () => {
    const run = await makeWebRun({ userClasses: [Alpha, Beta] });
    try {
      const post = (body: unknown) => postJson(run, "/user", body);
      const bad = await post({
        user_class_name: "Gamma",
        host: "ftp://x",
        weight: -1,
        fixed_count: 1.5,
        tasks: [],
      });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(
        bad.json().errors.map((e: { field: string }) => e.field),
        ["user_class_name", "host", "weight", "fixed_count", "tasks"],
      );
      assert.match(bad.json().message, /this locustfile \(Alpha, Beta\), got 'Gamma'/);
      // A host whose port is out of range is named as such, as on the start form.
      const badPort = await post({ user_class_name: "Alpha", host: "http://127.0.0.1:99999" });
      assert.equal(badPort.statusCode, 400);
      assert.match(
        badPort.json().errors[0].message,
        /^host 'http:\/\/127\.0\.0\.1:99999' cannot be used: its port 99999 is out of range \(a port is 1 to 65535\); leave it empty for no host of its own$/,
      );
      assert.equal((await post({ user_class_name: "Alpha", weight: 0 })).statusCode, 201);
      const none = await post({ user_class_name: "Beta", weight: 0 });
      assert.equal(none.statusCode, 400);
      assert.match(none.json().message, /no user could start/);
      assert.equal((await post(["not", "an", "object"])).statusCode, 400);
      // A cross-site page cannot change them.
      const foreign = await run.app.inject({
        method: "POST",
        url: "/user",
        headers: { ...JSON_HEADERS, "sec-fetch-site": "cross-site" },
        payload: JSON.stringify({ user_class_name: "Alpha", weight: 2 }),
      });
      assert.equal(foreign.statusCode, 403);
    } finally {
      await run.close();
    }
  });
});

describe("compression", () => {
  it("chooses br, then gzip, by the Accept-Encoding header", () => {
    assert.equal(chooseEncoding("gzip, deflate, br, zstd"), "br");
    assert.equal(chooseEncoding("gzip, deflate, br", false), "gzip");
    assert.equal(chooseEncoding("br;q=0, gzip;q=0.5"), "gzip");
    assert.equal(chooseEncoding("identity"), undefined);
    assert.equal(chooseEncoding(undefined), undefined);
    assert.equal(chooseEncoding("*"), "br");
  });

  it("sends a large JSON answer gzipped to a client that accepts it, and as it is to one that does not", async () => {
    const run = await makeWebRun({ userClasses: [Alpha] });
    try {
      const plain = await run.app.inject({ method: "GET", url: "/api/state" });
      assert.equal(plain.headers["content-encoding"], undefined);
      const zipped = await run.app.inject({
        method: "GET",
        url: "/api/state",
        headers: { "accept-encoding": "gzip" },
      });
      assert.equal(zipped.headers["content-encoding"], "gzip");
      assert.equal(zipped.headers.vary, "accept-encoding");
      assert.deepEqual(JSON.parse(gunzipSync(zipped.rawPayload).toString()).meta, plain.json().meta);
    } finally {
      await run.close();
    }
  });
});
