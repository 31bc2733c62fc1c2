/**
 * Opening a connection to an origin, for HTTP/1.1 connections and HTTP/2 sessions alike:
 * TCP, TLS with ALPN, and either directly or through an HTTP proxy (a CONNECT tunnel for
 * https and HTTP/2; plain http talks to the proxy itself). The whole setup, proxy and
 * handshake included, has one deadline: the session's connection timeout.
 */
import { connect as connectTcp, type OnReadOpts, type Socket } from "node:net";
import { connect as connectTls, DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION, type TLSSocket } from "node:tls";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { isTlsError, tlsFailureMessage } from "../shared/tls-failure.js";
import { type ConnectAnswer, readConnectAnswer } from "./connect-answer.js";
import { connectionError } from "./errors.js";
import type { ProxyRoute } from "./proxy.js";
import type { TlsSettings } from "./tls-options.js";

/** Where a connection goes, parsed once per origin. */
export interface Endpoint {
  /** `http://host:port` (the default port omitted), the key of the session's connections. */
  origin: string;
  secure: boolean;
  /** Host name or IP address to connect to (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** The `host` request header (and the HTTP/2 `:authority`). */
  hostHeader: string;
  /** TLS session of the last handshake with this origin, to resume it on new connections. */
  tlsSession: Buffer | undefined;
  /** The proxy this origin is reached through, if any. */
  proxy: ProxyRoute | undefined;
}

/** Parses an origin string (`URL.origin` form) into an endpoint. */
export function endpointOf(origin: string, proxy: ProxyRoute | undefined): Endpoint {
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
    proxy,
  };
}

/** How to dial. */
export interface DialOptions {
  connectionTimeoutMs: number;
  tls: TlsSettings;
  /** ALPN protocols to offer over TLS. */
  alpn: string[];
  /** Tunnel through the proxy even for plain http (HTTP/2 cleartext cannot use the absolute form). */
  tunnel: boolean;
  /** Node's `onread` for a plain TCP connection that is read without a stream. */
  onread?: OnReadOpts;
}

/** Told how dialing ended: exactly one of the two, once. */
export interface DialListener {
  /** Connected (and TLS done): `alpn` is the protocol TLS agreed on, false without TLS or ALPN. */
  onDialed(socket: Socket, alpn: string | false): void;
  onDialFailed(error: Error): void;
}

/** The dial in progress. */
export interface Dial {
  /** Gives up: destroys what was opened; the listener hears nothing more. */
  abort(): void;
}

/** An error of the proxy stage, worded for people (`ProxyError: ...`). */
export function proxyError(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), {
    code: "CICADA_NET_PROXY",
  });
}

/** Opens a connection to `endpoint` (through its proxy, if any). */
export function dial(endpoint: Endpoint, options: DialOptions, listener: DialListener): Dial {
  return new Dialer(endpoint, options, listener);
}

const MAX_CONNECT_RESPONSE_BYTES = 16 * 1024;

class Dialer implements Dial {
  private socket: Socket | null = null;
  private done = false;
  private readonly timer: TimerHandle;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly options: DialOptions,
    private readonly listener: DialListener,
  ) {
    // A long timer (startTimer chains Node's, which overflow past 24.8 days).
    this.timer = startTimer(
      () => this.fail(connectionError("CICADA_NET_CONNECT_TIMEOUT", "connect timeout")),
      options.connectionTimeoutMs,
    );
    this.timer.unref();
    const proxy = endpoint.proxy;
    if (proxy !== undefined && (endpoint.secure || options.tunnel)) this.viaTunnel(proxy);
    else if (endpoint.secure) this.withTls(undefined);
    else this.overTcp(proxy);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    stopTimer(this.timer);
    this.socket?.destroy();
  }

  /** Plain TCP, to the origin or (absolute-form http) to its proxy. */
  private overTcp(proxy: ProxyRoute | undefined): void {
    const { endpoint, options } = this;
    const tcp = connectTcp({
      host: proxy?.hostname ?? endpoint.hostname,
      port: proxy?.port ?? endpoint.port,
      ...(options.onread === undefined ? {} : { onread: options.onread }),
    });
    tcp.setNoDelay(true);
    this.track(tcp, "connect", proxy);
  }

  /** TLS to the origin, directly or over an open tunnel. */
  private withTls(tunnel: Socket | undefined): void {
    const { endpoint, options } = this;
    const { tls } = options;
    const socket: TLSSocket = connectTls({
      // `host` over a tunnel too: the certificate is checked against it (Node says "localhost" without).
      host: endpoint.hostname,
      ...(tunnel === undefined ? { port: endpoint.port } : { socket: tunnel }),
      servername: tls.servername ?? (isIpAddress(endpoint.hostname) ? undefined : endpoint.hostname),
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.secureContext === undefined ? {} : { secureContext: tls.secureContext }),
      session: endpoint.tlsSession,
      ALPNProtocols: options.alpn,
    });
    socket.on("session", (session: Buffer) => {
      endpoint.tlsSession = session;
    });
    if (tunnel === undefined) socket.setNoDelay(true);
    this.track(socket, "secureConnect", undefined);
  }

  /** CONNECT host:port through the proxy, then TLS (or, for h2c, the tunnel itself). */
  private viaTunnel(proxy: ProxyRoute): void {
    const { endpoint } = this;
    const tcp = connectTcp({ host: proxy.hostname, port: proxy.port });
    tcp.setNoDelay(true);
    this.socket = tcp;
    const authority =
      endpoint.hostHeader.includes(":") && !endpoint.hostHeader.endsWith("]")
        ? endpoint.hostHeader
        : `${endpoint.hostHeader}:${endpoint.port}`;
    let received: Buffer = Buffer.alloc(0);
    const onError = (error: Error) =>
      this.fail(proxyError(`could not reach the proxy ${proxy.url}: ${error.message}`, error));
    const onClose = () =>
      this.fail(proxyError(`the proxy ${proxy.url} closed the connection before opening the tunnel`));
    const onData = (data: Buffer) => {
      received = received.length === 0 ? data : Buffer.concat([received, data]);
      let answer: ConnectAnswer;
      try {
        answer = readConnectAnswer(received);
      } catch (error) {
        const reason = (error as Error).message;
        this.fail(proxyError(`the proxy ${proxy.url} sent an invalid answer to CONNECT: ${reason}`, error));
        return;
      }
      if (!answer.complete) {
        if (received.length > MAX_CONNECT_RESPONSE_BYTES)
          this.fail(proxyError(`the proxy ${proxy.url} sent an oversized answer to CONNECT`));
        return;
      }
      // Paused before anything else: a flowing socket without a 'data' listener drops
      // what it reads, and the origin's first bytes may be right behind the answer.
      tcp.pause();
      tcp.removeListener("data", onData);
      tcp.removeListener("error", onError);
      tcp.removeListener("close", onClose);
      if (answer.status < 200 || answer.status > 299) {
        const said = answer.statusLine.replace(/^[A-Z]+\/\d\.\d /, "");
        this.fail(proxyError(`the proxy ${proxy.url} refused the tunnel to ${authority}: ${said}`));
        return;
      }
      // Bytes past the answer are the origin's: left buffered on the paused socket, where
      // TLS and node:http2 read them first when they take it over.
      const early = received.subarray(answer.length);
      if (early.length > 0) tcp.unshift(early);
      if (endpoint.secure) {
        // TLS takes the tunnel's handle over and reports its errors; this one is a spare.
        tcp.on("error", ignore);
        this.withTls(tcp);
      } else {
        this.succeed(tcp, false);
      }
    };
    tcp.once("connect", () => {
      const credentials =
        proxy.authorization === undefined ? "" : `proxy-authorization: ${proxy.authorization}\r\n`;
      tcp.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${credentials}\r\n`, "latin1");
    });
    tcp.on("data", onData);
    tcp.on("error", onError);
    tcp.on("close", onClose);
  }

  /** Waits for `ready` on `socket`; an error or close before it fails the dial. */
  private track(socket: Socket, ready: "connect" | "secureConnect", proxy: ProxyRoute | undefined): void {
    this.socket = socket;
    const secure = ready === "secureConnect";
    const onError = (error: Error) => {
      // Plain http through a proxy: failing to reach it is the proxy's problem.
      if (proxy !== undefined)
        this.fail(proxyError(`could not reach the proxy ${proxy.url}: ${error.message}`, error));
      else if (isCutOff(error)) this.fail(cutOffError(secure, error));
      else if (secure && isTlsError(error)) this.fail(this.handshakeError(error));
      else this.fail(error);
    };
    const onClose = () => this.fail(cutOffError(secure, undefined));
    socket.once(ready, () => {
      socket.removeListener("error", onError);
      socket.removeListener("close", onClose);
      this.succeed(socket, secure ? (socket as TLSSocket).alpnProtocol || false : false);
    });
    socket.on("error", onError);
    socket.on("close", onClose);
  }

  /** A failed TLS handshake in words, knowing what this client offered. */
  private handshakeError(error: Error): Error {
    const { minVersion } = this.options.tls;
    const oldest = minVersion ?? DEFAULT_MIN_VERSION;
    const versions = oldest === DEFAULT_MAX_VERSION ? oldest : `${oldest} to ${DEFAULT_MAX_VERSION}`;
    const message = tlsFailureMessage(error, { versions, fromMinVersion: minVersion !== undefined });
    return connectionError("CICADA_NET_TLS", message, error);
  }

  private succeed(socket: Socket, alpn: string | false): void {
    if (this.done) {
      socket.destroy();
      return;
    }
    this.done = true;
    stopTimer(this.timer);
    this.listener.onDialed(socket, alpn);
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.abort();
    this.listener.onDialFailed(error);
  }
}

function ignore(): void {}

/** Node's codes for a connection the peer cut off (a FIN where Node reads it as ECONNRESET too). */
const cutOffCodes = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

function isCutOff(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && cutOffCodes.has(code);
}

/**
 * A connection the server ended before it was set up, worded so that one behaviour of the
 * server is one row of the failures table, whatever the timing; `describeNetworkError`
 * adds the address. Node words it by what the client happened to see: `connect ECONNRESET
 * 127.0.0.1:8080` when the reset came before the client noticed its connect had succeeded,
 * `read ECONNRESET` after, and `Client network socket disconnected before secure TLS
 * connection was established` for a plain close during the handshake. A server that
 * resets on accept gives the first or the second, and one that closes on accept with
 * Cicada's ClientHello unread makes its kernel send a reset (the second) or, when it closed
 * first, a close (the third). So over TLS every one of them is the server closing the
 * connection before the handshake completed; over plain TCP a reset is worded as the
 * connection words one that comes after the request was sent (h1-connection.ts).
 */
function cutOffError(secure: boolean, error: Error | undefined): Error {
  if (secure) {
    const message = "the server closed the connection before the TLS handshake completed";
    return connectionError("CICADA_NET_SOCKET_CLOSED", message, error);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === undefined) {
    const message = "the server closed the connection before the response was complete";
    return connectionError("CICADA_NET_SOCKET_CLOSED", message);
  }
  const message = `the server reset the connection (${String(code)}) before the response was complete`;
  return connectionError("CICADA_NET_SOCKET_RESET", message, error);
}

function isIpAddress(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(":");
}
