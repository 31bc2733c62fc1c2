/**
 * The run's metrics export (docs/metrics.md): the collector the web UI's /metrics reads,
 * and, when asked, the --metrics-port server and the remote-write and OTLP pushers. A
 * master exports its merged totals; a worker exports nothing.
 */
import { hostname } from "node:os";
import { MetricsCollector, type Pushers, startPushers } from "../metrics/index.js";
import type { Runner } from "../runner/index.js";
import type { Logger } from "../shared/logger.js";
import type { MetricsServer } from "../web/metrics-route.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import { asksForMetricsExport, readMetricsOptions } from "./options-metrics.js";
import { readWebOptions } from "./options-web.js";
import { VERSION } from "./version.js";

export interface MetricsExport {
  readonly collector: MetricsCollector;
  /** Last pushes (bounded), then stops serving. */
  close(): Promise<void>;
}

export async function startMetricsExport(args: {
  runner: Runner;
  options: CliOptions;
  io: CliIO;
  logger: Logger;
  distributed: boolean;
}): Promise<MetricsExport> {
  const { runner, options, logger } = args;
  const settings = readMetricsOptions(options);
  const collector = new MetricsCollector({ runner, distributed: args.distributed, version: VERSION, logger });
  let server: MetricsServer | undefined;
  let pushers: Pushers | undefined;
  try {
    if (settings.port !== undefined) {
      const web = readWebOptions(options);
      // Loaded on demand: a headless run without --metrics-port does not pay for Fastify.
      const { startMetricsServer } = await import("../web/metrics-route.js");
      server = await startMetricsServer({
        collector,
        host: web.host,
        port: settings.port,
        auth: { username: web.login?.username, password: web.login?.password, token: web.token },
      });
      // On stdout, like the web UI's address: with --json, stdout carries only the JSON.
      const out = options.json === true ? args.io.stderr : args.io.stdout;
      out.write(`Serving Prometheus metrics at ${server.url}\n`);
    }
    if (settings.remoteWriteUrl !== undefined || settings.otlpUrl !== undefined) {
      const instance = `${hostname()}:${process.pid}`;
      pushers = await startPushers({
        collector,
        logger,
        remoteWriteUrl: settings.remoteWriteUrl,
        otlpUrl: settings.otlpUrl,
        intervalMs: settings.pushIntervalMs,
        remoteWriteLabels: { job: "cicada", instance },
        otlpResource: {
          "service.name": "cicada",
          "service.instance.id": instance,
          "service.version": VERSION,
        },
        version: VERSION,
      });
    }
  } catch (error) {
    await server?.close();
    collector.close();
    throw error;
  }
  return {
    collector,
    close: async () => {
      await pushers?.close();
      await server?.close();
      collector.close();
    },
  };
}

/** A worker's metrics options do nothing (the master exports the merged totals): say so. */
export function warnMetricsOnWorker(options: CliOptions, logger: Logger): void {
  if (!asksForMetricsExport(options)) return;
  logger.warning(
    "--metrics-port, --prometheus-remote-write and --otlp are ignored on a worker: the master exports the merged totals",
  );
}
