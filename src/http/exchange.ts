/**
 * One logical request: its hops (the first request and each redirect), its timings and
 * its outcome. The exchange is itself the request its connection sends and the receiver
 * of the response, so a request costs one object plus its promise: no per-request
 * closures on the hot path.
 *
 * Outcomes, exactly one per exchange (`settled` guards the rest):
 * - the final response arrived (any status), or the network failed: `finish()`, which
 *   reports it and resolves;
 * - the per-request deadline passed: the hop is aborted and a status-0 failure resolves;
 * - the session was interrupted: the hop is aborted, nothing is reported, the promise
 *   rejects with `StopUser`; `cancel` says whether any hop had been sent (the server may
 *   have counted the request) or none had (it still waited for a connection): the session
 *   counts both kinds of aborted requests, apart.
 * An aborted hop is withdrawn from its connection, which then calls nothing more.
 */
import { performance } from "node:perf_hooks";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import type { EncodedBody } from "./body.js";
import type { Channel, OutgoingRequest, Withdrawn } from "./channel.js";
import type { OriginConnections } from "./connections.js";
import { BodyDecoder, parseContentEncoding } from "./decoding.js";
import {
  bodyTooLargeError,
  deadlineError,
  describeNetworkError,
  HttpRequestError,
  httpStatusError,
  proxyRefusedError,
  retryRuleOf,
  type TimeoutSettings,
  tooManyRedirectsError,
} from "./errors.js";
import { type HopHeaders, indexOfHeader } from "./headers.js";
import type { RequestOptions } from "./options.js";
import { type DeferredReporter, HttpResponse, type ResponseSource } from "./response.js";
import type { ResponseHead } from "./response-head.js";
import { resolveLocation, type Target } from "./url.js";

/** What an exchange needs from its session. */
export interface ExchangeHost extends DeferredReporter {
  readonly limits: TimeoutSettings;
  readonly maxRedirects: number;
  /** Decode compressed bodies (Content-Encoding). */
  readonly decodesBodies: boolean;
  /** The largest body kept, bytes: as it arrives, or as it decodes when it is compressed. */
  readonly maxResponseBodySize: number;
  connectionsFor(origin: string): OriginConnections;
  /** Headers for a hop (cookies, CSRF, auth, defaults). */
  headersFor(hop: HopHeaders): string[] | undefined;
  /** `Basic ...` to send to this target, if any. */
  authorizationFor(target: Target): string | undefined;
  /** Stores one `Set-Cookie` value received from `url`. */
  storeCookie(setCookie: string, url: string): void;
  /** Reports the finished response, or keeps it pending when it waits for a verdict; may throw if a listener throws. */
  complete(response: HttpResponse): void;
  /** The exchange has settled and holds nothing: it may be reused for a later request. */
  recycle(exchange: Exchange): void;
  /** A hop went out again on a new connection (the server may count it twice; it is recorded once). */
  requestResent(): void;
}

const emptyBody = Buffer.alloc(0);
/**
 * Methods a request may be repeated with when a reused connection failed before any
 * answer (RFC 9110 §9.2.2), as Go's net/http (and so k6) retries them; any method with
 * an Idempotency-Key header too.
 */
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/** The promise of an exchange that has no request yet (never awaited). */
const settledPlaceholder: Promise<HttpResponse> = new Promise<HttpResponse>(() => {});

// A promise's resolving functions, captured without a closure per request: the executor
// runs synchronously inside `new Promise`, so these hold the current request's pair.
const ignore = (): void => {};
let capturedResolve: (response: HttpResponse) => void = ignore;
let capturedReject: (error: unknown) => void = ignore;
function capture(resolve: (response: HttpResponse) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A request in flight, from the first byte sent to the reported outcome. A session reuses
 * its settled exchange for its next request (`begin`): a user normally has one request at
 * a time, and an exchange lives as long as the request, long enough to survive young-
 * generation collections when thousands of users wait on a slow server; reusing it keeps
 * it out of the garbage collector's way.
 */
export class Exchange implements HopHeaders, OutgoingRequest, ResponseSource {
  // HopHeaders: the current hop.
  method = "";
  origin = "";
  path = "";
  authorization: string | undefined;
  userHeaders: Record<string, string> | undefined;
  contentType: string | undefined;
  bodyDropped = false;
  crossOrigin = false;

  /** The promise the task awaits. */
  promise: Promise<HttpResponse> = settledPlaceholder;
  /** OutgoingRequest: the current hop's body and headers. */
  body: string | Uint8Array | undefined;
  headerList: readonly string[] | undefined;

  // ResponseSource: the request as it will be reported, and its timings. The response
  // copies them when the request ends (an object made at the start would live as long as
  // the request; see the class comment).
  reportedMethod = "";
  reportedName = "";
  reportedUrl = "";
  /** The merged context when the user has one (computed at the start, as Locust does). */
  reportedContext: Record<string, unknown> | undefined;
  /** Epoch ms, from the same clock reading as `startedAt` (one clock call per request, not two). */
  startTimeMs = 0;
  connectMs: number | null = null;
  ttfbMs = 0;
  redirects = 0;
  /** Body bytes of the final response as they arrived (before decoding). */
  encodedBodySize = 0;
  /** "1.1" or "2.0": the protocol of the final response. */
  httpVersion = "";
  private options: RequestOptions | undefined;
  private startedAt = 0;
  private settled = true;
  private deadline: TimerHandle | undefined;
  private resolve: (response: HttpResponse) => void = ignore;
  private reject: (error: unknown) => void = ignore;

  // The current hop.
  private connection: Channel | null = null;
  private head: ResponseHead | null = null;
  private firstChunk: Buffer | null = null;
  private moreChunks: Buffer[] | null = null;
  /** The hop was sent again after a reused connection failed (once per hop). */
  private retried = false;
  /** A hop of this request was written to a socket: the server may have counted it. */
  private sentToServer = false;
  private decoder: BodyDecoder | null = null;
  /** Response time at the last byte on the wire, while the body is still being decoded. */
  private wireEndMs = 0;

  constructor(private readonly host: ExchangeHost) {}

  /** Prepares this (new or recycled) exchange for a request; `start()` sends it. */
  begin(
    method: string,
    target: Target,
    body: EncodedBody | undefined,
    name: string,
    url: string,
    context: Record<string, unknown> | undefined,
    options: RequestOptions | undefined,
  ): void {
    this.method = method;
    this.origin = target.origin;
    this.path = target.path;
    this.authorization = this.host.authorizationFor(target);
    this.userHeaders = options?.headers;
    this.contentType = body?.contentType;
    this.bodyDropped = false;
    this.crossOrigin = false;
    this.body = body?.body;
    this.headerList = undefined;
    this.reportedMethod = method;
    this.reportedName = name;
    this.reportedUrl = url;
    this.reportedContext = context;
    this.options = options;
    this.startedAt = performance.now();
    this.startTimeMs = performance.timeOrigin + this.startedAt;
    this.connectMs = null;
    this.ttfbMs = 0;
    this.redirects = 0;
    this.encodedBodySize = 0;
    this.retried = false;
    this.sentToServer = false;
    this.settled = false;
    this.deadline = undefined;
    this.promise = new Promise<HttpResponse>(capture);
    this.resolve = capturedResolve;
    this.reject = capturedReject;
  }

  /** ResponseSource: the URL of the final hop (the requested one unless redirected). */
  get finalUrl(): string {
    return this.redirects === 0 ? this.reportedUrl : this.origin + this.path;
  }

  /** Sends the first hop, and arms the deadline when the request has a `timeout`. */
  start(timeoutSeconds: number | undefined): void {
    if (timeoutSeconds !== undefined) {
      this.deadline = startTimer(onDeadline, timeoutSeconds * 1000, this, timeoutSeconds);
    }
    this.sendHop();
  }

  /**
   * Interrupt: abort the hop, report nothing, reject with `reason` (a `StopUser`). "sent"
   * when a hop had been sent (the server may have counted a request that no statistic
   * holds), "unsent" when none had (it was waiting for a connection), null when settled.
   */
  cancel(reason: Error): Withdrawn {
    if (this.settled) return null;
    const sent: Withdrawn = this.sentToServer ? "sent" : "unsent";
    this.settle();
    this.abortHop();
    const reject = this.reject;
    this.recycle();
    reject(reason);
    return sent;
  }

  /** The deadline passed: abort the hop and report a status-0 timeout failure. */
  expire(timeoutSeconds: number): void {
    if (this.settled) return;
    const headArrived = this.head !== null;
    this.settle();
    this.abortHop();
    this.finish(null, emptyBody, deadlineError(timeoutSeconds, headArrived));
  }

  // --- OutgoingRequest: called by the connection ---

  /** The hop was written to a socket; `connectMs` when it waited for a new connection. */
  onRequestSent(connectMs: number | null): void {
    this.sentToServer = true;
    if (connectMs !== null) this.connectMs = (this.connectMs ?? 0) + connectMs;
  }

  /** The final (non-1xx) response head of the hop. */
  onResponseHead(head: ResponseHead): void {
    this.ttfbMs = performance.now() - this.startedAt;
    this.head = head;
    this.encodedBodySize = 0;
    if (head.hasSetCookie) this.storeCookies(head);
    if (head.contentEncoding !== undefined && this.host.decodesBodies) this.decoder = this.decoderFor(head);
    // A compressed body's limit is on its decoded size, which its Content-Length does not tell.
    const limit = this.host.maxResponseBodySize;
    if (this.decoder === null && head.contentLength > limit && this.carriesBody(head)) {
      this.refuseBody(bodyTooLargeError(limit, head.contentLength));
    }
  }

  /** A piece of the body; the body is read fully, up to `maxResponseBodySize` bytes. */
  onResponseBody(chunk: Buffer): void {
    this.encodedBodySize += chunk.length;
    if (this.decoder !== null) this.decoder.write(chunk);
    else if (this.encodedBodySize > this.host.maxResponseBodySize)
      this.refuseBody(bodyTooLargeError(this.host.maxResponseBodySize));
    else if (this.firstChunk === null) this.firstChunk = chunk;
    else if (this.moreChunks === null) this.moreChunks = [chunk];
    else this.moreChunks.push(chunk);
  }

  /** The hop's response is complete. */
  onResponseComplete(): void {
    this.connection = null;
    if (this.settled) return;
    const head = this.head!;
    const location = this.redirectLocation(head);
    if (location === undefined) {
      if (this.decoder === null) this.finish(head, this.collectBody(), this.statusError(head));
      else this.awaitDecoding();
    } else if (this.redirects >= this.host.maxRedirects) {
      this.finish(head, this.collectBody(), tooManyRedirectsError(this.host.maxRedirects));
    } else {
      this.followRedirect(head, location);
    }
  }

  /** The hop failed: connection error, timeout, malformed response, reset stream. */
  onRequestError(error: Error): void {
    this.connection = null;
    if (this.settled) return;
    const rule = retryRuleOf(error);
    if (rule !== undefined && !this.retried && (rule === "always" || this.mayRepeat())) {
      // Not answered, so it can go again, once, on a new connection; still one request in
      // the statistics, timed from its first attempt.
      this.retried = true;
      this.host.requestResent();
      this.clearHopResponse();
      this.sendHop();
      return;
    }
    const target = this.origin.slice(this.origin.indexOf("//") + 2);
    const described = describeNetworkError(error, target, this.host.limits);
    if (rule === "idempotent" && !this.retried) {
      described.message += `; ${this.method} is not retried, as it may not be idempotent`;
    }
    this.finish(null, emptyBody, described);
  }

  /** OutgoingRequest: a connection that turned out to speak HTTP/2 handed the hop to its session. */
  movedTo(channel: Channel): void {
    this.connection = channel;
  }

  // --- internals ---

  /** GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or a request with an Idempotency-Key. */
  private mayRepeat(): boolean {
    if (idempotentMethods.has(this.method)) return true;
    const list = this.headerList;
    return (
      list !== undefined &&
      (indexOfHeader(list, "idempotency-key") !== -1 || indexOfHeader(list, "x-idempotency-key") !== -1)
    );
  }

  /** Success is 2xx and 3xx; a final 1xx (a 101 without an upgrade) is no usable answer either. */
  private statusError(head: ResponseHead): HttpRequestError | null {
    const status = head.status;
    if (status >= 200 && status < 400) return null;
    if (status === 407 && this.host.connectionsFor(this.origin).viaProxy) {
      return proxyRefusedError(status, head.statusText);
    }
    return httpStatusError(status, head.statusText);
  }

  /** Whether a body follows `head` (none for HEAD, 1xx, 204 and 304, whatever the headers say). */
  private carriesBody(head: ResponseHead): boolean {
    const status = head.status;
    return this.method !== "HEAD" && status !== 204 && status !== 304 && status >= 200;
  }

  /**
   * The body is over the limit: the hop is withdrawn (its HTTP/1.1 connection closed, its
   * HTTP/2 stream reset), so the rest is never read, and the request fails with `error`.
   */
  private refuseBody(error: HttpRequestError): void {
    if (this.settled) return;
    const head = this.head;
    this.abortHop();
    this.finish(head, emptyBody, error);
  }

  /** A decoder when the final body is compressed in codings Cicada knows (not for HEAD, 204, 304). */
  private decoderFor(head: ResponseHead): BodyDecoder | null {
    if (!this.carriesBody(head)) return null;
    if (this.redirectLocation(head) !== undefined) return null; // its body is dropped
    const codings = parseContentEncoding(head.contentEncoding!);
    if (codings === null || codings.length === 0) return null;
    return new BodyDecoder(codings, this.host.maxResponseBodySize, (body, error) =>
      this.onDecoded(body, error),
    );
  }

  /** The last body byte arrived: the response time ends here; the response waits for its decoded body. */
  private awaitDecoding(): void {
    this.wireEndMs = performance.now() - this.startedAt;
    this.decoder!.end();
  }

  private onDecoded(body: Buffer | null, error: HttpRequestError | null): void {
    this.decoder = null;
    if (this.settled) return;
    const head = this.head!;
    if (error !== null) {
      // A bomb is stopped while it arrives: the rest of it is not read.
      if (this.connection !== null) this.abortHop();
      this.finish(head, emptyBody, error);
      return;
    }
    this.finish(head, body!, this.statusError(head), this.wireEndMs);
  }

  private clearHopResponse(): void {
    this.head = null;
    this.firstChunk = null;
    this.moreChunks = null;
    this.decoder?.abort();
    this.decoder = null;
  }

  private sendHop(): void {
    const connection = this.host.connectionsFor(this.origin).pick();
    this.connection = connection;
    this.headerList = this.host.headersFor(this);
    connection.enqueue(this);
  }

  private followRedirect(head: ResponseHead, location: string): void {
    let next: Target;
    try {
      next = resolveLocation(location, this.origin + this.path);
    } catch (error) {
      const message = `cannot follow Location "${location}": ${(error as Error).message}`;
      this.finish(head, this.collectBody(), new HttpRequestError("InvalidRedirect", message));
      return;
    }
    const status = head.status;
    this.redirects++;
    if (
      status === 303 ? this.method !== "HEAD" : (status === 301 || status === 302) && this.method === "POST"
    ) {
      this.method = "GET";
      this.body = undefined;
      this.contentType = undefined;
      this.bodyDropped = true;
    }
    if (next.origin !== this.origin) this.crossOrigin = true;
    this.origin = next.origin;
    this.path = next.path;
    this.authorization = this.host.authorizationFor(next);
    this.retried = false;
    this.clearHopResponse();
    this.sendHop();
  }

  private redirectLocation(head: ResponseHead): string | undefined {
    const status = head.status;
    if (status < 301 || status > 308 || status === 304 || status === 305 || status === 306) return undefined;
    if (this.options?.allowRedirects === false) return undefined;
    return head.get("location");
  }

  private storeCookies(head: ResponseHead): void {
    const url = this.origin + this.path;
    for (const value of head.getAll("set-cookie")) this.host.storeCookie(value, url);
  }

  private collectBody(): Buffer {
    const first = this.firstChunk;
    if (first === null) return emptyBody;
    const more = this.moreChunks;
    return more === null ? first : Buffer.concat([first, ...more]);
  }

  /** Reports and resolves; the response time is now, unless `totalMs` says when the last byte came. */
  private finish(head: ResponseHead | null, body: Buffer, error: Error | null, totalMs?: number): void {
    this.settle();
    this.httpVersion = head === null ? "" : head.httpVersion;
    if (head === null) this.encodedBodySize = 0;
    totalMs ??= performance.now() - this.startedAt;
    const reporter = this.options?.catchResponse === true ? this.host : null;
    const response = new HttpResponse(this, head, body, error, totalMs, reporter);
    const { resolve, reject } = this;
    this.recycle();
    try {
      this.host.complete(response);
    } catch (listenerError) {
      reject(listenerError);
      return;
    }
    resolve(response);
  }

  private settle(): void {
    this.settled = true;
    stopTimer(this.deadline);
    if (this.decoder !== null) {
      this.decoder.abort();
      this.decoder = null;
    }
  }

  /** Drops what the finished request held and offers this exchange to the session for reuse. */
  private recycle(): void {
    this.reportedContext = undefined;
    this.options = undefined;
    this.userHeaders = undefined;
    this.body = undefined;
    this.headerList = undefined;
    this.head = null;
    this.firstChunk = null;
    this.moreChunks = null;
    this.promise = settledPlaceholder;
    this.resolve = ignore;
    this.reject = ignore;
    this.host.recycle(this);
  }

  /** Withdraws the current hop from its connection (queued or in flight). */
  private abortHop(): void {
    const connection = this.connection;
    this.connection = null;
    connection?.cancel(this);
  }
}

function onDeadline(exchange: Exchange, timeoutSeconds: number): void {
  exchange.expire(timeoutSeconds);
}
