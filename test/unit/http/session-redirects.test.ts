import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, sendJson, startServer, type TestServer } from "./helpers.js";

describe("HttpSession redirects", () => {
  let server: TestServer;
  let other: TestServer;

  before(async () => {
    other = await startServer((req, res, body) => {
      sendJson(res, 200, { where: "other", method: req.method, body, cookie: req.headers.cookie ?? null });
    });
    server = await startServer((req, res, body) => {
      const url = new URL(req.url ?? "/", "http://x");
      const hop = Number(url.searchParams.get("n") ?? "0");
      if (url.pathname === "/chain") {
        // /chain?n=3 -> n=2 -> n=1 -> /final
        const next = hop > 1 ? `/chain?n=${hop - 1}` : "/final";
        res.writeHead(302, { location: next, "set-cookie": `hop${hop}=yes; Path=/` });
        res.end("moved");
      } else if (url.pathname === "/final") {
        sendJson(res, 200, { method: req.method, body, cookie: req.headers.cookie ?? null });
      } else if (url.pathname.startsWith("/code/")) {
        res.writeHead(Number(url.pathname.slice(6)), { location: "/final" });
        res.end();
      } else if (url.pathname === "/loop") {
        res.writeHead(302, { location: "/loop" });
        res.end();
      } else if (url.pathname === "/ftp") {
        res.writeHead(301, { location: "ftp://127.0.0.1/file" });
        res.end();
      } else if (url.pathname === "/badport") {
        res.writeHead(302, { location: "http://127.0.0.1:70000/there" });
        res.end();
      } else if (url.pathname === "/away") {
        res.writeHead(302, { location: `${other.url}/there`, "set-cookie": "home=1; Path=/" });
        res.end();
      } else {
        res.end("index");
      }
    });
  });
  after(async () => {
    await server.close();
    await other.close();
  });

  it("follows a chain of 3 redirects and reports it once under the original name", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/chain?n=3", { name: "chain" });
    assert.equal(res.status, 200);
    assert.equal(res.redirects, 3);
    assert.equal(res.url, `${server.url}/final`);
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.equal(event.name, "chain");
    assert.equal(event.exception, null);
    assert.equal(event.responseLength, res.body.byteLength);
    assert.equal(event.url, `${server.url}/chain?n=3`);
    assert.equal(event.responseTimeMs, res.timing.totalMs);
    assert.ok(res.timing.ttfbMs <= res.timing.totalMs);
    await session.close();
  });

  it("stores cookies set on redirect hops and sends them on later hops", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/chain?n=2");
    assert.equal(res.json<{ cookie: string }>().cookie, "hop2=yes; hop1=yes");
    assert.equal(session.cookies.get("hop2"), "yes");
    await session.close();
  });

  it("turns a POST into a GET without body on 303, 301 and 302", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    for (const code of [303, 301, 302]) {
      const res = await session.post(`/code/${code}`, { json: { a: 1 } });
      const seen = server.seen.at(-1)!;
      assert.equal(res.json<{ method: string }>().method, "GET", `after ${code}`);
      assert.equal(seen.body, "");
      assert.equal(seen.headers["content-type"], undefined);
    }
    await session.close();
  });

  it("keeps the method and body on 307 and 308", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    for (const code of [307, 308]) {
      const res = await session.post(`/code/${code}`, { form: { q: "1" } });
      const echo = res.json<{ method: string; body: string }>();
      assert.equal(echo.method, "POST");
      assert.equal(echo.body, "q=1");
      assert.equal(server.seen.at(-1)!.headers["content-type"], "application/x-www-form-urlencoded");
    }
    await session.close();
  });

  it("fails with TooManyRedirects past maxRedirects", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url, maxRedirects: 5 });
    const res = await session.get("/loop");
    assert.equal(res.status, 302);
    assert.equal(res.ok, false);
    assert.equal(describeFailure(res.error!), "TooManyRedirects: exceeded 5 redirects");
    assert.equal(events.length, 1);
    assert.equal(describeFailure(events[0]!.exception!), "TooManyRedirects: exceeded 5 redirects");
    assert.equal(server.seen.filter((s) => s.url === "/loop").length, 6);
    await session.close();
  });

  it("says 30 redirects by default", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/loop");
    assert.equal(describeFailure(res.error!), "TooManyRedirects: exceeded 30 redirects");
    await session.close();
  });

  it("returns the 3xx as is with allowRedirects: false, as a success", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/code/302", { allowRedirects: false });
    assert.equal(res.status, 302);
    assert.equal(res.ok, true);
    assert.equal(res.headers.location, "/final");
    assert.equal(events[0]!.exception, null);
    await session.close();
  });

  it("fails with InvalidRedirect when the Location cannot be followed", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/ftp");
    assert.equal(res.status, 301);
    assert.match(
      describeFailure(res.error!),
      /^InvalidRedirect: cannot follow Location "ftp:\/\/127.0.0.1\/file"/,
    );
    assert.equal(events.length, 1);
    // The server's Location with a port out of range: recorded, and the reason named.
    const badPort = await session.get("/badport");
    assert.equal(badPort.status, 302);
    assert.equal(
      describeFailure(badPort.error!),
      'InvalidRedirect: cannot follow Location "http://127.0.0.1:70000/there": its port 70000 is out of range (a port is 1 to 65535)',
    );
    assert.equal(events.length, 2);
    await session.close();
  });

  it("follows a cross-origin redirect on that origin's connection", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/away");
    const echo = res.json<{ where: string; cookie: string | null }>();
    assert.equal(echo.where, "other");
    // RFC 6265: cookies are per host, not per port, so the hop's cookie goes along.
    assert.equal(echo.cookie, "home=1");
    assert.equal(res.url, `${other.url}/there`);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.name, "/away");
    assert.equal(other.connections, 1);
    await session.close();
  });
});
