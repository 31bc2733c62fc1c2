/**
 * Target monitoring for one process (a local run, or a distributed run's master: workers
 * never scrape). The runner calls `beginTest` and `endTest`: while a test runs, every
 * interval each exporter is scraped and Prometheus queried, each off the users' path (a
 * scrape is a pending request on Node's own fetch, not on a user's connection, and never
 * awaited by anything the users wait for), and the load generator's own CPU and the
 * load's completed requests are sampled beside them. Results are kept per host as bounded
 * columns; `data()` is what reports, the web UI and the saturation finding read.
 */
import { closestMatches } from "../shared/closest.js";
import { EventHook } from "../shared/event-hook.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { BoundedSeries, type SeriesSummary } from "./bounded-series.js";
import { type MonitorConfig, seriesDefinitions } from "./config.js";
import { type ExporterSink, ExporterSource } from "./exporter-source.js";
import { LoadCounts } from "./load-counts.js";
import { loadSince } from "./load-rate.js";
import { type HostValues, type PrometheusSink, PrometheusSource } from "./prometheus-source.js";
import type {
  GeneratorColumns,
  HostColumns,
  HostInfo,
  MonitorData,
  RequestCountPoint,
  SeriesDefinition,
} from "./types.js";

/** What the load generator measures of itself (GeneratorMonitor, and the workers' heartbeats). */
export interface GeneratorReading {
  cpuPercent: number | null;
  lagMs: number | null;
  /** Distributed runs only: the busiest worker's CPU %; undefined for a local run. */
  workerCpuPercent?: number | null;
}

export interface TargetMonitorOptions {
  config: MonitorConfig;
  logger?: Logger;
  /** The runner's clock, epoch ms. */
  now?: () => number;
  /** Read at every interval; undefined when nothing is measured. */
  generator?: () => GeneratorReading | undefined;
  /**
   * The load's cumulative completed requests, read as a test begins, at every interval and
   * once it has ended (every count is then in): the points that became complete since the
   * last read (stats' SettledCounts). The rate beside each scrape comes from them.
   */
  requestCounts?: (nowMs: number, moment: "begin" | "tick" | "end") => RequestCountPoint[];
  /** Points kept per host (default 2000: 33 minutes at 1 s before the first downsampling). */
  maxPoints?: number;
}

/** One recorded sample of one host (or a failed scrape: `error` set, no values). */
export interface HostSample {
  host: string;
  timeMs: number;
  values: Readonly<Record<string, number | null>>;
  error: string | null;
}

/**
 * What the runner sees: BaseRunner calls beginTest and endTest when a test begins and ends;
 * runner code (a capacity search) reads `data()` and asks
 * `findSaturation({ ...monitor.data(), load, fromMs, toMs })` about a window of the test,
 * and marks the moments it changes the load at once (`markLoadChange`).
 */
export interface TestMonitor {
  beginTest(startMs: number): void;
  endTest(endMs: number): void;
  markLoadChange(timeMs: number): void;
  data(sinceMs?: number, loadSinceMs?: number): MonitorData;
}

interface HostStore {
  host: string;
  source: string;
  kind: HostColumns["kind"];
  info: HostInfo | null;
  series: BoundedSeries;
}

export class TargetMonitor implements TestMonitor, ExporterSink, PrometheusSink {
  /** Fired for every sample and every failed scrape of a host (the CSV writer listens). */
  readonly recorded = new EventHook<HostSample>();
  /** The load's completed requests of the current test, counted at each interval. */
  readonly requests: LoadCounts;
  readonly config: MonitorConfig;
  readonly definitions: readonly SeriesDefinition[];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly generatorProbe: (() => GeneratorReading | undefined) | undefined;
  private readonly countProbe: TargetMonitorOptions["requestCounts"];
  private readonly maxPoints: number;
  private readonly exporters: ExporterSource[];
  private readonly prometheus: PrometheusSource | undefined;
  private hosts = new Map<string, HostStore>();
  private generator: BoundedSeries;
  private timer: ReturnType<typeof setInterval> | undefined;
  private startMs: number | null = null;
  private endMs: number | null = null;
  private loadChangesMs: number[] = [];
  private namesChecked = false;
  private finishing: Promise<void> = Promise.resolve();

  constructor(options: TargetMonitorOptions) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.generatorProbe = options.generator;
    this.countProbe = options.requestCounts;
    this.maxPoints = options.maxPoints ?? 2000;
    this.definitions = seriesDefinitions(this.config);
    this.exporters = this.config.endpoints.map(
      (spec) => new ExporterSource(spec, this.config.metrics, this, this.logger),
    );
    this.prometheus =
      this.config.prometheus === undefined
        ? undefined
        : new PrometheusSource(this.config.prometheus, this.config.queries, this, this.logger);
    this.generator = this.newGeneratorSeries();
    this.requests = new LoadCounts(this.maxPoints);
  }

  /** True while a test is being monitored. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts monitoring a new test: the previous test's data is dropped, a first scrape taken at once. */
  beginTest(startMs: number): void {
    this.stopTimer();
    for (const source of this.exporters) source.reset();
    this.prometheus?.reset();
    this.hosts = new Map();
    this.generator = this.newGeneratorSeries();
    this.requests.reset();
    this.startMs = startMs;
    this.endMs = null;
    this.loadChangesMs = [];
    this.namesChecked = false;
    this.timer = setInterval(() => this.tick(), this.config.intervalMs);
    this.timer.unref?.();
    // Taken at the test's own start, before any user runs: what it measures is the target without the load.
    this.tick(startMs, "begin");
  }

  /** Stops monitoring; the Prometheus range query then runs in the background (see `settled`). */
  endTest(endMs: number): void {
    if (this.startMs === null || this.endMs !== null) return;
    this.stopTimer();
    this.endMs = endMs;
    this.checkMetricNames();
    for (const source of this.exporters) source.stop();
    this.prometheus?.stop();
    // After the workers' final reports (the runner ends the test then): the last counts.
    this.requests.add(this.countProbe?.(endMs, "end") ?? []);
    const start = this.startMs;
    if (this.prometheus && this.config.queries.length > 0)
      this.finishing = this.replaceWithRange(start, endMs);
  }

  /** The load changed at once at `timeMs` (a capacity step began, or paused): see MonitorData's `loadChangesMs`. */
  markLoadChange(timeMs: number): void {
    if (this.startMs === null || this.endMs !== null) return;
    this.loadChangesMs.push(timeMs);
    // The requests completed up to the change (a local run counts them at once), so the
    // rate of the new load starts there, not at the last scrape.
    this.requests.add(this.countProbe?.(timeMs, "tick") ?? []);
  }

  /** Settles once the end-of-test work (Prometheus's range) is done; never rejects. */
  settled(): Promise<void> {
    return this.finishing;
  }

  /** Stops everything (the process is quitting). */
  close(): void {
    this.stopTimer();
    for (const source of this.exporters) source.stop();
    this.prometheus?.stop();
  }

  /**
   * The data so far; with `sinceMs`, only the points after it (the web UI's increments),
   * and of the load's counts those after `loadSinceMs` (on a master they trail the scrapes).
   */
  data(sinceMs?: number, loadSinceMs = sinceMs): MonitorData {
    const hosts: HostColumns[] = [...this.hosts.values()].map((store) => {
      const snapshot = store.series.snapshot(sinceMs);
      return { host: store.host, source: store.source, kind: store.kind, info: store.info, ...snapshot };
    });
    const g = this.generator.snapshot(sinceMs);
    const generator: GeneratorColumns = {
      stride: g.stride,
      timeMs: g.timeMs,
      cpuPercent: g.values.cpuPercent ?? g.timeMs.map(() => null),
      lagMs: g.values.lagMs ?? g.timeMs.map(() => null),
      workerCpuPercent: g.values.workerCpuPercent ?? null,
    };
    const load = this.requests.columns();
    return {
      intervalMs: this.config.intervalMs,
      startTimeMs: this.startMs,
      endTimeMs: this.endMs,
      series: [...this.definitions],
      hosts,
      generator,
      load: loadSinceMs === undefined ? load : loadSince(load, loadSinceMs),
      endpoints: [
        ...this.exporters.map((e) => ({ ...e.tracker.health, byKind: { ...e.tracker.health.byKind } })),
        ...(this.prometheus ? [{ ...this.prometheus.tracker.health }] : []),
      ],
      levels: [...this.config.levels],
      loadChangesMs: [...this.loadChangesMs],
    };
  }

  /** The hosts seen in this test. */
  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  /** A series' unit (thresholds print their measured value in it). */
  unitOf(series: string): string | undefined {
    return this.definitions.find((definition) => definition.name === series)?.unit;
  }

  /** Exact figures of one host's series over the test (thresholds read them). */
  summary(host: string, series: string): SeriesSummary | undefined {
    return this.hosts.get(host)?.series.summary(series);
  }

  // --- sinks ---------------------------------------------------------------

  record(
    source: ExporterSource,
    timeMs: number,
    values: Record<string, number | null>,
    info: HostInfo | null,
  ): void {
    const store = this.store(source.spec.label, source.spec.url, "exporter");
    if (info !== null) store.info = info;
    this.add(store, timeMs, values);
  }

  recordGap(source: ExporterSource, timeMs: number, error: string): void {
    this.addGap(this.store(source.spec.label, source.spec.url, "exporter"), timeMs, error);
  }

  answeredFirst(): void {
    if (this.exporters.every((e) => e.answered)) this.checkMetricNames();
  }

  recordQueries(timeMs: number, values: HostValues): void {
    for (const [host, hostValues] of values)
      this.add(this.store(host, this.config.prometheus!, "prometheus"), timeMs, hostValues);
  }

  recordQueryGap(timeMs: number, error: string): void {
    const prometheusHosts = [...this.hosts.values()].filter((h) => h.kind === "prometheus");
    for (const store of prometheusHosts) this.addGap(store, timeMs, error);
  }

  // --- internals -------------------------------------------------------------

  private tick(timeMs = this.now(), moment: "begin" | "tick" = "tick"): void {
    const interval = this.config.intervalMs;
    this.requests.add(this.countProbe?.(timeMs, moment) ?? []);
    for (const source of this.exporters) void source.scrape(timeMs, interval);
    if (this.prometheus && this.config.queries.length > 0) void this.prometheus.live(timeMs, interval);
    const reading = this.generatorProbe?.();
    if (reading !== undefined) {
      this.generator.add(timeMs, {
        cpuPercent: reading.cpuPercent,
        lagMs: reading.lagMs,
        ...(reading.workerCpuPercent === undefined ? {} : { workerCpuPercent: reading.workerCpuPercent }),
      });
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private newGeneratorSeries(): BoundedSeries {
    return new BoundedSeries(this.maxPoints, (name) =>
      name === "lagMs" || name.endsWith("Percent") ? "max" : "mean",
    );
  }

  private store(host: string, source: string, kind: HostColumns["kind"]): HostStore {
    let store = this.hosts.get(host);
    if (store === undefined) {
      const rules = new Map(this.definitions.map((d) => [d.name, d.merge]));
      store = {
        host,
        source,
        kind,
        info: null,
        series: new BoundedSeries(this.maxPoints, (name) => rules.get(name) ?? "mean"),
      };
      this.hosts.set(host, store);
    }
    return store;
  }

  private add(store: HostStore, timeMs: number, values: Record<string, number | null>): void {
    store.series.add(timeMs, values);
    this.recorded.fire({ host: store.host, timeMs, values, error: null });
  }

  private addGap(store: HostStore, timeMs: number, error: string): void {
    store.series.add(timeMs, {});
    this.recorded.fire({ host: store.host, timeMs, values: {}, error });
  }

  /**
   * Once per test, when every exporter has answered (or at the end, with those that did):
   * warn about `--monitor-metric` names none of them has.
   */
  private checkMetricNames(): void {
    const answered = this.exporters.filter((e) => e.answered);
    if (this.namesChecked || answered.length === 0) return;
    this.namesChecked = true;
    const known = new Set(answered.flatMap((e) => [...e.names]));
    for (const metric of this.config.metrics) {
      if (known.has(metric.selector.metric)) continue;
      const near = closestMatches(metric.selector.metric, known);
      this.logger.warning(
        `monitor: --monitor-metric '${metric.name}': no monitored endpoint has a metric named '${metric.selector.metric}'` +
          (near.length > 0 ? ` (closest: ${near.join(", ")})` : ""),
      );
    }
  }

  /** Replaces the Prometheus hosts' live points with the server's own for the whole test. */
  private async replaceWithRange(startMs: number, endMs: number): Promise<void> {
    const points = await this.prometheus!.range(startMs, endMs, this.config.intervalMs);
    if (points === undefined || this.startMs !== startMs) return;
    for (const [host, store] of this.hosts) if (store.kind === "prometheus") this.hosts.delete(host);
    for (const { timeMs, values } of points) {
      for (const [host, hostValues] of values)
        this.store(host, this.config.prometheus!, "prometheus").series.add(timeMs, hostValues);
    }
  }
}
