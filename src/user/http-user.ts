import { HttpSession } from "../http/index.js";
import type { RequestEvent } from "../shared/request-event.js";
import { toHttpScheme } from "../shared/url.js";
import { kDispose, kInterrupt, kRecordRequest, kResume, kTaskEnded } from "./internal.js";
import { User } from "./user.js";

/**
 * A user with an HTTP client: `this.client` is its own session (its own keep-alive
 * connection and cookie jar, never shared with other users), like Locust's HttpUser.
 * Relative URLs are appended to `host` (the `-H` flag wins).
 *
 * @example
 * export class Shopper extends HttpUser {
 *   host = "http://127.0.0.1:8080";
 *   csrf = true;
 *   @task async home() { await this.client.get("/"); }
 * }
 */
export class HttpUser extends User {
  static override abstract = true;

  /** Seconds to wait for a connection (default 60). */
  connectionTimeout?: number;
  /** Seconds to wait for response headers or the next body data (default 60). */
  networkTimeout?: number;
  /** Redirects followed per request (default 30). */
  maxRedirects?: number;
  /**
   * Django-style CSRF: copy the `csrftoken` cookie into an `X-CSRFToken` header on POST,
   * PUT, PATCH and DELETE, so the CSRF middleware can stay on during the test.
   */
  csrf?: boolean | { cookieName?: string; headerName?: string };
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string>;
  /** Skip TLS certificate checks (self-signed staging servers). Default false. */
  insecure?: boolean;

  private session: HttpSession | undefined;

  /** This user's HTTP session, created on first use (after the subclass's fields are set). */
  get client(): HttpSession {
    this.session ??= this.createSession();
    return this.session;
  }

  private createSession(): HttpSession {
    const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);
    const host = this.environment.host ?? this.host;
    return new HttpSession({
      // A ws:// host (-H shared with WebSocketUsers) means the same server over http://.
      baseUrl: host === undefined ? undefined : toHttpScheme(host),
      // An open-model user's requests carry its iteration's intended start.
      onRequest: this.intendedStartMs === undefined ? this.requestRecorder() : this.intendedStartRecorder(),
      connectionTimeoutMs: seconds(this.connectionTimeout),
      networkTimeoutMs: seconds(this.networkTimeout),
      maxRedirects: this.maxRedirects,
      csrf: this.csrf,
      defaultHeaders: this.defaultHeaders,
      // Most users never override context(): then there is nothing to call per request.
      context: this.context === User.prototype.context ? undefined : () => this.context(),
      insecure: this.insecure,
    });
  }

  private intendedStartRecorder(): (event: RequestEvent) => void {
    return (event) => {
      event.intendedStartMs = this.intendedStartMs;
      this[kRecordRequest](event);
    };
  }

  override [kInterrupt](): void {
    this.session?.interrupt();
  }
  override [kResume](): void {
    this.session?.resume();
  }
  override [kTaskEnded](): void {
    // Deferred (catchResponse) requests first: they belong to the task's transactions.
    this.session?.flushPending();
    super[kTaskEnded]();
  }
  override async [kDispose](): Promise<void> {
    await this.session?.close();
  }
}

/**
 * Locust's FastHttpUser, for locustfiles ported from Locust: Cicada's HttpUser is already
 * the fast client, so this is the same class under the familiar name.
 */
export class FastHttpUser extends HttpUser {
  static override abstract = true;
}
