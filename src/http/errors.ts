/**
 * The errors a request can end with. None of them is ever thrown at the user's task:
 * they are set on `HttpResponse.error` and reported as the request event's `exception`,
 * so the failures table reads `ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:1`
 * (the `name: message` form of `describeFailure`).
 */
import { STATUS_CODES } from "node:http";
import { isTlsError, oneLine, tlsFailureMessage } from "../shared/tls-failure.js";

/** A failure of the system under test: a status >= 400, a broken connection, a timeout. */
export class HttpRequestError extends Error {
  /** Kind of failure, also the error's `name`: "HTTPError", "ConnectTimeout", "Timeout", ... */
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** `HTTPError: 404 Not Found`: the status code and the reason phrase (the server's, else the standard one). */
export function httpStatusError(status: number, statusText: string): HttpRequestError {
  const reason = statusText || STATUS_CODES[status] || "";
  return new HttpRequestError("HTTPError", reason ? `${status} ${reason}` : String(status));
}

/** A proxy answered 407 (or refused) a request sent through it: `ProxyError: ...`. */
export function proxyRefusedError(status: number, statusText: string): HttpRequestError {
  const reason = statusText || STATUS_CODES[status] || "";
  return new HttpRequestError("ProxyError", `the proxy refused the request: ${status} ${reason}`.trim());
}

/** `TooManyRedirects: exceeded 30 redirects`. */
export function tooManyRedirectsError(maxRedirects: number): HttpRequestError {
  return new HttpRequestError("TooManyRedirects", `exceeded ${maxRedirects} redirects`);
}

/**
 * The per-request `timeout` option's deadline passed: `Timeout: no response within 2 s`,
 * or, when the response head had arrived (the body was too slow), `Timeout: the response
 * did not end within 2 s (timeout)`.
 */
export function deadlineError(timeoutSeconds: number, headArrived: boolean): HttpRequestError {
  const message = headArrived
    ? `the response did not end within ${timeoutSeconds} s (timeout)`
    : `no response within ${timeoutSeconds} s`;
  return new HttpRequestError("Timeout", message);
}

/**
 * A body over the session's `maxResponseBodySize`: `BodyTooLargeError: ...`. `announced`
 * is the Content-Length when the head already said so (nothing of the body was read).
 */
export function bodyTooLargeError(limit: number, announced?: number): HttpRequestError {
  const what =
    announced === undefined
      ? `the response body exceeds ${limit} bytes (maxResponseBodySize); the rest was not read`
      : `the response announced a body of ${announced} bytes (Content-Length), over ${limit} bytes ` +
        "(maxResponseBodySize); it was not read";
  return new HttpRequestError(
    "BodyTooLargeError",
    `${what}. Raise maxResponseBodySize on the user class if the target's bodies are this large`,
  );
}

/** Network-level limits, used to word timeout messages. */
export interface TimeoutSettings {
  connectionTimeoutMs: number;
  networkTimeoutMs: number;
  responseTimeoutMs: number;
}

/** Codes of the errors the connection raises itself (Node's socket errors keep theirs). */
export type ConnectionErrorCode =
  | "CICADA_NET_CONNECT_TIMEOUT"
  | "CICADA_NET_HEADERS_TIMEOUT"
  | "CICADA_NET_BODY_TIMEOUT"
  | "CICADA_NET_RESPONSE_TIMEOUT"
  | "CICADA_NET_SOCKET_CLOSED"
  | "CICADA_NET_SOCKET_RESET"
  | "CICADA_NET_PROXY"
  | "CICADA_NET_STREAM_RESET"
  | "CICADA_NET_HTTP2"
  | "CICADA_NET_TLS";

/** An error of the connection layer, with a code `describeNetworkError` words for people. */
export function connectionError(code: ConnectionErrorCode, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

/**
 * When a failed request may be sent again on a new connection: "idempotent" when the
 * server closed a reused connection before answering (it may have seen the request, so
 * only methods that can safely repeat), "always" when the server said it did not
 * process it (HTTP/2 REFUSED_STREAM, or a stream above a GOAWAY's last one).
 */
export type RetryRule = "idempotent" | "always";
const kRetryRule = Symbol("retryRule");

/** Marks `error` with the rule under which its request may be sent again. */
export function markRetryable(error: Error, rule: RetryRule): Error {
  return Object.assign(error, { [kRetryRule]: rule });
}

/** The retry rule of an error, if it has one. */
export function retryRuleOf(error: Error): RetryRule | undefined {
  return (error as { [kRetryRule]?: RetryRule })[kRetryRule];
}

const resetCodes = new Set([
  "ECONNRESET",
  "EPIPE",
  "CICADA_NET_SOCKET_CLOSED",
  "CICADA_NET_SOCKET_RESET",
  "ECONNABORTED",
]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME"]);

/**
 * Turns a connection or socket error into a readable `HttpRequestError`. `target` is the
 * `host:port` that was being contacted, for messages that would not name it otherwise.
 */
export function describeNetworkError(
  error: Error,
  target: string,
  limits: TimeoutSettings,
): HttpRequestError {
  const code = (error as { code?: unknown }).code;
  const options = { cause: error };
  if (code === "ECONNREFUSED") return new HttpRequestError("ConnectionRefusedError", error.message, options);
  if (code === "CICADA_NET_CONNECT_TIMEOUT") {
    const message = `could not connect to ${target} within ${formatMs(limits.connectionTimeoutMs)}`;
    return new HttpRequestError("ConnectTimeout", message, options);
  }
  if (code === "CICADA_NET_HEADERS_TIMEOUT") {
    const message = `no response headers within ${formatMs(limits.networkTimeoutMs)}`;
    return new HttpRequestError("Timeout", message, options);
  }
  if (code === "CICADA_NET_BODY_TIMEOUT") {
    const message = `no response body data for ${formatMs(limits.networkTimeoutMs)}`;
    return new HttpRequestError("Timeout", message, options);
  }
  if (code === "CICADA_NET_RESPONSE_TIMEOUT") {
    const message = `the response did not end within ${formatMs(limits.responseTimeoutMs)} (responseTimeout)`;
    return new HttpRequestError("Timeout", message, options);
  }
  if (code === "CICADA_NET_PROXY") return new HttpRequestError("ProxyError", error.message, options);
  if (code === "CICADA_NET_STREAM_RESET")
    return new HttpRequestError("StreamResetError", error.message, options);
  if (code === "CICADA_NET_HTTP2") return new HttpRequestError("ProtocolError", error.message, options);
  if (typeof code === "string" && resetCodes.has(code)) {
    if (retryRuleOf(error) === "idempotent") {
      // Not "idle": a user that sends its next request at once (constant(0)) gets the
      // close a moment after sending it. What the server failed to do is announce it.
      const http2 = error.message.includes("HTTP/2");
      const message =
        `the server at ${target} closed the ${http2 ? "HTTP/2" : "keep-alive"} connection without ` +
        `answering this request (${http2 ? "it sent no GOAWAY first" : "it sent no `Connection: close` with its last response"})`;
      return new HttpRequestError("ConnectionResetError", message, options);
    }
    return new HttpRequestError("ConnectionResetError", `${resetMessage(error, code)} (${target})`, options);
  }
  if (typeof code === "string" && dnsCodes.has(code)) {
    return new HttpRequestError("NameResolutionError", error.message, options);
  }
  if (code === "CICADA_NET_TLS") return new HttpRequestError("SSLError", error.message, options);
  if (isTlsError(error)) return new HttpRequestError("SSLError", tlsFailureMessage(error), options);
  // The failures table keys rows by this text: one line, whatever the error said.
  const name = error.name && error.name !== "Error" ? error.name : "ConnectionError";
  return new HttpRequestError(name, oneLine(error.message), options);
}

/**
 * A reset or close in words. Cicada's own connections word theirs already (dial.ts,
 * h1-connection.ts); Node's, from a Server-Sent Events stream over node:http, read
 * `connect ECONNRESET 127.0.0.1:8080` (an address the caller adds again), `read
 * ECONNRESET`, `socket hang up` or `Client network socket disconnected before secure TLS
 * connection was established`: worded as the connections word them.
 */
function resetMessage(error: Error, code: string): string {
  if (code.startsWith("CICADA_")) return error.message;
  if (error.message.startsWith("Client network socket disconnected before secure TLS"))
    return "the server closed the connection before the TLS handshake completed";
  if (error.message === "socket hang up")
    return "the server closed the connection before the response was complete";
  const syscall = (error as { syscall?: unknown }).syscall;
  if (syscall !== "connect" && syscall !== "read") return error.message;
  return `the server reset the connection (${code}) before the response was complete`;
}

/** "200 ms" under a second, "2 s" above, as people say it. */
function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
