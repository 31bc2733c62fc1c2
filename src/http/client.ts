/**
 * The public face of a user's HTTP session: what a locustfile sees as `this.client`.
 * `HttpSession` implements it and has more (interrupting in-flight requests when a user
 * is stopped, flushing catchResponse verdicts, closing connections), which only the task
 * loop may call: those are not part of this type, so an editor never offers them.
 */
import type { RequestOptions } from "./options.js";
import type { HttpResponse } from "./response.js";
import type { EventStream, EventStreamOptions } from "./sse.js";

/** The cookie jar of one user, as `this.client.cookies`. */
export interface ClientCookies {
  /**
   * The value of cookie `name` that would be sent to `url` (default: the host). With no
   * host at all, the first stored cookie of that name.
   */
  get(name: string, url?: string): string | undefined;
  /** Stores a cookie as a `Set-Cookie` header would (`"token=abc; Path=/"`), for `url` (default: the host). */
  set(setCookieHeader: string, url?: string): void;
  /** Forgets every cookie. */
  clear(): void;
  /** How many cookies are stored. */
  readonly count: number;
}

/** `this.client` of an HttpUser (Locust's `HttpSession`/`FastHttpSession`). */
export interface HttpClient {
  /** The user's cookies. */
  readonly cookies: ClientCookies;
  /** The host relative URLs are appended to; settable (`-H` overrides the class's host). */
  baseUrl: string | undefined;
  /** GET `url`. */
  get(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** POST `url`. */
  post(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** PUT `url`. */
  put(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** PATCH `url`. */
  patch(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** DELETE `url`. */
  delete(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** HEAD `url`. */
  head(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** OPTIONS `url`. */
  options(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** A request with any method (`"PATCH"`, `"PROPFIND"`...). */
  request(method: string, url: string, options?: RequestOptions): Promise<HttpResponse>;
  /**
   * Opens a Server-Sent Events stream: a row of type `SSE` timed to its first event, then
   * `stream.waitFor(...)` rows ([protocols.md](../../docs/protocols.md)).
   */
  sse(url: string, options?: EventStreamOptions): Promise<EventStream>;
}
