/**
 * Cicada's own API under `/api/`, made for the browser app: the live stream, the whole
 * state at once, a per-name history on demand, and the tables the app fetches only while
 * their tab is open. docs/http-api.md lists them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { allChecks, describeMetric } from "../reports/index.js";
import type {
  ChecksResponse,
  ExceptionsResponse,
  FailuresResponse,
  HistoryPoint,
  IterationsResponse,
  LogsResponse,
  SeriesColumns,
} from "./api-types.js";
import { eventStreamWriter } from "./compression.js";
import type { WebContext } from "./context.js";
import { resetStats, stopTest, swarm } from "./routes-locust.js";

/** Idle streams get a comment this often, so proxies and browsers keep them open. */
const KEEPALIVE_MS = 15_000;
/**
 * A browser that stops reading (a suspended laptop) would make the server buffer every
 * update; past this many unsent bytes its stream is closed. The browser reconnects by
 * itself and gets a full update.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

function queryText(req: FastifyRequest, key: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[key];
  return typeof value === "string" ? value : undefined;
}

/** Points as the columnar JSON the charts take. */
export function toColumns(points: readonly HistoryPoint[]): Omit<SeriesColumns, "stride"> {
  return {
    timeMs: points.map((p) => p.timeMs),
    userCount: points.map((p) => p.userCount),
    rps: points.map((p) => p.rps),
    failPerSec: points.map((p) => p.failPerSec),
    p50: points.map((p) => p.p50),
    p95: points.map((p) => p.p95),
    p99: points.map((p) => p.p99),
    avgResponseTimeMs: points.map((p) => p.avgResponseTimeMs),
  };
}

/** Opens a Server-Sent Events response fed by the live feed. */
function stream(context: WebContext, req: FastifyRequest, reply: FastifyReply, open: Set<() => void>): void {
  reply.hijack();
  const raw = reply.raw;
  // Compressed: a tick of 1,000 changed rows is about 60 KB of JSON, a tenth of it gzipped.
  const writer = eventStreamWriter(raw, req.headers["accept-encoding"]);
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-content-type-options": "nosniff",
    ...writer.headers,
  });
  writer.write("retry: 2000\n\n");
  const remove = context.feed.addClient((text) => {
    if (writer.pending() > MAX_UNSENT_BYTES) close();
    else writer.write(text);
  });
  const keepalive = setInterval(() => writer.write(": keepalive\n\n"), KEEPALIVE_MS);
  let closed = false;
  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    remove();
    open.delete(close);
    if (!raw.writableEnded) writer.end();
  }
  open.add(close);
  req.raw.on("close", close);
}

/**
 * Registers the /api routes. `openStreams` collects a closer per open stream, so the
 * server can end them when it shuts down.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  context: WebContext,
  openStreams: Set<() => void>,
): void {
  const base = context.basePath;
  const runner = context.runner;
  const stats = runner.environment.stats;

  app.get(`${base}/api/stream`, (req, reply) => stream(context, req, reply, openStreams));
  app.get(`${base}/api/state`, () => context.feed.fullUpdate());

  app.get(`${base}/api/history`, (req, reply) => {
    const method = queryText(req, "method");
    const name = queryText(req, "name");
    if (method === undefined || name === undefined) {
      return reply.code(400).send({
        success: false,
        message: "give the request's method and name: /api/history?method=GET&name=/cart",
      });
    }
    const points = stats.history.seriesFor(method, name);
    if (points === undefined) {
      return reply.code(404).send({ success: false, message: `no history for ${method} ${name} (yet)` });
    }
    return toColumns(points);
  });

  app.get(
    `${base}/api/iterations`,
    (): IterationsResponse => ({ iterations: stats.history.sessionJSON().iterations ?? null }),
  );

  // The tables alone: a full snapshot would compute every row's percentiles too.
  app.get(`${base}/api/failures`, (): FailuresResponse => stats.failureRows());
  app.get(`${base}/api/exceptions`, (): ExceptionsResponse => stats.exceptionRows());
  app.get(`${base}/api/checks`, (): ChecksResponse => {
    const checks = stats.checks.snapshot();
    return {
      checks,
      all: checks.length === 0 ? null : allChecks(checks),
      metrics: stats.metrics
        .snapshot(runner.environment.now())
        .map((m) => ({ ...m, text: describeMetric(m) })),
    };
  });
  app.get(`${base}/api/logs`, (req, reply) => {
    const after = queryText(req, "after") ?? "0";
    if (!/^\d+$/.test(after)) {
      return reply
        .code(400)
        .send({ success: false, message: `after must be a whole number, got '${after}'` });
    }
    const response: LogsResponse = {
      lines: context.logs?.since(Number(after)) ?? [],
      dropped: context.logs?.dropped ?? 0,
    };
    return response;
  });

  app.post(`${base}/api/swarm`, (req, reply) => {
    const { status, response } = swarm(context, req.body);
    return reply.code(status).send(response);
  });
  app.post(`${base}/api/stop`, () => stopTest(context));
  app.post(`${base}/api/reset`, () => resetStats(context));
}
