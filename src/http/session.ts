/**
 * `HttpSession`: the `this.client` of an `HttpUser`, one per virtual user. It keeps the
 * user's cookies and connections, prefixes relative URLs with the host, and reports
 * every logical request (redirects included) once through `onRequest`, Locust's
 * `request` event. Failures of the system under test never throw: they are responses
 * with `error` set, counted as failures in the event.
 */
import { StopUser } from "../shared/control-flow.js";
import type { RequestEvent } from "../shared/request-event.js";
import { type EncodedBody, encodeBody } from "./body.js";
import type { HttpClient } from "./client.js";
import { type Http2Mode, OriginConnections, type OriginSettings } from "./connections.js";
import { SessionCookies } from "./cookies.js";
import { DEFAULT_ACCEPT_ENCODING, DEFAULT_MAX_BODY_BYTES } from "./decoding.js";
import type { TimeoutSettings } from "./errors.js";
import { Exchange, type ExchangeHost } from "./exchange.js";
import { type CsrfSettings, checkHeaders, HeaderBuilder, type HopHeaders, isMethodToken } from "./headers.js";
import { encodeMultipart } from "./multipart.js";
import { type HttpSessionOptions, locustOptionProblem, type RequestOptions } from "./options.js";
import { proxyResolver } from "./proxy.js";
import { type HttpResponse, toRequestEvent } from "./response.js";
import { abortEventStreams, type EventStream, type EventStreamOptions, openEventStream } from "./sse.js";
import { sessionStreamLink } from "./sse-link.js";
import { tlsSettings } from "./tls-options.js";
import {
  appendQuery,
  type BaseUrl,
  isAbsoluteUrl,
  joinBasePath,
  parseAbsoluteUrl,
  parseBaseUrl,
  type Target,
  toRequestPath,
} from "./url.js";
import { DEFAULT_USER_AGENT } from "./user-agent.js";

const defaults = {
  connectionTimeoutMs: 60_000,
  networkTimeoutMs: 60_000,
  responseTimeoutMs: 300_000,
  maxRedirects: 30,
  maxConnections: 10,
};

/** The HTTP client of one virtual user; locustfiles see its public face, {@link HttpClient}. */
export class HttpSession implements HttpClient, ExchangeHost {
  /** The user's cookie jar. */
  readonly cookies: SessionCookies;
  /** Connect and network timeouts (ms), as configured. */
  readonly limits: TimeoutSettings;
  /** Redirects followed before a request fails. */
  readonly maxRedirects: number;
  /** Whether compressed bodies are decoded (unless `acceptEncoding` is false). */
  readonly decodesBodies: boolean;
  /** Largest response body kept, bytes (a compressed one as it decodes). */
  readonly maxResponseBodySize: number;

  private base: BaseUrl | undefined;
  /** The last relative URL resolved without a query option, and its target (URLs repeat). */
  private lastUrl: string | undefined;
  private lastTarget: Target | undefined;
  private lastFullUrl = "";
  private readonly onRequest: HttpSessionOptions["onRequest"];
  private readonly onDeferredRequest: HttpSessionOptions["onDeferredRequest"];
  private readonly onResend: HttpSessionOptions["onResend"];
  private readonly onAbortedRequests: HttpSessionOptions["onAbortedRequests"];
  private readonly userContext: HttpSessionOptions["context"];
  private readonly headerBuilder: HeaderBuilder;
  private readonly settings: OriginSettings;
  /** Connections to origins other than the base URL's; created on first use. */
  private origins: Map<string, OriginConnections> | undefined;
  /** A settled exchange kept for reuse (see Exchange). */
  private spareExchange: Exchange | undefined;
  /** The base origin's connections (most sessions talk to no other origin). */
  private baseConnections: OriginConnections | undefined;
  /** catchResponse responses waiting for a verdict, and where each one's event goes; created on first use. */
  private pending: Map<HttpResponse, (event: RequestEvent) => void> | undefined;
  /** A verdict was given in this turn of the event loop: the pending ones with one are recorded on the next. */
  private decisionsDue = false;
  private interrupted = false;
  /** The options as given: Server-Sent Events streams read theirs from them (sse-link.ts). */
  private readonly sessionOptions: HttpSessionOptions;

  constructor(options: HttpSessionOptions) {
    this.sessionOptions = options;
    this.onRequest = options.onRequest;
    this.onDeferredRequest = options.onDeferredRequest;
    this.onResend = options.onResend;
    this.onAbortedRequests = options.onAbortedRequests;
    this.userContext = options.context;
    this.base = options.baseUrl === undefined ? undefined : parseBaseUrl(options.baseUrl);
    this.maxRedirects = nonNegative("maxRedirects", options.maxRedirects ?? defaults.maxRedirects);
    this.settings = {
      connectionTimeoutMs: positive(
        "connectionTimeoutMs",
        options.connectionTimeoutMs ?? defaults.connectionTimeoutMs,
      ),
      networkTimeoutMs: positive("networkTimeoutMs", options.networkTimeoutMs ?? defaults.networkTimeoutMs),
      responseTimeoutMs: positiveOrForever(
        "responseTimeoutMs",
        options.responseTimeoutMs ?? defaults.responseTimeoutMs,
      ),
      maxConnections: Math.floor(
        positive("maxConnections", options.maxConnections ?? defaults.maxConnections),
      ),
      tls: tlsSettings(options.tls, options.insecure === true),
      http2: http2Mode(options.http2),
      proxyFor: proxyResolver(options.proxy, options.proxyEnvironment),
    };
    this.limits = this.settings;
    const acceptEncoding = options.acceptEncoding ?? DEFAULT_ACCEPT_ENCODING;
    this.decodesBodies = acceptEncoding !== false;
    this.maxResponseBodySize = bodySizeLimit(options);
    this.cookies = new SessionCookies(this);
    const standard: Record<string, string> = { "user-agent": DEFAULT_USER_AGENT };
    if (acceptEncoding !== false && acceptEncoding !== "") standard["accept-encoding"] = acceptEncoding;
    this.headerBuilder = new HeaderBuilder(
      withStandardHeaders(options.defaultHeaders, standard),
      csrfSettings(options.csrf),
      this.cookies,
    );
  }

  /** The host relative URLs are appended to; settable (`-H` overrides the class's host). */
  get baseUrl(): string | undefined {
    return this.base?.href;
  }

  set baseUrl(url: string | undefined) {
    this.base = url === undefined ? undefined : parseBaseUrl(url);
    const previous = this.baseConnections;
    if (previous !== undefined) {
      this.baseConnections = undefined;
      this.origins ??= new Map();
      this.origins.set(previous.origin, previous);
    }
    this.lastUrl = undefined;
  }

  /** GET `url`. */
  get(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("GET", url, options);
  }

  /** POST `url`. */
  post(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("POST", url, options);
  }

  /** PUT `url`. */
  put(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("PUT", url, options);
  }

  /** PATCH `url`. */
  patch(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("PATCH", url, options);
  }

  /** DELETE `url`. */
  delete(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("DELETE", url, options);
  }

  /** HEAD `url`. */
  head(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("HEAD", url, options);
  }

  /** OPTIONS `url`. */
  options(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.send("OPTIONS", url, options);
  }

  /** A request with any method. */
  request(method: string, url: string, options?: RequestOptions): Promise<HttpResponse> {
    const upper = method.toUpperCase();
    if (!isMethodToken(upper))
      return Promise.reject(new Error(`invalid HTTP method ${JSON.stringify(method)}`));
    return this.send(upper, url, options);
  }

  /**
   * Opens a Server-Sent Events stream (sse.ts): recorded as a row of type `SSE` timed to
   * its first event, then `stream.waitFor(...)` rows. Uses this session's host, cookies,
   * default headers and timeouts, over a connection of its own.
   */
  sse(url: string, options?: EventStreamOptions): Promise<EventStream> {
    if (this.interrupted) return Promise.reject(new StopUser("stream refused: the user is being stopped"));
    return openEventStream(this, sessionStreamLink(this, this.sessionOptions), url, options);
  }

  /**
   * The user is being stopped: aborts in-flight requests without reporting them (their
   * calls reject with `StopUser`) and refuses new ones the same way until `resume()`. The
   * aborted ones are counted (`onAbortedRequests`), those that had been sent (the server may
   * have counted them, no statistic does) apart from those still waiting for a connection
   * (a server that does not accept or finish handshakes leaves every request there).
   */
  interrupt(): void {
    this.interrupted = true;
    // Every unsettled exchange is on one of the connections (in flight or queued).
    const requests = this.allConnections().flatMap((connections) => connections.requests());
    let sent = 0;
    let unsent = 0;
    for (const request of requests) {
      const withdrawn = request.cancel(new StopUser("request aborted: the user was stopped"));
      if (withdrawn === "sent") sent++;
      else if (withdrawn === "unsent") unsent++;
    }
    if (sent > 0 || unsent > 0) this.onAbortedRequests?.(sent, unsent);
    abortEventStreams(this);
  }

  /** Allows requests again after `interrupt()` (to run `onStop`). */
  resume(): void {
    this.interrupted = false;
  }

  /**
   * Reports every `catchResponse` response not recorded yet: by its verdict, or by the normal
   * status rule for one the task left without (the end of the task).
   */
  flushPending(): void {
    if (this.pending === undefined || this.pending.size === 0) return;
    for (const response of [...this.pending.keys()]) response.settleByStatus();
  }

  /** Interrupts and closes every connection. */
  async close(): Promise<void> {
    this.interrupt();
    const all = this.allConnections();
    this.origins = undefined;
    this.baseConnections = undefined;
    for (const connections of all) connections.destroy();
  }

  // --- ExchangeHost (called by the exchanges of this session) ---

  /** @internal The connections to `origin`, created on first use. */
  connectionsFor(origin: string): OriginConnections {
    const base = this.baseConnections;
    if (base !== undefined && base.origin === origin) return base;
    if (base === undefined && origin === this.base?.origin) {
      // The base URL may have changed: its origin's connections may be among the others.
      const known = this.origins?.get(origin);
      if (known !== undefined) this.origins!.delete(origin);
      this.baseConnections = known ?? new OriginConnections(origin, this.settings);
      return this.baseConnections;
    }
    this.origins ??= new Map();
    let connections = this.origins.get(origin);
    if (connections === undefined) {
      connections = new OriginConnections(origin, this.settings);
      this.origins.set(origin, connections);
    }
    return connections;
  }

  /** @internal */
  headersFor(hop: HopHeaders): string[] | undefined {
    return this.headerBuilder.build(hop);
  }

  /** @internal Credentials in the URL itself, else the base URL's for its own origin. */
  authorizationFor(target: Target): string | undefined {
    if (target.authorization !== undefined) return target.authorization;
    const base = this.base;
    return base !== undefined && target.origin === base.origin ? base.authorization : undefined;
  }

  /** @internal */
  storeCookie(setCookie: string, url: string): void {
    this.cookies.store(setCookie, url);
  }

  /** @internal */
  complete(response: HttpResponse): void {
    if (!response.awaitingVerdict) {
      this.onRequest(toRequestEvent(response, response.error));
      return;
    }
    this.pending ??= new Map();
    // Bound now: the request belongs to the transactions open when it completed, whenever its verdict comes.
    this.pending.set(response, this.onDeferredRequest?.() ?? this.onRequest);
  }

  /** @internal Keeps one settled exchange for the next request. */
  recycle(exchange: Exchange): void {
    this.spareExchange ??= exchange;
  }

  /** @internal */
  requestResent(): void {
    this.onResend?.();
  }

  /** @internal A verdict was given: recorded on the next turn of the event loop, with any others given in this one. */
  verdictGiven(): void {
    if (this.decisionsDue) return;
    this.decisionsDue = true;
    setImmediate(this.reportDecisions);
  }

  /** Records each pending response that has a verdict (those without one wait, or the flush). */
  private readonly reportDecisions = (): void => {
    this.decisionsDue = false;
    if (this.pending === undefined) return;
    for (const response of [...this.pending.keys()]) response.reportDecision();
  };

  /** @internal */
  reportDeferred(response: HttpResponse, exception: Error | string | null): void {
    const report = this.pending?.get(response) ?? this.onRequest;
    this.pending?.delete(response);
    report(toRequestEvent(response, exception));
  }

  // --- internals ---

  private send(method: string, url: string, options: RequestOptions | undefined): Promise<HttpResponse> {
    if (this.interrupted) return Promise.reject(new StopUser("request refused: the user is being stopped"));
    let exchange: Exchange;
    try {
      const locustSpelling = options === undefined ? undefined : locustOptionProblem(options);
      if (locustSpelling !== undefined) throw new TypeError(locustSpelling);
      const body = options === undefined ? undefined : encodeBody(options);
      if (options?.multipart !== undefined) return this.sendMultipart(method, url, options);
      exchange = this.createExchange(method, url, options, body);
    } catch (error) {
      return Promise.reject(error);
    }
    exchange.start(options?.timeout);
    return exchange.promise;
  }

  /** A multipart body is encoded first (Blobs are read asynchronously); the request's time starts after. */
  private async sendMultipart(method: string, url: string, options: RequestOptions): Promise<HttpResponse> {
    const body = await encodeMultipart(options.multipart!);
    if (this.interrupted) throw new StopUser("request refused: the user is being stopped");
    const exchange = this.createExchange(method, url, options, body);
    exchange.start(options.timeout);
    return exchange.promise;
  }

  private createExchange(
    method: string,
    url: string,
    options: RequestOptions | undefined,
    body: EncodedBody | undefined,
  ): Exchange {
    let target: Target;
    let fullUrl: string;
    if (url === this.lastUrl && options?.query === undefined) {
      target = this.lastTarget!;
      fullUrl = this.lastFullUrl;
    } else {
      target = this.resolveTarget(url, options);
      fullUrl = target.origin + target.path;
      if (options?.query === undefined) {
        this.lastUrl = url;
        this.lastTarget = target;
        this.lastFullUrl = fullUrl;
      }
    }
    if (options?.timeout !== undefined) positive("timeout", options.timeout);
    if (options?.headers !== undefined) checkHeaders(options.headers);
    const exchange = this.spareExchange ?? new Exchange(this);
    this.spareExchange = undefined;
    exchange.begin(method, target, body, options?.name ?? url, fullUrl, this.contextFor(options), options);
    return exchange;
  }

  /** Where `url` goes: a fresh Target, never changed afterwards (it may be cached). */
  private resolveTarget(url: string, options: RequestOptions | undefined): Target {
    let target: Target;
    if (isAbsoluteUrl(url)) {
      target = parseAbsoluteUrl(url);
    } else {
      const base = this.base;
      if (base === undefined) {
        throw new Error(
          `cannot request the relative URL "${url}": no host is set ` +
            "(set `host` on the User class, pass --host, or use an absolute http(s):// URL)",
        );
      }
      target = {
        origin: base.origin,
        path: joinBasePath(base.pathPrefix, url),
        authorization: base.authorization,
      };
    }
    const query = options?.query;
    if (query !== undefined) target.path = appendQuery(target.path, query);
    target.path = toRequestPath(target.path);
    return target;
  }

  /** The request's context: undefined (an empty one, made when it ends) unless there is one. */
  private contextFor(options: RequestOptions | undefined): Record<string, unknown> | undefined {
    const own = options?.context;
    if (this.userContext === undefined) return own;
    const shared = this.userContext();
    return own === undefined ? shared : { ...shared, ...own };
  }

  /** Every origin's connections. */
  private allConnections(): OriginConnections[] {
    const all = this.origins === undefined ? [] : [...this.origins.values()];
    if (this.baseConnections !== undefined) all.push(this.baseConnections);
    return all;
  }

  /** @internal The URL of cookies set or read without one: the base URL's path. */
  defaultCookieUrl(): string | undefined {
    const base = this.base;
    return base === undefined ? undefined : `${base.origin}${base.pathPrefix}/`;
  }
}

function csrfSettings(csrf: HttpSessionOptions["csrf"]): CsrfSettings | null {
  if (csrf === undefined || csrf === false) return null;
  const custom = csrf === true ? {} : csrf;
  return {
    cookieName: custom.cookieName ?? "csrftoken",
    headerName: (custom.headerName ?? "X-CSRFToken").toLowerCase(),
  };
}

function http2Mode(http2: HttpSessionOptions["http2"]): Http2Mode {
  if (http2 === undefined || http2 === false) return "off";
  if (http2 === true) return "on";
  if (http2 === "auto") return "auto";
  throw new Error(`http2 must be true, false or "auto", got ${JSON.stringify(http2)}`);
}

/** The user's default headers, plus User-Agent and Accept-Encoding unless they set them (any case). */
function withStandardHeaders(
  headers: Record<string, string> | undefined,
  standard: Record<string, string>,
): Record<string, string> {
  const given = new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()));
  const out: Record<string, string> = { ...headers };
  for (const [name, value] of Object.entries(standard)) if (!given.has(name)) out[name] = value;
  return out;
}

/** `maxResponseBodySize`, or its former name `maxDecodedBodySize`; both only when they agree. */
function bodySizeLimit(options: HttpSessionOptions): number {
  const { maxResponseBodySize: limit, maxDecodedBodySize: formerName } = options;
  if (limit !== undefined && formerName !== undefined && limit !== formerName) {
    throw new Error(
      `maxResponseBodySize (${limit}) and maxDecodedBodySize (${formerName}), its former name, ` +
        "are both set: set maxResponseBodySize only",
    );
  }
  if (limit === undefined && formerName !== undefined) return positive("maxDecodedBodySize", formerName);
  return positive("maxResponseBodySize", limit ?? DEFAULT_MAX_BODY_BYTES);
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${option} must be a positive number, got ${value}`);
  return value;
}

/** A positive number of ms, or Infinity (no deadline). */
function positiveOrForever(option: string, value: number): number {
  return value === Number.POSITIVE_INFINITY ? value : positive(option, value);
}

function nonNegative(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${option} must be a whole number >= 0, got ${value}`);
  return value;
}
