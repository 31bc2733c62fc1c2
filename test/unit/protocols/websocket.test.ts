import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocketServer } from "ws";
import { type CouponService, startCouponService } from "../../../examples/coupon-service/service.js";
import { StopUser } from "../../../src/shared/control-flow.js";
import type { RequestEvent } from "../../../src/shared/request-event.js";
import { constant, task, WebSocketUser } from "../../../src/user/index.js";
import { WebSocketClient } from "../../../src/ws/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

/** A real `ws` server: echoes "echo:*", answers "slow" after 150 ms, closes on "bye", refuses /private. */
function startServer(): Promise<{ server: Server; url: string; upgrades: string[] }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const upgrades: string[] = [];
  server.on("upgrade", (req, socket, head) => {
    upgrades.push(`${req.url} cookie=${req.headers.cookie ?? ""} x=${req.headers["x-token"] ?? ""}`);
    if (req.url === "/private") {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send("hello");
      ws.on("message", (data) => {
        const text = String(data);
        if (text.startsWith("echo:")) ws.send(text.slice(5));
        else if (text === "slow") setTimeout(() => ws.send("late"), 150);
        else if (text === "bye") ws.close(4000, "bye now");
        else if (text === "binary") ws.send(Buffer.from([1, 2, 3]));
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `ws://127.0.0.1:${port}`, upgrades });
    }),
  );
}

describe("WebSocketClient against a real ws server", () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    target = await startServer();
  });
  after(() => {
    target.server.closeAllConnections();
    target.server.close();
  });
  const client = (events: RequestEvent[], base = target.url) =>
    new WebSocketClient({ baseUrl: base, onRequest: (e) => events.push(e), waitTimeoutSeconds: 2 });

  it("records the connect (type WS, named by the path) and each wait, timed from the send", async () => {
    const events: RequestEvent[] = [];
    const ws = await client(events).connect("/chat");
    assert.equal(ws.open, true);
    assert.equal(await ws.waitFor((m) => m === "hello", { name: "greeting" }), "hello");
    ws.send("slow");
    const started = performance.now();
    assert.equal(await ws.waitFor((m) => m === "late", { name: "late reply" }), "late");
    const waited = performance.now() - started;
    ws.send("binary");
    const bytes = await ws.waitFor((m) => typeof m !== "string", { name: "binary" });
    assert.deepEqual([...(bytes as Buffer)], [1, 2, 3]);
    await ws.close();
    assert.deepEqual(
      events.map((e) => [e.requestType, e.name, e.exception ?? null]),
      [
        ["WS", "/chat", null],
        ["WS", "greeting", null],
        ["WS", "late reply", null],
        ["WS", "binary", null],
      ],
    );
    const late = events[2]!;
    assert.ok(
      late.responseTimeMs >= 145 && late.responseTimeMs <= waited + 1,
      `${late.responseTimeMs} vs ${waited}`,
    );
    assert.equal(late.responseLength, 4);
    assert.equal(events[3]!.responseLength, 3);
  });

  it("a message that arrived after the send but before waitFor matches, timed from the send", async () => {
    const events: RequestEvent[] = [];
    const ws = await client(events).connect("/chat");
    await ws.waitFor((m) => m === "hello", { name: "greeting" });
    ws.send("echo:pong");
    await new Promise((resolve) => setTimeout(resolve, 50)); // the answer is in before the wait
    assert.equal(await ws.waitFor((m) => m === "pong", { name: "pong" }), "pong");
    const pong = events.find((e) => e.name === "pong")!;
    assert.ok(
      pong.responseTimeMs < 45,
      `timed to the message's arrival, not the call: ${pong.responseTimeMs}`,
    );
    await ws.close();
  });

  it("a message that never comes is a timeout failure after the wait's timeout", async () => {
    const events: RequestEvent[] = [];
    const ws = await client(events).connect("/chat");
    assert.equal(await ws.waitFor((m) => m === "never", { name: "never", timeout: 0.2 }), undefined);
    const never = events.find((e) => e.name === "never")!;
    assert.match(String(never.exception), /Timeout: no matching message within 0.2 s/);
    assert.ok(never.responseTimeMs >= 195 && never.responseTimeMs < 1000, String(never.responseTimeMs));
    await ws.close();
  });

  it("the server closing during a wait fails it at once, with the close code and reason", async () => {
    const events: RequestEvent[] = [];
    const ws = await client(events).connect("/chat");
    ws.send("bye");
    const started = performance.now();
    assert.equal(await ws.waitFor((m) => m === "never", { name: "after bye", timeout: 5 }), undefined);
    assert.ok(performance.now() - started < 1000, "not the 5 s timeout");
    const failure = String(events.find((e) => e.name === "after bye")!.exception);
    assert.match(failure, /ConnectionClosed: the server closed the WebSocket \(code 4000, "bye now"\)/);
    // Later waits on the closed socket fail at once too.
    assert.equal(await ws.waitFor(() => true, { name: "closed" }), undefined);
    assert.equal(events.filter((e) => e.exception).length, 2);
  });

  it("a refused upgrade and a refused connection are recorded failures, never thrown", async () => {
    const events: RequestEvent[] = [];
    const refused = await client(events).connect("/private", { name: "private" });
    assert.match(String(refused.error), /WebSocketUpgradeRefused: 403 Forbidden/);
    assert.equal(await refused.waitFor(() => true, { name: "on refused" }), undefined);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const nobody = await client(events, `ws://127.0.0.1:${closedPort}`).connect("/x");
    assert.match(String(nobody.error), /ConnectionRefusedError/);
    assert.deepEqual(
      events.map((e) => [e.name, String(e.exception).split(":")[0]]),
      [
        ["private", "WebSocketUpgradeRefused"],
        ["on refused", "ConnectionClosed"],
        ["/x", "ConnectionRefusedError"],
      ],
    );
    // The wait names the refusal, not a close by the server (ws closes the refused socket with 1006 first).
    assert.equal(
      String(events[1]!.exception),
      `ConnectionClosed: the WebSocket never opened (WebSocketUpgradeRefused: 403 Forbidden (${target.url}/private))`,
    );
  });

  it("a malformed URL or a port out of range is the task's mistake: a clear error naming it, not ws's own", async () => {
    const events: RequestEvent[] = [];
    const ws = client(events);
    const bad = {
      "ws://127.0.0.1:18571:ws": "its port '18571:ws' is not a number (a port is 1 to 65535)",
      "ws://127.0.0.1:99999/ws": "its port 99999 is out of range (a port is 1 to 65535)",
      "ws://[::1/ws": "it is not a valid URL",
      "htp://127.0.0.1/ws": "expected a ws://, wss://, http:// or https:// URL",
    };
    for (const [url, problem] of Object.entries(bad)) {
      await assert.rejects(ws.connect(url), (error: Error) => {
        assert.equal(error.message, `cannot open a WebSocket to "${url}": ${problem}`);
        return true;
      });
    }
    assert.equal(events.length, 0, "nothing was sent, nothing is recorded");
  });

  it("an http(s) host is upgraded to ws(s), headers go with the upgrade", async () => {
    const events: RequestEvent[] = [];
    const http = target.url.replace("ws://", "http://");
    const ws = await client(events, `${http}/base`).connect("/sub", { headers: { "x-token": "t1" } });
    assert.equal(ws.url, `${target.url}/base/sub`);
    assert.ok(target.upgrades.includes("/base/sub cookie= x=t1"), target.upgrades.join("\n"));
    await ws.close();
  });

  it("interrupt: a pending wait rejects with StopUser and nothing is recorded", async () => {
    const events: RequestEvent[] = [];
    const ws = await client(events).connect("/chat");
    const wait = ws.waitFor((m) => m === "never", { name: "interrupted", timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    ws.abort(new StopUser("stopped"));
    await assert.rejects(wait, StopUser);
    assert.equal(events.filter((e) => e.name === "interrupted").length, 0);
  });
});

describe("WebSocketClient against a server that never answers the upgrade", () => {
  it("interrupt ends the opening handshake at once: connect rejects with StopUser and nothing is recorded", {
    timeout: 10_000,
  }, async (t) => {
    // Accepts the TCP connection, reads the upgrade request, never answers it.
    const silent = createNetServer((socket) => socket.on("data", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const sockets: Socket[] = [];
    silent.on("connection", (socket) => sockets.push(socket));
    t.after(() => {
      for (const socket of sockets) socket.destroy();
    });
    const { port } = silent.address() as AddressInfo;
    const events: RequestEvent[] = [];
    let abortedConnects = 0;
    const client = new WebSocketClient({
      baseUrl: `http://127.0.0.1:${port}`,
      onRequest: (e) => events.push(e),
      connectTimeoutSeconds: 60,
      onAbortedConnects: (count) => {
        abortedConnects += count;
      },
    });
    const connecting = client.connect("/live");
    assert.ok(await waitFor(() => sockets.length === 1, 3000), "the server got the connection");
    const started = performance.now();
    client.interrupt();
    await assert.rejects(connecting, StopUser);
    // Without the abort it waited out the handshake timeout (60 s here).
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
    assert.deepEqual(events, []);
    // Counted as a request the stop aborted before it was answered (the ⚠ line at the end).
    assert.equal(abortedConnects, 1);
  });
});

describe("WebSocketUser against the coupon service's live feed", () => {
  let service: CouponService;
  before(async () => {
    service = await startCouponService({ port: 0, coupons: 1, stock: 10 });
  });
  after(() => service.close());

  it("signs in over HTTP and opens /live with the session cookie; without it the upgrade is refused", async () => {
    class Watcher extends WebSocketUser {
      override waitTime = constant(0.05);
      override async onStart() {
        const anonymous = await this.connect("/live", { name: "anonymous" });
        assert.ok(anonymous.error);
        await this.client.get("/signin");
        const csrfmiddlewaretoken = this.client.cookies.get("csrftoken")!;
        await this.client.post("/signin", {
          form: { username: "w", password: "cicada", csrfmiddlewaretoken },
        });
      }
      @task async watch() {
        const ws = await this.connect("/live");
        await ws.waitFor((m) => String(m).includes('"left":10'), { name: "coupons left", timeout: 2 });
        ws.send(JSON.stringify({ type: "ping", id: 1 }));
        await ws.waitFor((m) => String(m).includes("pong"), { name: "pong", timeout: 2 });
        await ws.close();
      }
    }
    const { runner, environment } = makeRun([Watcher], { host: service.url.replace("http://", "ws://") });
    await runner.start(1, 10);
    assert.ok(
      await waitFor(
        () =>
          (environment.stats.snapshot(Date.now()).entries.find((e) => e.name === "pong")?.numRequests ?? 0) >=
          2,
        5000,
      ),
    );
    await runner.quitAndWait();
    const snapshot = environment.stats.snapshot(Date.now());
    const row = (name: string) => snapshot.entries.find((e) => e.method === "WS" && e.name === name);
    assert.equal(row("anonymous")?.numFailures, 1);
    assert.equal(row("/live")?.numFailures, 0);
    assert.equal(row("coupons left")?.numFailures, 0);
    assert.ok((row("/live")?.numRequests ?? 0) >= 2);
    assert.equal(snapshot.errors.length, 1, JSON.stringify(snapshot.errors));
    assert.match(snapshot.errors[0]!.error, /WebSocketUpgradeRefused: 401 Unauthorized/);
  });
});
