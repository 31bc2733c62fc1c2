/**
 * What `this.client.get(...)` resolves to. Always a response, never a thrown failure:
 * a connection error or a timeout is a response with `status` 0 and `error` set.
 */
import type { RequestEvent } from "../shared/request-event.js";
import type { ResponseHead } from "./response-head.js";

/** Timings of one logical request (all its redirect hops), in milliseconds. */
export interface ResponseTiming {
  /** When the request started, epoch milliseconds. */
  startTimeMs: number;
  /** Time spent opening new connections (DNS + TCP + TLS), or null when an open one was reused. */
  connectMs: number | null;
  /** From the start until the final response's headers arrived (0 when there was no response). */
  ttfbMs: number;
  /** From the start until the whole final body was read, or until the failure. */
  totalMs: number;
}

/**
 * The request behind a response, as it will be reported. With `catchResponse`, `name`
 * and `context` may be changed before `success()`/`failure()` (Locust's `request_meta`).
 */
export interface RequestInfo {
  /** Upper-case method, the event's `requestType`. */
  method: string;
  /** The stats grouping name. */
  name: string;
  /** The absolute URL of the first request (before redirects). */
  url: string;
  /** The merged context reported with the event. */
  context: Record<string, unknown>;
}

/** Receives the verdict of a `catchResponse` response (implemented by the session). */
export interface DeferredReporter {
  /** Fires the response's event with `exception` and forgets it. */
  reportDeferred(response: HttpResponse, exception: Error | string | null): void;
  /**
   * A pending response has a verdict: report it once the code that gave it waits (the next
   * turn of the event loop), by calling its `reportDecision()`, so a later verdict in the
   * same turn replaces it.
   */
  verdictGiven(): void;
}

/**
 * What a response is made from: the exchange that ran the request hands itself over, and
 * the response copies these fields (no intermediate object per request).
 */
export interface ResponseSource {
  /** The final URL, after redirects. */
  readonly finalUrl: string;
  /** ResponseTiming's fields, kept flat: the object is built only if someone reads `timing`. */
  readonly startTimeMs: number;
  readonly connectMs: number | null;
  readonly ttfbMs: number;
  readonly redirects: number;
  /** Body bytes as they arrived (compressed, before decoding). */
  readonly encodedBodySize: number;
  /** "1.1", "1.0" or "2.0"; "" without a response. */
  readonly httpVersion: string;
  /** RequestInfo's fields: the object is built only if someone reads `request`. */
  readonly reportedMethod: string;
  readonly reportedName: string;
  readonly reportedUrl: string;
  readonly reportedContext: Record<string, unknown> | undefined;
}

const kTotalMs = Symbol("totalMs");
const kStartTimeMs = Symbol("startTimeMs");
const kRequestEvent = Symbol("requestEvent");

enum CatchState {
  /** Requested without catchResponse: success()/failure() are mistakes. */
  Off,
  /** Waiting for success(), failure() or the session's flush. */
  Pending,
  /** success() or failure() was called; reported once the task waits (a later call replaces it). */
  Decided,
  /** The event has been fired. */
  Reported,
}

/** An HTTP response (or the failure to get one), with its timings. */
export class HttpResponse {
  /** The status code; 0 when there was no HTTP response (connection error, timeout). */
  readonly status: number;
  /** The reason phrase the server sent ("Not Found"), "" when none. */
  readonly statusText: string;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Connection error, timeout, `HTTPError` for status >= 400, or the reason given to `failure()`. */
  error: Error | null;
  /** The whole response body, decoded when it arrived compressed (Content-Encoding). */
  readonly body: Uint8Array;
  /**
   * Bytes of the body as they came over the network (after chunked framing, before
   * decoding): the `responseLength` of the request event, as in Locust.
   */
  readonly encodedBodySize: number;
  /** The protocol of the response: "1.1", "1.0" or "2.0"; "" when there was none. */
  readonly httpVersion: string;

  /** How many redirects were followed. */
  readonly redirects: number;

  private readonly head: ResponseHead | null;
  // The request, until someone asks for `request` (then that object is the truth).
  private readonly requestMethod: string;
  private readonly requestName: string;
  private readonly requestUrl: string;
  private requestContext: Record<string, unknown> | undefined;
  private requestInfo: RequestInfo | undefined;
  /** Response time and start of the request (module-private keys: not API). */
  readonly [kTotalMs]: number;
  readonly [kStartTimeMs]: number;
  private readonly connectMs: number | null;
  private readonly ttfbMs: number;
  private cachedTiming: ResponseTiming | undefined;
  private parsedHeaders: Record<string, string | string[]> | undefined;
  private decodedText: string | undefined;
  private readonly reporter: DeferredReporter | null;
  private catchState: CatchState;
  /** The outcome success()/failure() gave, reported when the state leaves Decided. */
  private verdict: Error | string | null = null;

  /**
   * @param head the final response head; null when there was no response (then status 0)
   * @param reporter set when the request used `catchResponse`: the event waits for the task's verdict
   */
  constructor(
    source: ResponseSource,
    head: ResponseHead | null,
    body: Buffer,
    error: Error | null,
    totalMs: number,
    reporter: DeferredReporter | null,
  ) {
    this.status = head === null ? 0 : head.status;
    this.statusText = head === null ? "" : head.statusText;
    this.head = head;
    this.body = body;
    this.encodedBodySize = source.encodedBodySize;
    this.httpVersion = source.httpVersion;
    this.url = source.finalUrl;
    this.error = error;
    this[kStartTimeMs] = source.startTimeMs;
    this.connectMs = source.connectMs;
    this.ttfbMs = source.ttfbMs;
    this[kTotalMs] = totalMs;
    this.redirects = source.redirects;
    this.requestMethod = source.reportedMethod;
    this.requestName = source.reportedName;
    this.requestUrl = source.reportedUrl;
    this.requestContext = source.reportedContext;
    this.reporter = reporter;
    this.catchState = reporter === null ? CatchState.Off : CatchState.Pending;
  }

  /** The request as reported in the request event (with `catchResponse`, `name` and `context` may be changed before the verdict). */
  get request(): RequestInfo {
    this.requestInfo ??= {
      method: this.requestMethod,
      name: this.requestName,
      url: this.requestUrl,
      context: this.requestContext ?? {},
    };
    return this.requestInfo;
  }

  /** Timings of the whole request, redirects included. */
  get timing(): ResponseTiming {
    this.cachedTiming ??= {
      startTimeMs: this[kStartTimeMs],
      connectMs: this.connectMs,
      ttfbMs: this.ttfbMs,
      totalMs: this[kTotalMs],
    };
    return this.cachedTiming;
  }

  /** Bytes of the decoded body (`body.byteLength`; the same as `encodedBodySize` when it was not compressed). */
  get decodedBodySize(): number {
    return this.body.byteLength;
  }

  /** True for a status from 200 to 399 without an error. */
  get ok(): boolean {
    return this.error === null && this.status >= 200 && this.status < 400;
  }

  /** Response headers with lower-case names; repeated headers (and `set-cookie`) are arrays. */
  get headers(): Record<string, string | string[]> {
    if (this.parsedHeaders === undefined) this.parsedHeaders = this.head === null ? {} : this.head.toRecord();
    return this.parsedHeaders;
  }

  /** The body decoded as UTF-8. */
  text(): string {
    if (this.decodedText === undefined) this.decodedText = bufferOf(this.body).toString("utf8");
    return this.decodedText;
  }

  /** The body parsed as JSON; throws a `SyntaxError` when it is not JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /**
   * Marks the request a success (needs `catchResponse: true`). As in Locust, where the last
   * verdict inside the `with` block counts, the last one given before the task next waits
   * counts; one given after the request was recorded is ignored.
   */
  success(): void {
    if (!this.takeVerdict("success")) return;
    this.error = null;
    this.verdict = null;
  }

  /** Marks the request a failure with this reason (needs `catchResponse: true`); the last verdict counts, as for success(). */
  failure(reason: string | Error): void {
    if (!this.takeVerdict("failure")) return;
    this.error = typeof reason === "string" ? catchResponseError(reason) : reason;
    this.verdict = reason;
  }

  /** True while a `catchResponse` response waits for `success()`, `failure()` or the session's flush. */
  get awaitingVerdict(): boolean {
    return this.catchState === CatchState.Pending;
  }

  /** Reports the verdict given, if it is not reported yet (the session, once the task waits). */
  reportDecision(): void {
    if (this.catchState !== CatchState.Decided) return;
    this.catchState = CatchState.Reported;
    this.reporter?.reportDeferred(this, this.verdict);
  }

  /**
   * Reports now: the verdict given, or with none the normal status rule (the session's
   * flush at the end of the task).
   */
  settleByStatus(): void {
    if (this.catchState === CatchState.Decided) {
      this.reportDecision();
      return;
    }
    if (this.catchState !== CatchState.Pending) return;
    this.catchState = CatchState.Reported;
    this.reporter?.reportDeferred(this, this.error);
  }

  /** False when the request was recorded already (the verdict is ignored). */
  private takeVerdict(method: string): boolean {
    if (this.catchState === CatchState.Off) {
      throw new Error(
        `response.${method}() needs the request to be made with catchResponse: true, ` +
          `e.g. client.get(url, { catchResponse: true })`,
      );
    }
    if (this.catchState === CatchState.Reported) return false;
    if (this.catchState === CatchState.Pending) {
      this.catchState = CatchState.Decided;
      this.reporter?.verdictGiven();
    }
    return true;
  }

  /** @internal The request event for this response, with the given outcome. */
  [kRequestEvent](exception: Error | string | null): RequestEvent {
    const info = this.requestInfo;
    // The same object as `request.context`, should a listener read both.
    if (info === undefined) this.requestContext ??= {};
    return {
      requestType: info === undefined ? this.requestMethod : info.method,
      name: info === undefined ? this.requestName : info.name,
      responseTimeMs: this[kTotalMs],
      responseLength: this.encodedBodySize,
      exception,
      context: info === undefined ? this.requestContext! : info.context,
      startTimeMs: this[kStartTimeMs],
      url: info === undefined ? this.requestUrl : info.url,
      response: this,
    };
  }
}

/** The request event for a response, with the given outcome. */
export function toRequestEvent(response: HttpResponse, exception: Error | string | null): RequestEvent {
  return response[kRequestEvent](exception);
}

function catchResponseError(message: string): Error {
  const error = new Error(message);
  error.name = "CatchResponseError";
  return error;
}

function bufferOf(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
