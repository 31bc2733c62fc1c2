import type { CheckSnapshot } from "./checks.js";
import type { MetricSnapshot } from "./custom-metrics.js";
import type { IterationSnapshot } from "./iterations.js";
import { PERCENTILES_TO_REPORT } from "./percentiles.js";
import type { RunSpan, StatsEntry } from "./stats-entry.js";

/** One row of a {@link StatsSnapshot}: plain, JSON-safe numbers (times in ms, rates per second). */
export interface EntrySnapshot {
  method: string;
  name: string;
  numRequests: number;
  numFailures: number;
  numNoneRequests: number;
  avgResponseTimeMs: number;
  minResponseTimeMs: number | null;
  maxResponseTimeMs: number;
  medianResponseTimeMs: number | null;
  avgContentLength: number;
  totalRps: number;
  totalFailPerSec: number;
  currentRps: number;
  currentFailPerSec: number;
  failRatio: number;
  /** One pair per PERCENTILES_TO_REPORT entry (p in 0..1); null values when no response time was logged. */
  percentiles: Array<[percentile: number, valueMs: number | null]>;
  /** Over the current window (the last 10 whole seconds before the lag). */
  currentPercentiles: { p50: number | null; p95: number | null; p99: number | null };
  /**
   * Every PERCENTILES_TO_REPORT entry over the current window; only present when the
   * snapshot was asked for it (the full-history CSV needs it, most callers do not).
   */
  currentPercentileValues?: Array<[percentile: number, valueMs: number | null]>;
  startTimeMs: number;
  lastRequestTimeMs: number | null;
  totalContentLength: number;
  /**
   * Response times from the intended start (open model): present only for a row that
   * recorded some, so closed-model snapshots are unchanged.
   */
  intended?: IntendedSnapshot;
}

/** A row's response times from the intended start of their iterations, ms. */
export interface IntendedSnapshot {
  count: number;
  avgMs: number;
  minMs: number | null;
  maxMs: number;
  medianMs: number | null;
  /** One pair per PERCENTILES_TO_REPORT entry (p in 0..1). */
  percentiles: Array<[percentile: number, valueMs: number | null]>;
}

/** A failure row: occurrences of one (method, name, error). */
export interface ErrorSnapshot {
  method: string;
  name: string;
  error: string;
  occurrences: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** An exception row: task code that threw, grouped by traceback. */
export interface ExceptionSnapshot {
  count: number;
  message: string;
  traceback: string;
  nodes: string[];
}

/** Everything a report or the web UI shows, as plain data computed at `timeMs`. */
export interface StatsSnapshot {
  timeMs: number;
  startTimeMs: number;
  /** Sorted by name, then method. */
  entries: EntrySnapshot[];
  /** The "Aggregated" row. */
  total: EntrySnapshot;
  /** Most occurrences first. */
  errors: ErrorSnapshot[];
  /** Most frequent first. */
  exceptions: ExceptionSnapshot[];
  /** Failure occurrences not grouped because the failures table was full. */
  droppedErrors: number;
  /** Exceptions not grouped because the exceptions table was full. */
  droppedExceptions: number;
  /** True once new names started collapsing into "(other)" rows. */
  collapsedNames: boolean;
  /**
   * True when a Locust worker's times were merged: Locust sends response times rounded
   * into buckets (10 ms steps from 100 ms, 100 ms steps from 1 s), so percentiles are no
   * longer exact to 3 significant digits.
   */
  roundedTimes?: true;
  /**
   * Requests sent twice (on a new connection after the server closed a kept one without
   * answering), each recorded once: present only when there were any.
   */
  resentRequests?: number;
  /**
   * Requests aborted by a user's stop after they were sent: in no row, but the target may
   * have counted them. Present only when there were any.
   */
  abortedRequests?: number;
  /**
   * Requests aborted by a user's stop while they still waited for a connection (connect, TLS
   * handshake, a busy connection): the target never received them. Present only when there
   * were any.
   */
  abortedUnsentRequests?: number;
  /** The open model's iterations: present only when the test ran at an arrival rate. */
  iterations?: IterationSnapshot;
  /**
   * The percentiles (0..1) tables and CSV files show, in order (--percentiles; Locust's
   * list by default). Each entry's `percentiles` has them, and Locust's list besides.
   */
  reportedPercentiles: readonly number[];
  /** The locustfile's checks, sorted by name: present only when a check ran. */
  checks?: CheckSnapshot[];
  /** The locustfile's custom metrics, sorted by name: present only when one was declared or updated. */
  metrics?: MetricSnapshot[];
}

/** The snapshot of one entry at `nowMs`. */
export function snapshotEntry(
  entry: StatsEntry,
  nowMs: number,
  options: SnapshotOptions = {},
): EntrySnapshot {
  const list = options.percentiles ?? PERCENTILES_TO_REPORT;
  // One merge of the current window at most: every listed percentile (the triple among
  // them), the triple alone, or none when the caller does not need them (the CSV tables).
  const all = options.allCurrentPercentiles ? entry.currentPercentiles(list, nowMs) : undefined;
  const [p50 = null, p95 = null, p99 = null] =
    all !== undefined && CURRENT_TRIPLE.every((p) => list.includes(p))
      ? CURRENT_TRIPLE.map((p) => all[list.indexOf(p)])
      : options.currentPercentiles === false && all === undefined
        ? []
        : entry.currentPercentiles(CURRENT_TRIPLE, nowMs);
  const snapshot: EntrySnapshot = {
    method: entry.method,
    name: entry.name,
    numRequests: entry.numRequests,
    numFailures: entry.numFailures,
    numNoneRequests: entry.numNoneRequests,
    avgResponseTimeMs: entry.avgResponseTimeMs,
    minResponseTimeMs: entry.minResponseTimeMs,
    maxResponseTimeMs: entry.maxResponseTimeMs,
    medianResponseTimeMs: entry.medianResponseTimeMs,
    avgContentLength: entry.avgContentLength,
    totalRps: entry.totalRps(undefined, options.runSpan),
    totalFailPerSec: entry.totalFailPerSec(undefined, options.runSpan),
    currentRps: entry.currentRps(nowMs),
    currentFailPerSec: entry.currentFailPerSec(nowMs),
    failRatio: entry.failRatio,
    percentiles: zipPercentiles(list, entry.percentiles(list)),
    currentPercentiles: { p50, p95, p99 },
    startTimeMs: entry.startTimeMs,
    lastRequestTimeMs: entry.lastRequestTimeMs,
    totalContentLength: entry.totalContentLength,
  };
  const intended = entry.intended;
  if (intended !== undefined && intended.count > 0) {
    // The same percentiles as the service times' table (--percentiles), so both tables line up.
    const values = intended.percentiles([0.5, ...list]);
    snapshot.intended = {
      count: intended.count,
      avgMs: intended.avgMs,
      minMs: intended.minMs,
      maxMs: intended.maxMs,
      medianMs: values[0] ?? null,
      percentiles: zipPercentiles(list, values.slice(1)),
    };
  }
  if (all !== undefined) snapshot.currentPercentileValues = zipPercentiles(list, all);
  return snapshot;
}

/** What a snapshot includes beyond the default. */
export interface SnapshotOptions {
  /** Compute every reported percentile over the current window (costs a merge per entry). */
  allCurrentPercentiles?: boolean;
  /** The percentiles of each entry (default: Locust's list). */
  percentiles?: readonly number[];
  /**
   * False skips the current window's p50/p95/p99 (null in the snapshot), more than half the
   * cost of a row: the CSV tables never show them. Ignored with `allCurrentPercentiles`.
   */
  currentPercentiles?: boolean;
  /**
   * False leaves `entries` empty: for a caller that snapshots the rows itself, a few at a
   * time (`snapshotEntry`), so thousands of names never block the event loop at once.
   */
  rows?: boolean;
  /**
   * The whole test's span (its total's start and last request): the rows' `totalRps` and
   * `totalFailPerSec` are measured over it, as Locust's table does. Without it, over each
   * row's own first and last request.
   */
  runSpan?: RunSpan;
}

/** The current percentiles every snapshot row carries (also among PERCENTILES_TO_REPORT). */
const CURRENT_TRIPLE = [0.5, 0.95, 0.99];

function zipPercentiles(
  list: readonly number[],
  values: Array<number | null>,
): Array<[number, number | null]> {
  return list.map((p, i) => [p, values[i] ?? null]);
}
