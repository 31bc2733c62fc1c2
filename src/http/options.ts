/**
 * Options of an `HttpSession` and of each request.
 */
import type { RequestEvent } from "../shared/request-event.js";
import type { FormFields } from "./body.js";
import type { MultipartFields } from "./multipart.js";
import type { ProxyEnvironment } from "./proxy.js";
import type { TlsOptions } from "./tls-options.js";
import type { QueryParams } from "./url.js";

/** CSRF settings: the cookie the token is read from and the header it is sent in. */
export interface CsrfOptions {
  /** Default "csrftoken" (Django). */
  cookieName?: string;
  /** Default "X-CSRFToken" (Django). */
  headerName?: string;
}

/** How a session (one per virtual user) behaves. */
export interface HttpSessionOptions {
  /** The user's host; relative URLs are appended to it. Credentials in it become basic auth. */
  baseUrl?: string;
  /** Called once per logical request (after redirects): Locust's `request` event. */
  onRequest: (event: RequestEvent) => void;
  /**
   * Called each time a request is sent a second time, on a new connection, because the
   * server closed a kept connection without answering it (or refused or never processed an
   * HTTP/2 stream). The request is recorded once; the server may have counted it twice.
   */
  onResend?: () => void;
  /**
   * Called when `interrupt()` (a stopped user) aborted requests, once per interrupt, with two
   * counts: `sent`, requests written to a connection, unanswered or unfinished (in no
   * statistic, but the server may have counted them), and `unsent`, requests still waiting
   * for a connection (connecting, in the TLS handshake or a proxy tunnel, or queued behind
   * another request): the server never received them, but they were issued and waited on it.
   */
  onAbortedRequests?: (sent: number, unsent: number) => void;
  /**
   * A `catchResponse` request completed and waits for its verdict: returns where its event
   * goes once it is given (an HttpUser binds it to the transactions open now, which wait for
   * it). Default: `onRequest`.
   */
  onDeferredRequest?: () => (event: RequestEvent) => void;
  /** Time allowed to open a connection (TCP + TLS), ms. Default 60 000 (FastHttpUser's connection_timeout). */
  connectionTimeoutMs?: number;
  /** Longest wait for response headers, and longest silence while reading a body, ms. Default 60 000. */
  networkTimeoutMs?: number;
  /**
   * Longest time from sending a request (each redirect hop) to the end of its response, ms:
   * a body that drips a byte now and then never trips `networkTimeoutMs`. Default 300 000
   * (5 minutes); `Infinity` for none.
   */
  responseTimeoutMs?: number;
  /** Redirects followed before the request fails with `TooManyRedirects`. Default 30. */
  maxRedirects?: number;
  /** Send Django's CSRF token on unsafe methods (POST, PUT, PATCH, DELETE). Default off. */
  csrf?: boolean | CsrfOptions;
  /** Headers sent with every request (a request's own headers win). */
  defaultHeaders?: Record<string, string>;
  /** Merged under each request's own `context` (the user's `context()`). */
  context?: () => Record<string, unknown>;
  /** Skip TLS certificate verification. Default false. */
  insecure?: boolean;
  /** TLS per user: CA, client certificate and key (mTLS), server name, oldest version. */
  tls?: TlsOptions;
  /**
   * HTTP/2: `true` always (h2 over TLS, cleartext HTTP/2 with prior knowledge for http://),
   * `"auto"` when TLS agrees on it (ALPN; http:// stays HTTP/1.1), `false` never. Default false.
   */
  http2?: boolean | "auto";
  /**
   * The proxy of every request (`http://[user:password@]host:port`), or false for none.
   * Default: from `proxyEnvironment` (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).
   */
  proxy?: string | false;
  /** Where the proxy variables are read from when `proxy` is not set (the CLI passes the process's). */
  proxyEnvironment?: ProxyEnvironment;
  /**
   * The Accept-Encoding header sent, and whether compressed bodies are decoded: default
   * "gzip, deflate, br"; false sends none and leaves bodies as they arrive.
   */
  acceptEncoding?: string | false;
  /**
   * Largest response body kept, bytes, plain or compressed (counted as it decodes); a
   * bigger one fails with `BodyTooLargeError` (`DecompressionError` for a decompression
   * bomb) and its connection is closed. Default 64 MiB.
   */
  maxResponseBodySize?: number;
  /** The former name of `maxResponseBodySize` (it applied to compressed bodies only); still accepted. */
  maxDecodedBodySize?: number;
  /**
   * Connections per origin this session may open when it sends requests concurrently
   * (`Promise.all`). A user that sends one request at a time only ever uses one. Default 10
   * (FastHttpUser's `concurrency`).
   */
  maxConnections?: number;
}

/** Options of one request. */
export interface RequestOptions {
  /** Request headers (any case). */
  headers?: Record<string, string>;
  /** Appended to the URL; array values repeat the key. */
  query?: QueryParams;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent URL-encoded with `content-type: application/x-www-form-urlencoded`. */
  form?: FormFields;
  /** Sent as is. At most one of `json`, `form`, `multipart` and `body`. */
  body?: string | Uint8Array;
  /** Sent as `multipart/form-data` (file uploads): a FormData, or fields by name. */
  multipart?: MultipartFields;
  /** The stats grouping name. Default: the URL argument as given. */
  name?: string;
  /** Defer the request event until `response.success()` / `response.failure()` (or the end of the task). */
  catchResponse?: boolean;
  /** Deadline for the whole request, redirects included, in seconds. */
  timeout?: number;
  /** Reported with the request event, over the session's `context()`. */
  context?: Record<string, unknown>;
  /** Follow redirects (default true). With false a 3xx is returned as is (and is a success). */
  allowRedirects?: boolean;
}

/**
 * Request options spelled as Locust's (requests') that Cicada does not read, with Cicada's
 * way. Dropped without a word, `data=` logged in with no fields (a 403) and
 * `allow_redirects=False` followed the redirect anyway; TypeScript's checker refuses them,
 * but Cicada runs locustfiles without it.
 */
const LOCUST_OPTION_NAMES: ReadonlyArray<readonly [locusts: string, cicadas: string]> = [
  ["data", "form (fields) or body (a string or bytes)"],
  ["params", "query"],
  ["allow_redirects", "allowRedirects"],
  ["catch_response", "catchResponse"],
  ["files", "multipart"],
  ["verify", "the user's insecure = true"],
  ["proxies", "the user's proxy setting"],
  ["cookies", "this.client.cookies"],
  ["auth", "an authorization header (headers: { authorization: ... })"],
];

/**
 * The message for a request option in Locust's spelling, or undefined when there is none.
 * Checked on every request: nine property reads, no allocation.
 */
export function locustOptionProblem(options: object): string | undefined {
  const given = options as Record<string, unknown>;
  for (const [locusts, cicadas] of LOCUST_OPTION_NAMES) {
    if (given[locusts] !== undefined)
      return `the request option ${locusts} is Locust's (requests') spelling, which Cicada does not read: use ${cicadas} (docs/from-locust.md)`;
  }
  return undefined;
}
