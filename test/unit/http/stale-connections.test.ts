/**
 * Servers that close keep-alive connections right after a response (without saying
 * Connection: close): a request sent on such a connection before the close is noticed
 * fails through no fault of the server's. Idempotent ones are sent again, once, on a new
 * connection and recorded once; others fail with a message that says what happened.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { startRawServer } from "../../helpers/raw-server.js";
import { recordingSession, sleep } from "./helpers.js";

interface CloseServer {
  url: string;
  /** Requests read, over all connections. */
  requests: number;
  /** Connections that carried a request. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A raw HTTP/1.1 server that answers each request with a keep-alive-looking response and
 * then closes the connection after `closeAfterMs()` (0: at once), or, with `silentOn`,
 * closes without answering the requests it picks.
 */
async function startClosingServer(options: {
  closeAfterMs: () => number;
  silentOn?: (request: number, connectionRequests: number) => number | undefined;
}): Promise<CloseServer> {
  const state = { requests: 0, connections: 0 };
  const server = await startRawServer((socket, _head, onThisConnection) => {
    if (onThisConnection === 1) state.connections++;
    state.requests++;
    const silentFor = options.silentOn?.(state.requests, onThisConnection);
    if (silentFor !== undefined) {
      setTimeout(() => socket.destroy(), silentFor);
      return;
    }
    socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    const delay = options.closeAfterMs();
    if (delay === 0) socket.end();
    else setTimeout(() => socket.end(), delay);
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    close: () => server.close(),
  };
}

describe("connections the server closes after a response", () => {
  it("sends 200 sequential GETs without a failure to a server that closes right after each response", async () => {
    const server = await startClosingServer({ closeAfterMs: () => 0 });
    const { session, events } = recordingSession({ baseUrl: server.url });
    for (let i = 0; i < 200; i++) await session.get("/");
    const failures = events.filter((event) => event.exception);
    assert.deepEqual(
      failures.map((event) => describeFailure(event.exception!)),
      [],
    );
    assert.equal(events.length, 200, "each request recorded once");
    assert.ok(server.requests >= 200);
    await session.close();
    await server.close();
  });

  it("does the same when the server closes 0-5 ms after each response", async () => {
    const server = await startClosingServer({ closeAfterMs: () => Math.floor(Math.random() * 6) });
    const { session, events } = recordingSession({ baseUrl: server.url });
    for (let i = 0; i < 200; i++) await session.get("/");
    assert.deepEqual(
      events.filter((event) => event.exception).map((event) => describeFailure(event.exception!)),
      [],
    );
    assert.equal(events.length, 200);
    await session.close();
    await server.close();
  });

  it("does not repeat a POST: it fails saying the server closed the connection without answering it", async () => {
    const server = await startClosingServer({ closeAfterMs: () => 0 });
    const { session, events } = recordingSession({ baseUrl: server.url });
    let failed = 0;
    for (let i = 0; i < 50; i++) {
      const res = await session.post("/orders", { body: "x" });
      if (res.error !== null) {
        failed++;
        assert.match(
          describeFailure(res.error),
          /^ConnectionResetError: the server at 127\.0\.0\.1:\d+ closed the keep-alive connection without answering this request \(it sent no `Connection: close` with its last response\); POST is not retried, as it may not be idempotent$/,
        );
      }
    }
    assert.ok(failed > 0, "some POSTs met a connection the server had closed");
    // The server read most failed POSTs before its close took effect (so they may have
    // been processed): repeating them would have sent more than 50.
    assert.ok(server.requests <= 50, `${server.requests} POSTs arrived: some were sent twice`);
    assert.equal(events.length, 50);
    // With an Idempotency-Key the client may repeat it.
    const keyed = await session.post("/orders", { body: "x", headers: { "Idempotency-Key": "k1" } });
    await sleep(5);
    const again = await session.post("/orders", { body: "x", headers: { "Idempotency-Key": "k2" } });
    assert.equal(keyed.error, null);
    assert.equal(again.error, null);
    await session.close();
    await server.close();
  });

  it("records a retried request once, timed from its first attempt", async () => {
    // The second request on the first connection is read, then the connection dies after 150 ms.
    const server = await startClosingServer({
      closeAfterMs: () => 60_000,
      silentOn: (request, onConnection) => (request === 2 && onConnection === 2 ? 150 : undefined),
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    await session.get("/first");
    const res = await session.get("/second");
    assert.equal(res.status, 200);
    assert.equal(events.length, 2);
    assert.equal(events[1]!.exception, null);
    assert.ok(events[1]!.responseTimeMs >= 140, `took ${events[1]!.responseTimeMs} ms`);
    assert.ok(res.timing.connectMs !== null, "the retry opened a connection");
    assert.equal(server.requests, 3);
    assert.equal(server.connections, 2);
    await session.close();
    await server.close();
  });

  it("retries once only: a request that fails again is reported", async () => {
    // Every request after the first on each connection is read and then dropped.
    const server = await startClosingServer({
      closeAfterMs: () => 60_000,
      silentOn: (request) => (request === 1 ? undefined : 0),
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    await session.get("/first");
    const res = await session.get("/second");
    assert.equal(res.status, 0);
    // The retry went out on a fresh connection, where a close is the server's fault.
    assert.match(
      describeFailure(res.error!),
      /^ConnectionResetError: the server closed the connection before/,
    );
    assert.equal(server.requests, 3);
    assert.equal(events.length, 2);
    await session.close();
    await server.close();
  });
});
