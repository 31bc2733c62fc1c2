/**
 * The web server: Locust's HTTP API, Cicada's /api with its live stream, and the browser
 * app, all driven through the Runner interface (a local runner or a master alike).
 *
 * `buildWebApp` makes the Fastify app without listening (tests use `app.inject`);
 * `startWebServer` also listens and turns "port in use" into a clear EnvironmentError.
 */
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { MetricsCollector } from "../metrics/index.js";
import type { Runner } from "../runner/index.js";
import type { CapacityFormDefaults, DownloadLink } from "./api-types.js";
import { normaliseBasePath } from "./base-path.js";
import { registerCompression } from "./compression.js";
import type { WebContext } from "./context.js";
import { type Listener, listenError } from "./listen-error.js";
import { LiveFeed } from "./live-feed.js";
import type { LogBuffer } from "./log-buffer.js";
import { registerMetricsRoute } from "./metrics-route.js";
import { jsonBodyProblem } from "./request-body.js";
import { registerApiRoutes } from "./routes-api.js";
import { registerLocustRoutes } from "./routes-locust.js";
import { changesState, checkCrossSite, checkHost, checkLogin, type WebAuth } from "./security.js";
import { findUiRoot, registerUi } from "./static-ui.js";
import { buildMeta } from "./ui-meta.js";
import { registerUserClassRoute } from "./user-class-settings.js";

export interface WebServerOptions {
  runner: Runner;
  /** The interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The port (default 8089; 0 picks a free one). */
  port?: number;
  /** A path prefix such as "/cicada" (default ""). */
  basePath?: string;
  auth?: WebAuth;
  logs?: LogBuffer;
  /** For the start form and the header. */
  version?: string;
  locustfile?: string;
  defaults?: {
    userCount?: number | undefined;
    spawnRate?: number | undefined;
    runTimeMs?: number | undefined;
    /** --arrival-rate as given: the form then starts with the arrival rate. */
    arrivalRate?: string | undefined;
    /** --ramp, ms. */
    rampMs?: number | undefined;
    /** --find-capacity, --slo, --capacity-*: the form's "Find capacity" fields. */
    capacity?: CapacityFormDefaults | undefined;
  };
  /** True for a master runner: the Workers tab and worker counts apply. */
  distributed?: boolean;
  /** --class-picker: the start form and /swarm choose the user classes and the load shape. */
  classPicker?: boolean;
  /** The full-history CSV being written, if any (served by /stats/requests_full_history/csv). */
  fullHistoryCsvPath?: () => string | undefined;
  /** More links for the Download tab (the HTML and JSON reports). */
  extraDownloads?: DownloadLink[];
  /** Registers more routes (e.g. the HTML report's); paths must start with `basePath`. */
  extraRoutes?: (app: FastifyInstance, basePath: string) => void;
  /** The built app's folder (default: found next to the package); null serves no app. */
  uiRoot?: string | null;
  /** Live update interval, ms (default 1000). */
  updateIntervalMs?: number;
  /**
   * The statistics table's percentile columns besides the median, as fractions (default
   * [0.95, 0.99]); the browser app takes the list from the payload.
   */
  percentiles?: readonly number[];
  /** Serves GET /metrics (Prometheus) from these series (docs/metrics.md). */
  metrics?: MetricsCollector;
}

/** A listening web server. */
export interface WebServer {
  /** The UI's address, e.g. http://127.0.0.1:8089/ (the base path included). */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly feed: LiveFeed;
  /** Ends the live streams and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

/** A form body; a repeated field (Locust's user_classes) becomes an array of its values. */
function parseForm(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const before = fields[key];
    fields[key] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  return fields;
}

/** The app with every route, not listening yet. */
export async function buildWebApp(
  options: WebServerOptions,
): Promise<{ app: FastifyInstance; feed: LiveFeed; closeStreams: () => void }> {
  const basePath = normaliseBasePath(options.basePath);
  const listenHost = options.host ?? "127.0.0.1";
  const auth = options.auth ?? {};
  // With a login, a rebound DNS name cannot get in anyway (the browser keeps credentials
  // per origin), and reverse proxies that forward their own Host keep working.
  const hasLogin = (auth.username !== undefined && auth.password !== undefined) || auth.token !== undefined;
  const partial = {
    fullHistoryCsvPath: options.fullHistoryCsvPath,
    extraDownloads: options.extraDownloads ?? [],
    openModelDefaults: { ...options.runner.openModel },
  };
  const meta = buildMeta(options, partial);
  const feed = new LiveFeed({
    runner: options.runner,
    meta,
    logs: options.logs,
    intervalMs: options.updateIntervalMs,
    percentiles: options.percentiles,
  });
  const context: WebContext = {
    ...partial,
    runner: options.runner,
    feed,
    logs: options.logs,
    basePath,
    distributed: options.distributed ?? false,
    classPicker: options.classPicker ?? false,
    meta,
  };

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) =>
    done(null, parseForm(String(body))),
  );
  // Fastify's own JSON parser (prototype-poisoning checks included), behind a nesting limit.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const problem = jsonBodyProblem(String(body));
    if (problem === undefined) return parseJson(req, String(body), done);
    done(Object.assign(new Error(problem), { statusCode: 400 }), undefined);
  });

  app.addHook("onRequest", async (req, reply) => {
    const refusal =
      (hasLogin ? undefined : checkHost(req.headers.host, listenHost)) ??
      checkLogin(req.headers.authorization, auth) ??
      (changesState(req.method, pathBelowBase(req.url, basePath))
        ? checkCrossSite({
            host: req.headers.host,
            forwardedHost: header(req.headers["x-forwarded-host"]),
            origin: header(req.headers.origin),
            referer: header(req.headers.referer),
            secFetchSite: header(req.headers["sec-fetch-site"]),
          })
        : undefined);
    if (refusal) {
      reply.code(refusal.status).headers(refusal.headers ?? {});
      return reply.send({ success: false, message: refusal.message });
    }
  });
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "same-origin");
    // A route may set its own (the self-contained HTML report runs inline scripts).
    if (!reply.hasHeader("content-security-policy"))
      reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });
  registerCompression(app);
  app.setErrorHandler((error: FastifyError, _req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      options.runner.environment.logger.error(`web UI request failed: ${error.stack ?? error.message}`);
    }
    return reply.code(status).send({ success: false, message: describeRequestError(error) });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ success: false, message: `no such endpoint: ${req.method} ${req.url.split("?")[0]}` }),
  );

  const openStreams = new Set<() => void>();
  registerLocustRoutes(app, context);
  registerApiRoutes(app, context, openStreams);
  registerUserClassRoute(app, context);
  options.extraRoutes?.(app, basePath);
  if (options.metrics) registerMetricsRoute(app, basePath, options.metrics);
  await registerUi(app, basePath, options.uiRoot === null ? undefined : (options.uiRoot ?? findUiRoot()));
  const closeStreams = () => {
    feed.close();
    for (const close of [...openStreams]) close();
  };
  return { app, feed, closeStreams };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pathBelowBase(url: string, base: string): string {
  const path = url.split("?")[0] ?? "";
  const below = base !== "" && path.startsWith(base) ? path.slice(base.length) : path;
  return below.replace(/\/+$/, "") || "/";
}

/** A request error in words a script author can act on. */
function describeRequestError(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return `malformed JSON body: ${error.message}`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported body type: send JSON (Content-Type: application/json) or a form (application/x-www-form-urlencoded, curl -d)";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the request body is too large (64 KB at most)";
    default:
      return error.message;
  }
}

/** Builds the app and listens; a port in use (or any refusal to listen) is an EnvironmentError. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 8089;
  const { app, feed, closeStreams } = await buildWebApp(options);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw listenError(error, host, port, WEB_UI_LISTENER);
  }
  const actualPort = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${actualPort}${normaliseBasePath(options.basePath)}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    app,
    feed,
    close: () => {
      closing ??= (async () => {
        closeStreams();
        await app.close();
      })();
      return closing;
    },
  };
}

const WEB_UI_LISTENER: Listener = {
  inUseCode: "CICADA_ERR_WEB_PORT_IN_USE",
  deniedCode: "CICADA_ERR_WEB_PORT_DENIED",
  what: "the web UI",
  inUseHint: "Pick another port with -P/--web-port (or -P 0 for any free port), or stop what uses it",
  deniedHint: "Ports below 1024 need extra rights: use -P 8089 or another port above 1023",
};
