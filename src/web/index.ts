/**
 * The web layer: Fastify server with Locust's HTTP API, Cicada's /api and live stream,
 * the built browser app, login and cross-site protection.
 */
export type * from "./api-types.js";
export { normaliseBasePath } from "./base-path.js";
export { LiveFeed, sseEvent } from "./live-feed.js";
export { LogBuffer } from "./log-buffer.js";
export { type MonitorSource, monitorResponse, registerMonitorRoute } from "./monitor-route.js";
export { toColumns } from "./routes-api.js";
export { exposureWarning, isLoopbackHost, type WebAuth } from "./security.js";
export {
  buildWebApp,
  startWebServer,
  type WebServer,
  type WebServerOptions,
} from "./server.js";
