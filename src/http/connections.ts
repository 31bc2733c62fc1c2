/**
 * The connections of one session. Per origin, a session keeps up to `maxConnections`
 * undici `Client`s (one keep-alive socket each), opened only when needed:
 *
 * - A user that makes one request at a time (the normal case, like Locust's per-user
 *   session) always finds its first connection idle and uses just that one.
 * - Requests issued concurrently by the same user (`Promise.all`) each get an idle
 *   connection or open a new one, like a browser or FastHttpUser's `concurrency`, so their
 *   response times do not include waiting behind each other. Past `maxConnections` they
 *   queue on the least busy connection.
 *
 * Connections are never shared between sessions. Each connection wraps undici's
 * connector to time the opening of new sockets (DNS + TCP + TLS), which costs nothing
 * on requests that reuse a socket.
 */
import { performance } from "node:perf_hooks";
import { buildConnector, Client } from "undici";

/** How the session's connections behave. */
export interface ConnectionSettings {
  connectionTimeoutMs: number;
  networkTimeoutMs: number;
  insecure: boolean;
  maxConnections: number;
}

/** One undici `Client` (one socket at a time) and how many requests are on it. */
export class Connection {
  /** The undici client; requests are dispatched to it directly. */
  readonly client: Client;
  /** Requests dispatched here and not yet finished by undici. */
  active = 0;
  private connectMs: number | null = null;

  constructor(origin: string, connector: buildConnector.connector, settings: ConnectionSettings) {
    this.client = new Client(origin, {
      connect: (options, callback) => this.openSocket(connector, options, callback),
      headersTimeout: settings.networkTimeoutMs,
      bodyTimeout: settings.networkTimeoutMs,
    });
  }

  /**
   * The time the last new socket took to open, handed to the first request that claims
   * it. With one request at a time per connection that is the request that waited for it.
   */
  claimConnectMs(): number | null {
    const ms = this.connectMs;
    if (ms !== null) this.connectMs = null;
    return ms;
  }

  private openSocket(
    connector: buildConnector.connector,
    options: buildConnector.Options,
    callback: buildConnector.Callback,
  ): void {
    const startedAt = performance.now();
    connector(options, (...args: Parameters<buildConnector.Callback>) => {
      if (args[0] === null) this.connectMs = performance.now() - startedAt;
      callback(...args);
    });
  }
}

/** The connections of one session to one origin. */
export class OriginConnections {
  private readonly connections: Connection[] = [];
  private readonly connector: buildConnector.connector;

  constructor(
    readonly origin: string,
    private readonly settings: ConnectionSettings,
  ) {
    // One connector per origin, so TLS sessions are resumed across its connections.
    this.connector = buildConnector({
      timeout: settings.connectionTimeoutMs,
      rejectUnauthorized: !settings.insecure,
    });
  }

  /** An idle connection, a new one if all are busy and the limit allows, else the least busy. */
  pick(): Connection {
    const connections = this.connections;
    for (let i = 0; i < connections.length; i++) {
      const connection = connections[i]!;
      if (connection.active === 0) return connection;
    }
    if (connections.length < this.settings.maxConnections) {
      const connection = new Connection(this.origin, this.connector, this.settings);
      connections.push(connection);
      return connection;
    }
    let least = connections[0]!;
    for (const connection of connections) if (connection.active < least.active) least = connection;
    return least;
  }

  /** How many connections have been opened (for tests and diagnostics). */
  get size(): number {
    return this.connections.length;
  }

  /** Destroys every connection: running and queued requests end with an error. */
  async destroy(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.client.destroy()));
    this.connections.length = 0;
  }
}
