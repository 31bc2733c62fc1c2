import type { CheckSnapshot } from "./checks.js";
import type { MetricSnapshot } from "./custom-metrics.js";
import type { IterationSnapshot } from "./iterations.js";
import { PERCENTILES_TO_REPORT } from "./percentiles.js";
import type { StatsEntry } from "./stats-entry.js";

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
  /** The open model's iterations: present only when the test ran at an arrival rate. */
  iterations?: IterationSnapshot;
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
  const [p50 = null, p95 = null, p99 = null] = entry.currentPercentiles([0.5, 0.95, 0.99], nowMs);
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
    totalRps: entry.totalRps(),
    totalFailPerSec: entry.totalFailPerSec(),
    currentRps: entry.currentRps(nowMs),
    currentFailPerSec: entry.currentFailPerSec(nowMs),
    failRatio: entry.failRatio,
    percentiles: zipPercentiles(entry.percentiles(PERCENTILES_TO_REPORT)),
    currentPercentiles: { p50, p95, p99 },
    startTimeMs: entry.startTimeMs,
    lastRequestTimeMs: entry.lastRequestTimeMs,
    totalContentLength: entry.totalContentLength,
  };
  const intended = entry.intended;
  if (intended !== undefined && intended.count > 0) {
    const values = intended.percentiles([0.5, ...PERCENTILES_TO_REPORT]);
    snapshot.intended = {
      count: intended.count,
      avgMs: intended.avgMs,
      minMs: intended.minMs,
      maxMs: intended.maxMs,
      medianMs: values[0] ?? null,
      percentiles: zipPercentiles(values.slice(1)),
    };
  }
  if (options.allCurrentPercentiles) {
    snapshot.currentPercentileValues = zipPercentiles(entry.currentPercentiles(PERCENTILES_TO_REPORT, nowMs));
  }
  return snapshot;
}

/** What a snapshot includes beyond the default. */
export interface SnapshotOptions {
  /** Compute every reported percentile over the current window (costs a merge per entry). */
  allCurrentPercentiles?: boolean;
}

function zipPercentiles(values: Array<number | null>): Array<[number, number | null]> {
  return PERCENTILES_TO_REPORT.map((p, i) => [p, values[i] ?? null]);
}
