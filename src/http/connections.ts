/**
 * The connections of one session to one origin. Over HTTP/1.1 a session keeps up to
 * `maxConnections` keep-alive connections per origin (h1-connection.ts), opened only
 * when needed:
 *
 * - A user that makes one request at a time (the normal case, like Locust's per-user
 *   session) always finds its first connection idle and uses just that one.
 * - Requests issued concurrently by the same user (`Promise.all`) each get an idle
 *   connection or open a new one, like a browser or FastHttpUser's `concurrency`, so their
 *   response times do not include waiting behind each other. Past `maxConnections` they
 *   queue on the least busy connection.
 *
 * Over HTTP/2 (`http2 = true`, or `"auto"` when TLS agrees on h2) it is one session,
 * every request a stream (h2-session.ts). Connections are never shared between sessions.
 */
import type { Socket } from "node:net";
import type { Channel, OutgoingRequest } from "./channel.js";
import { type Endpoint, endpointOf } from "./dial.js";
import { Connection, type ConnectionSettings } from "./h1-connection.js";
import { H2Session } from "./h2-session.js";
import type { ProxyResolver } from "./proxy.js";

export { Connection, type ConnectionSettings } from "./h1-connection.js";

/** HTTP/2: off, always (h2 over TLS, or cleartext prior knowledge), or when TLS agrees on it. */
export type Http2Mode = "off" | "on" | "auto";

/** A session's settings for all its origins. */
export interface OriginSettings extends ConnectionSettings {
  http2: Http2Mode;
  proxyFor: ProxyResolver;
}

/** The connections of one session to one origin. */
export class OriginConnections {
  private readonly connections: Connection[] = [];
  private http2Session: H2Session | null = null;
  /** Shared by this origin's connections, so TLS sessions are resumed across them. */
  private readonly endpoint: Endpoint;
  private readonly alpn: string[];

  constructor(
    readonly origin: string,
    private readonly settings: OriginSettings,
  ) {
    this.endpoint = endpointOf(origin, settings.proxyFor(origin));
    this.alpn = settings.http2 === "auto" && this.endpoint.secure ? ["h2", "http/1.1"] : ["http/1.1"];
  }

  /** True when requests go to a proxy in absolute form (whose own answers, like 407, are then its). */
  get viaProxy(): boolean {
    return this.endpoint.proxy !== undefined && !this.endpoint.secure && this.settings.http2 !== "on";
  }

  /** The HTTP/2 session, else an idle connection, a new one if the limit allows, else the least busy. */
  pick(): Channel {
    if (this.http2Session !== null) return this.http2Session;
    if (this.settings.http2 === "on") {
      this.http2Session = new H2Session(this.endpoint, this.settings);
      return this.http2Session;
    }
    const connections = this.connections;
    for (let i = 0; i < connections.length; i++) {
      const connection = connections[i]!;
      if (connection.load === 0) return connection;
    }
    if (connections.length < this.settings.maxConnections) {
      const connection =
        this.alpn.length === 1
          ? new Connection(this.endpoint, this.settings)
          : new Connection(this.endpoint, this.settings, this.alpn, this.adoptHttp2);
      connections.push(connection);
      return connection;
    }
    let least = connections[0]!;
    for (const connection of connections) if (connection.load < least.load) least = connection;
    return least;
  }

  /** Every request in flight or queued on these connections. */
  requests(): OutgoingRequest[] {
    const all = this.connections.flatMap((connection) => connection.requests());
    if (this.http2Session !== null) all.push(...this.http2Session.requests());
    return all;
  }

  /** How many connections (or sessions) have been opened, for tests and diagnostics. */
  get size(): number {
    return this.connections.length + (this.http2Session === null ? 0 : 1);
  }

  /** Closes every connection: running and queued requests end with an error. */
  destroy(): void {
    for (const connection of this.connections) connection.destroy();
    this.connections.length = 0;
    this.http2Session?.destroy();
    this.http2Session = null;
  }

  /** TLS agreed on h2 (`http2 = "auto"`): the origin's one session takes the socket and the requests. */
  private readonly adoptHttp2 = (socket: Socket, connectMs: number, requests: OutgoingRequest[]): void => {
    let session = this.http2Session;
    if (session === null) {
      session = new H2Session(this.endpoint, this.settings);
      this.http2Session = session;
      session.adopt(socket, connectMs);
    } else {
      socket.destroy(); // a connection opened concurrently: one session per origin is enough
    }
    for (const request of requests) {
      request.movedTo(session);
      session.enqueue(request);
    }
  };
}
