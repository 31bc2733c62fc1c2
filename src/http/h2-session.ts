/**
 * HTTP/2 for one user and one origin: a single `node:http2` session (over TLS with ALPN
 * h2, or cleartext with prior knowledge), every request of the user a stream on it. It
 * takes the same requests and reports through the same callbacks as an HTTP/1.1
 * connection (channel.ts), so responses, timings, errors and statistics are the same.
 *
 * Failures worded for people: a stream the server resets is a `StreamResetError` naming
 * the HTTP/2 error code; a server that refuses a stream (REFUSED_STREAM) or shuts the
 * session down before a stream (GOAWAY) did not process it, so the exchange sends it
 * again on a new session; a session that fails as a whole is a `ProtocolError`.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect as connectHttp2,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from "node:http2";
import type { Socket } from "node:net";
import { clampTimerDelay } from "../shared/timers.js";
import type { Channel, OutgoingRequest } from "./channel.js";
import { type Dial, type DialListener, dial, type Endpoint } from "./dial.js";
import { connectionError, markRetryable } from "./errors.js";
import type { ConnectionSettings } from "./h1-connection.js";
import { ResponseHead } from "./response-head.js";

/** RFC 9113 §7 error codes, by number. */
const errorNames = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED",
];
const errorName = (code: number) => errorNames[code] ?? `error code ${code}`;

/** Sessions whose server sent its SETTINGS: it speaks HTTP/2. */
const heardSettings = new WeakSet<ClientHttp2Session>();

const NOT_HTTP2_CLEARTEXT =
  "the server does not speak HTTP/2 (no SETTINGS frame in answer to the HTTP/2 preface: an HTTP/1.1-only server?); " +
  'over http:// HTTP/2 needs prior knowledge, which http2 = "auto" cannot negotiate: drop http2, or use https';

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); the connection's own framing in HTTP/1.1. */
const connectionHeaders = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** The HTTP/2 session of one user with one origin. */
export class H2Session implements Channel, DialListener {
  private session: ClientHttp2Session | null = null;
  private dialing: Dial | null = null;
  private readonly waiting: OutgoingRequest[] = [];
  private readonly streams = new Map<OutgoingRequest, H2Stream>();
  private connectStartedAt = 0;
  private connectMs: number | null = null;
  /** Responses completed on the current session: after one, the session is a reused one. */
  completed = 0;
  /** One timer for every stream's network timeout, re-armed lazily (as HTTP/1.1 connections do). */
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    readonly settings: ConnectionSettings,
  ) {}

  /** TLS to the origin (else cleartext with prior knowledge). */
  get secure(): boolean {
    return this.endpoint.secure;
  }

  get load(): number {
    return this.waiting.length + this.streams.size;
  }

  requests(): OutgoingRequest[] {
    return [...this.streams.keys(), ...this.waiting];
  }

  enqueue(request: OutgoingRequest): void {
    if (this.session !== null) {
      this.start(request);
      return;
    }
    this.waiting.push(request);
    if (this.dialing === null) this.connect();
  }

  cancel(request: OutgoingRequest): void {
    const stream = this.streams.get(request);
    if (stream !== undefined) {
      this.streams.delete(request);
      stream.abandon();
      return;
    }
    const index = this.waiting.indexOf(request);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  destroy(): void {
    const orphans = this.requests();
    for (const stream of this.streams.values()) stream.abandon();
    this.streams.clear();
    this.waiting.length = 0;
    this.dialing?.abort();
    this.dialing = null;
    this.session?.destroy();
    this.session = null;
    clearTimeout(this.timer);
    this.timer = undefined;
    const closed = connectionError("CICADA_NET_SOCKET_CLOSED", "the session was closed");
    for (const request of orphans) request.onRequestError(closed);
  }

  /** Takes over a socket on which TLS agreed on h2 (a user with `http2 = "auto"`). */
  adopt(socket: Socket, connectMs: number): void {
    this.connectMs = connectMs;
    this.open(socket);
  }

  /** @internal */
  onDialed(socket: Socket, alpn: string | false): void {
    this.dialing = null;
    if (this.endpoint.secure && alpn !== "h2") {
      socket.destroy();
      const chose = alpn === false ? "no protocol" : alpn;
      const message = `the server does not speak HTTP/2 (TLS ALPN chose ${chose}); set http2 = "auto" to let it answer in HTTP/1.1`;
      this.failWaiting(connectionError("CICADA_NET_HTTP2", message));
      return;
    }
    this.connectMs = performance.now() - this.connectStartedAt;
    this.open(socket);
  }

  /** @internal */
  onDialFailed(error: Error): void {
    this.dialing = null;
    // A server whose ALPN list lacks h2 may end the handshake itself (TLS alert 120).
    if (/no application protocol/.test(error.message)) {
      const message =
        'the server does not speak HTTP/2 (TLS: no application protocol in common); set http2 = "auto" to let it answer in HTTP/1.1';
      this.failWaiting(connectionError("CICADA_NET_HTTP2", message));
      return;
    }
    this.failWaiting(error);
  }

  /** @internal A stream ended, one way or the other. */
  settled(request: OutgoingRequest, completed: boolean): void {
    this.streams.delete(request);
    if (completed) this.completed++;
  }

  /**
   * @internal The network timer: fails each stream silent for longer than the timeout
   * (no head since it was sent, or no body data since the last), then sleeps until the
   * next stream could time out. A timer per stream would cost one per request.
   */
  checkTimeouts(): void {
    this.timer = undefined;
    const { networkTimeoutMs: timeout, responseTimeoutMs } = this.settings;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const stream of [...this.streams.values()]) {
      // Silent too long, or the whole response (a body that drips forever) past responseTimeout.
      const silentDue = stream.lastActivity + timeout;
      const responseDue = stream.sentAt + responseTimeoutMs;
      if (responseDue <= now) stream.timedOut(true);
      else if (silentDue <= now) stream.timedOut(false);
      else next = Math.min(next, silentDue, responseDue);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next - now);
  }

  private armTimer(delayMs: number): void {
    // Clamped to what a Node timer holds: the check re-arms itself until the deadline.
    this.timer = setTimeout(onNetworkTimer, clampTimerDelay(Math.max(1, delayMs)), this);
    this.timer.unref();
  }

  private connect(): void {
    this.connectStartedAt = performance.now();
    const { connectionTimeoutMs, tls } = this.settings;
    // A proxy cannot forward HTTP/2 in absolute form: always tunnel.
    this.dialing = dial(this.endpoint, { connectionTimeoutMs, tls, alpn: ["h2"], tunnel: true }, this);
  }

  private open(socket: Socket): void {
    const session = connectHttp2(this.endpoint.origin, {
      createConnection: () => socket,
      settings: { enablePush: false },
    });
    this.session = session;
    this.completed = 0;
    // Errors reach each stream too, which reports them; the session's own are in 'close'.
    session.on("error", ignore);
    session.once("remoteSettings", () => heardSettings.add(session));
    // After a GOAWAY no new stream may start on this session: the next request opens another.
    session.on("goaway", () => this.forget(session));
    session.on("close", () => this.forget(session));
    for (const request of this.waiting.splice(0)) this.start(request);
  }

  private forget(session: ClientHttp2Session): void {
    if (this.session === session) this.session = null;
  }

  private start(request: OutgoingRequest): void {
    const session = this.session!;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(this.headersOf(request), { endStream: request.body === undefined });
    } catch (error) {
      // A session past its last stream id, or shutting down: the next one will do.
      this.forget(session);
      request.onRequestError(
        markRetryable(connectionError("CICADA_NET_HTTP2", (error as Error).message), "always"),
      );
      return;
    }
    this.streams.set(request, new H2Stream(this, session, request, stream));
    // The stream's first deadline: its head (network timeout) or its whole response,
    // whichever is sooner. An armed timer is due no later than that: it waits for an
    // older stream's deadline, and every stream has the same timeouts.
    if (this.timer === undefined) {
      const { networkTimeoutMs, responseTimeoutMs } = this.settings;
      this.armTimer(Math.min(networkTimeoutMs, responseTimeoutMs));
    }
    const body = request.body;
    if (body !== undefined) stream.end(typeof body === "string" ? Buffer.from(body, "utf8") : body);
    const connectMs = this.connectMs;
    this.connectMs = null;
    request.onRequestSent(connectMs);
  }

  private headersOf(request: OutgoingRequest): OutgoingHttpHeaders {
    const { endpoint } = this;
    const headers: OutgoingHttpHeaders = {
      ":method": request.method,
      ":path": request.path,
      ":scheme": endpoint.secure ? "https" : "http",
      ":authority": endpoint.hostHeader,
    };
    const list = request.headerList;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i]!;
        const value = list[i + 1]!;
        if (name === "host") headers[":authority"] = value;
        else if (name === "te" ? value.toLowerCase() !== "trailers" : connectionHeaders.has(name)) continue;
        else headers[name] = value;
      }
    }
    const body = request.body;
    if (body !== undefined) {
      headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    }
    return headers;
  }

  private failWaiting(error: Error): void {
    for (const request of this.waiting.splice(0)) request.onRequestError(error);
  }
}

/** One request's stream: its events turned into the request's callbacks, exactly one outcome. */
class H2Stream {
  private done = false;
  private gotHead = false;
  /** When the stream was sent (for responseTimeout). */
  readonly sentAt = performance.now();
  /** When the stream was sent, or last heard from (for the session's network timer). */
  lastActivity = this.sentAt;
  /** The response's Content-Length, -1 without one, and the body bytes received. */
  private expectedBytes = -1;
  private receivedBytes = 0;

  constructor(
    private readonly owner: H2Session,
    private readonly session: ClientHttp2Session,
    private readonly request: OutgoingRequest,
    private readonly stream: ClientHttp2Stream,
  ) {
    stream.on("response", (headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) =>
      this.onResponse(headers, rawHeaders),
    );
    stream.on("data", (chunk: Buffer) => {
      if (this.done) return;
      this.lastActivity = performance.now();
      this.receivedBytes += chunk.length;
      request.onResponseBody(chunk);
    });
    stream.on("end", () => this.onEnd());
    stream.on("error", (error: Error) => {
      if (!this.done) this.fail(this.describe(error));
    });
    // After 'end' for a complete response; the first word on a stream that ended early.
    stream.on("close", () => {
      if (!this.done) this.fail(this.describe(null));
    });
  }

  /** The exchange gave up on it: reset the stream, report nothing. */
  abandon(): void {
    this.done = true;
    this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private onResponse(headers: IncomingHttpHeaders, raw: string[]): void {
    if (this.done) return;
    this.gotHead = true;
    this.lastActivity = performance.now();
    const length = headers["content-length"];
    if (length !== undefined) this.expectedBytes = Number(length);
    const list: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.charCodeAt(0) !== 58 /* ":" pseudo-headers */) list.push(raw[i]!, raw[i + 1]!);
    }
    this.request.onResponseHead(ResponseHead.fromHeaderList(Number(headers[":status"]), list, "2.0"));
  }

  private onEnd(): void {
    if (this.done) return;
    // A reset stream ends its readable side too: only one closed without error is complete.
    const rstCode = this.stream.rstCode;
    if (this.session.destroyed || (rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR)) {
      this.fail(this.describe(null));
      return;
    }
    if (!this.gotHead) {
      this.fail(connectionError("CICADA_NET_HTTP2", "the server ended the stream without a response"));
      return;
    }
    if (
      this.expectedBytes >= 0 &&
      this.receivedBytes !== this.expectedBytes &&
      this.request.method !== "HEAD"
    ) {
      const message = `the stream ended after ${this.receivedBytes} of the ${this.expectedBytes} body bytes its Content-Length announced`;
      this.fail(connectionError("CICADA_NET_HTTP2", message));
      return;
    }
    this.done = true;
    this.owner.settled(this.request, true);
    this.request.onResponseComplete();
  }

  /** @internal Silent for longer than the network timeout. */
  timedOut(wholeResponse: boolean): void {
    if (this.done) return;
    const error = wholeResponse
      ? connectionError("CICADA_NET_RESPONSE_TIMEOUT", "response timeout")
      : this.gotHead
        ? connectionError("CICADA_NET_BODY_TIMEOUT", "body timeout")
        : connectionError("CICADA_NET_HEADERS_TIMEOUT", "headers timeout");
    this.fail(error);
    this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.owner.settled(this.request, false);
    this.request.onRequestError(error);
  }

  /** Why the stream ended early: refused or never processed, the connection gone, or a reset. */
  private describe(error: Error | null): Error {
    const code = (error as { code?: unknown } | null)?.code;
    if (!this.owner.secure && !heardSettings.has(this.session)) {
      // Cleartext, and the server never sent the SETTINGS an HTTP/2 server opens with: an
      // HTTP/1.1 server answering the preface (nginx: 400, Node's http: 400 and close).
      return connectionError("CICADA_NET_HTTP2", NOT_HTTP2_CLEARTEXT, error ?? undefined);
    }
    const rstCode = this.stream.rstCode;
    if (code === "ERR_HTTP2_GOAWAY_SESSION") {
      const message = "the server shut the session down (GOAWAY) before the request";
      return markRetryable(connectionError("CICADA_NET_HTTP2", message), "always");
    }
    if (rstCode === constants.NGHTTP2_REFUSED_STREAM) {
      return markRetryable(
        connectionError("CICADA_NET_STREAM_RESET", "the server reset the stream (REFUSED_STREAM)"),
        "always",
      );
    }
    if (this.session.destroyed || error === null || code === "ECONNRESET" || code === "EPIPE") {
      if (!this.session.destroyed && rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR) {
        return connectionError(
          "CICADA_NET_STREAM_RESET",
          `the server reset the stream (${errorName(rstCode)})`,
        );
      }
      const closed = connectionError(
        "CICADA_NET_SOCKET_CLOSED",
        "the server closed the HTTP/2 connection before the response was complete",
      );
      return this.owner.completed > 0 && !this.gotHead ? markRetryable(closed, "idempotent") : closed;
    }
    if (code === "ERR_HTTP2_STREAM_ERROR" && rstCode !== undefined) {
      return connectionError(
        "CICADA_NET_STREAM_RESET",
        `the server reset the stream (${errorName(rstCode)})`,
      );
    }
    if (typeof code === "string" && code.startsWith("ERR_HTTP2")) {
      return connectionError("CICADA_NET_HTTP2", `HTTP/2 error: ${error.message}`);
    }
    return error;
  }
}

function ignore(): void {}

function onNetworkTimer(session: H2Session): void {
  session.checkTimeouts();
}
