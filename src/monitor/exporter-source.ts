/**
 * One exporter endpoint (`--monitor`): scrapes it when asked, derives node_exporter's
 * figures (if it is one) and the `--monitor-metric` series it has, and hands them to the
 * sink. A scrape still running when the next one is due is cut off and counted as slow,
 * so each interval has exactly one outcome and nothing piles up behind a hung exporter.
 */
import type { Logger } from "../shared/logger.js";
import type { EndpointSpec, MetricSpec } from "./config.js";
import { HealthTracker } from "./endpoint-health.js";
import { type Exposition, ExpositionError, parseExposition } from "./exposition.js";
import { fetchOk, ScrapeFailure } from "./fetch-text.js";
import { deriveNodeResources, isNodeExporter, nodeInfo, type TimedExposition } from "./node-resources.js";
import { evaluateSelector } from "./selector.js";
import type { HostInfo } from "./types.js";

/** What an exporter asks for: the classic text format, which every exporter speaks. */
const ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

/** Where the results go (the TargetMonitor). */
export interface ExporterSink {
  record(
    source: ExporterSource,
    timeMs: number,
    values: Record<string, number | null>,
    info: HostInfo | null,
  ): void;
  recordGap(source: ExporterSource, timeMs: number, error: string): void;
  /** This source answered for the first time in the test. */
  answeredFirst(source: ExporterSource): void;
}

const SUPERSEDED = "superseded";
const STOPPED = "stopped";

export class ExporterSource {
  tracker: HealthTracker;
  /** Metric names of the last successful scrape (for "unknown metric" warnings). */
  names: ReadonlySet<string> = new Set();
  /** Whether a scrape has succeeded in this test. */
  answered = false;
  private previous: TimedExposition | undefined;
  private inFlight: AbortController | undefined;
  private silentWarned = false;

  constructor(
    readonly spec: EndpointSpec,
    private readonly metrics: readonly MetricSpec[],
    private readonly sink: ExporterSink,
    private readonly logger: Logger,
  ) {
    this.tracker = new HealthTracker(spec.label, spec.url, "exporter", logger);
  }

  /** Forgets the previous test (its counters, its failures). */
  reset(): void {
    this.stop();
    this.previous = undefined;
    this.answered = false;
    this.silentWarned = false;
    this.tracker = new HealthTracker(this.spec.label, this.spec.url, "exporter", this.logger);
  }

  /** Cuts off a scrape in progress without recording it nor counting it (the test is over). */
  stop(): void {
    if (this.inFlight !== undefined) this.tracker.cutShort();
    this.inFlight?.abort(STOPPED);
    this.inFlight = undefined;
  }

  /** Scrapes now; `timeMs` is the sample's time. Never rejects. */
  async scrape(timeMs: number, intervalMs: number): Promise<void> {
    this.inFlight?.abort(SUPERSEDED);
    const controller = new AbortController();
    this.inFlight = controller;
    this.tracker.attempt();
    try {
      const text = await fetchOk(this.spec.url, {
        signal: controller.signal,
        accept: ACCEPT,
        abortMessage: `no answer within the ${intervalMs} ms interval`,
      });
      if (controller.signal.aborted)
        throw new ScrapeFailure("slow", `no answer within the ${intervalMs} ms interval`);
      this.accept(parseExposition(text), timeMs);
    } catch (error) {
      if (controller.signal.reason === STOPPED) return;
      const failure =
        error instanceof ScrapeFailure
          ? error
          : error instanceof ExpositionError
            ? new ScrapeFailure("garbage", error.message)
            : new ScrapeFailure("garbage", String(error));
      this.tracker.fail(failure, timeMs);
      this.sink.recordGap(this, timeMs, failure.message);
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private accept(exposition: Exposition, timeMs: number): void {
    const current: TimedExposition = { timeMs, exposition };
    const previous = this.previous;
    const seconds = previous ? (timeMs - previous.timeMs) / 1000 : 0;
    const node = isNodeExporter(exposition);
    const values: Record<string, number | null> = node ? deriveNodeResources(previous, current) : {};
    for (const metric of this.metrics) {
      if (!exposition.has(metric.selector.metric)) continue;
      values[metric.name] = evaluateSelector(metric.selector, exposition, previous?.exposition, seconds);
    }
    this.previous = current;
    this.names = new Set(exposition.keys());
    const first = !this.answered;
    this.answered = true;
    this.tracker.succeed();
    if (!node && Object.keys(values).length === 0 && !this.silentWarned) {
      this.silentWarned = true;
      this.logger.warning(
        `monitor: ${this.spec.url} (${this.spec.label}) is not node_exporter and no --monitor-metric names one of its ` +
          `${exposition.size} metrics: nothing is recorded from it. Add --monitor-metric 'NAME=metric_name' for what you need.`,
      );
    }
    this.sink.record(this, timeMs, values, node ? nodeInfo(exposition) : null);
    if (first) this.sink.answeredFirst(this);
  }
}
