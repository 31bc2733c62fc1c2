/**
 * The data target monitoring produces: plain values that reports, the web UI and the
 * saturation finding read. Times are epoch ms; a null value is a gap (a failed scrape, or
 * the first scrape of a counter, which has no rate yet).
 */

/** How a series is shown, and how neighbouring points merge when it is downsampled. */
export interface SeriesDefinition {
  /** Key in the data and in thresholds: "cpu", "memory", or a name the user gave. */
  name: string;
  /** For people: "CPU busy". */
  label: string;
  /** "%", "B/s", "/s", "ms" or "" (a count). */
  unit: string;
  /**
   * "max" keeps the highest of merged points (levels such as CPU %: no peak is lost to
   * averaging, so saturation is still seen); "mean" averages them (rates, counts).
   */
  merge: "max" | "mean";
  /** Where it comes from: node_exporter's figures, `--monitor-metric`, or `--monitor-query`. */
  origin: "node" | "metric" | "query";
}

/** What node_exporter says about a host besides its series. */
export interface HostInfo {
  cpus: number;
  memoryBytes: number;
}

/** The series of one monitored host, as columns aligned with `timeMs`. */
export interface HostColumns {
  /** The host's label: `--monitor LABEL=URL`, the URL's host name, or a Prometheus series' `instance`. */
  host: string;
  /** The exporter's URL, or the Prometheus server's. */
  source: string;
  kind: "exporter" | "prometheus";
  /** CPUs and memory, when node_exporter told them. */
  info: HostInfo | null;
  /** How many scrapes each point stands for (1 until the series is downsampled). */
  stride: number;
  timeMs: number[];
  /** One column per series name this host has. */
  values: Record<string, Array<number | null>>;
}

/** The load generator's own CPU (GeneratorMonitor), sampled with the target, for the same charts. */
export interface GeneratorColumns {
  stride: number;
  timeMs: number[];
  /** This process's CPU (the master's in a distributed run), % of one core. */
  cpuPercent: Array<number | null>;
  /** Event-loop lag, ms. */
  lagMs: Array<number | null>;
  /** Distributed runs: the busiest worker's CPU, % of one core (null for a local run). */
  workerCpuPercent: Array<number | null> | null;
}

/** The requests and failures the load completed from the test's start to `timeMs` (epoch ms). */
export interface RequestCountPoint {
  timeMs: number;
  requests: number;
  failures: number;
}

/**
 * The requests the load completed, counted beside the target (TargetMonitor's
 * `requestCounts`): cumulative counts at moments whose counts are complete (each
 * interval's moment in a local run; the end of each whole second every worker has
 * reported on a master), and the rates between neighbouring points, so the load beside a
 * resource is what the target served in the same interval, not a 10 s average.
 */
export interface LoadColumns {
  /** How many readings each point stands for (1 until the series is downsampled). */
  stride: number;
  timeMs: number[];
  /** Requests completed since the test began (failures included), cumulative. */
  requests: number[];
  /** Failures since the test began, cumulative. */
  failures: number[];
  /** Requests completed per second since the previous point; null at the first. */
  rps: Array<number | null>;
  /** Failures per second since the previous point; null at the first. */
  failPerSec: Array<number | null>;
}

/** Why a scrape gave no data. */
export type ScrapeFailureKind = "unreachable" | "slow" | "http" | "garbage";

export const SCRAPE_FAILURE_KINDS: readonly ScrapeFailureKind[] = ["unreachable", "slow", "http", "garbage"];

/** How an endpoint (an exporter or the Prometheus server) answered during the test. */
export interface EndpointHealth {
  label: string;
  url: string;
  kind: "exporter" | "prometheus";
  /** Scrapes (or live queries) attempted. */
  scrapes: number;
  failures: number;
  byKind: Record<ScrapeFailureKind, number>;
  /** The last failure's message, and when it happened. */
  lastError: string | null;
  lastErrorAtMs: number | null;
}

/** A saturation level: a resource is saturated once a series reaches `level`. */
export interface SaturationLevel {
  series: string;
  level: number;
}

/** Everything monitored during one test. */
export interface MonitorData {
  intervalMs: number;
  /** When the test (and the monitoring) started; null before the first test. */
  startTimeMs: number | null;
  /** When it ended; null while it runs. */
  endTimeMs: number | null;
  /** Definitions of every series any host may have, in display order. */
  series: SeriesDefinition[];
  hosts: HostColumns[];
  generator: GeneratorColumns;
  /** The load's completed requests beside the target (empty columns when nothing counts them). */
  load: LoadColumns;
  endpoints: EndpointHealth[];
  levels: SaturationLevel[];
  /**
   * The moments the load changed at once (a capacity search's steps and pauses), so that a
   * value at its level is judged only against values measured under the same load; absent
   * or empty for a test at one load.
   */
  loadChangesMs?: number[];
}
