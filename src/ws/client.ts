/**
 * The WebSocket client of one virtual user: opens sockets with the `ws` package (loaded
 * on first use, so HTTP-only runs never load it), records each opening as a request row
 * of type `WS` (named by the path, timed to the end of the handshake), and hands the
 * user's HTTP cookies to the upgrade request through a small `WebSocketLink`, so a
 * signed-in user can open its socket. A refused upgrade, a refused connection or a
 * handshake timeout is a recorded failure, never thrown.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import { StopUser } from "../shared/control-flow.js";
import type { WaitReport } from "../shared/message-inbox.js";
import type { RequestEvent } from "../shared/request-event.js";
import { startTimer, stopTimer } from "../shared/timers.js";
import { joinToBase, toHttpScheme, toWebSocketScheme, urlProblem } from "../shared/url.js";
import { WebSocketConnection } from "./connection.js";
import { describeSocketError, WebSocketError } from "./errors.js";

/** What the WebSocket client takes from the user's HTTP session (its cookies). */
export interface WebSocketLink {
  /** The `Cookie` header the HTTP session would send to this http(s) URL ("" for none). */
  cookieHeader(httpUrl: string): string;
  /** Stores a `Set-Cookie` value of the upgrade response, received from this http(s) URL. */
  storeCookie(setCookie: string, httpUrl: string): void;
}

export interface WebSocketClientOptions {
  /** The user's host: ws(s):// or http(s):// (then upgraded); relative paths are joined to it. */
  baseUrl: string | undefined;
  /** Locust's `request` event. */
  onRequest: (event: RequestEvent) => void;
  /** Seconds allowed for the TCP connection and the opening handshake. Default 60. */
  connectTimeoutSeconds?: number;
  /** Default `waitFor` timeout, seconds. Default 60. */
  waitTimeoutSeconds?: number;
  /** Skip TLS certificate checks (wss://). */
  insecure?: boolean;
  /** Headers sent with every upgrade request. */
  defaultHeaders?: Record<string, string>;
  /** The user's HTTP session, for cookies. */
  link?: WebSocketLink;
  /** Merged into every request event's context. */
  context?: () => Record<string, unknown>;
  /**
   * Opening handshakes the user's stop cut short (not recorded as requests): counted with
   * the HTTP requests a stop aborts before they were answered, so a server that never
   * completes one does not look like a clean, empty run.
   */
  onAbortedConnects?: (count: number) => void;
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** The statistics row (default: the path or URL as given). */
  name?: string;
  /** Extra headers of the upgrade request (a protocol token, an Authorization header). */
  headers?: Record<string, string>;
  /** Subprotocols offered in `Sec-WebSocket-Protocol`. */
  protocols?: string | string[];
  /** Seconds allowed to connect (default: the user's connection timeout). */
  timeout?: number;
}

type WsModule = typeof import("ws");
let wsModule: Promise<WsModule> | undefined;

/** What a handshake ended by the user's stop resolves to. */
const INTERRUPTED = Symbol("interrupted");

/** The sockets of one user. */
export class WebSocketClient {
  private readonly sockets = new Set<WebSocketConnection>();
  /** Ends each opening handshake in progress (the user is being stopped). */
  private readonly handshakes = new Set<() => void>();
  private interrupted = false;

  constructor(private readonly options: WebSocketClientOptions) {}

  /** Opens a WebSocket; resolves once it is open or has failed (then `error` is set). */
  async connect(pathOrUrl: string, options: ConnectOptions = {}): Promise<WebSocketConnection> {
    if (this.interrupted) throw new StopUser("connect refused: the user is being stopped");
    const url = toWebSocketScheme(joinToBase(this.options.baseUrl, pathOrUrl));
    // Checked here, not by ws: its own error (`Invalid URL: ...`) would point into node_modules.
    const problem = /^wss?:\/\//i.test(url)
      ? urlProblem(url)
      : "expected a ws://, wss://, http:// or https:// URL";
    if (problem !== undefined) throw new Error(`cannot open a WebSocket to "${url}": ${problem}`);
    wsModule ??= import("ws");
    const { WebSocket } = await wsModule;
    const name = options.name ?? pathOrUrl;
    const startTimeMs = Date.now();
    const started = performance.now();
    const timeoutSeconds = options.timeout ?? this.options.connectTimeoutSeconds ?? 60;
    const socket = new WebSocket(url, options.protocols, {
      headers: this.upgradeHeaders(url, options.headers),
      rejectUnauthorized: this.options.insecure !== true,
    });
    const connection = new WebSocketConnection(url, socket, {
      report: (report) => this.fire(this.waitEvent(report, url)),
      waitTimeoutSeconds: this.options.waitTimeoutSeconds ?? 60,
    });
    const failure = await this.handshake(socket, connection, url, timeoutSeconds);
    // Cut short by the user's stop: not a result of the server's, so not recorded (as an
    // HTTP request the stop aborts is not).
    if (failure === INTERRUPTED) throw new StopUser("connect aborted: the user was stopped");
    const event: RequestEvent = {
      requestType: "WS",
      name,
      responseTimeMs: performance.now() - started,
      responseLength: 0,
      exception: failure ?? null,
      startTimeMs,
      url,
    };
    this.fire(event);
    if (this.interrupted) {
      socket.terminate();
      throw new StopUser("connect aborted: the user was stopped");
    }
    if (failure === undefined) {
      this.sockets.add(connection);
      socket.once("close", () => this.sockets.delete(connection));
    }
    return connection;
  }

  /** The user is being stopped: pending waits reject with StopUser (unrecorded), sockets are dropped. */
  interrupt(): void {
    this.interrupted = true;
    for (const socket of this.sockets) socket.abort(new StopUser("wait aborted: the user was stopped"));
    this.sockets.clear();
    // A handshake the server never answers would hold the stop for its whole timeout (60 s
    // by default; a -t 2s run took 12.5 s, the stop's grace, and recorded nothing).
    const connecting = [...this.handshakes];
    for (const abort of connecting) abort();
    if (connecting.length > 0) this.options.onAbortedConnects?.(connecting.length);
  }

  /** Allows connections again (for onStop). */
  resume(): void {
    this.interrupted = false;
  }

  /** Closes every socket of the user. */
  async close(): Promise<void> {
    const open = [...this.sockets];
    this.sockets.clear();
    await Promise.all(open.map((socket) => socket.close()));
  }

  /** Resolves undefined when the socket opened, else the failure (the connection is marked failed, the socket dropped). */
  private handshake(
    socket: WebSocket,
    connection: WebSocketConnection,
    url: string,
    timeoutSeconds: number,
  ): Promise<WebSocketError | typeof INTERRUPTED | undefined> {
    return new Promise((resolve) => {
      const abort = () => {
        finish(undefined, true);
      };
      const finish = (failure: WebSocketError | undefined, interrupted = false) => {
        this.handshakes.delete(abort);
        stopTimer(timer);
        socket.off("open", onOpen);
        socket.off("error", onError);
        socket.off("unexpected-response", onRefused);
        if (failure !== undefined) {
          // Before terminate(): the close it causes (code 1006) must not pass for the server's.
          connection.markFailed(`${failure.name}: ${failure.message}`);
          socket.on("error", () => {}); // terminate() of a connecting socket emits one more
          socket.terminate();
        } else if (interrupted) {
          connection.markFailed("the user was stopped during the opening handshake");
          socket.on("error", () => {});
          socket.terminate();
        }
        resolve(interrupted ? INTERRUPTED : failure);
      };
      const onOpen = () => finish(undefined);
      const onError = (error: Error) => finish(describeSocketError(error, url));
      const onRefused = (_request: ClientRequest, response: IncomingMessage) => {
        response.resume();
        const status = `${response.statusCode} ${response.statusMessage ?? ""}`.trim();
        finish(new WebSocketError("WebSocketUpgradeRefused", `${status} (${url})`));
      };
      const timer = startTimer(() => {
        finish(
          new WebSocketError(
            "ConnectTimeout",
            `no WebSocket handshake with ${url} within ${timeoutSeconds} s`,
          ),
        );
      }, timeoutSeconds * 1000);
      socket.on("open", onOpen);
      socket.on("error", onError);
      socket.on("unexpected-response", onRefused);
      this.handshakes.add(abort);
      const link = this.options.link;
      if (link !== undefined) {
        socket.once("upgrade", (response: IncomingMessage) => {
          for (const value of response.headers["set-cookie"] ?? [])
            link.storeCookie(value, toHttpScheme(url));
        });
      }
    });
  }

  private upgradeHeaders(url: string, own: Record<string, string> | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.defaultHeaders, ...own };
    const cookie = this.options.link?.cookieHeader(toHttpScheme(url)) ?? "";
    const hasCookie = Object.keys(headers).some((key) => key.toLowerCase() === "cookie");
    if (cookie !== "" && !hasCookie) headers.cookie = cookie;
    return headers;
  }

  private waitEvent(report: WaitReport, url: string): RequestEvent {
    return { requestType: "WS", ...report, url };
  }

  private fire(event: RequestEvent): void {
    const context = this.options.context;
    if (context !== undefined) event.context = context();
    this.options.onRequest(event);
  }
}
