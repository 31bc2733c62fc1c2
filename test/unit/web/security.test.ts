import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  changesState,
  checkCrossSite,
  checkHost,
  checkLogin,
  exposureWarning,
  isLoopbackHost,
} from "../../../src/web/security.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { makeWebRun } from "./helpers.js";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("loopback and exposure", () => {
  it("knows loopback names and addresses", () => {
    for (const host of ["127.0.0.1", "127.3.2.1", "localhost", "app.localhost", "::1", "[::1]"]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com", "128.0.0.1"]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it("warns when listening beyond loopback without a login", () => {
    assert.match(exposureWarning("0.0.0.0", false) ?? "", /every network interface without a login/);
    assert.match(exposureWarning("10.1.2.3", false) ?? "", /listens on 10\.1\.2\.3 without a login/);
    assert.equal(exposureWarning("0.0.0.0", true), undefined);
    assert.equal(exposureWarning("127.0.0.1", false), undefined);
  });
});

describe("login", () => {
  const login = { username: "ada", password: "s3cret:with:colons" };
  it("accepts the right Basic credentials only", () => {
    assert.equal(checkLogin(basic("ada", "s3cret:with:colons"), login), undefined);
    assert.equal(checkLogin(basic("ada", "wrong"), login)?.status, 401);
    assert.equal(checkLogin(basic("eve", "s3cret:with:colons"), login)?.status, 401);
    assert.equal(checkLogin(undefined, login)?.status, 401);
    assert.match(checkLogin(undefined, login)?.headers?.["www-authenticate"] ?? "", /^Basic realm="Cicada"/);
    assert.equal(checkLogin("Basic !!!", login)?.status, 401);
  });

  it("accepts a token as Bearer or as the Basic password", () => {
    const auth = { token: "tok-123456789" };
    assert.equal(checkLogin("Bearer tok-123456789", auth), undefined);
    assert.equal(checkLogin(basic("anyone", "tok-123456789"), auth), undefined);
    assert.equal(checkLogin("Bearer nope", auth)?.status, 401);
  });

  it("lets everything through without a login", () => {
    assert.equal(checkLogin(undefined, {}), undefined);
  });
});

describe("cross-site requests", () => {
  it("knows which requests change state", () => {
    assert.equal(changesState("POST", "/swarm"), true);
    assert.equal(changesState("GET", "/stop"), true);
    assert.equal(changesState("GET", "/stats/reset"), true);
    assert.equal(changesState("GET", "/stats/requests"), false);
  });

  it("refuses other sites and lets the UI and scripts through", () => {
    const host = "127.0.0.1:8089";
    assert.equal(checkCrossSite({ host }), undefined, "curl sends no Origin");
    assert.equal(
      checkCrossSite({ host, origin: "http://127.0.0.1:8089", secFetchSite: "same-origin" }),
      undefined,
    );
    assert.equal(checkCrossSite({ host, secFetchSite: "none" }), undefined, "typed into the address bar");
    assert.equal(checkCrossSite({ host, secFetchSite: "cross-site" })?.status, 403);
    assert.equal(
      checkCrossSite({ host, secFetchSite: "same-site" })?.status,
      403,
      "another port is another origin",
    );
    assert.equal(checkCrossSite({ host, origin: "https://evil.example" })?.status, 403);
    assert.equal(checkCrossSite({ host, origin: "null" })?.status, 403);
    assert.equal(checkCrossSite({ host, referer: "https://evil.example/page" })?.status, 403);
    assert.equal(checkCrossSite({ host, referer: "http://127.0.0.1:8089/#stats" }), undefined);
    // Behind a reverse proxy the browser's own word (Sec-Fetch-Site) or X-Forwarded-Host decide.
    assert.equal(
      checkCrossSite({ host, origin: "https://load.example", secFetchSite: "same-origin" }),
      undefined,
    );
    assert.equal(
      checkCrossSite({ host, forwardedHost: "load.example", origin: "https://load.example" }),
      undefined,
    );
  });
});

describe("the Host header", () => {
  it("must be a loopback name while listening on loopback", () => {
    assert.equal(checkHost("127.0.0.1:8089", "127.0.0.1"), undefined);
    assert.equal(checkHost("localhost:8089", "127.0.0.1"), undefined);
    assert.equal(checkHost("[::1]:8089", "::1"), undefined);
    assert.equal(checkHost("rebind.evil.example:8089", "127.0.0.1")?.status, 421);
    assert.equal(checkHost("rebind.evil.example:8089", "0.0.0.0"), undefined);
  });
});

describe("the server applies the checks", () => {
  it("asks for a login, then accepts it", async () => {
    const run = await makeWebRun({
      web: { auth: { username: "ada", password: "pw", token: "token-abcdefgh" } },
    });
    try {
      const anonymous = await run.app.inject({ method: "GET", url: "/stats/requests" });
      assert.equal(anonymous.statusCode, 401);
      assert.match(String(anonymous.headers["www-authenticate"]), /Basic/);
      const withLogin = await run.app.inject({
        method: "GET",
        url: "/stats/requests",
        headers: { authorization: basic("ada", "pw") },
      });
      assert.equal(withLogin.statusCode, 200);
      const withToken = await run.app.inject({
        method: "GET",
        url: "/api/state",
        headers: { authorization: "Bearer token-abcdefgh" },
      });
      assert.equal(withToken.statusCode, 200);
      const ui = await run.app.inject({ method: "GET", url: "/" });
      assert.equal(ui.statusCode, 401, "the page itself is protected too");
    } finally {
      await run.close();
    }
  });

  it("refuses cross-site commands with 403 and leaves the runner alone", async () => {
    const run = await makeWebRun({ host: "http://127.0.0.1:1" });
    try {
      const forged = await run.app.inject({
        method: "POST",
        url: "/swarm",
        headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
        payload: "user_count=100&spawn_rate=100",
      });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.json().message, /cross-site request refused/);
      assert.equal(run.runner.state, "ready");
      const stop = await run.app.inject({
        method: "GET",
        url: "/stop",
        headers: { "sec-fetch-site": "cross-site" },
      });
      assert.equal(stop.statusCode, 403);
      const reset = await run.app.inject({
        method: "GET",
        url: "/stats/reset",
        headers: { referer: "https://evil.example/" },
      });
      assert.equal(reset.statusCode, 403);
      const read = await run.app.inject({
        method: "GET",
        url: "/stats/requests",
        headers: { "sec-fetch-site": "cross-site" },
      });
      assert.equal(
        read.statusCode,
        200,
        "reads are not commands (and CORS keeps their answers from other sites)",
      );
    } finally {
      await run.close();
    }
  });

  it("refuses a foreign Host header (DNS rebinding) with 421", async () => {
    const run = await makeWebRun();
    try {
      const response = await run.app.inject({
        method: "GET",
        url: "/stats/requests",
        headers: { host: "rebind.evil.example:8089" },
      });
      assert.equal(response.statusCode, 421);
    } finally {
      await run.close();
    }
    // With a login the name does not matter (a reverse proxy may forward its own).
    const withLogin = await makeWebRun({ web: { auth: { token: "token-abcdefgh" } } });
    try {
      const response = await withLogin.app.inject({
        method: "GET",
        url: "/stats/requests",
        headers: { host: "load.example", authorization: "Bearer token-abcdefgh" },
      });
      assert.equal(response.statusCode, 200);
    } finally {
      await withLogin.close();
    }
  });

  it("sets the security headers: CSP without other origins, no framing", async () => {
    const run = await makeWebRun();
    try {
      const response = await run.app.inject({ method: "GET", url: "/" });
      assert.equal(response.statusCode, 200);
      const csp = String(response.headers["content-security-policy"]);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /connect-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /https?:/, "no other origin is allowed");
      assert.equal(response.headers["x-frame-options"], "DENY");
    } finally {
      await run.close();
    }
  });
});

describe("base path and the app's files", () => {
  it("serves everything under --web-base-path, redirects the bare path, and hides the root", async () => {
    const uiRoot = tempDir("cicada-ui-");
    mkdirSync(join(uiRoot, "assets"));
    writeFileSync(join(uiRoot, "index.html"), "<!doctype html><title>test ui</title>");
    writeFileSync(join(uiRoot, "assets", "app.js"), "console.log('app')");
    const run = await makeWebRun({ web: { basePath: "/team/load/", uiRoot } });
    try {
      const page = await run.app.inject({ method: "GET", url: "/team/load/" });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /test ui/);
      const script = await run.app.inject({ method: "GET", url: "/team/load/assets/app.js" });
      assert.equal(script.statusCode, 200);
      assert.equal(script.body, "console.log('app')");
      const bare = await run.app.inject({ method: "GET", url: "/team/load" });
      assert.equal(bare.statusCode, 308);
      assert.equal(bare.headers.location, "/team/load/");
      assert.equal(
        (await run.app.inject({ method: "GET", url: "/team/load/stats/requests" })).statusCode,
        200,
      );
      assert.equal((await run.app.inject({ method: "GET", url: "/stats/requests" })).statusCode, 404);
      const stop = await run.app.inject({
        method: "GET",
        url: "/team/load/stop",
        headers: { "sec-fetch-site": "cross-site" },
      });
      assert.equal(stop.statusCode, 403, "the cross-site check knows the base path");
    } finally {
      await run.close();
    }
  });

  it("explains how to build the app when it is missing", async () => {
    const run = await makeWebRun({ web: { uiRoot: null } });
    try {
      const page = await run.app.inject({ method: "GET", url: "/" });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /The web UI is not built in this checkout\. Run <code>npm run build<\/code>/);
    } finally {
      await run.close();
    }
  });
});
