/**
 * `GET /api/monitor`: the Target tab's data (see MonitorResponse). The layout of the
 * charts and the saturation finding are computed here from the whole test, so the browser
 * only draws; the points are sent incrementally (`?since=`, and `&loadSince=` for the load's
 * counts, which trail the scrapes on a master).
 */
import type { FastifyInstance } from "fastify";
import { monitorCharts } from "../monitor/chart-layout.js";
import { emptyLoadColumns } from "../monitor/load-rate.js";
import type { LoadSeries } from "../monitor/saturation.js";
import type { MonitorData } from "../monitor/types.js";
import { monitorReportOf } from "../reports/monitor-report.js";
import type { MonitorResponse } from "./api-types.js";

/** What the route reads (TargetMonitor satisfies it). */
export interface MonitorSource {
  readonly running: boolean;
  data(sinceMs?: number, loadSinceMs?: number): MonitorData;
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
  load: emptyLoadColumns(),
  lastLoadTimeMs: null,
  endpoints: [],
  finding: null,
};

/** The answer for `sinceMs` and `loadSinceMs` (undefined: everything). */
export function monitorResponse(
  source: MonitorSource | undefined,
  loadHistory: () => LoadSeries,
  sinceMs?: number,
  loadSinceMs?: number,
): MonitorResponse {
  if (source === undefined) return EMPTY;
  const full = source.data();
  const part = sinceMs === undefined && loadSinceMs === undefined ? full : source.data(sinceMs, loadSinceMs);
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
    load: part.load,
    lastLoadTimeMs: full.load.timeMs[full.load.timeMs.length - 1] ?? null,
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
    const query = req.query as Record<string, unknown> | undefined;
    const number = (value: unknown) =>
      value === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value);
    const body = monitorResponse(source, loadHistory, number(query?.since), number(query?.loadSince));
    return reply.header("cache-control", "no-store").send(body);
  });
}
