/**
 * Server-Sent Events for `this.client.sse(path, { name })`: a GET with
 * `Accept: text/event-stream` over its own connection (node:http, so it is independent
 * of the session's request/response connections), recorded as a row of type `SSE`
 * timed from the request to the first event, then `waitFor` rows like WebSocket
 * messages (the shared MessageInbox). What it needs from the session (host, cookies,
 * default headers, timeouts, the request event) comes through `EventStreamLink`.
 *
 * No reconnection: a stream that ends is a failure of the pending wait, as it would be
 * for a user's browser tab that loses its feed. A status other than 200, another content
 * type, a timeout or an end before the first event is a recorded failure, never thrown.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { StopUser } from "../shared/control-flow.js";
import { MessageInbox, WaitFailure, type WaitOptions, type WaitReport } from "../shared/message-inbox.js";
import type { RequestEvent } from "../shared/request-event.js";
import { startTimer, stopTimer } from "../shared/timers.js";
import { describeNetworkError, HttpRequestError, httpStatusError } from "./errors.js";
import { EventStreamParser, type SseEvent } from "./sse-parser.js";
import type { TlsSettings } from "./tls-options.js";

export type { SseEvent } from "./sse-parser.js";

/** What an event stream takes from its HTTP session. */
export interface EventStreamLink {
  /** The absolute http(s) URL of a path or URL, as the session resolves it. */
  resolveUrl(pathOrUrl: string): string;
  /** Headers the session would send to `url`: its default headers, cookies, basic auth. */
  headersFor(url: string): Record<string, string>;
  /** Stores a `Set-Cookie` value of the stream's response. */
  storeCookie(setCookie: string, url: string): void;
  connectionTimeoutMs: number;
  /** Default time to the first event, and default `waitFor` timeout. */
  networkTimeoutMs: number;
  tls: TlsSettings;
  onRequest(event: RequestEvent): void;
  context?: (() => Record<string, unknown>) | undefined;
}

/** Options of `sse()`. */
export interface EventStreamOptions {
  /** The statistics row (default: the path or URL as given). */
  name?: string;
  /** Extra request headers (`Last-Event-ID`, an Authorization header). */
  headers?: Record<string, string>;
  /** Seconds to wait for the response and its first event (default: the user's network timeout). */
  timeout?: number;
}

/** Open streams per session, so stopping a user can end them. */
const openStreams = new WeakMap<object, Set<EventStream>>();

/** An open (or failed) event stream. */
export class EventStream {
  /** The first event, once it arrived (what `sse()` measured). */
  firstEvent: SseEvent | undefined;
  private failure: string | undefined;
  private request: ClientRequest | undefined;
  private closedByClient = false;
  /** @internal Set when the user was stopped: the reason its calls reject with. */
  aborted: unknown;
  readonly inbox: MessageInbox<SseEvent>;

  /** @internal */
  constructor(
    readonly url: string,
    report: (report: WaitReport) => void,
    waitTimeoutSeconds: number,
  ) {
    this.inbox = new MessageInbox<SseEvent>({
      report,
      sizeOf: (event) => Buffer.byteLength(event.data),
      defaultTimeoutSeconds: waitTimeoutSeconds,
    });
  }

  /** Why the stream failed to open, as recorded in the failures table; else undefined. */
  get error(): string | undefined {
    return this.failure;
  }

  /** True until the stream ended or was closed. */
  get open(): boolean {
    return this.failure === undefined && !this.inbox.closed;
  }

  /**
   * Waits for the first event for which `predicate` returns true; records the time from
   * this call under `options.name`. Resolves with the event, or undefined after recording
   * a failure (a timeout, or the stream ended first).
   */
  waitFor(predicate: (event: SseEvent) => boolean, options: WaitOptions): Promise<SseEvent | undefined> {
    return this.inbox.waitFor(predicate, options);
  }

  /** Ends the stream (a pending wait fails as closed by the client). */
  close(): void {
    this.closedByClient = true;
    this.ended("the stream was closed by the client");
    this.request?.destroy();
  }

  /** @internal */
  attach(request: ClientRequest): void {
    this.request = request;
  }

  /** @internal The stream never opened. */
  markFailed(failure: string): void {
    this.failure = failure;
    this.inbox.close(new WaitFailure("ConnectionClosed", `the event stream never opened (${failure})`));
  }

  /** @internal Called once the stream ended (drops it from its session's open streams). */
  release: () => void = () => {};

  /** @internal No more events will come. */
  ended(why: string): void {
    this.release();
    this.inbox.close(
      new WaitFailure("ConnectionClosed", this.closedByClient ? "the stream was closed by the client" : why),
    );
  }

  /** @internal The user is being stopped: a pending wait rejects with `reason` (unrecorded). */
  abort(reason: unknown): void {
    this.aborted = reason;
    this.closedByClient = true;
    this.inbox.cancel(reason);
    this.request?.destroy();
  }
}

/** Opens a stream for `owner` (the session); resolves at its first event or its failure. */
export async function openEventStream(
  owner: object,
  link: EventStreamLink,
  pathOrUrl: string,
  options: EventStreamOptions = {},
): Promise<EventStream> {
  const url = link.resolveUrl(pathOrUrl);
  const name = options.name ?? pathOrUrl;
  const fire = (event: RequestEvent) => {
    if (link.context !== undefined) event.context = link.context();
    link.onRequest(event);
  };
  const stream = new EventStream(
    url,
    (report) => fire({ requestType: "SSE", ...report, url }),
    link.networkTimeoutMs / 1000,
  );
  let streams = openStreams.get(owner);
  if (streams === undefined) {
    streams = new Set();
    openStreams.set(owner, streams);
  }
  streams.add(stream);
  stream.release = () => streams.delete(stream);
  const startTimeMs = Date.now();
  const started = performance.now();
  const timeoutMs = options.timeout === undefined ? link.networkTimeoutMs : options.timeout * 1000;
  const outcome = await firstEvent(stream, link, url, options.headers, timeoutMs);
  if (stream.aborted !== undefined) throw stream.aborted;
  fire({
    requestType: "SSE",
    name,
    responseTimeMs: performance.now() - started,
    responseLength: outcome instanceof Error ? 0 : Buffer.byteLength(outcome.data),
    exception: outcome instanceof Error ? outcome : null,
    startTimeMs,
    url,
  });
  if (outcome instanceof Error) {
    stream.release();
    stream.markFailed(`${outcome.name}: ${outcome.message}`);
    return stream;
  }
  stream.firstEvent = outcome;
  return stream;
}

/** Aborts every stream `owner` opened (the user is being stopped or closed). */
export function abortEventStreams(
  owner: object,
  reason: unknown = new StopUser("stream aborted: the user was stopped"),
): void {
  const streams = openStreams.get(owner);
  if (streams === undefined) return;
  openStreams.delete(owner);
  for (const stream of streams) stream.abort(reason);
}

/** Sends the request; resolves with the first event, or the failure (the request then destroyed). */
function firstEvent(
  stream: EventStream,
  link: EventStreamLink,
  url: string,
  ownHeaders: Record<string, string> | undefined,
  timeoutMs: number,
): Promise<SseEvent | Error> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: SseEvent | Error) => {
      if (settled) return;
      settled = true;
      stopTimer(timer);
      if (result instanceof Error) request.destroy();
      resolve(result);
    };
    const parser = new EventStreamParser((event) => {
      if (!settled) settle(event);
      else stream.inbox.push(event);
    });
    const headers = {
      accept: "text/event-stream",
      "cache-control": "no-store",
      ...link.headersFor(url),
      ...ownHeaders,
    };
    const { tls } = link;
    const request = url.startsWith("https:")
      ? httpsRequest(url, {
          headers,
          agent: false,
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(tls.secureContext === undefined ? {} : { secureContext: tls.secureContext }),
          ...(tls.servername === undefined ? {} : { servername: tls.servername }),
        })
      : httpRequest(url, { headers, agent: false });
    stream.attach(request);
    const timer = startTimer(() => {
      settle(new HttpRequestError("Timeout", `no event within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    // An event stream may last as long as it likes: no whole-response deadline.
    const limits = {
      connectionTimeoutMs: link.connectionTimeoutMs,
      networkTimeoutMs: link.networkTimeoutMs,
      responseTimeoutMs: Number.POSITIVE_INFINITY,
    };
    request.on("error", (error) => {
      const failure = describeNetworkError(error, new URL(url).host, limits);
      if (settled) stream.ended(`the stream broke: ${failure.name}: ${failure.message}`);
      else settle(failure);
    });
    request.on("response", (response: IncomingMessage) => {
      for (const value of response.headers["set-cookie"] ?? []) link.storeCookie(value, url);
      const problem = responseProblem(response);
      if (problem !== undefined) {
        response.resume();
        settle(problem);
        return;
      }
      response.on("data", (chunk: Buffer) => {
        try {
          parser.push(chunk);
        } catch (error) {
          const failure = error as Error;
          if (settled) stream.ended(`${failure.name}: ${failure.message}`);
          else settle(failure);
          request.destroy();
        }
      });
      response.on("end", () => {
        if (settled) stream.ended("the server ended the event stream");
        else
          settle(
            new WaitFailure("ConnectionClosed", "the server ended the event stream before the first event"),
          );
      });
      response.on("error", () => {}); // the request's error or close says it
      response.on("close", () => {
        if (settled) stream.ended("the event stream was closed");
        else settle(new WaitFailure("ConnectionClosed", "the event stream closed before the first event"));
      });
    });
    request.end();
  });
}

/** A response that is not an event stream: `HTTPError: 401 Unauthorized`, or the wrong content type. */
function responseProblem(response: IncomingMessage): Error | undefined {
  const status = response.statusCode ?? 0;
  if (status !== 200) return httpStatusError(status, response.statusMessage ?? "");
  const type = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/event-stream") {
    return new HttpRequestError(
      "SseError",
      `expected content-type text/event-stream, got '${type || "none"}'`,
    );
  }
  return undefined;
}
