/**
 * HTTP/2 against node:http2 servers: cleartext with prior knowledge and TLS with ALPN,
 * one session per user, the same response API, timings and events as HTTP/1.1, and the
 * failures a server can cause (reset streams, refused streams, GOAWAY, a dropped
 * connection, silence) each a counted failure with a clear name, never a hang.
 */
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import {
  constants,
  createSecureServer,
  createServer,
  type Http2Server,
  type Http2Session,
  type Http2Stream,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { describeFailure } from "../../../src/shared/request-event.js";
import { makeCertificates, type TestCertificates } from "../../helpers/certificates.js";
import { recordingSession, startSilentServer } from "./helpers.js";

type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, session: Http2Session) => void;

interface H2Server {
  url: string;
  sessions: number;
  requests: Array<{ path: string; method: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

async function startH2(
  handler: StreamHandler,
  tls?: { cert: string; key: string; allowHTTP1?: boolean },
): Promise<H2Server> {
  const server: Http2Server =
    tls === undefined
      ? createServer()
      : createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: tls.allowHTTP1 ?? false });
  const state = { sessions: 0, requests: [] as H2Server["requests"] };
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("session", () => state.sessions++);
  server.on("stream", (stream, headers) => {
    let body = "";
    stream.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    stream.on("error", () => {});
    stream.on("end", () => {
      state.requests.push({
        path: String(headers[":path"]),
        method: String(headers[":method"]),
        headers,
        body,
      });
      handler(stream, headers, stream.session!);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get sessions() {
      return state.sessions;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const respond = (stream: Http2Stream & ServerHttp2Stream, status: number, body: string, headers = {}) => {
  stream.respond({ ":status": status, "content-type": "text/plain", ...headers });
  stream.end(body);
};

describe("HTTP/2", () => {
  let certs: TestCertificates;
  before(() => {
    certs = makeCertificates(["IP:127.0.0.1"]);
  });
  after(() => certs.remove());

  it("speaks cleartext HTTP/2 with prior knowledge: the same responses, timings and events, one session", async () => {
    const server = await startH2((stream, headers) => {
      const path = String(headers[":path"]);
      if (path === "/login")
        respond(stream, 302, "", { location: "/home", "set-cookie": ["sid=abc; Path=/", "theme=dark"] });
      else if (path === "/home") respond(stream, 200, `cookie: ${headers.cookie}`);
      else if (path === "/missing") respond(stream, 404, "no");
      else respond(stream, 200, `${headers[":method"]} ${path}`);
    });
    const { session, events } = recordingSession({ baseUrl: server.url, http2: true });
    const first = await session.get("/hello?x=1");
    assert.equal(first.status, 200);
    assert.equal(first.httpVersion, "2.0");
    assert.equal(first.text(), "GET /hello?x=1");
    assert.equal(first.headers["content-type"], "text/plain");
    assert.equal(typeof first.timing.connectMs, "number");
    assert.ok(first.timing.ttfbMs > 0 && first.timing.totalMs >= first.timing.ttfbMs);
    const home = await session.get("/login", { name: "login" });
    assert.equal(home.url, `${server.url}/home`);
    assert.equal(home.text(), "cookie: sid=abc; theme=dark");
    assert.equal(home.timing.connectMs, null, "the session was reused");
    const posted = await session.post("/submit", { json: { a: 1 } });
    assert.equal(posted.text(), "POST /submit");
    const missing = await session.get("/missing");
    assert.equal(describeFailure(missing.error!), "HTTPError: 404 Not Found");
    const parallel = await Promise.all(Array.from({ length: 8 }, (_, i) => session.get(`/p${i}`)));
    assert.ok(parallel.every((res) => res.status === 200));
    assert.equal(server.sessions, 1, "one session per user, every request a stream");
    const submit = server.requests.find((r) => r.path === "/submit")!;
    assert.equal(submit.body, '{"a":1}');
    assert.equal(submit.headers["content-type"], "application/json");
    assert.equal(submit.headers[":authority"], server.url.slice(7));
    assert.equal(submit.headers["user-agent"]?.startsWith("cicada/"), true);
    assert.deepEqual(
      events
        .map((e) => [e.requestType, e.name, e.exception ? describeFailure(e.exception) : null])
        .slice(0, 4),
      [
        ["GET", "/hello?x=1", null],
        ["GET", "login", null],
        ["POST", "/submit", null],
        ["GET", "/missing", "HTTPError: 404 Not Found"],
      ],
    );
    assert.equal(events.length, 12);
    await session.close();
    await server.close();
  });

  it("negotiates h2 over TLS with ALPN; 'auto' falls back to HTTP/1.1; true fails on an HTTP/1.1-only server", async () => {
    const h2 = await startH2((stream) => respond(stream, 200, "h2"), {
      cert: certs.serverCert,
      key: certs.serverKey,
    });
    const tls = { ca: certs.ca };
    const forced = recordingSession({ baseUrl: h2.url, http2: true, tls });
    const viaTrue = await forced.session.get("/");
    assert.equal(viaTrue.httpVersion, "2.0");
    await forced.session.close();
    const auto = recordingSession({ baseUrl: h2.url, http2: "auto", tls });
    const results = await Promise.all([auto.session.get("/a"), auto.session.get("/b")]);
    assert.deepEqual(
      results.map((r) => [r.httpVersion, r.text()]),
      [
        ["2.0", "h2"],
        ["2.0", "h2"],
      ],
    );
    assert.equal((await auto.session.get("/c")).httpVersion, "2.0");
    await auto.session.close();
    await h2.close();

    const h1 = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }, (_req, res) =>
      res.end("h1"),
    );
    await new Promise<void>((resolve) => h1.listen(0, "127.0.0.1", resolve));
    const h1Url = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
    const fallback = recordingSession({ baseUrl: h1Url, http2: "auto", tls });
    const old = await fallback.session.get("/");
    assert.deepEqual([old.httpVersion, old.text()], ["1.1", "h1"]);
    await fallback.session.close();
    const strict = recordingSession({ baseUrl: h1Url, http2: true, tls });
    const refused = await strict.session.get("/");
    assert.equal(refused.status, 0);
    assert.match(describeFailure(refused.error!), /^ProtocolError: the server does not speak HTTP\/2 \(TLS/);
    assert.equal(strict.events.length, 1);
    await strict.session.close();
    h1.closeAllConnections();
    await new Promise<void>((resolve) => h1.close(() => resolve()));
  });

  it("counts a reset stream as a StreamResetError and carries on", async () => {
    const server = await startH2((stream, headers) => {
      if (headers[":path"] === "/reset") stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      else if (headers[":path"] === "/reset-mid-body") {
        stream.respond({ ":status": 200, "content-length": 100 });
        stream.write("partial");
        setTimeout(() => stream.destroy(new Error("server gave up")), 10);
      } else respond(stream, 200, "fine");
    });
    const { session, events } = recordingSession({ baseUrl: server.url, http2: true });
    const reset = await session.get("/reset");
    assert.equal(reset.status, 0);
    assert.equal(
      describeFailure(reset.error!),
      "StreamResetError: the server reset the stream (INTERNAL_ERROR)",
    );
    const cut = await session.get("/reset-mid-body");
    assert.equal(
      describeFailure(cut.error!),
      "StreamResetError: the server reset the stream (INTERNAL_ERROR)",
    );
    assert.equal((await session.get("/ok")).text(), "fine");
    assert.equal(events.length, 3);
    assert.equal(server.sessions, 1);
    await session.close();
    await server.close();
  });

  it("sends again, once, what the server refused or never processed (REFUSED_STREAM, GOAWAY)", async () => {
    let refused = 0;
    const server = await startH2((stream, headers, h2session) => {
      const path = String(headers[":path"]);
      if (path === "/refuse-once" && refused++ === 0) stream.close(constants.NGHTTP2_REFUSED_STREAM);
      else if (path === "/goaway") {
        // Shut down before this stream: the last stream processed is the one before it.
        h2session.goaway(constants.NGHTTP2_NO_ERROR, (stream.id ?? 1) - 2);
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
      } else respond(stream, 200, path);
    });
    const { session, events } = recordingSession({ baseUrl: server.url, http2: true });
    assert.equal((await session.post("/refuse-once", { body: "x" })).text(), "/refuse-once");
    await session.get("/warm");
    const afterGoaway = await session.get("/goaway");
    assert.equal(afterGoaway.status, 0, "refused twice: the second refusal is reported");
    assert.equal(
      describeFailure(afterGoaway.error!),
      "StreamResetError: the server reset the stream (REFUSED_STREAM)",
    );
    assert.equal((await session.get("/next")).text(), "/next");
    assert.ok(server.sessions >= 2, "a new session after the GOAWAY");
    assert.equal(events.length, 4, "retries are not recorded twice");
    await session.close();
    await server.close();
  });

  it("times out a silent stream and fails a dropped connection, without hanging", async () => {
    const server = await startH2((stream, headers, h2session) => {
      if (headers[":path"] === "/silent") return;
      if (headers[":path"] === "/drop") {
        h2session.destroy();
        return;
      }
      respond(stream, 200, "ok");
    });
    const { session } = recordingSession({ baseUrl: server.url, http2: true, networkTimeoutMs: 200 });
    const silent = await session.get("/silent");
    assert.equal(describeFailure(silent.error!), "Timeout: no response headers within 200 ms");
    const dropped = await session.get("/drop");
    assert.equal(dropped.status, 0);
    assert.match(
      describeFailure(dropped.error!),
      /^ConnectionResetError: the server closed the HTTP\/2 connection before the response was complete/,
    );
    assert.equal((await session.get("/after")).text(), "ok");
    await session.close();
    await server.close();
  });

  it("says a cleartext HTTP/1.1-only server does not speak HTTP/2 (a ProtocolError with a hint)", async () => {
    const h1 = createHttpServer((_req, res) => res.end("HTTP/1.1 only"));
    await new Promise<void>((resolve) => h1.listen(0, "127.0.0.1", resolve));
    const { session, events } = recordingSession({
      baseUrl: `http://127.0.0.1:${(h1.address() as AddressInfo).port}`,
      http2: true,
    });
    const res = await session.get("/");
    assert.equal(
      describeFailure(res.error!),
      "ProtocolError: the server does not speak HTTP/2 (no SETTINGS frame in answer to the HTTP/2 preface: " +
        'an HTTP/1.1-only server?); over http:// HTTP/2 needs prior knowledge, which http2 = "auto" cannot negotiate: drop http2, or use https',
    );
    assert.equal(events.length, 1);
    await session.close();
    h1.closeAllConnections();
    await new Promise<void>((resolve) => h1.close(() => resolve()));
  });

  it("times out a cleartext server that never speaks HTTP/2", async () => {
    const silent = await startSilentServer();
    const { session } = recordingSession({
      baseUrl: `http://127.0.0.1:${silent.port}`,
      http2: true,
      networkTimeoutMs: 200,
    });
    const res = await session.get("/");
    assert.equal(describeFailure(res.error!), "Timeout: no response headers within 200 ms");
    await session.close();
    await silent.close();
  });

  it("decodes compressed bodies over HTTP/2 too", async () => {
    const body = gzipSync(Buffer.from("compressed over h2"));
    const server = await startH2((stream, headers) => {
      assert.equal(headers["accept-encoding"], "gzip, deflate, br");
      stream.respond({ ":status": 200, "content-encoding": "gzip" });
      stream.end(body);
    });
    const { session, events } = recordingSession({ baseUrl: server.url, http2: true });
    const res = await session.get("/");
    assert.equal(res.text(), "compressed over h2");
    assert.equal(events[0]!.responseLength, body.length);
    await session.close();
    await server.close();
  });
});
