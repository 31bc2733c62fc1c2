/**
 * The HTTP layer: one `HttpSession` per virtual user over Cicada's own HTTP/1.1
 * connections (h1-connection.ts) or one node:http2 session per origin (h2-session.ts),
 * reporting every request through an injected `onRequest` callback (Locust's `request`
 * event).
 */
export type { FormFields } from "./body.js";
export type { ClientCookies, HttpClient } from "./client.js";
export type { SessionCookies } from "./cookies.js";
export { HttpRequestError } from "./errors.js";
export type { MultipartFields, MultipartFile, MultipartValue } from "./multipart.js";
export type { CsrfOptions, HttpSessionOptions, RequestOptions } from "./options.js";
export { proxyResolver } from "./proxy.js";
export { HttpResponse, type RequestInfo, type ResponseTiming } from "./response.js";
export { HttpSession } from "./session.js";
export { EventStream, type EventStreamOptions, type SseEvent } from "./sse.js";
export type { TlsOptions } from "./tls-options.js";
export type { QueryParams } from "./url.js";
