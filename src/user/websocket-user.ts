import { type ConnectOptions, WebSocketClient, type WebSocketConnection } from "../ws/index.js";
import { HttpUser } from "./http-user.js";
import { kDispose, kInterrupt, kResume } from "./internal.js";
import { User } from "./user.js";

/**
 * A user that talks WebSocket. It is also an HttpUser: `this.client` signs in over HTTP
 * first, and its cookies go with the upgrade request, so a signed-in user can open its
 * socket. `host` (or `-H`) may be ws://, wss://, or http(s):// (upgraded).
 *
 * @example
 * export class Watcher extends WebSocketUser {
 *   host = "ws://127.0.0.1:8080";
 *   @task async watch() {
 *     const ws = await this.connect("/feed");                       // row "WS /feed": connect time
 *     ws.send(JSON.stringify({ subscribe: "coupons" }));
 *     await ws.waitFor((m) => String(m).includes("left"), { name: "first update", timeout: 5 });
 *     await ws.close();
 *   }
 * }
 */
export class WebSocketUser extends HttpUser {
  static override abstract = true;

  private sockets: WebSocketClient | undefined;

  /**
   * Opens a WebSocket to a path of the host (or an absolute ws(s)/http(s) URL), recorded
   * as a request row of type `WS` named by the path (or `options.name`) with the time to
   * the end of the handshake. A refused upgrade or connection is a recorded failure: the
   * returned socket then has `error` set and its waits fail.
   */
  connect(pathOrUrl: string, options?: ConnectOptions): Promise<WebSocketConnection> {
    this.sockets ??= this.createWebSocketClient();
    return this.sockets.connect(pathOrUrl, options);
  }

  private createWebSocketClient(): WebSocketClient {
    const session = this.httpSession;
    return new WebSocketClient({
      baseUrl: this.environment.host ?? this.host,
      onRequest: this.requestRecorder(),
      ...(this.connectionTimeout === undefined ? {} : { connectTimeoutSeconds: this.connectionTimeout }),
      ...(this.networkTimeout === undefined ? {} : { waitTimeoutSeconds: this.networkTimeout }),
      insecure: this.insecure === true,
      ...(this.defaultHeaders === undefined ? {} : { defaultHeaders: this.defaultHeaders }),
      link: {
        cookieHeader: (url) => session.cookies.headerFor(url),
        storeCookie: (value, url) => session.cookies.store(value, url),
      },
      ...(this.context === User.prototype.context ? {} : { context: () => this.context() }),
      // A handshake never completed: the connection was not made, as for an HTTP request
      // still waiting for its connection (connect, TLS) when the stop came.
      onAbortedConnects: (count) => this.environment.stats.countAbortedRequests(0, count),
    });
  }

  override [kInterrupt](): void {
    super[kInterrupt]();
    this.sockets?.interrupt();
  }
  override [kResume](): void {
    super[kResume]();
    this.sockets?.resume();
  }
  override async [kDispose](): Promise<void> {
    await this.sockets?.close();
    await super[kDispose]();
  }
}
