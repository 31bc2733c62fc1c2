/**
 * Requests, failures, bytes and response times per (method, name), read from the stats
 * table when a scrape or push asks (nothing in the request path).
 *
 * Prometheus counters must only go up, but Cicada's table restarts at every new test and
 * "Reset stats". So the table's rows are folded into running totals just before each
 * reset (RequestStats.onBeforeReset), and a series is those totals plus the live row: it
 * counts every request since Cicada started, and rate() and increase() stay right across
 * tests. Series are capped like the table's names: past the same limit, new (method,
 * name) pairs count under the method's "(other)" series, with one warning.
 */
import type { Logger } from "../shared/logger.js";
import { OTHER_NAME, type RequestStats, type StatsEntry, TRANSACTION_TYPE } from "../stats/index.js";
import {
  addCounts,
  counter,
  cumulativeCountsUs,
  type HistogramFamily,
  LATENCY_BUCKETS_SECONDS,
  type MetricFamily,
} from "./families.js";
import type { MetricSource } from "./sources.js";

/** What one (method, name) series has counted. */
interface SeriesTotals {
  method: string;
  name: string;
  requests: number;
  failures: number;
  bytes: number;
  /** Requests with a response time (the histogram's count). */
  timed: number;
  sumSeconds: number;
  cumulative: number[];
  minSeconds: number;
  maxSeconds: number;
}

export class RequestSeries implements MetricSource {
  private readonly folded = new Map<string, SeriesTotals>();
  /** Series with a row of their own; never shrinks, so a series never moves to "(other)" later. */
  private readonly own = new Set<string>();
  private readonly limit: number;
  private warned = false;
  private readonly removeListener: () => void;
  /** Bucket counts of each row at its request count: a row that did not change is not walked again. */
  private readonly bucketCache = new WeakMap<StatsEntry, { requests: number; cumulative: number[] }>();

  /**
   * `rows`: "requests" exports the request rows as `cicada_requests_total` and its
   * siblings; "transactions" exports the transaction rows (type TXN) as
   * `cicada_transactions_total` and its siblings, so summing the requests never counts a
   * transaction's requests twice.
   */
  constructor(
    private readonly stats: RequestStats,
    private readonly logger: Logger,
    private readonly rows: "requests" | "transactions" = "requests",
  ) {
    this.limit = stats.nameLimit;
    this.removeListener = stats.onBeforeReset(() => this.addRows(this.folded));
  }

  collect(): MetricFamily[] {
    const totals = new Map<string, SeriesTotals>();
    for (const [key, folded] of this.folded)
      totals.set(key, { ...folded, cumulative: [...folded.cumulative] });
    this.addRows(totals);
    return this.rows === "requests"
      ? requestFamilies([...totals.values()])
      : transactionFamilies([...totals.values()]);
  }

  close(): void {
    this.removeListener();
  }

  private addRows(into: Map<string, SeriesTotals>): void {
    const transactions = this.rows === "transactions";
    for (const entry of this.stats.entries()) {
      if ((entry.method === TRANSACTION_TYPE) !== transactions) continue;
      const name = this.seriesName(entry.method, entry.name);
      const key = `${entry.method}\u0000${name}`;
      const row = totalsOf(entry, name, this.cumulativeOf(entry));
      const before = into.get(key);
      if (before === undefined) into.set(key, row);
      else addTotals(before, row);
    }
  }

  private cumulativeOf(entry: StatsEntry): number[] {
    const cached = this.bucketCache.get(entry);
    if (cached !== undefined && cached.requests === entry.numRequests) return [...cached.cumulative];
    const cumulative = cumulativeCountsUs(entry.histogram, LATENCY_BUCKETS_SECONDS);
    this.bucketCache.set(entry, { requests: entry.numRequests, cumulative });
    return [...cumulative];
  }

  private seriesName(method: string, name: string): string {
    const key = `${method}\u0000${name}`;
    if (name === OTHER_NAME || this.own.has(key)) return name;
    if (this.own.size < this.limit) {
      this.own.add(key);
      return name;
    }
    if (!this.warned) {
      this.warned = true;
      this.logger.warning(
        `More than ${this.limit} distinct request names since Cicada started: the exported metrics ` +
          `(/metrics, remote write, OTLP) now count new names under "${OTHER_NAME}". Group dynamic URLs ` +
          'with the name option, e.g. client.get("/item/" + id, { name: "/item/[id]" }).',
      );
    }
    return OTHER_NAME;
  }
}

function totalsOf(entry: StatsEntry, name: string, cumulative: number[]): SeriesTotals {
  const timed = entry.numRequests - entry.numNoneRequests;
  return {
    method: entry.method,
    name,
    requests: entry.numRequests,
    failures: entry.numFailures,
    bytes: entry.totalContentLength,
    timed,
    sumSeconds: entry.totalResponseTimeMs / 1000,
    cumulative,
    minSeconds: timed > 0 ? (entry.minResponseTimeMs ?? 0) / 1000 : Number.POSITIVE_INFINITY,
    maxSeconds: timed > 0 ? entry.maxResponseTimeMs / 1000 : Number.NEGATIVE_INFINITY,
  };
}

function addTotals(into: SeriesTotals, more: SeriesTotals): void {
  into.requests += more.requests;
  into.failures += more.failures;
  into.bytes += more.bytes;
  into.timed += more.timed;
  into.sumSeconds += more.sumSeconds;
  addCounts(into.cumulative, more.cumulative);
  into.minSeconds = Math.min(into.minSeconds, more.minSeconds);
  into.maxSeconds = Math.max(into.maxSeconds, more.maxSeconds);
}

/** A histogram family of the rows' times in seconds, on the latency buckets. */
function secondsHistogram(
  name: string,
  help: string,
  rows: SeriesTotals[],
  labels: (row: SeriesTotals) => Record<string, string>,
): HistogramFamily {
  return {
    kind: "histogram",
    name,
    help,
    unit: "s",
    bounds: LATENCY_BUCKETS_SECONDS,
    samples: rows.map((row) => ({
      labels: labels(row),
      cumulativeCounts: row.cumulative,
      count: row.timed,
      sum: row.sumSeconds,
      min: row.timed > 0 ? row.minSeconds : undefined,
      max: row.timed > 0 ? row.maxSeconds : undefined,
    })),
  };
}

function requestFamilies(rows: SeriesTotals[]): MetricFamily[] {
  const labels = (row: SeriesTotals) => ({ method: row.method, name: row.name });
  const responseTimes = secondsHistogram(
    "cicada_response_time_seconds",
    "Response times of requests (failures included, as in Cicada's table), seconds",
    rows,
    labels,
  );
  return [
    counter(
      "cicada_requests_total",
      "Requests sent, failures included, per method and name",
      "{request}",
      rows.map((row) => ({ labels: labels(row), value: row.requests })),
    ),
    counter(
      "cicada_request_failures_total",
      "Requests that failed, per method and name",
      "{request}",
      rows.map((row) => ({ labels: labels(row), value: row.failures })),
    ),
    counter(
      "cicada_response_bytes_total",
      "Bytes of response content received, per method and name",
      "By",
      rows.map((row) => ({ labels: labels(row), value: row.bytes })),
    ),
    responseTimes,
  ];
}

/** The transaction rows' families: counts, failures and durations per transaction name. */
function transactionFamilies(rows: SeriesTotals[]): MetricFamily[] {
  if (rows.length === 0) return [];
  const labels = (row: SeriesTotals) => ({ name: row.name });
  return [
    counter(
      "cicada_transactions_total",
      "Transactions completed (this.transaction()), failures included, per name",
      "{transaction}",
      rows.map((row) => ({ labels: labels(row), value: row.requests })),
    ),
    counter(
      "cicada_transaction_failures_total",
      "Transactions that failed (a request inside failed, or the block threw), per name",
      "{transaction}",
      rows.map((row) => ({ labels: labels(row), value: row.failures })),
    ),
    secondsHistogram(
      "cicada_transaction_duration_seconds",
      "Durations of transactions (the whole block), seconds",
      rows,
      labels,
    ),
  ];
}
