/**
 * The connections of one session to one origin. A session keeps up to `maxConnections`
 * keep-alive connections per origin (h1-connection.ts), opened only when needed:
 *
 * - A user that makes one request at a time (the normal case, like Locust's per-user
 *   session) always finds its first connection idle and uses just that one.
 * - Requests issued concurrently by the same user (`Promise.all`) each get an idle
 *   connection or open a new one, like a browser or FastHttpUser's `concurrency`, so their
 *   response times do not include waiting behind each other. Past `maxConnections` they
 *   queue on the least busy connection.
 *
 * Connections are never shared between sessions.
 */
import {
  Connection,
  type ConnectionSettings,
  type Endpoint,
  endpointOf,
  type OutgoingRequest,
} from "./h1-connection.js";

export { Connection, type ConnectionSettings } from "./h1-connection.js";

/** The connections of one session to one origin. */
export class OriginConnections {
  private readonly connections: Connection[] = [];
  /** Shared by this origin's connections, so TLS sessions are resumed across them. */
  private readonly endpoint: Endpoint;

  constructor(
    readonly origin: string,
    private readonly settings: ConnectionSettings,
  ) {
    this.endpoint = endpointOf(origin);
  }

  /** An idle connection, a new one if all are busy and the limit allows, else the least busy. */
  pick(): Connection {
    const connections = this.connections;
    for (let i = 0; i < connections.length; i++) {
      const connection = connections[i]!;
      if (connection.load === 0) return connection;
    }
    if (connections.length < this.settings.maxConnections) {
      const connection = new Connection(this.endpoint, this.settings);
      connections.push(connection);
      return connection;
    }
    let least = connections[0]!;
    for (const connection of connections) if (connection.load < least.load) least = connection;
    return least;
  }

  /** Every request in flight or queued on these connections. */
  requests(): OutgoingRequest[] {
    return this.connections.flatMap((connection) => connection.requests());
  }

  /** How many connections have been opened (for tests and diagnostics). */
  get size(): number {
    return this.connections.length;
  }

  /** Closes every connection: running and queued requests end with an error. */
  destroy(): void {
    for (const connection of this.connections) connection.destroy();
    this.connections.length = 0;
  }
}
