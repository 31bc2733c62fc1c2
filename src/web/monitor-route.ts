/**
 * `GET /api/monitor`: the Target tab's data (see MonitorResponse). The layout of the
 * charts and the saturation finding are computed here from the whole test, so the browser
 * only draws; the points are sent incrementally (`?since=`).
 */
import type { FastifyInstance } from "fastify";
import { monitorCharts } from "../monitor/chart-layout.js";
import type { LoadSeries } from "../monitor/saturation.js";
import type { MonitorData } from "../monitor/types.js";
import { monitorReportOf } from "../reports/monitor-report.js";
import type { MonitorResponse } from "./api-types.js";

/** What the route reads (TargetMonitor satisfies it). */
export interface MonitorSource {
  readonly running: boolean;
  data(sinceMs?: number): MonitorData;
}

const EMPTY: MonitorResponse = {
  configured: false,
  running: false,
  intervalMs: 0,
  startTimeMs: null,
  lastTimeMs: null,
  charts: [],
  hosts: [],
  generator: { stride: 1, timeMs: [], cpuPercent: [], lagMs: [], workerCpuPercent: null },
  endpoints: [],
  finding: null,
};

/** The answer for `sinceMs` (undefined: everything). */
export function monitorResponse(
  source: MonitorSource | undefined,
  loadHistory: () => LoadSeries,
  sinceMs?: number,
): MonitorResponse {
  if (source === undefined) return EMPTY;
  const full = source.data();
  const part = sinceMs === undefined ? full : source.data(sinceMs);
  const times = [...full.hosts.flatMap((h) => h.timeMs), ...full.generator.timeMs];
  const report = full.startTimeMs === null ? undefined : monitorReportOf(full, loadHistory());
  return {
    configured: true,
    running: source.running,
    intervalMs: full.intervalMs,
    startTimeMs: full.startTimeMs,
    lastTimeMs: times.length > 0 ? Math.max(...times) : null,
    charts: monitorCharts(full),
    hosts: part.hosts,
    generator: part.generator,
    endpoints: full.endpoints,
    finding: report ? { kind: report.finding.kind, text: report.findingText } : null,
  };
}

/** Registers `GET {base}/api/monitor`. */
export function registerMonitorRoute(
  app: FastifyInstance,
  base: string,
  source: MonitorSource | undefined,
  loadHistory: () => LoadSeries,
): void {
  app.get(`${base}/api/monitor`, (req, reply) => {
    const since = Number((req.query as Record<string, unknown> | undefined)?.since);
    const body = monitorResponse(source, loadHistory, Number.isFinite(since) ? since : undefined);
    return reply.header("cache-control", "no-store").send(body);
  });
}
