import { type HttpClient, HttpSession, type TlsOptions } from "../http/index.js";
import type { RequestEvent } from "../shared/request-event.js";
import { toHttpScheme } from "../shared/url.js";
import { checkHttpUserSettings } from "./http-settings.js";
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
  /**
   * Seconds from sending a request to the end of its response, however the body trickles
   * in (default 300; `Infinity` for none). Each redirect is a request of its own; the
   * `timeout` request option bounds a request with its redirects.
   */
  responseTimeout?: number;
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
  /**
   * TLS for this user: `ca` (PEM) to trust, `cert`/`key` for mutual TLS, `servername`
   * (SNI and the name checked), `minVersion` ("TLSv1.2" or "TLSv1.3").
   * @example tls = { ca: readFileSync("ca.pem"), cert: readFileSync("me.pem"), key: readFileSync("me.key") };
   */
  tls?: TlsOptions;
  /**
   * HTTP/2: `true` always (ALPN h2 over TLS, prior knowledge for http://), `"auto"` when
   * the server agrees to it over TLS, `false` (default) HTTP/1.1 only.
   */
  http2?: boolean | "auto";
  /**
   * The proxy of every request, `http://[user:password@]host:port` (https goes through a
   * CONNECT tunnel), or false for none. Default: HTTP_PROXY / HTTPS_PROXY / NO_PROXY.
   */
  proxy?: string | false;
  /** Accept-Encoding sent (default "gzip, deflate, br"); false sends none and leaves bodies compressed. */
  acceptEncoding?: string | false;
  /**
   * Largest response body kept, bytes (default 64 MiB), plain or compressed (counted as it
   * decodes): a bigger one fails with `BodyTooLargeError` and its connection is closed.
   */
  maxResponseBodySize?: number;
  /** The former name of `maxResponseBodySize`, still accepted. */
  maxDecodedBodySize?: number;

  private session: HttpSession | undefined;

  /** This user's HTTP session, created on first use (after the subclass's fields are set). */
  get client(): HttpClient {
    return this.httpSession;
  }

  /**
   * The session behind `this.client`, with what subclasses need beyond its public face
   * (a WebSocketUser's upgrade reads and stores its cookies).
   */
  protected get httpSession(): HttpSession {
    this.session ??= this.createSession();
    return this.session;
  }

  private createSession(): HttpSession {
    // In the user's names and seconds: the session's own checks would say networkTimeoutMs, -1000.
    checkHttpUserSettings(this);
    const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);
    const host = this.environment.host ?? this.host;
    return new HttpSession({
      // A ws:// host (-H shared with WebSocketUsers) means the same server over http://.
      baseUrl: host === undefined ? undefined : toHttpScheme(host),
      // An open-model user's requests carry its iteration's intended start.
      onRequest: this.intendedStartMs === undefined ? this.requestRecorder() : this.intendedStartRecorder(),
      // catchResponse requests: counted in the transactions open when they complete, verdict or not.
      onDeferredRequest: () => this.deferredRecorder(),
      // Read where request counts are reconciled: the final summary, the JSON report.
      onResend: () => this.environment.stats.countResentRequest(),
      // Requests a stop aborted: in no statistic; the sent ones maybe in the server's count,
      // the unsent ones were still waiting for a connection.
      onAbortedRequests: (sent, unsent) => this.environment.stats.countAbortedRequests(sent, unsent),
      connectionTimeoutMs: seconds(this.connectionTimeout),
      networkTimeoutMs: seconds(this.networkTimeout),
      responseTimeoutMs: seconds(this.responseTimeout),
      maxRedirects: this.maxRedirects,
      csrf: this.csrf,
      defaultHeaders: this.defaultHeaders,
      // Most users never override context(): then there is nothing to call per request.
      context: this.context === User.prototype.context ? undefined : () => this.context(),
      insecure: this.insecure,
      tls: this.tls,
      http2: this.http2,
      proxy: this.proxy,
      proxyEnvironment: this.environment.env,
      acceptEncoding: this.acceptEncoding,
      maxResponseBodySize: this.maxResponseBodySize,
      maxDecodedBodySize: this.maxDecodedBodySize,
    });
  }

  private intendedStartRecorder(): (event: RequestEvent) => void {
    return (event) => {
      event.intendedStartMs = this.intendedStartMs;
      this[kRecordRequest](event);
    };
  }

  /** A catchResponse request's recorder, carrying the intended start of the iteration it completed in. */
  private deferredRecorder(): (event: RequestEvent) => void {
    const record = this.deferredRequestRecorder();
    const intendedStartMs = this.intendedStartMs;
    if (intendedStartMs === undefined) return record;
    return (event) => {
      event.intendedStartMs = intendedStartMs;
      record(event);
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
