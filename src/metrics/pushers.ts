/**
 * The push side of the export: `--prometheus-remote-write URL` and `--otlp URL`, each a
 * PushLoop over the collector's families.
 */
import type { Logger } from "../shared/logger.js";
import { createOtlpSender, loadOtel } from "./otlp.js";
import { PushLoop, type PushStats } from "./push-loop.js";
import { encodeWriteRequest, postRemoteWrite, splitCredentials } from "./remote-write.js";
import type { MetricsCollector } from "./sources.js";

/** Pushes kept while a remote-write endpoint fails: 10 minutes at the default 5 s interval. */
const REMOTE_WRITE_MAX_QUEUED = 120;
const REMOTE_WRITE_MAX_BYTES = 16e6;

export interface PushersOptions {
  collector: MetricsCollector;
  logger: Logger;
  remoteWriteUrl?: string | undefined;
  otlpUrl?: string | undefined;
  intervalMs: number;
  /** Labels every remote-write series gets (job, instance). */
  remoteWriteLabels: Record<string, string>;
  /** OTLP resource attributes (service.name, service.instance.id). */
  otlpResource: Record<string, string>;
  version: string;
  now?: () => number;
  /** Test hooks: the push timeout and the final flush's budget. */
  requestTimeoutMs?: number;
  finalFlushMs?: number;
}

export interface Pushers {
  /** Final pushes (bounded), then stops. */
  close(): Promise<void>;
  stats(): Record<"remoteWrite" | "otlp", PushStats | undefined>;
}

/** Starts the loops asked for; resolves once the OpenTelemetry packages (if needed) are loaded. */
export async function startPushers(options: PushersOptions): Promise<Pushers> {
  const now = options.now ?? Date.now;
  const common = {
    logger: options.logger,
    intervalMs: options.intervalMs,
    requestTimeoutMs: options.requestTimeoutMs,
    finalFlushMs: options.finalFlushMs,
  };
  let remoteWrite: PushLoop | undefined;
  if (options.remoteWriteUrl !== undefined) {
    const { url, headers } = splitCredentials(options.remoteWriteUrl);
    remoteWrite = new PushLoop({
      ...common,
      describe: `Prometheus remote write to ${url}`,
      maxQueued: REMOTE_WRITE_MAX_QUEUED,
      maxQueuedBytes: REMOTE_WRITE_MAX_BYTES,
      snapshot: async () => {
        const body = await encodeWriteRequest(options.collector.collect(), now(), options.remoteWriteLabels);
        return {
          bytes: body.byteLength,
          send: (timeoutMs) => postRemoteWrite(url, headers, body, timeoutMs),
        };
      },
    });
  }
  let otlp: PushLoop | undefined;
  let shutdownOtlp = async () => {};
  if (options.otlpUrl !== undefined) {
    const sender = createOtlpSender(
      await loadOtel(),
      options.otlpUrl,
      options.otlpResource,
      options.version,
      options.requestTimeoutMs ?? 10_000,
    );
    shutdownOtlp = () => sender.shutdown();
    const startMs = now();
    otlp = new PushLoop({
      ...common,
      describe: `OTLP export to ${options.otlpUrl}`,
      // Cumulative data: the newest state says everything the older ones did.
      maxQueued: 1,
      maxQueuedBytes: Number.POSITIVE_INFINITY,
      snapshot: async () => sender.payload(options.collector.collect(), startMs, now()),
    });
  }
  remoteWrite?.start();
  otlp?.start();
  return {
    close: async () => {
      await Promise.all([remoteWrite?.close(), otlp?.close()]);
      await shutdownOtlp().catch(() => {});
    },
    stats: () => ({ remoteWrite: remoteWrite?.pushStats, otlp: otlp?.pushStats }),
  };
}
