// The client's timeouts: long ones last as long as they say (no setTimeout overflow), a
// stalled body is noticed after about one networkTimeout (not two), a body that trickles
// in forever ends at the response deadline, and the response deadline and a request's
// `timeout` end a request on time, whether or not its head has arrived, over HTTP/1.1
// and HTTP/2.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { createServer as createHttp2Server, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { HttpResponse } from "../../../src/http/index.js";
import { settlesWithin } from "../../../src/shared/timers.js";
import { recordingSession, startServer, startSilentServer, type TestServer } from "./helpers.js";

const DAYS_30_S = 30 * 24 * 3600;

/** Counts Node's TimeoutOverflowWarning (a delay setTimeout cut to 1 ms) while a test runs. */
function overflowWarnings(t: { after(fn: () => void): void }): () => number {
  let count = 0;
  const listener = (warning: Error) => {
    if (warning.name === "TimeoutOverflowWarning") count++;
  };
  process.on("warning", listener);
  t.after(() => process.off("warning", listener));
  return () => count;
}

/** Sends the head and `firstBytes` of a 1000-byte body, then `drip` (ms between bytes; 0: stalls). */
function partialBody(res: ServerResponse | ServerHttp2Stream, drip = 0): void {
  if ("writeHead" in res) res.writeHead(200, { "content-length": "1000" });
  else res.respond({ ":status": 200, "content-length": "1000" });
  res.write("x".repeat(10));
  if (drip === 0) return;
  const timer = setInterval(() => res.write("x"), drip);
  res.on("close", () => clearInterval(timer));
}

/** How late a deadline may be noticed here: timer granularity and a busy shared machine. */
const LATENESS_MS = 120;

/** The request's outcome and how long it took, or a failure once it ran `boundMs` (no hang). */
async function timed(request: Promise<HttpResponse>, boundMs: number): Promise<[HttpResponse, number]> {
  const started = performance.now();
  assert.ok(await settlesWithin(request, boundMs), `still running after ${boundMs} ms`);
  return [await request, performance.now() - started];
}

/** Asserts a request ended with `message` no sooner than `deadlineMs` and at most LATENESS_MS after. */
function assertEndedAt([response, took]: [HttpResponse, number], deadlineMs: number, message: RegExp): void {
  assert.equal(response.status, 0);
  assert.match(String(response.error), message);
  assert.ok(took >= deadlineMs - 1 && took < deadlineMs + LATENESS_MS, `ended after ${took.toFixed(1)} ms`);
}

describe("HTTP timeouts", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === "/slow") setTimeout(() => res.end("late"), 80);
      else if (req.url === "/stall") partialBody(res);
      else if (req.url === "/drip") partialBody(res, 40);
      else res.end("ok");
    });
  });
  after(() => server.close());

  it("30-day timeout, connectionTimeout and networkTimeout: a reply after 80 ms is a success", async (t) => {
    const warnings = overflowWarnings(t);
    const { session, events } = recordingSession({
      baseUrl: server.url,
      connectionTimeoutMs: DAYS_30_S * 1000,
      networkTimeoutMs: DAYS_30_S * 1000,
      responseTimeoutMs: DAYS_30_S * 1000,
    });
    t.after(() => session.close());
    const response = await session.get("/slow", { timeout: DAYS_30_S });
    assert.equal(response.error, null, String(response.error));
    assert.equal(events[0]?.exception ?? null, null);
    assert.equal(warnings(), 0, "no timer was cut to 1 ms");
  });

  it("a stalled body fails after about one networkTimeout, as its message says", async (t) => {
    const { session } = recordingSession({ baseUrl: server.url, networkTimeoutMs: 400 });
    t.after(() => session.close());
    const started = performance.now();
    const response = await session.get("/stall");
    const took = performance.now() - started;
    assert.match(String(response.error), /no response body data for 400 ms/);
    assert.ok(took >= 400 && took < 400 * 1.35, `noticed after ${Math.round(took)} ms`);
  });

  it("a body that drips a byte every 40 ms ends at the response deadline; 300 s by default", async (t) => {
    const { session } = recordingSession({
      baseUrl: server.url,
      networkTimeoutMs: 200,
      responseTimeoutMs: 500,
    });
    t.after(() => session.close());
    const started = performance.now();
    const response = await session.get("/drip");
    const took = performance.now() - started;
    assert.equal(response.status, 0);
    assert.match(String(response.error), /Timeout: the response did not end within 500 ms/);
    assert.ok(took >= 500 && took < 700, `ended after ${Math.round(took)} ms`);
    assert.equal(recordingSession().session.limits.responseTimeoutMs, 300_000);
  });
});

describe("response deadlines are exact, head or no head", () => {
  let server: TestServer;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === "/drip") partialBody(res, 30);
      else res.end("ok");
    });
    silent = await startSilentServer();
  });
  after(async () => {
    await server.close();
    await silent.close();
  });

  // responseTimeout far below networkTimeout / 4 (the body check's period): it used to be
  // noticed at the first check, 15 s after sending with the default networkTimeout.
  it("responseTimeout ends a dripping body on time, on a new and on a reused connection", async (t) => {
    const { session } = recordingSession({ baseUrl: server.url, responseTimeoutMs: 250 });
    t.after(() => session.close());
    assertEndedAt(
      await timed(session.get("/drip"), 1500),
      250,
      /did not end within 250 ms \(responseTimeout\)/,
    );
    assert.equal((await session.get("/ok")).status, 200);
    assertEndedAt(
      await timed(session.get("/drip"), 1500),
      250,
      /did not end within 250 ms \(responseTimeout\)/,
    );
  });

  it("responseTimeout ends a request the server never answers", async (t) => {
    const { session } = recordingSession({
      baseUrl: `http://127.0.0.1:${silent.port}`,
      responseTimeoutMs: 250,
    });
    t.after(() => session.close());
    assertEndedAt(await timed(session.get("/"), 1500), 250, /did not end within 250 ms \(responseTimeout\)/);
  });

  it("a request's timeout: 'no response' before the head, 'did not end' after it", async (t) => {
    const { session } = recordingSession({ baseUrl: server.url });
    t.after(() => session.close());
    const dripping = await timed(session.get("/drip", { timeout: 0.25 }), 1500);
    assertEndedAt(dripping, 250, /^Timeout: the response did not end within 0.25 s \(timeout\)$/);
    const other = recordingSession({ baseUrl: `http://127.0.0.1:${silent.port}` }).session;
    t.after(() => other.close());
    assertEndedAt(
      await timed(other.get("/", { timeout: 0.25 }), 1500),
      250,
      /^Timeout: no response within 0.25 s$/,
    );
  });

  it("HTTP/2: responseTimeout ends a dripping body and an unanswered stream on time", async (t) => {
    const h2 = createHttp2Server();
    const sockets = new Set<Socket>();
    h2.on("connection", (socket: Socket) => sockets.add(socket));
    h2.on("stream", (stream, headers) => {
      stream.on("error", () => {});
      if (headers[":path"] === "/drip") partialBody(stream, 30);
    });
    await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      h2.close();
    });
    const baseUrl = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    const { session } = recordingSession({ baseUrl, http2: true, responseTimeoutMs: 250 });
    t.after(() => session.close());
    assertEndedAt(
      await timed(session.get("/drip"), 1500),
      250,
      /did not end within 250 ms \(responseTimeout\)/,
    );
    assertEndedAt(
      await timed(session.get("/silent"), 1500),
      250,
      /did not end within 250 ms \(responseTimeout\)/,
    );
  });
});
