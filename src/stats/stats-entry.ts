import { CurrentWindow, type SerializedWindow } from "./current-window.js";
import { Histogram } from "./histogram.js";
import {
  clampedPercentiles,
  decodeIntendedHistogram,
  IntendedTimes,
  type SerializedIntendedTimes,
} from "./intended-times.js";

/** Options of a {@link StatsEntry}. */
export interface StatsEntryOptions {
  /**
   * Seconds between the end of the "current" window and the current second (default 1).
   * A distributed master uses 3, because worker reports arrive every 3 s.
   */
  currentWindowLagSeconds?: number;
  /**
   * When the statistics this row belongs to began (epoch ms; default: the row's own start):
   * its current rates and percentiles are read from there, as Locust's are from its stats'
   * start, so a row first seen later reads the seconds before it as none, as the Aggregated
   * row does (one name and the Aggregated row read 20 and 10 req/s otherwise).
   */
  windowStartMs?: number;
}

/**
 * A {@link StatsEntry} as plain data: JSON-safe except `histogram` (bytes, msgpack-safe).
 * Per-second counts are `[epochSecond, count]` pairs of the seconds still in the ring.
 */
export interface SerializedStatsEntry {
  method: string;
  name: string;
  numRequests: number;
  numNoneRequests: number;
  numFailures: number;
  totalResponseTimeMs: number;
  minResponseTimeMs: number | null;
  maxResponseTimeMs: number;
  totalContentLength: number;
  startTimeMs: number;
  lastRequestTimeMs: number | null;
  /** Response times in µs, HdrHistogram V2 uncompressed encoding. */
  histogram: Uint8Array;
  /** Exact smallest and largest recorded µs values (the encoding only keeps slot bounds). */
  histogramMinUs: number;
  histogramMaxUs: number;
  numReqsPerSec: Array<[second: number, count: number]>;
  numFailPerSec: Array<[second: number, count: number]>;
  currentWindowLagSeconds: number;
  /** Per-second response times of the recent window (omitted with `{ window: false }`). */
  window?: SerializedWindow;
  /** Response times from the intended start (open model); absent when none were recorded. */
  intended?: SerializedIntendedTimes;
}

/**
 * One row of the statistics: a (method, name) pair, or the "Aggregated" total. Follows
 * Locust's StatsEntry (a failure is also logged as a request; response times may be null),
 * with exact percentiles from an HDR histogram of microseconds and a bounded current window.
 * Time is always an argument (epoch milliseconds); nothing here reads a clock.
 */
export class StatsEntry {
  /** HTTP method or request type ("" for the Aggregated row). */
  readonly method: string;
  /** Request name (URL or the `name` option); "Aggregated" for the total. */
  readonly name: string;
  /** Response times in microseconds, since start or the last reset. */
  readonly histogram = new Histogram();
  /**
   * Response times from the intended start of each request's iteration (open model only;
   * undefined until the first one, so a closed-model row pays nothing for it).
   */
  intended: IntendedTimes | undefined;
  private readonly window: CurrentWindow;
  private requests = 0;
  private noneRequests = 0;
  private failures = 0;
  private totalResponseTime = 0;
  // Sentinels instead of null: a field that mixes null and doubles stores boxed numbers,
  // which would allocate on every log.
  private minResponseTime = Number.POSITIVE_INFINITY;
  private maxResponseTime = 0;
  private contentLength = 0;
  private start: number;
  /** Where the current window may begin (see StatsEntryOptions.windowStartMs). */
  private windowStart: number;
  private lastRequest = Number.NEGATIVE_INFINITY;

  /** @param nowMs the entry's start time (epoch ms). */
  constructor(method: string, name: string, nowMs: number, options: StatsEntryOptions = {}) {
    this.method = method;
    this.name = name;
    this.start = nowMs;
    this.windowStart = Math.min(nowMs, options.windowStartMs ?? nowMs);
    this.window = new CurrentWindow(options.currentWindowLagSeconds ?? 1);
  }

  /** Requests logged (failures included, as in Locust). */
  get numRequests(): number {
    return this.requests;
  }
  /** Requests logged with a null response time. */
  get numNoneRequests(): number {
    return this.noneRequests;
  }
  /** Failures logged. */
  get numFailures(): number {
    return this.failures;
  }
  /** Sum of the (non-null) response times, ms. */
  get totalResponseTimeMs(): number {
    return this.totalResponseTime;
  }
  /** Exact smallest response time in ms; null when none was logged (never 0 by default). */
  get minResponseTimeMs(): number | null {
    return this.minResponseTime === Number.POSITIVE_INFINITY ? null : this.minResponseTime;
  }
  /** Exact largest response time in ms; 0 when none was logged. */
  get maxResponseTimeMs(): number {
    return this.maxResponseTime;
  }
  /** Sum of content lengths, bytes. */
  get totalContentLength(): number {
    return this.contentLength;
  }
  /** When this entry started counting (creation or last reset), epoch ms. */
  get startTimeMs(): number {
    return this.start;
  }
  /** Time of the latest logged request, epoch ms; null when none. */
  get lastRequestTimeMs(): number | null {
    return this.lastRequest === Number.NEGATIVE_INFINITY ? null : this.lastRequest;
  }
  /** Lag of the current window, seconds. */
  get currentWindowLagSeconds(): number {
    return this.window.lagSeconds;
  }

  /**
   * Logs one request: counts it, records its response time (null is allowed and counted
   * in numNoneRequests) and content length. Allocation-free on the hot path.
   */
  log(responseTimeMs: number | null, contentLength: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.requests++;
    if (responseTimeMs === null) {
      this.noneRequests++;
    } else {
      this.totalResponseTime += responseTimeMs;
      if (responseTimeMs < this.minResponseTime) this.minResponseTime = responseTimeMs;
      if (responseTimeMs > this.maxResponseTime) this.maxResponseTime = responseTimeMs;
      const us = Math.round(responseTimeMs * 1000);
      this.histogram.record(us);
      this.window.recordResponseTime(us, second);
    }
    this.contentLength += contentLength;
    if (nowMs > this.lastRequest) this.lastRequest = nowMs;
    this.window.countRequests(second, 1);
  }

  /**
   * Records the response time of a request measured from its iteration's intended start
   * (open model), besides the service time given to {@link log}.
   */
  logIntended(ms: number): void {
    this.intendedTimes().record(ms);
  }

  /** The intended times, created on first use. */
  private intendedTimes(): IntendedTimes {
    this.intended ??= new IntendedTimes();
    return this.intended;
  }

  /** Logs one failure (the request itself is logged separately with {@link log}). */
  logFailure(nowMs: number): void {
    this.failures++;
    this.window.countFailures(Math.floor(nowMs / 1000), 1);
  }

  /** Average requests per second over the current window (see CurrentWindow). */
  currentRps(nowMs: number): number {
    return this.window.currentRate("requests", nowMs, this.windowStart);
  }

  /**
   * Requests and failures counted up to the end of epoch second `second`: the totals less
   * those of the retained seconds after it (exact for a second of the last ~20).
   */
  countsThroughSecond(second: number): { requests: number; failures: number } {
    const after = this.window.countsAfter(second);
    return { requests: this.requests - after.requests, failures: this.failures - after.failures };
  }

  /** Average failures per second over the current window. */
  currentFailPerSec(nowMs: number): number {
    return this.window.currentRate("failures", nowMs, this.windowStart);
  }

  /** Response-time percentile (p in 0..1) over the current window, ms; null when it is empty. */
  currentPercentile(p: number, nowMs: number): number | null {
    return this.currentPercentiles([p], nowMs)[0] ?? null;
  }

  /** Several current-window percentiles (each p in 0..1) in one pass over the window, ms. */
  currentPercentiles(ps: readonly number[], nowMs: number): Array<number | null> {
    return this.window
      .currentPercentiles(ps, nowMs, this.windowStart)
      .map((us) => (us === null ? null : us / 1000));
  }

  /**
   * Requests per second over the whole run: numRequests / (lastRequest − start) in seconds,
   * with the duration at least 1 s. With `nowMs`, the run is measured up to `nowMs` instead
   * of the last request. With `span`, over that span instead of this row's own: a row of
   * Locust's table divides by the whole test's (its total's start and last request, as
   * Locust's `StatsEntry.total_rps` reads `self.stats`), so a name requested only at the
   * start does not show the rate of a burst.
   */
  totalRps(nowMs?: number, span?: RunSpan): number {
    return this.requests / this.durationSeconds(nowMs, span);
  }

  /** Failures per second over the whole run (same duration as {@link totalRps}). */
  totalFailPerSec(nowMs?: number, span?: RunSpan): number {
    return this.failures / this.durationSeconds(nowMs, span);
  }

  /** Mean of the non-null response times, ms (0 when none). */
  get avgResponseTimeMs(): number {
    const timed = this.requests - this.noneRequests;
    return timed > 0 ? this.totalResponseTime / timed : 0;
  }

  /** Mean content length per request, bytes (0 when none). */
  get avgContentLength(): number {
    return this.requests > 0 ? this.contentLength / this.requests : 0;
  }

  /** Median response time, ms, clamped to [min, max]; null when no response time was logged. */
  get medianResponseTimeMs(): number | null {
    return this.percentile(0.5);
  }

  /**
   * Response-time percentile for p in 0..1 (nearest rank, within 0.05 %), ms, clamped to
   * the exact [min, max]; p = 1 is the exact max. Null when no response time was logged.
   */
  percentile(p: number): number | null {
    return this.percentiles([p])[0] ?? null;
  }

  /** Several percentiles (each p in 0..1) in one pass over the histogram; see {@link percentile}. */
  percentiles(ps: readonly number[]): Array<number | null> {
    return clampedPercentiles(this.histogram, this.minResponseTime, this.maxResponseTime, ps);
  }

  /** Failures / requests (1 when there are failures but no requests, as Locust). */
  get failRatio(): number {
    if (this.requests > 0) return this.failures / this.requests;
    return this.failures > 0 ? 1 : 0;
  }

  /** Clears everything and restarts the entry at `nowMs`. */
  reset(nowMs: number): void {
    this.requests = 0;
    this.noneRequests = 0;
    this.failures = 0;
    this.totalResponseTime = 0;
    this.minResponseTime = Number.POSITIVE_INFINITY;
    this.maxResponseTime = 0;
    this.contentLength = 0;
    this.start = nowMs;
    this.windowStart = nowMs;
    this.lastRequest = Number.NEGATIVE_INFINITY;
    this.histogram.reset();
    this.intended = undefined;
    this.window.reset();
  }

  /**
   * Adds another entry exactly (e.g. a worker's delta): counts, sums, extremes, start (min),
   * last request (max), histogram and per-second counts by second. Its response times also
   * go into the current second at `nowMs`, so current percentiles include them.
   */
  merge(other: StatsEntry, nowMs: number): void {
    this.requests += other.requests;
    this.noneRequests += other.noneRequests;
    this.failures += other.failures;
    this.totalResponseTime += other.totalResponseTime;
    if (other.minResponseTime < this.minResponseTime) this.minResponseTime = other.minResponseTime;
    if (other.maxResponseTime > this.maxResponseTime) this.maxResponseTime = other.maxResponseTime;
    this.contentLength += other.contentLength;
    if (other.start < this.start) this.start = other.start;
    if (other.windowStart < this.windowStart) this.windowStart = other.windowStart;
    if (other.lastRequest > this.lastRequest) this.lastRequest = other.lastRequest;
    this.histogram.add(other.histogram);
    if (other.intended !== undefined) this.intendedTimes().merge(other.intended);
    other.window.forEachCountedSecond((second, requests, failures) => {
      if (requests !== 0) this.window.countRequests(second, requests);
      if (failures !== 0) this.window.countFailures(second, failures);
    });
    this.window.addHistogram(other.histogram, Math.floor(nowMs / 1000));
  }

  /**
   * Adds another node's serialized row exactly, as {@link merge} of its {@link deserialize}d
   * entry does, without building that entry (a master merges thousands of rows a second).
   * `histogram` is the row's histogram, decoded by {@link decodeEntryHistogram}, and
   * `intended` its intended times' (when it has them). The per-second counts go in by
   * second; seconds older than this entry's window are dropped.
   */
  mergeSerialized(
    s: SerializedStatsEntry,
    histogram: Histogram,
    nowMs: number,
    intended?: Histogram | undefined,
  ): void {
    this.requests += s.numRequests;
    this.noneRequests += s.numNoneRequests;
    this.failures += s.numFailures;
    this.totalResponseTime += s.totalResponseTimeMs;
    if (s.minResponseTimeMs !== null && s.minResponseTimeMs < this.minResponseTime)
      this.minResponseTime = s.minResponseTimeMs;
    if (s.maxResponseTimeMs > this.maxResponseTime) this.maxResponseTime = s.maxResponseTimeMs;
    this.contentLength += s.totalContentLength;
    if (s.startTimeMs < this.start) this.start = s.startTimeMs;
    if (s.startTimeMs < this.windowStart) this.windowStart = s.startTimeMs;
    if (s.lastRequestTimeMs !== null && s.lastRequestTimeMs > this.lastRequest)
      this.lastRequest = s.lastRequestTimeMs;
    this.histogram.add(histogram);
    if (s.intended !== undefined) {
      this.intendedTimes().mergeSerialized(s.intended, intended ?? decodeIntendedHistogram(s.intended));
    }
    for (const [second, count] of s.numReqsPerSec) if (count !== 0) this.window.countRequests(second, count);
    for (const [second, count] of s.numFailPerSec) if (count !== 0) this.window.countFailures(second, count);
    this.window.addHistogram(histogram, Math.floor(nowMs / 1000));
  }

  /** Plain-data form; `{ window: false }` leaves out the per-second response times (smaller). */
  serialize(options: { window?: boolean } = {}): SerializedStatsEntry {
    const numReqsPerSec: Array<[number, number]> = [];
    const numFailPerSec: Array<[number, number]> = [];
    this.window.forEachCountedSecond((second, requests, failures) => {
      if (requests !== 0) numReqsPerSec.push([second, requests]);
      if (failures !== 0) numFailPerSec.push([second, failures]);
    });
    const serialized: SerializedStatsEntry = {
      method: this.method,
      name: this.name,
      numRequests: this.requests,
      numNoneRequests: this.noneRequests,
      numFailures: this.failures,
      totalResponseTimeMs: this.totalResponseTime,
      minResponseTimeMs: this.minResponseTimeMs,
      maxResponseTimeMs: this.maxResponseTime,
      totalContentLength: this.contentLength,
      startTimeMs: this.start,
      lastRequestTimeMs: this.lastRequestTimeMs,
      histogram: this.histogram.encode(),
      histogramMinUs: this.histogram.minValue,
      histogramMaxUs: this.histogram.maxValue,
      numReqsPerSec,
      numFailPerSec,
      currentWindowLagSeconds: this.window.lagSeconds,
    };
    if (options.window !== false) serialized.window = this.window.serializeResponseTimes();
    if (this.intended !== undefined) serialized.intended = this.intended.serialize();
    return serialized;
  }

  /** Rebuilds an entry from {@link serialize}'s output, exactly. */
  static deserialize(s: SerializedStatsEntry): StatsEntry {
    const entry = new StatsEntry(s.method, s.name, s.startTimeMs, {
      currentWindowLagSeconds: s.currentWindowLagSeconds,
    });
    entry.requests = s.numRequests;
    entry.noneRequests = s.numNoneRequests;
    entry.failures = s.numFailures;
    entry.totalResponseTime = s.totalResponseTimeMs;
    entry.minResponseTime = s.minResponseTimeMs ?? Number.POSITIVE_INFINITY;
    entry.maxResponseTime = s.maxResponseTimeMs;
    entry.contentLength = s.totalContentLength;
    entry.lastRequest = s.lastRequestTimeMs ?? Number.NEGATIVE_INFINITY;
    // The decoded histogram becomes the entry's own (sparse when small): no copy.
    (entry as { histogram: Histogram }).histogram = Histogram.decode(s.histogram, {
      min: s.histogramMinUs,
      max: s.histogramMaxUs,
    });
    for (const [second, count] of s.numReqsPerSec) entry.window.countRequests(second, count);
    for (const [second, count] of s.numFailPerSec) entry.window.countFailures(second, count);
    if (s.window !== undefined) entry.window.restoreResponseTimes(s.window);
    if (s.intended !== undefined) entry.intended = IntendedTimes.deserialize(s.intended);
    return entry;
  }

  private durationSeconds(nowMs?: number, span?: RunSpan): number {
    const start = span?.startMs ?? this.start;
    const end = nowMs ?? (span !== undefined ? span.lastRequestMs : this.lastRequestTimeMs) ?? start;
    return Math.max(1, (end - start) / 1000);
  }
}

/** The span a rate is measured over: a test's start and its last request (null: none yet). */
export interface RunSpan {
  startMs: number;
  lastRequestMs: number | null;
}

/**
 * The whole test's span, from its total row: its start and its last request. Every row's
 * Requests/s in the tables, the CSV and JSON reports, and the `rps` threshold, divide by it
 * (Locust's `total_rps`: `num_requests / (last_request_timestamp - start_time)` of the total).
 */
export function runSpanOf(total: StatsEntry): RunSpan {
  return { startMs: total.startTimeMs, lastRequestMs: total.lastRequestTimeMs };
}

/**
 * The histogram of a serialized row with its exact min and max, in the sparse form
 * whatever its size: meant to be added into others ({@link StatsEntry.mergeSerialized}).
 * @throws Error when the bytes are not a valid encoding.
 */
export function decodeEntryHistogram(s: SerializedStatsEntry): Histogram {
  return Histogram.decode(
    s.histogram,
    { min: s.histogramMinUs, max: s.histogramMaxUs },
    { keepSparse: true },
  );
}
