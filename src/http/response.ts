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
}

/** Everything a response is made of; built by the session's exchange. */
export interface ResponseInit {
  status: number;
  statusText: string;
  /** The response head as received; null when there was no response. */
  head: ResponseHead | null;
  body: Buffer;
  url: string;
  error: Error | null;
  /** ResponseTiming's fields, kept flat: the object is built only if someone reads `timing`. */
  startTimeMs: number;
  connectMs: number | null;
  ttfbMs: number;
  totalMs: number;
  redirects: number;
  request: RequestInfo;
  /** Set when the request used `catchResponse`: the event waits for the task's verdict. */
  reporter: DeferredReporter | null;
}

const kTotalMs = Symbol("totalMs");
const kStartTimeMs = Symbol("startTimeMs");

enum CatchState {
  /** Requested without catchResponse: success()/failure() are mistakes. */
  Off,
  /** Waiting for success(), failure() or the session's flush. */
  Pending,
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
  /** The whole response body. */
  readonly body: Uint8Array;

  /** How many redirects were followed. */
  readonly redirects: number;
  /** The request as reported in the request event. */
  readonly request: RequestInfo;

  private readonly head: ResponseHead | null;
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

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.head = init.head;
    this.body = init.body;
    this.url = init.url;
    this.error = init.error;
    this[kStartTimeMs] = init.startTimeMs;
    this.connectMs = init.connectMs;
    this.ttfbMs = init.ttfbMs;
    this[kTotalMs] = init.totalMs;
    this.redirects = init.redirects;
    this.request = init.request;
    this.reporter = init.reporter;
    this.catchState = init.reporter === null ? CatchState.Off : CatchState.Pending;
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

  /** Marks the request a success (needs `catchResponse: true`); only the first verdict counts. */
  success(): void {
    if (!this.takeVerdict("success")) return;
    this.error = null;
    this.reporter?.reportDeferred(this, null);
  }

  /** Marks the request a failure with this reason (needs `catchResponse: true`); only the first verdict counts. */
  failure(reason: string | Error): void {
    if (!this.takeVerdict("failure")) return;
    this.error = typeof reason === "string" ? catchResponseError(reason) : reason;
    this.reporter?.reportDeferred(this, reason);
  }

  /** True while a `catchResponse` response waits for `success()`, `failure()` or the session's flush. */
  get awaitingVerdict(): boolean {
    return this.catchState === CatchState.Pending;
  }

  /** Fires the deferred event with the normal status rule, if no verdict was given (the session's flush). */
  settleByStatus(): void {
    if (this.catchState !== CatchState.Pending) return;
    this.catchState = CatchState.Reported;
    this.reporter?.reportDeferred(this, this.error);
  }

  private takeVerdict(method: string): boolean {
    if (this.catchState === CatchState.Off) {
      throw new Error(
        `response.${method}() needs the request to be made with catchResponse: true, ` +
          `e.g. client.get(url, { catchResponse: true })`,
      );
    }
    if (this.catchState === CatchState.Reported) return false;
    this.catchState = CatchState.Reported;
    return true;
  }
}

/** The request event for a response, with the given outcome. */
export function toRequestEvent(response: HttpResponse, exception: Error | string | null): RequestEvent {
  const request = response.request;
  return {
    requestType: request.method,
    name: request.name,
    responseTimeMs: response[kTotalMs],
    responseLength: response.body.byteLength,
    exception,
    context: request.context,
    startTimeMs: response[kStartTimeMs],
    url: request.url,
    response,
  };
}

function catchResponseError(message: string): Error {
  const error = new Error(message);
  error.name = "CatchResponseError";
  return error;
}

function bufferOf(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
