/**
 * One HTTP/1.1 keep-alive connection of a session: a socket (opened by dial.ts: TCP, TLS,
 * maybe through a proxy), requests sent one at a time in order, and responses read with
 * ResponseParser.
 *
 * Cicada's own client rather than undici's: a load generator spends most of its time
 * here, and profiles of the undici-based session showed undici's request bookkeeping and
 * its stream plumbing as the largest share of CPU per request (docs/performance.md). This
 * class does only what a virtual user needs: the request head is built once and reused
 * while method, path and headers stay the same, a plain-TCP socket is read without a
 * stream into one shared buffer, and timeouts use one lazily re-armed timer per
 * connection instead of one per request.
 *
 * A request that fails on a reused connection before any byte of its response arrived
 * (the server closed the idle connection as the request went out) carries a retry mark:
 * the exchange sends it again on a new connection when its method allows (exchange.ts).
 */
import type { OnReadOpts, Socket } from "node:net";
import { countLoopTurn } from "../shared/loop-turns.js";
import { clampTimerDelay } from "../shared/timers.js";
import type { Channel, OutgoingRequest } from "./channel.js";
import { type Dial, type DialListener, dial, type Endpoint } from "./dial.js";
import { connectionError, markRetryable } from "./errors.js";
import { buildHead } from "./request-head.js";
import type { ResponseHead } from "./response-head.js";
import { ResponseParseError, ResponseParser, type ResponseSink } from "./response-parser.js";
import type { TlsSettings } from "./tls-options.js";

/** How a session's connections behave. */
export interface ConnectionSettings {
  connectionTimeoutMs: number;
  networkTimeoutMs: number;
  /** Longest time from sending a request to the end of its response (a body that drips forever). */
  responseTimeoutMs: number;
  maxConnections: number;
  tls: TlsSettings;
}

/** Called when TLS agreed on HTTP/2: the socket and the requests waiting for it move to a session. */
export type Http2Handover = (socket: Socket, connectMs: number, requests: OutgoingRequest[]) => void;

const methodsWithBody = new Set(["POST", "PUT", "PATCH"]);
const resetCodes = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/**
 * One read buffer for every plain-TCP connection (Node's `onread` option): a read lands
 * here and is parsed before the next read can happen, and the parser copies out what it
 * keeps. That skips Node's readable-stream machinery and a fresh buffer per read.
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** One keep-alive connection; requests queue behind the one in flight. */
export class Connection implements ResponseSink, DialListener, Channel {
  private socket: Socket | null = null;
  private dialing: Dial | null = null;
  /** Bumped per socket, so a read of an older socket is ignored. */
  private socketGeneration = 0;
  private connectStartedAt = 0;
  private connectMs: number | null = null;
  private active: OutgoingRequest | null = null;
  private readonly queue: OutgoingRequest[] = [];
  private readonly parser: ResponseParser;
  /** True while the parser runs: requests wait until it is done with the bytes it has. */
  private parsing = false;
  /** Responses completed on the current socket: after one, the socket is a reused one. */
  private responsesOnSocket = 0;
  /** Whether any byte arrived since the request in flight was sent. */
  private activeAnswered = false;
  // Network timeout: one timer, re-armed lazily (see checkNetworkTimeout).
  private networkTimer: NodeJS.Timeout | undefined;
  /** When the network timer is due (performance.now() clock), while it is armed. */
  private networkTimerDueAt = 0;
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

  /**
   * @param alpn protocols offered over TLS: `["http/1.1"]`, or h2 first when `onHttp2` takes it
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly settings: ConnectionSettings,
    private readonly alpn: string[] = ["http/1.1"],
    private readonly onHttp2?: Http2Handover,
  ) {
    this.parser = new ResponseParser(this, !this.readsWithTls);
  }

  /** TLS to the origin (direct or tunnelled) is read as a stream; plain TCP with `onread`. */
  private get readsWithTls(): boolean {
    return this.endpoint.secure;
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
    if (this.active === null && this.queue.length === 0 && this.socket !== null && !this.parsing) {
      this.send(request);
      return;
    }
    this.queue.push(request);
    if (!this.parsing) this.sendNext();
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
    this.responsesOnSocket++;
    if (!keepAlive) this.closeSocket();
    request?.onResponseComplete();
    // The callback may have queued more (a redirect); during a parse that waits for its end.
    if (!this.parsing) this.sendNext();
  }

  // --- DialListener ---

  /** @internal The socket is ready (TLS done, tunnel open). */
  onDialed(socket: Socket, alpn: string | false): void {
    this.dialing = null;
    const connectMs = performance.now() - this.connectStartedAt;
    if (alpn === "h2" && this.onHttp2 !== undefined) {
      this.onHttp2(socket, connectMs, this.queue.splice(0));
      return;
    }
    this.socket = socket;
    this.connectMs = connectMs;
    // Shared listeners (`this` is the socket) rather than closures: one connection per
    // user stays open for the whole test, and so would its closures.
    (socket as OwnedSocket)[kConnection] = this;
    socket.on("error", onSocketError);
    // With allowHalfOpen off, Node ends our side after the server's FIN; "close" follows.
    socket.on("end", onSocketClose);
    socket.on("close", onSocketClose);
    if (this.readsWithTls) socket.on("data", onSocketData);
    if (this.active === null && this.queue.length > 0) this.send(this.queue.shift()!);
  }

  /** @internal Connecting failed: every request waiting for this connection fails the same way. */
  onDialFailed(error: Error): void {
    this.dialing = null;
    const failed = this.queue.splice(0);
    for (const request of failed) request.onRequestError(error);
    this.sendNext();
  }

  // --- internals ---

  /** Sends the first queued request when nothing is in flight, connecting first if needed. */
  private sendNext(): void {
    if (this.active !== null || this.queue.length === 0) return;
    if (this.socket !== null) this.send(this.queue.shift()!);
    else if (this.dialing === null) this.connect();
  }

  private connect(): void {
    const { endpoint, settings } = this;
    this.connectStartedAt = performance.now();
    this.parser.reset();
    this.responsesOnSocket = 0;
    const generation = ++this.socketGeneration;
    const onread: OnReadOpts | undefined = this.readsWithTls
      ? undefined
      : {
          buffer: sharedReadBuffer,
          callback: (length: number, buffer: Uint8Array) => {
            if (generation === this.socketGeneration) this.onData(buffer as Buffer, length);
            return true;
          },
        };
    this.dialing = dial(
      endpoint,
      {
        connectionTimeoutMs: settings.connectionTimeoutMs,
        tls: settings.tls,
        alpn: this.alpn,
        tunnel: false,
        onread,
      },
      this,
    );
  }

  private send(request: OutgoingRequest): void {
    const socket = this.socket!;
    this.active = request;
    this.activeAnswered = false;
    this.parser.expect(request.method === "HEAD");
    this.sentAt = performance.now();
    const body = request.body;
    if (body === undefined) {
      socket.write(this.headFor(request));
    } else {
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      socket.cork();
      socket.write(buildHead(this.endpoint, request, bytes.byteLength), "latin1");
      socket.write(bytes);
      socket.uncork();
    }
    const connectMs = this.connectMs;
    this.connectMs = null;
    this.armFirstCheck();
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
    const head = Buffer.from(buildHead(this.endpoint, request, length), "latin1");
    this.cachedMethod = method;
    this.cachedPath = path;
    this.cachedHeaders = headerList;
    this.cachedHead = head;
    return head;
  }

  /** @internal True while `socket` is this connection's current socket. */
  owns(socket: Socket): boolean {
    return socket === this.socket;
  }

  /** @internal Bytes from the current socket. */
  onData(chunk: Buffer, length: number): void {
    countLoopTurn();
    this.dataEvents++;
    if (this.active === null) {
      // Bytes nobody asked for: the stream can no longer be trusted.
      this.closeSocket();
      return;
    }
    this.activeAnswered = true;
    const generation = this.socketGeneration;
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
    if (!expected && generation === this.socketGeneration && this.socket !== null) this.closeSocket();
    this.sendNext();
  }

  /** @internal */
  onSocketError(socket: Socket, error: Error): void {
    if (socket !== this.socket) return;
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !resetCodes.has(code)) {
      this.failConnection(error);
      return;
    }
    // Worded as a close is, not as Node's "read ECONNRESET": the reader needs to know the
    // server (or something in between) cut the response off, and how.
    const message = `the server reset the connection (${code}) before the response was complete`;
    this.failConnection(this.markIfStale(connectionError("CICADA_NET_SOCKET_RESET", message, error)));
  }

  /** @internal */
  onSocketClose(socket: Socket): void {
    if (socket !== this.socket) return;
    if (this.active !== null && this.parser.finishOnClose() === true) return;
    if (this.active === null) {
      // An idle connection closed by the server: reconnect on the next request.
      this.releaseSocket();
      this.sendNext();
      return;
    }
    const closed = connectionError(
      "CICADA_NET_SOCKET_CLOSED",
      "the server closed the connection before the response was complete",
    );
    this.failConnection(this.markIfStale(closed));
  }

  /**
   * A reused connection that failed before any byte of the response arrived: the server
   * most likely closed it as idle while the request was on its way, and did not process it.
   */
  private markIfStale(error: Error): Error {
    return this.responsesOnSocket > 0 && !this.activeAnswered ? markRetryable(error, "idempotent") : error;
  }

  /** The socket failed: the request in flight fails with `error`; the queued ones get a new socket. */
  private failConnection(error: Error): void {
    const active = this.active;
    this.active = null;
    this.closeSocket();
    if (active !== null) active.onRequestError(error);
    if (!this.parsing) this.sendNext();
  }

  /**
   * The request just sent needs a check a quarter of the network timeout from now (to
   * watch its body), or at its response deadline when that is sooner. A timer left
   * armed by an earlier request is kept when it is due no later than that: on a busy
   * connection with the default settings that is every request, so sending one costs a
   * comparison, not a timer.
   */
  private armFirstCheck(): void {
    const { networkTimeoutMs, responseTimeoutMs } = this.settings;
    const dueAt = this.sentAt + Math.min(networkTimeoutMs / 4, responseTimeoutMs);
    if (this.networkTimer === undefined || this.networkTimerDueAt > dueAt) {
      this.armNetworkTimer(dueAt, this.sentAt);
    }
  }

  /** (Re-)arms the network timer to fire at `dueAt`, `now` being the time of the call. */
  private armNetworkTimer(dueAt: number, now: number): void {
    clearTimeout(this.networkTimer);
    this.networkTimerDueAt = dueAt;
    // Clamped: the check re-arms itself until the (longer) deadline has passed.
    this.networkTimer = setTimeout(onNetworkTimer, clampTimerDelay(Math.max(1, dueAt - now)), this);
    this.networkTimer.unref();
  }

  /**
   * @internal The network timer fired. It is armed when a request is sent (unless an
   * earlier check is due sooner) and re-armed here only while a request is in flight, at
   * least every quarter of the network timeout and at the next deadline, so a busy
   * connection costs a few timers per timeout period rather than one per request.
   * Deadlines, from the request being sent: the head within the network timeout, and the
   * whole response (head or not) within `responseTimeoutMs`, both exact up to the
   * timer's lateness; body pieces not further apart than the network timeout (the
   * socket's data events are counted, not timed, so a stall is noticed between 1 and
   * 1.25 timeouts after the last piece, plus the timer's lateness).
   */
  checkNetworkTimeout(): void {
    this.networkTimer = undefined;
    if (this.active === null) return;
    const { networkTimeoutMs: timeout, responseTimeoutMs } = this.settings;
    const now = performance.now();
    const elapsed = now - this.sentAt;
    const headDone = this.parser.headDone;
    if (!headDone && elapsed >= timeout) {
      this.failConnection(connectionError("CICADA_NET_HEADERS_TIMEOUT", "headers timeout"));
      return;
    }
    if (elapsed >= responseTimeoutMs) {
      this.failConnection(connectionError("CICADA_NET_RESPONSE_TIMEOUT", "response timeout"));
      return;
    }
    if (headDone) {
      if (this.dataEvents !== this.dataEventsAtCheck) {
        this.dataEventsAtCheck = this.dataEvents;
        this.progressSeenAt = now;
      } else if (now - this.progressSeenAt >= timeout) {
        this.failConnection(connectionError("CICADA_NET_BODY_TIMEOUT", "body timeout"));
        return;
      }
    }
    const silenceDue = headDone ? this.progressSeenAt + timeout : this.sentAt + timeout;
    const nextDeadline = Math.min(silenceDue, this.sentAt + responseTimeoutMs);
    this.armNetworkTimer(Math.min(now + timeout / 4, nextDeadline), now);
  }

  private closeSocket(): void {
    const socket = this.socket;
    const dialing = this.dialing;
    this.releaseSocket();
    socket?.destroy();
    dialing?.abort();
  }

  private releaseSocket(): void {
    this.socket = null;
    this.dialing = null;
    this.socketGeneration++;
    clearTimeout(this.networkTimer);
    this.networkTimer = undefined;
    this.parser.reset();
  }
}

/** The connection a socket belongs to (set when it is opened). */
const kConnection = Symbol("connection");
type OwnedSocket = Socket & { [kConnection]?: Connection };

function onSocketError(this: OwnedSocket, error: Error): void {
  this[kConnection]?.onSocketError(this, error);
}

function onSocketClose(this: OwnedSocket): void {
  this[kConnection]?.onSocketClose(this);
}

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  const connection = this[kConnection];
  if (connection?.owns(this)) connection.onData(chunk, chunk.length);
}

function onNetworkTimer(connection: Connection): void {
  connection.checkNetworkTimeout();
}
