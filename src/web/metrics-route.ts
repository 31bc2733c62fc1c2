/**
 * GET /metrics: the run's series for Prometheus (docs/metrics.md). The web UI serves it
 * under its base path; a headless run with --metrics-port serves it alone, from a small
 * server with the UI's Host and login checks and nothing else (no control API).
 */
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { type MetricsCollector, renderExposition, wantsOpenMetrics } from "../metrics/index.js";
import { type Listener, listenError } from "./listen-error.js";
import { checkHost, checkLogin, type WebAuth } from "./security.js";

/** Adds `${basePath}/metrics` to an app. */
export function registerMetricsRoute(
  app: FastifyInstance,
  basePath: string,
  collector: MetricsCollector,
): void {
  app.get(`${basePath}/metrics`, async (req, reply) => {
    const exposition = await renderExposition(collector.collect(), wantsOpenMetrics(req.headers.accept));
    return reply.header("content-type", exposition.contentType).send(exposition.body);
  });
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9646/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves /metrics alone on `host:port` (a headless run's --metrics-port). */
export async function startMetricsServer(options: {
  collector: MetricsCollector;
  host: string;
  port: number;
  auth: WebAuth;
}): Promise<MetricsServer> {
  const { host, port, auth } = options;
  const hasLogin = (auth.username !== undefined && auth.password !== undefined) || auth.token !== undefined;
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addHook("onRequest", async (req, reply) => {
    const refusal =
      (hasLogin ? undefined : checkHost(req.headers.host, host)) ??
      checkLogin(req.headers.authorization, auth);
    if (refusal)
      return reply
        .code(refusal.status)
        .headers(refusal.headers ?? {})
        .send({ message: refusal.message });
  });
  registerMetricsRoute(app, "", options.collector);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw listenError(error, host, port, METRICS_LISTENER);
  }
  const actualPort = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shownHost}:${actualPort}/metrics`, close: () => app.close() };
}

const METRICS_LISTENER: Listener = {
  inUseCode: "CICADA_ERR_METRICS_PORT_IN_USE",
  deniedCode: "CICADA_ERR_METRICS_PORT_DENIED",
  what: "/metrics",
  inUseHint: "Pick another port with --metrics-port (0 for any free one), or stop what uses it",
  deniedHint: "Ports below 1024 need extra rights: use --metrics-port 9646 or another port above 1023",
};
