import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { HttpSession } from "../../../src/http/index.js";
import { StopUser } from "../../../src/shared/control-flow.js";
import type { RequestEvent } from "../../../src/shared/request-event.js";

/** A real event-stream server with one route per behaviour under test. */
function startServer(): Promise<{
  server: Server;
  url: string;
  streams: Set<ServerResponse>;
  cookies: string[];
}> {
  const streams = new Set<ServerResponse>();
  const cookies: string[] = [];
  const server = createServer((req, res) => {
    cookies.push(`${req.url} ${req.headers.cookie ?? ""}`);
    const sse = () => res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
    switch (req.url) {
      case "/feed":
        sse();
        setTimeout(() => res.write("event: hello\ndata: first\nid: 1\n\n"), 30);
        streams.add(res);
        res.on("close", () => streams.delete(res));
        return;
      case "/burst":
        sse();
        res.write("data: a\n\ndata: b\n\nevent: tick\ndata: c\n\n");
        streams.add(res);
        return;
      case "/one-then-end":
        sse();
        res.end("data: only\n\n");
        return;
      case "/silent":
        sse();
        res.write(": just a comment\n\n");
        streams.add(res);
        return;
      case "/end-early":
        sse();
        res.end(": nothing\n\n");
        return;
      case "/login":
        res.writeHead(204, { "set-cookie": "sid=s3cret; Path=/" }).end();
        return;
      case "/json":
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        return;
      default:
        res.writeHead(401).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, streams, cookies });
    }),
  );
}

describe("this.client.sse() against a real event-stream server", () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    target = await startServer();
  });
  after(() => {
    target.server.closeAllConnections();
    target.server.close();
  });
  const session = (events: RequestEvent[]) =>
    new HttpSession({ baseUrl: target.url, onRequest: (e) => events.push(e), networkTimeoutMs: 2000 });

  it("records the time to the first event (type SSE), then waits like WebSocket messages", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    const stream = await client.sse("/feed", { name: "feed" });
    assert.deepEqual(stream.firstEvent, { event: "hello", data: "first", id: "1" });
    const open = events[0]!;
    assert.equal(open.requestType, "SSE");
    assert.equal(open.name, "feed");
    assert.ok(open.responseTimeMs >= 25, `to the first event, not the headers: ${open.responseTimeMs}`);
    const wait = stream.waitFor((e) => e.event === "tick", { name: "tick" });
    setTimeout(() => {
      for (const res of target.streams) res.write("data: other\n\nevent: tick\ndata: 42\n\n");
    }, 60);
    assert.deepEqual(await wait, { event: "tick", data: "42", id: "1" });
    const tick = events.find((e) => e.name === "tick")!;
    assert.ok(tick.responseTimeMs >= 55 && tick.responseTimeMs < 1000, String(tick.responseTimeMs));
    assert.equal(tick.responseLength, 2);
    stream.close();
    await client.close();
  });

  it("events that came with the first one are kept for the next wait", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    const stream = await client.sse("/burst");
    assert.equal(stream.firstEvent?.data, "a");
    assert.equal((await stream.waitFor((e) => e.event === "tick", { name: "c" }))?.data, "c");
    await client.close();
  });

  it("a wrong status, a wrong content type, no event in time or an early end are recorded failures", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    const results = [
      await client.sse("/nope"),
      await client.sse("/json"),
      await client.sse("/silent", { timeout: 0.2 }),
      await client.sse("/end-early"),
    ];
    assert.ok(results.every((stream) => stream.error !== undefined && !stream.open));
    assert.deepEqual(
      events.map((e) => String(e.exception)),
      [
        "HTTPError: 401 Unauthorized",
        "SseError: expected content-type text/event-stream, got 'application/json'",
        "Timeout: no event within 0.2 s",
        "ConnectionClosed: the server ended the event stream before the first event",
      ],
    );
    assert.equal(await results[0]!.waitFor(() => true, { name: "on failed" }), undefined);
    await client.close();
  });

  it("a malformed URL or a port out of range throws a clear error naming the URL", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    await assert.rejects(
      client.sse("http://127.0.0.1:99999/x"),
      new Error(
        'cannot open an event stream at "http://127.0.0.1:99999/x": its port 99999 is out of range (a port is 1 to 65535)',
      ),
    );
    await assert.rejects(
      client.sse("http://[::1/x"),
      new Error('cannot open an event stream at "http://[::1/x": it is not a valid URL'),
    );
    assert.equal(events.length, 0);
    await client.close();
  });

  it("the server ending the stream fails a pending wait at once", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    const stream = await client.sse("/one-then-end");
    assert.equal(await stream.waitFor(() => true, { name: "after end", timeout: 5 }), undefined);
    assert.match(String(events.at(-1)!.exception), /ConnectionClosed: the server ended the event stream/);
    await client.close();
  });

  it("sends the session's cookies and stops without recording when the user is interrupted", async () => {
    const events: RequestEvent[] = [];
    const client = session(events);
    await client.get("/login");
    const stream = await client.sse("/feed");
    assert.ok(target.cookies.includes("/feed sid=s3cret"), target.cookies.join("\n"));
    const wait = stream.waitFor(() => false, { name: "interrupted" });
    client.interrupt();
    await assert.rejects(wait, StopUser);
    await assert.rejects(client.sse("/feed"), StopUser);
    assert.equal(events.filter((e) => e.name === "interrupted").length, 0);
    await client.close();
  });
});
