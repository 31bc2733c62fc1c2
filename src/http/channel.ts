/**
 * What an exchange sends its requests on: an HTTP/1.1 connection (h1-connection.ts) or
 * an HTTP/2 session (h2-session.ts). Both take the same requests and report through the
 * same callbacks, so redirects, retries, cookies, decoding, timings and statistics are
 * the exchange's, whatever the protocol. A new kind of request (a stream of server-sent
 * events, say) is another `OutgoingRequest` with its own callbacks.
 */
import type { ResponseHead } from "./response-head.js";

/**
 * What withdrawing a request aborted (`OutgoingRequest.cancel`): a request that had been
 * written to a connection ("sent": the server may have counted it), one still waiting for
 * a connection ("unsent": connecting, in the TLS handshake or a proxy tunnel, or queued
 * behind another request), or nothing (null: it had already ended).
 */
export type Withdrawn = "sent" | "unsent" | null;

/** A request as a channel sends it, and the callbacks of its outcome (the exchange). */
export interface OutgoingRequest {
  readonly method: string;
  /** Path and query, starting with "/". */
  readonly path: string;
  /** Flat `[name, value, ...]`, lower-case names; `host` and framing headers are the channel's. */
  readonly headerList: readonly string[] | undefined;
  readonly body: string | Uint8Array | undefined;
  /** The request was written; `connectMs` is set when it waited for a new connection. */
  onRequestSent(connectMs: number | null): void;
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  onResponseComplete(): void;
  /** The request failed (connection error, timeout, malformed response, reset stream). */
  onRequestError(error: Error): void;
  /**
   * Withdraws the request on its owner's behalf (a stopped user); it then reports nothing.
   * "sent" when it had been written (to this channel or, for a redirect or a retry, an
   * earlier one), "unsent" when it was still waiting for a connection.
   */
  cancel(reason: Error): Withdrawn;
  /** The request now waits on another channel (a TLS connection that agreed on HTTP/2 handed it over). */
  movedTo(channel: Channel): void;
}

/** A connection or session that carries requests to one origin. */
export interface Channel {
  /** Requests in flight or waiting on it. */
  readonly load: number;
  /** Sends `request` now or when the channel is ready. */
  enqueue(request: OutgoingRequest): void;
  /** Forgets `request` without telling it (its exchange has settled already). */
  cancel(request: OutgoingRequest): void;
  /** The requests in flight and waiting, in order (a copy). */
  requests(): OutgoingRequest[];
  /** Closes it; requests still on it fail with a "connection closed" error. */
  destroy(): void;
}
