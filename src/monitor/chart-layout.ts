/**
 * Which charts the target's data makes, shared by the web UI's Target view and the HTML
 * report so both show the same thing: first the requests the load completed per second in
 * each interval (the rate beside the resources, not Locust's 10 s average), one chart per
 * resource with a line per host (the second figure of a pair dashed: busiest core, swap,
 * writes, sent), the load generator's own CPU beside the target's, and one chart per
 * `--monitor-metric` or `--monitor-query`. Charts without any value are left out.
 */
import { CHART_PALETTE } from "../shared/chart-palette.js";
import type { MonitorData } from "./types.js";

/**
 * One line: a series of a host (`source: "host"`), of the load generator ("generator",
 * series a GeneratorColumns key) or of the load's completed requests ("load", series
 * `rps` or `failPerSec` of LoadColumns).
 */
export interface ChartLine {
  host: string;
  series: string;
  label: string;
  dash: boolean;
  source: "host" | "generator" | "load";
  /** Its own colour (the load's, as in the other charts); else one per host. */
  color?: string;
}

export interface MonitorChart {
  id: string;
  title: string;
  unit: string;
  /** A fixed top of the y axis (100 for percentages of a whole), or null to fit the data. */
  yMax: number | null;
  /** The saturation level drawn on the chart, if the series has one. */
  level: number | null;
  lines: ChartLine[];
}

interface Pair {
  id: string;
  title: string;
  unit: string;
  yMax: number | null;
  first: string;
  firstSuffix: string;
  second?: string;
  secondSuffix?: string;
}

const NODE_CHARTS: Pair[] = [
  {
    id: "cpu",
    title: "CPU busy",
    unit: "%",
    yMax: 100,
    first: "cpu",
    firstSuffix: "",
    second: "cpuMax",
    secondSuffix: " busiest core",
  },
  { id: "load", title: "Load average (1 min)", unit: "", yMax: null, first: "load1", firstSuffix: "" },
  {
    id: "memory",
    title: "Memory used",
    unit: "%",
    yMax: 100,
    first: "memory",
    firstSuffix: "",
    second: "swap",
    secondSuffix: " swap",
  },
  { id: "swap-io", title: "Swapping", unit: "pages/s", yMax: null, first: "swapIo", firstSuffix: "" },
  {
    id: "disk",
    title: "Disk throughput",
    unit: "B/s",
    yMax: null,
    first: "diskRead",
    firstSuffix: " read",
    second: "diskWrite",
    secondSuffix: " write",
  },
  { id: "disk-busy", title: "Busiest disk busy", unit: "%", yMax: 100, first: "diskBusy", firstSuffix: "" },
  {
    id: "network",
    title: "Network",
    unit: "B/s",
    yMax: null,
    first: "netRx",
    firstSuffix: " received",
    second: "netTx",
    secondSuffix: " sent",
  },
  { id: "tcp", title: "TCP connections in use", unit: "", yMax: null, first: "tcp", firstSuffix: "" },
];

function hasValue(column: ReadonlyArray<number | null> | undefined, nonZero = false): boolean {
  return column?.some((v) => v !== null && (!nonZero || v !== 0)) ?? false;
}

function hostLines(
  data: MonitorData,
  series: string,
  suffix: string,
  dash: boolean,
  nonZero = false,
): ChartLine[] {
  return data.hosts
    .filter((h) => hasValue(h.values[series], nonZero))
    .map((h) => ({ host: h.host, series, label: `${h.host}${suffix}`, dash, source: "host" as const }));
}

function generatorChart(data: MonitorData): MonitorChart | undefined {
  const g = data.generator;
  const lines: ChartLine[] = [];
  if (hasValue(g.cpuPercent))
    lines.push({ host: "cicada", series: "cpuPercent", label: "Cicada", dash: false, source: "generator" });
  if (hasValue(g.workerCpuPercent ?? undefined))
    lines.push({
      host: "cicada",
      series: "workerCpuPercent",
      label: "busiest worker",
      dash: true,
      source: "generator",
    });
  if (lines.length === 0) return undefined;
  return {
    id: "generator-cpu",
    title: "Load generator CPU (% of one core)",
    unit: "%",
    yMax: null,
    level: null,
    lines,
  };
}

/** The requests (and failures) completed per second between the load's counts. */
function requestsChart(data: MonitorData): MonitorChart | undefined {
  if (!hasValue(data.load.rps)) return undefined;
  const line = (series: string, label: string, color: string): ChartLine => ({
    host: "load",
    series,
    label,
    dash: false,
    source: "load",
    color,
  });
  return {
    id: "requests",
    title: "Requests per second (completed in each interval)",
    unit: "/s",
    yMax: null,
    level: null,
    lines: [
      line("rps", "Requests/s", CHART_PALETTE.rps),
      ...(hasValue(data.load.failPerSec, true)
        ? [line("failPerSec", "Failures/s", CHART_PALETTE.failures)]
        : []),
    ],
  };
}

/** The charts of `data`, in display order. */
export function monitorCharts(data: MonitorData): MonitorChart[] {
  const levelOf = (series: string) => data.levels.find((l) => l.series === series)?.level ?? null;
  const charts: MonitorChart[] = [];
  const requests = requestsChart(data);
  if (requests) charts.push(requests);
  for (const pair of NODE_CHARTS) {
    const nonZero = pair.id === "swap-io";
    const lines = [
      ...hostLines(data, pair.first, pair.firstSuffix, false, nonZero),
      ...(pair.second ? hostLines(data, pair.second, pair.secondSuffix ?? "", true) : []),
    ];
    if (lines.length > 0) {
      charts.push({
        id: pair.id,
        title: pair.title,
        unit: pair.unit,
        yMax: pair.yMax,
        level: levelOf(pair.first),
        lines,
      });
    }
    if (pair.id === "cpu") {
      const generator = generatorChart(data);
      if (generator) charts.push(generator);
    }
  }
  for (const definition of data.series) {
    if (definition.origin === "node") continue;
    const lines = hostLines(data, definition.name, "", false);
    if (lines.length === 0) continue;
    charts.push({
      id: `series-${definition.name}`,
      title: definition.label,
      unit: definition.unit,
      yMax: null,
      level: levelOf(definition.name),
      lines,
    });
  }
  return charts;
}
