/**
 * One HTTP/1.1 keep-alive connection of a session: a socket (TCP, or TLS for https),
 * requests sent one at a time in order, and responses read with ResponseParser.
 *
 * Cicada's own client rather than undici's: a load generator spends most of its time
 * here, and profiles of the undici-based session showed undici's request bookkeeping and
 * its stream plumbing as the largest share of CPU per request (docs/performance.md). This
 * class does only what a virtual user needs: the request head is built once and reused
 * while method, path and headers stay the same, a response is parsed in one pass, and
 * timeouts use one lazily re-armed timer per connection instead of one per request.
 *
 * Semantics kept from the undici-based version: a connect timeout covering TCP and TLS,
 * a network timeout for the response head after the request was sent and between body
 * pieces, reconnecting after the server closed an idle connection, and requests queued
 * behind the one in flight.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { countLoopTurn } from "../shared/loop-turns.js";
import { clampTimerDelay, startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { connectionError } from "./errors.js";
import type { ResponseHead } from "./response-head.js";
import { ResponseParseError, ResponseParser, type ResponseSink } from "./response-parser.js";

/** How a session's connections behave. */
export interface ConnectionSettings {
  connectionTimeoutMs: number;
  networkTimeoutMs: number;
  /** Longest time from sending a request to the end of its response (a body that drips forever). */
  responseTimeoutMs: number;
  insecure: boolean;
  maxConnections: number;
}

/** Where a connection goes, parsed once per origin. */
export interface Endpoint {
  /** `http://host:port` (the default port omitted), the key of the session's connections. */
  origin: string;
  secure: boolean;
  /** Host name or IP address to connect to (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** The `host` request header. */
  hostHeader: string;
  /** TLS session of the last handshake with this origin, to resume it on new connections. */
  tlsSession: Buffer | undefined;
}

/** A request as the connection sends it, and the callbacks of its outcome (the exchange). */
export interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, ...]`, lower-case names; `host` and framing headers are the connection's. */
  readonly headerList: readonly string[] | undefined;
  readonly body: string | Uint8Array | undefined;
  /** The request was written; `connectMs` is set when it waited for a new connection. */
  onRequestSent(connectMs: number | null): void;
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  onResponseComplete(): void;
  /** The request failed (connection error, timeout, malformed response). */
  onRequestError(error: Error): void;
  /** Withdraws the request on its owner's behalf (a stopped user); it then reports nothing. */
  cancel(reason: Error): void;
}

const methodsWithBody = new Set(["POST", "PUT", "PATCH"]);

/**
 * One read buffer for every plain-TCP connection (Node's `onread` option): a read lands
 * here and is parsed before the next read can happen, and the parser copies out what it
 * keeps. That skips Node's readable-stream machinery and a fresh buffer per read.
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** Parses an origin string (`URL.origin` form) into an endpoint. */
export function endpointOf(origin: string): Endpoint {
  const url = new URL(origin);
  const secure = url.protocol === "https:";
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return {
    origin,
    secure,
    hostname,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    hostHeader: url.host,
    tlsSession: undefined,
  };
}

/** One keep-alive connection; requests queue behind the one in flight. */
export class Connection implements ResponseSink {
  private socket: Socket | null = null;
  private connecting = false;
  private connectStartedAt = 0;
  private connectMs: number | null = null;
  private connectTimer: TimerHandle | undefined;
  private active: OutgoingRequest | null = null;
  private readonly queue: OutgoingRequest[] = [];
  private readonly parser: ResponseParser;
  /** True while the parser runs: requests wait until it is done with the bytes it has. */
  private parsing = false;
  // Network timeout: one timer, re-armed lazily (see checkNetworkTimeout).
  private networkTimer: NodeJS.Timeout | undefined;
  private sentAt = 0;
  private dataEvents = 0;
  private dataEventsAtCheck = -1;
  /** When a check last saw body data arrive (the data came at most this late). */
  private progressSeenAt = 0;
  // The last request head, reused while method, path and header list are the same.
  private cachedMethod = "";
  private cachedPath = "";
  private cachedHeaders: readonly string[] | undefined;
  private cachedHead: Buffer | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly settings: ConnectionSettings,
  ) {
    this.parser = new ResponseParser(this, !endpoint.secure);
  }

  /** Requests on this connection: the one in flight plus those queued. */
  get load(): number {
    return (this.active === null ? 0 : 1) + this.queue.length;
  }

  /** The request in flight and the queued ones, in order (a copy). */
  requests(): OutgoingRequest[] {
    return this.active === null ? [...this.queue] : [this.active, ...this.queue];
  }

  /** Sends `request` now if the connection is free, else after those before it. */
  enqueue(request: OutgoingRequest): void {
    if (
      this.active === null &&
      this.queue.length === 0 &&
      this.socket !== null &&
      !this.connecting &&
      !this.parsing
    ) {
      this.send(request);
      return;
    }
    this.queue.push(request);
    if (this.socket === null && !this.parsing) this.connect();
  }

  /**
   * Forgets `request` without telling it (its exchange has settled already): a queued
   * request is dropped; the one in flight is abandoned by closing the socket.
   */
  cancel(request: OutgoingRequest): void {
    if (this.active === request) {
      this.active = null;
      this.closeSocket();
      if (!this.parsing) this.sendNext();
      return;
    }
    const index = this.queue.indexOf(request);
    if (index !== -1) this.queue.splice(index, 1);
  }

  /** Closes the socket; requests still here fail with a "connection closed" error. */
  destroy(): void {
    const orphans = this.requests();
    this.active = null;
    this.queue.length = 0;
    this.closeSocket();
    if (orphans.length === 0) return;
    const closed = connectionError("CICADA_NET_SOCKET_CLOSED", "the session was closed");
    for (const request of orphans) request.onRequestError(closed);
  }

  // --- ResponseSink (called by the parser) ---

  /** @internal */
  onResponseHead(head: ResponseHead): void {
    this.active?.onResponseHead(head);
  }

  /** @internal */
  onResponseBody(chunk: Buffer): void {
    this.active?.onResponseBody(chunk);
  }

  /** @internal */
  onResponseEnd(keepAlive: boolean): void {
    const request = this.active;
    this.active = null;
    if (!keepAlive) this.closeSocket();
    request?.onResponseComplete();
    // The callback may have queued more (a redirect); during a parse that waits for its end.
    if (!this.parsing) this.sendNext();
  }

  // --- internals ---

  /** Sends the first queued request when nothing is in flight, connecting first if needed. */
  private sendNext(): void {
    if (this.active !== null || this.queue.length === 0) return;
    if (this.socket === null) this.connect();
    else if (!this.connecting) this.send(this.queue.shift()!);
  }

  private connect(): void {
    const { endpoint, settings } = this;
    this.connecting = true;
    this.connectStartedAt = performance.now();
    let socket: Socket;
    if (endpoint.secure) {
      const tls: TLSSocket = connectTls({
        host: endpoint.hostname,
        port: endpoint.port,
        servername: isIpAddress(endpoint.hostname) ? undefined : endpoint.hostname,
        rejectUnauthorized: !settings.insecure,
        session: endpoint.tlsSession,
        ALPNProtocols: ["http/1.1"],
      });
      tls.on("session", (session: Buffer) => {
        endpoint.tlsSession = session;
      });
      tls.once("secureConnect", onSocketConnect);
      socket = tls;
      tls.on("data", (chunk: Buffer) => this.onData(tls, chunk, chunk.length));
    } else {
      const tcp: Socket = connectTcp({
        host: endpoint.hostname,
        port: endpoint.port,
        onread: {
          buffer: sharedReadBuffer,
          callback: (length: number, buffer: Uint8Array) => {
            this.onData(tcp, buffer as Buffer, length);
            return true;
          },
        },
      });
      tcp.once("connect", onSocketConnect);
      socket = tcp;
    }
    socket.setNoDelay(true);
    this.socket = socket;
    this.parser.reset();
    // Shared listeners (`this` is the socket) rather than closures: one connection per
    // user stays open for the whole test, and so would its closures.
    (socket as OwnedSocket)[kConnection] = this;
    socket.on("error", onSocketError);
    // With allowHalfOpen off, Node ends our side after the server's FIN; "close" follows.
    socket.on("end", onSocketClose);
    socket.on("close", onSocketClose);
    this.connectTimer = startTimer(onConnectTimeout, settings.connectionTimeoutMs, this, socket);
    this.connectTimer.unref();
  }

  /** @internal */
  onConnected(socket: Socket): void {
    if (socket !== this.socket) return;
    stopTimer(this.connectTimer);
    this.connectTimer = undefined;
    this.connecting = false;
    this.connectMs = performance.now() - this.connectStartedAt;
    if (this.active === null && this.queue.length > 0) this.send(this.queue.shift()!);
  }

  /** @internal The connect timer fired. */
  connectTimedOut(socket: Socket): void {
    if (socket !== this.socket || !this.connecting) return;
    this.failConnection(connectionError("CICADA_NET_CONNECT_TIMEOUT", "connect timeout"));
  }

  private send(request: OutgoingRequest): void {
    const socket = this.socket!;
    this.active = request;
    this.parser.expect(request.method === "HEAD");
    this.sentAt = performance.now();
    const body = request.body;
    if (body === undefined) {
      socket.write(this.headFor(request));
    } else {
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      socket.cork();
      socket.write(buildHead(this.endpoint.hostHeader, request, bytes.byteLength), "latin1");
      socket.write(bytes);
      socket.uncork();
    }
    const connectMs = this.connectMs;
    this.connectMs = null;
    if (this.networkTimer === undefined) this.armNetworkTimer(this.settings.networkTimeoutMs / 4);
    request.onRequestSent(connectMs);
  }

  /** The head of a bodiless request, reused while method, path and headers are the same. */
  private headFor(request: OutgoingRequest): Buffer {
    const { method, path, headerList } = request;
    if (
      this.cachedHead !== undefined &&
      method === this.cachedMethod &&
      path === this.cachedPath &&
      headerList === this.cachedHeaders
    ) {
      return this.cachedHead;
    }
    const length = methodsWithBody.has(method) ? 0 : -1;
    const head = Buffer.from(buildHead(this.endpoint.hostHeader, request, length), "latin1");
    this.cachedMethod = method;
    this.cachedPath = path;
    this.cachedHeaders = headerList;
    this.cachedHead = head;
    return head;
  }

  private onData(socket: Socket, chunk: Buffer, length: number): void {
    if (socket !== this.socket) return;
    countLoopTurn();
    this.dataEvents++;
    if (this.active === null) {
      // Bytes nobody asked for: the stream can no longer be trusted.
      this.closeSocket();
      return;
    }
    let expected: boolean;
    this.parsing = true;
    try {
      expected = this.parser.execute(chunk, length);
    } catch (error) {
      if (!(error instanceof ResponseParseError)) throw error;
      this.parsing = false;
      this.failConnection(error);
      return;
    } finally {
      this.parsing = false;
    }
    if (!expected && socket === this.socket) this.closeSocket();
    this.sendNext();
  }

  /** @internal */
  onSocketError(socket: Socket, error: Error): void {
    if (socket !== this.socket) return;
    this.failConnection(error);
  }

  /** @internal */
  onSocketClose(socket: Socket): void {
    if (socket !== this.socket) return;
    if (this.active !== null && this.parser.finishOnClose() === true) return;
    if (this.active === null && this.queue.length === 0) {
      // An idle connection closed by the server: reconnect on the next request.
      this.releaseSocket();
      return;
    }
    const message = this.connecting
      ? "the server closed the connection while it was being set up"
      : "the server closed the connection before the response was complete";
    this.failConnection(connectionError("CICADA_NET_SOCKET_CLOSED", message));
  }

  /**
   * The socket failed. The request in flight fails with `error`; so do the queued ones
   * when the connection could not even be set up (they would fail the same way).
   */
  private failConnection(error: Error): void {
    const wasConnecting = this.connecting;
    const active = this.active;
    this.active = null;
    this.closeSocket();
    const failed = wasConnecting ? this.queue.splice(0) : [];
    if (active !== null) active.onRequestError(error);
    for (const request of failed) request.onRequestError(error);
    if (!this.parsing) this.sendNext();
  }

  private armNetworkTimer(delayMs: number): void {
    // Clamped: the check re-arms itself until the (longer) deadline has passed.
    this.networkTimer = setTimeout(onNetworkTimer, clampTimerDelay(Math.max(1, delayMs)), this);
    this.networkTimer.unref();
  }

  /**
   * @internal The network timer fired. It is armed when a request is sent and re-armed
   * here only while one is in flight, every quarter of the network timeout, so a busy
   * connection costs a few timers per timeout period rather than one per request. The head
   * must arrive within the network timeout of the request being sent (exactly); body pieces
   * may not be further apart than the network timeout (the socket's data events are
   * counted, not timed, so a stall is noticed 1 to 1.25 timeouts after the last piece);
   * and the whole response must end within `responseTimeoutMs` of the request being sent.
   */
  checkNetworkTimeout(): void {
    this.networkTimer = undefined;
    if (this.active === null) return;
    const { networkTimeoutMs: timeout, responseTimeoutMs } = this.settings;
    const now = performance.now();
    const elapsed = now - this.sentAt;
    if (!this.parser.headDone) {
      if (elapsed >= timeout) {
        this.failConnection(connectionError("CICADA_NET_HEADERS_TIMEOUT", "headers timeout"));
        return;
      }
    } else if (elapsed >= responseTimeoutMs) {
      this.failConnection(connectionError("CICADA_NET_RESPONSE_TIMEOUT", "response timeout"));
      return;
    } else if (this.dataEvents !== this.dataEventsAtCheck) {
      this.dataEventsAtCheck = this.dataEvents;
      this.progressSeenAt = now;
    } else if (now - this.progressSeenAt >= timeout) {
      this.failConnection(connectionError("CICADA_NET_BODY_TIMEOUT", "body timeout"));
      return;
    }
    const nextDeadline = this.parser.headDone
      ? Math.min(this.progressSeenAt + timeout, this.sentAt + responseTimeoutMs)
      : this.sentAt + timeout;
    this.armNetworkTimer(Math.min(timeout / 4, nextDeadline - now));
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.releaseSocket();
    socket?.destroy();
  }

  private releaseSocket(): void {
    this.socket = null;
    this.connecting = false;
    stopTimer(this.connectTimer);
    this.connectTimer = undefined;
    clearTimeout(this.networkTimer);
    this.networkTimer = undefined;
    this.parser.reset();
  }
}

/** The connection a socket belongs to (set when it is opened). */
const kConnection = Symbol("connection");
type OwnedSocket = Socket & { [kConnection]?: Connection };

function onSocketConnect(this: OwnedSocket): void {
  this[kConnection]?.onConnected(this);
}

function onSocketError(this: OwnedSocket, error: Error): void {
  this[kConnection]?.onSocketError(this, error);
}

function onSocketClose(this: OwnedSocket): void {
  this[kConnection]?.onSocketClose(this);
}

function onConnectTimeout(connection: Connection, socket: Socket): void {
  connection.connectTimedOut(socket);
}

function onNetworkTimer(connection: Connection): void {
  connection.checkNetworkTimeout();
}

/** `METHOD path HTTP/1.1`, host, the request's headers and, when `contentLength` ≥ 0, its length. */
function buildHead(hostHeader: string, request: OutgoingRequest, contentLength: number): string {
  const list = request.headerList;
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  let hasHost = false;
  if (list !== undefined) {
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i]!;
      // The connection frames the body itself.
      if (name === "content-length" || name === "transfer-encoding") continue;
      if (name === "host") hasHost = true;
      head += `${name}: ${list[i + 1]}\r\n`;
    }
  }
  if (!hasHost) head = `${head}host: ${hostHeader}\r\n`;
  if (contentLength >= 0) head += `content-length: ${contentLength}\r\n`;
  return `${head}\r\n`;
}

function isIpAddress(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(":");
}
