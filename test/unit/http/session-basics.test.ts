import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpResponse, HttpSession } from "../../../src/http/index.js";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, sendJson, sleep, startServer, type TestServer } from "./helpers.js";

describe("HttpSession basics", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer((req, res, body) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname.endsWith("/echo")) {
        sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, body });
      } else if (url.pathname.startsWith("/status/")) {
        res.writeHead(Number(url.pathname.slice(8)));
        res.end("status body");
      } else if (url.pathname === "/teapot") {
        res.writeHead(418, "Short And Stout");
        res.end();
      } else if (url.pathname === "/big") {
        res.end("x".repeat(200_000));
      } else if (url.pathname === "/slow") {
        res.writeHead(200);
        res.write("a");
        setTimeout(() => res.end("b"), 150);
      } else {
        res.end("hello");
      }
    });
  });
  after(() => server.close());

  it("GETs a relative URL on the base URL and reports one event under the URL as name", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/hello?x=1");
    assert.ok(res instanceof HttpResponse);
    assert.equal(res.status, 200);
    assert.equal(res.ok, true);
    assert.equal(res.error, null);
    assert.equal(res.text(), "hello");
    assert.equal(res.url, `${server.url}/hello?x=1`);
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.equal(event.requestType, "GET");
    assert.equal(event.name, "/hello?x=1");
    assert.equal(event.exception, null);
    assert.equal(event.responseLength, 5);
    assert.equal(event.url, `${server.url}/hello?x=1`);
    assert.equal(event.response, res);
    await session.close();
  });

  it("uses the name option as the stats name", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    await session.get("/coupons?page=1", { name: "/coupons?page=[n]" });
    assert.equal(events[0]!.name, "/coupons?page=[n]");
    await session.close();
  });

  it("joins base paths without doubling slashes, and accepts absolute URLs", async () => {
    const { session } = recordingSession({ baseUrl: `${server.url}/api/` });
    const a = await session.get("/echo");
    const b = await session.get("echo?q=1");
    assert.equal(a.json<{ url: string }>().url, "/api/echo");
    assert.equal(b.json<{ url: string }>().url, "/api/echo?q=1");
    const c = await session.get(`${server.url}/echo`);
    assert.equal(c.json<{ url: string }>().url, "/echo");
    await session.close();
  });

  it("encodes the query option, repeating keys for arrays", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/echo?a=1", { query: { b: "x y", c: [1, 2], d: true, e: "é&" } });
    assert.equal(res.json<{ url: string }>().url, "/echo?a=1&b=x%20y&c=1&c=2&d=true&e=%C3%A9%26");
    const res2 = await session.get("/echo", { query: new URLSearchParams({ p: "1" }) });
    assert.equal(res2.json<{ url: string }>().url, "/echo?p=1");
    await session.close();
  });

  it("percent-encodes spaces and non-ASCII characters in the path", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/echo?q=a b&n=é#frag");
    assert.equal(res.json<{ url: string }>().url, "/echo?q=a%20b&n=%C3%A9");
    await session.close();
  });

  it("POSTs json, form and raw bodies with the right content types", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    type Echo = { method: string; headers: Record<string, string>; body: string };
    const json = (await session.post("/echo", { json: { qty: 1 } })).json<Echo>();
    assert.equal(json.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(json.body), { qty: 1 });
    const form = (await session.post("/echo", { form: { username: "u 1", password: "x&y" } })).json<Echo>();
    assert.equal(form.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(form.body, "username=u+1&password=x%26y");
    const raw = await session.request("patch", "/echo", {
      body: "raw",
      headers: { "Content-Type": "text/plain" },
    });
    const rawEcho = raw.json<Echo>();
    assert.equal(rawEcho.method, "PATCH");
    assert.equal(rawEcho.headers["content-type"], "text/plain");
    assert.equal(rawEcho.body, "raw");
    const bytes = (await session.put("/echo", { body: new Uint8Array([104, 105]) })).json<Echo>();
    assert.equal(bytes.body, "hi");
    assert.deepEqual(
      events.map((e) => e.requestType),
      ["POST", "POST", "PATCH", "PUT"],
    );
    await session.close();
  });

  it("sends every method helper with its method", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    await session.get("/echo");
    await session.post("/echo");
    await session.put("/echo");
    await session.patch("/echo");
    await session.delete("/echo");
    await session.options("/echo");
    const head = await session.head("/echo");
    assert.equal(head.body.byteLength, 0);
    assert.deepEqual(
      server.seen.slice(-7).map((s) => s.method),
      ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
    );
    assert.equal(events.length, 7);
    await session.close();
  });

  it("rejects two bodies, a relative URL without a host, and a bad timeout", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    await assert.rejects(session.post("/echo", { json: {}, body: "x" }), /at most one of the options/);
    const noHost = recordingSession();
    await assert.rejects(noHost.session.get("/hello"), /no host is set/);
    await assert.rejects(session.get("/hello", { timeout: -1 }), /timeout must be a positive number/);
    await assert.rejects(session.get("/hello", { headers: { "bad header": "x" } }), /invalid header key/);
    // An absolute URL's own mistake is named, not "expected an absolute URL" (it is one).
    await assert.rejects(
      session.get("http://127.0.0.1:99999/x"),
      /^Error: invalid URL "http:\/\/127\.0\.0\.1:99999\/x": its port 99999 is out of range \(a port is 1 to 65535\)$/,
    );
    await assert.rejects(session.get("http://127.0.0.1:80a/x"), /its port '80a' is not a number/);
    // Locust's (requests') spellings were dropped without a word: data= sent no fields.
    const locustSpelled: Array<[object, RegExp]> = [
      [
        { data: { user: "a" } },
        /the request option data is Locust's \(requests'\) spelling, .*use form \(fields\) or body/,
      ],
      [{ params: { q: "1" } }, /option params .*use query/],
      [{ allow_redirects: false }, /option allow_redirects .*use allowRedirects/],
      [{ catch_response: true }, /option catch_response .*use catchResponse/],
    ];
    for (const [options, message] of locustSpelled)
      await assert.rejects(
        session.post("/echo", options as never),
        (error: unknown) => error instanceof TypeError && message.test(error.message),
      );
    assert.equal(events.length, 0);
    assert.equal(server.seen.filter((s) => s.url === "/hello" && s.method === "POST").length, 0);
    await session.close();
    await noHost.session.close();
  });

  it("counts status >= 400 as a failure with HTTPError and the reason phrase, < 400 as success", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const notFound = await session.get("/status/404");
    assert.equal(notFound.status, 404);
    assert.equal(notFound.ok, false);
    assert.equal(notFound.text(), "status body");
    assert.ok(notFound.error);
    assert.equal(describeFailure(notFound.error), "HTTPError: 404 Not Found");
    const teapot = await session.get("/teapot");
    assert.equal(describeFailure(teapot.error!), "HTTPError: 418 Short And Stout");
    const redirectOnly = await session.get("/status/304");
    assert.equal(redirectOnly.ok, true);
    const created = await session.get("/status/201");
    assert.equal(created.ok, true);
    assert.equal(describeFailure(events[0]!.exception!), "HTTPError: 404 Not Found");
    assert.equal(events[2]!.exception, null);
    assert.equal(events[3]!.exception, null);
    await session.close();
  });

  it("reports responseLength as body bytes and plausible timings", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const big = await session.get("/big");
    assert.equal(big.body.byteLength, 200_000);
    assert.equal(events[0]!.responseLength, 200_000);
    const before = Date.now();
    const slow = await session.get("/slow");
    assert.equal(slow.text(), "ab");
    const { timing } = slow;
    assert.ok(timing.totalMs >= 140, `total ${timing.totalMs} should include the 150 ms body delay`);
    assert.ok(timing.totalMs < 5000);
    assert.ok(timing.ttfbMs > 0 && timing.ttfbMs <= timing.totalMs);
    assert.ok(timing.totalMs - timing.ttfbMs >= 100, "the body delay is after the headers");
    assert.ok(Math.abs(timing.startTimeMs - before) < 1000);
    const event = events[1]!;
    assert.equal(event.responseTimeMs, timing.totalMs);
    assert.equal(event.startTimeMs, timing.startTimeMs);
    await session.close();
  });

  it("measures connectMs only when a new connection was opened", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    const first = await session.get("/hello");
    const second = await session.get("/hello");
    assert.equal(typeof first.timing.connectMs, "number");
    assert.ok(first.timing.connectMs! >= 0 && first.timing.connectMs! <= first.timing.totalMs);
    assert.equal(second.timing.connectMs, null);
    await session.close();
  });

  it("keeps one keep-alive connection for sequential requests", async () => {
    const local = await startServer((_req, res) => res.end("ok"));
    const { session } = recordingSession({ baseUrl: local.url });
    for (let i = 0; i < 5; i++) await session.get("/");
    assert.equal(local.connections, 1);
    await session.close();
    await local.close();
  });

  it("runs concurrent requests of one session on parallel connections", async () => {
    const local = await startServer((_req, res) => setTimeout(() => res.end("done"), 100));
    const { session, events } = recordingSession({ baseUrl: local.url });
    const started = performance.now();
    const results = await Promise.all([1, 2, 3, 4].map((i) => session.get(`/r${i}`)));
    const elapsed = performance.now() - started;
    assert.deepEqual(
      results.map((r) => r.text()),
      ["done", "done", "done", "done"],
    );
    assert.equal(events.length, 4);
    assert.equal(local.connections, 4);
    assert.ok(elapsed < 390, `4 × 100 ms in parallel took ${elapsed} ms`);
    await session.close();
    await local.close();
  });

  it("queues concurrent requests past maxConnections", async () => {
    const local = await startServer((_req, res) => setTimeout(() => res.end("done"), 20));
    const { session, events } = recordingSession({ baseUrl: local.url, maxConnections: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => session.get(`/r${i}`)));
    assert.equal(events.length, 5);
    assert.equal(local.connections, 2);
    await session.close();
    await local.close();
  });

  it("sends basic auth from the base URL, default headers, and the request's own headers over them", async () => {
    const port = server.url.split(":")[2];
    const { session } = recordingSession({
      baseUrl: `http://us%40er:p%3Ass@127.0.0.1:${port}`,
      defaultHeaders: { "User-Agent": "cicada-test", "X-Env": "default" },
    });
    const res = await session.get("/echo", { headers: { "x-env": "mine" } });
    const headers = res.json<{ headers: Record<string, string> }>().headers;
    assert.equal(headers.authorization, `Basic ${Buffer.from("us@er:p:ss").toString("base64")}`);
    assert.equal(headers["user-agent"], "cicada-test");
    assert.equal(headers["x-env"], "mine");
    assert.equal(session.baseUrl, `http://us%40er:p%3Ass@127.0.0.1:${port}`);
    await session.close();
  });

  it("lets the base URL be changed, and merges context over the session's context()", async () => {
    const events: Array<{ context?: Record<string, unknown> }> = [];
    const session = new HttpSession({
      onRequest: (event) => events.push(event),
      context: () => ({ user: 7, tag: "session" }),
    });
    session.baseUrl = server.url;
    await session.get("/hello", { context: { tag: "request" } });
    await session.get("/hello");
    assert.deepEqual(events[0]!.context, { user: 7, tag: "request" });
    assert.deepEqual(events[1]!.context, { user: 7, tag: "session" });
    await session.close();
  });

  it("parses response headers with lower-case names", async () => {
    const local = await startServer((_req, res) => {
      res.setHeader("X-Multi", ["a", "b"]);
      res.setHeader("Content-Type", "text/plain");
      res.end("ok");
    });
    const { session } = recordingSession({ baseUrl: local.url });
    const res = await session.get("/");
    assert.equal(res.headers["content-type"], "text/plain");
    assert.deepEqual(res.headers["x-multi"], ["a", "b"]);
    await session.close();
    await local.close();
  });

  it("surfaces a throwing onRequest listener as a rejection", async () => {
    const session = new HttpSession({
      baseUrl: server.url,
      onRequest: () => {
        throw new Error("listener broke");
      },
    });
    await assert.rejects(session.get("/hello"), /listener broke/);
    await sleep(1);
    await session.close();
  });
});
