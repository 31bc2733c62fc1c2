/**
 * One logical request: its hops (the first request and each redirect), its timings and
 * its outcome. The exchange is itself the undici dispatch handler of every hop, so a
 * request costs one object plus its promise: no per-request closures on the hot path.
 *
 * Outcomes, exactly one per exchange (`settled` guards the rest):
 * - the final response arrived (any status), or the network failed: `finish()`, which
 *   reports it and resolves;
 * - the per-request deadline passed: the hop is aborted and a status-0 failure resolves;
 * - the session was interrupted: the hop is aborted, nothing is reported, the promise
 *   rejects with `StopUser`.
 * Callbacks undici delivers after that only release the connection.
 */
import { performance } from "node:perf_hooks";
import type { EncodedBody } from "./body.js";
import type { Connection, OriginConnections } from "./connections.js";
import {
  deadlineError,
  describeNetworkError,
  HttpRequestError,
  httpStatusError,
  type TimeoutSettings,
  tooManyRedirectsError,
} from "./errors.js";
import type { HopHeaders } from "./headers.js";
import type { RequestOptions } from "./options.js";
import { type DeferredReporter, HttpResponse, type RequestInfo } from "./response.js";
import { resolveLocation, type Target } from "./url.js";

/** What an exchange needs from its session. */
export interface ExchangeHost extends DeferredReporter {
  readonly limits: TimeoutSettings;
  readonly maxRedirects: number;
  connectionsFor(origin: string): OriginConnections;
  /** Headers for a hop (cookies, CSRF, auth, defaults). */
  headersFor(hop: HopHeaders): string[] | undefined;
  /** `Basic ...` to send to this target, if any. */
  authorizationFor(target: Target): string | undefined;
  /** Stores one `Set-Cookie` value received from `url`. */
  storeCookie(setCookie: string, url: string): void;
  /** Reports the finished response, or keeps it pending when it waits for a verdict; may throw if a listener throws. */
  complete(response: HttpResponse): void;
  /** The exchange is over: drop it from the in-flight set. */
  release(exchange: Exchange): void;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const emptyBody = Buffer.alloc(0);

/** A request in flight, from the first byte sent to the reported outcome. */
export class Exchange implements HopHeaders {
  // HopHeaders: the current hop.
  method: string;
  origin: string;
  path: string;
  authorization: string | undefined;
  readonly userHeaders: Record<string, string> | undefined;
  contentType: string | undefined;
  bodyDropped = false;
  crossOrigin = false;

  /** The promise the task awaits. */
  readonly promise: Promise<HttpResponse>;

  private body: string | Uint8Array | undefined;
  private readonly request: RequestInfo;
  private readonly startedAt = performance.now();
  private readonly startTimeMs = Date.now();
  private connectMs: number | null = null;
  private ttfbMs = 0;
  private redirects = 0;
  private settled = false;
  private deadline: NodeJS.Timeout | undefined;
  private resolve!: (response: HttpResponse) => void;
  private reject!: (error: unknown) => void;

  // The current hop.
  private connection: Connection | null = null;
  private abortHop: ((error?: Error) => void) | null = null;
  private cancelReason: Error | null = null;
  private status = 0;
  private statusText = "";
  private rawHeaders: Buffer[] | null = null;
  private chunks: Buffer[] = [];

  constructor(
    private readonly host: ExchangeHost,
    method: string,
    target: Target,
    body: EncodedBody | undefined,
    request: RequestInfo,
    private readonly options: RequestOptions | undefined,
  ) {
    this.method = method;
    this.origin = target.origin;
    this.path = target.path;
    this.authorization = host.authorizationFor(target);
    this.userHeaders = options?.headers;
    this.body = body?.body;
    this.contentType = body?.contentType;
    this.request = request;
    this.promise = new Promise<HttpResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Sends the first hop, and arms the deadline when the request has a `timeout`. */
  start(timeoutSeconds: number | undefined): void {
    if (timeoutSeconds !== undefined) {
      this.deadline = setTimeout(onDeadline, timeoutSeconds * 1000, this, timeoutSeconds);
    }
    this.sendHop();
  }

  /** Interrupt: abort the hop, report nothing, reject with `reason` (a `StopUser`). */
  cancel(reason: Error): void {
    if (this.settled) return;
    this.settle();
    this.abort(reason);
    this.reject(reason);
  }

  /** The deadline passed: abort the hop and report a status-0 timeout failure. */
  expire(timeoutSeconds: number): void {
    if (this.settled) return;
    const error = deadlineError(timeoutSeconds);
    // Settled first: undici may call onError synchronously from the abort.
    this.settle();
    this.abort(error);
    this.finish(0, "", null, emptyBody, error);
  }

  // --- undici dispatch handler (legacy callbacks: undici's native, unwrapped interface) ---

  /** Called when the hop is written to a socket. */
  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) {
      abort(this.cancelReason ?? undefined);
      return;
    }
    this.abortHop = abort;
    const connectMs = this.connection?.claimConnectMs() ?? null;
    if (connectMs !== null) this.connectMs = (this.connectMs ?? 0) + connectMs;
  }

  /** Called with the status line and headers; 1xx interim responses are skipped. */
  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (this.settled || status < 200) return true;
    this.ttfbMs = performance.now() - this.startedAt;
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    this.storeCookies(rawHeaders);
    return true;
  }

  /** Called with each body chunk; the body is always read fully. */
  onData(chunk: Buffer): boolean {
    if (!this.settled) this.chunks.push(chunk);
    return true;
  }

  /** Called when the hop's body has been read. */
  onComplete(): void {
    this.releaseConnection();
    if (this.settled) return;
    const location = this.redirectLocation();
    if (location === undefined) {
      const error = this.status >= 400 ? httpStatusError(this.status, this.statusText) : null;
      this.finish(this.status, this.statusText, this.rawHeaders, this.collectBody(), error);
    } else if (this.redirects >= this.host.maxRedirects) {
      const error = tooManyRedirectsError(this.host.maxRedirects);
      this.finish(this.status, this.statusText, this.rawHeaders, this.collectBody(), error);
    } else {
      this.followRedirect(location);
    }
  }

  /** Called when the hop failed: connection error, timeout, or our own abort. */
  onError(error: Error): void {
    this.releaseConnection();
    if (this.settled) return;
    if ((error as { code?: unknown }).code === "UND_ERR_INVALID_ARG") {
      // undici refused the request itself (a bad header, say): the locustfile's mistake.
      this.settle();
      this.reject(error);
      return;
    }
    const target = this.origin.slice(this.origin.indexOf("//") + 2);
    this.finish(0, "", null, emptyBody, describeNetworkError(error, target, this.host.limits));
  }

  // --- internals ---

  private sendHop(): void {
    const connection = this.host.connectionsFor(this.origin).pick();
    connection.active++;
    this.connection = connection;
    const headers = this.host.headersFor(this);
    connection.client.dispatch({ path: this.path, method: this.method, headers, body: this.body }, this);
  }

  private followRedirect(location: string): void {
    let next: Target;
    try {
      next = resolveLocation(location, this.origin + this.path);
    } catch (error) {
      const message = `cannot follow Location "${location}": ${(error as Error).message}`;
      const failure = new HttpRequestError("InvalidRedirect", message);
      this.finish(this.status, this.statusText, this.rawHeaders, this.collectBody(), failure);
      return;
    }
    const status = this.status;
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
    this.abortHop = null;
    this.status = 0;
    this.statusText = "";
    this.rawHeaders = null;
    this.chunks = [];
    this.sendHop();
  }

  private redirectLocation(): string | undefined {
    if (!redirectStatuses.has(this.status) || this.options?.allowRedirects === false) return undefined;
    const raw = this.rawHeaders;
    if (raw === null) return undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 8 && name.toString("latin1").toLowerCase() === "location") {
        return raw[i + 1]!.toString("latin1");
      }
    }
    return undefined;
  }

  private storeCookies(raw: Buffer[]): void {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      // Cheap pre-checks first: "connection" has the same length as "set-cookie".
      if (name.length !== 10 || (name[0]! | 0x20) !== 0x73) continue;
      if (name.toString("latin1").toLowerCase() !== "set-cookie") continue;
      this.host.storeCookie(raw[i + 1]!.toString("latin1"), this.origin + this.path);
    }
  }

  private collectBody(): Buffer {
    const chunks = this.chunks;
    if (chunks.length === 0) return emptyBody;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  private finish(
    status: number,
    statusText: string,
    rawHeaders: Buffer[] | null,
    body: Buffer,
    error: Error | null,
  ): void {
    this.settle();
    const totalMs = performance.now() - this.startedAt;
    const timing = { startTimeMs: this.startTimeMs, connectMs: this.connectMs, ttfbMs: this.ttfbMs, totalMs };
    const response = new HttpResponse({
      status,
      statusText,
      rawHeaders,
      body,
      url: this.origin + this.path,
      error,
      timing,
      redirects: this.redirects,
      request: this.request,
      reporter: this.options?.catchResponse === true ? this.host : null,
    });
    try {
      this.host.complete(response);
    } catch (listenerError) {
      this.reject(listenerError);
      return;
    }
    this.resolve(response);
  }

  private settle(): void {
    this.settled = true;
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.host.release(this);
  }

  private abort(reason: Error): void {
    this.cancelReason = reason;
    const abort = this.abortHop;
    this.abortHop = null;
    // Not yet on a socket: onConnect aborts it when undici gets to it.
    abort?.(reason);
  }

  private releaseConnection(): void {
    if (this.connection !== null) {
      this.connection.active--;
      this.connection = null;
    }
  }
}

function onDeadline(exchange: Exchange, timeoutSeconds: number): void {
  exchange.expire(timeoutSeconds);
}
