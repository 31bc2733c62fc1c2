import { CheckStats } from "./checks.js";
import { CustomMetrics } from "./custom-metrics.js";
import { ErrorTable, ExceptionTable } from "./failure-tables.js";
import type { Histogram } from "./histogram.js";
import { StatsHistory, type StatsHistoryOptions } from "./history.js";
import { decodeIntendedHistogram } from "./intended-times.js";
import { IterationStats } from "./iterations.js";
import { PERCENTILES_TO_REPORT, PERCENTILES_TO_STATISTICS, snapshotPercentiles } from "./percentiles.js";
import {
  type ErrorSnapshot,
  type ExceptionSnapshot,
  type SnapshotOptions,
  type StatsSnapshot,
  snapshotEntry,
} from "./snapshot.js";
import {
  decodeEntryHistogram,
  type RunSpan,
  runSpanOf,
  type SerializedStatsEntry,
  StatsEntry,
} from "./stats-entry.js";
import { VITAL_TYPE } from "./vital-rows.js";

export { VITAL_TYPE };

/** Name of the total row (Locust's). */
export const AGGREGATED_NAME = "Aggregated";
/** Name that new (method, name) pairs collapse into once the name limit is reached. */
export const OTHER_NAME = "(other)";
/**
 * The type of a transaction's row (`this.transaction("checkout", ...)`). Its rows are
 * kept out of the Aggregated row: the requests inside a transaction are counted there
 * already, and counting the transaction too would count them twice.
 */
export const TRANSACTION_TYPE = "TXN";

/** Whether a row of this type counts in the Aggregated row: requests do, transactions and Web Vitals do not. */
export function countsInTotal(method: string): boolean {
  return method !== TRANSACTION_TYPE && method !== VITAL_TYPE;
}

/** Options of {@link RequestStats}. */
export interface RequestStatsOptions {
  /** Distinct (method, name) rows before new names collapse into "(other)" (default 2000). */
  maxNames?: number;
  /** Distinct (method, name, error) failure groups kept (default 1000). */
  maxErrors?: number;
  /** Distinct exception tracebacks kept (default 200). */
  maxExceptions?: number;
  /** Lag of the current window, seconds (default 1; a distributed master uses 3). */
  currentWindowLagSeconds?: number;
  /** Called with a human-readable message for things the user should know (e.g. collapsed names). */
  onWarning?: (message: string) => void;
  /** History point budgets. */
  history?: StatsHistoryOptions;
  /** Start time, epoch ms. */
  nowMs: number;
}

/**
 * The whole statistics table: one {@link StatsEntry} per (method, name), the Aggregated
 * total, the failures and exceptions tables, and the history. Memory is bounded: names
 * beyond `maxNames` collapse into "(other)" (with one warning), and the failure and
 * exception tables count what they cannot hold.
 */
export class RequestStats {
  /** Time series for charts and reports; the owner calls `history.sample(...)` about once a second. */
  readonly history: StatsHistory;
  /** The open model's iterations (scheduled, started, dropped) and target rate. */
  readonly iterations: IterationStats;
  /** Passes and fails of the locustfile's named checks. */
  readonly checks: CheckStats;
  /** The locustfile's custom metrics (Counter, Gauge, Rate, Trend). */
  readonly metrics: CustomMetrics;
  private totalEntry: StatsEntry;
  private readonly byMethod = new Map<string, Map<string, StatsEntry>>();
  /**
   * The row found last, by method and name: consecutive requests mostly hit the same row,
   * and comparing the same two strings again is cheaper than two map lookups.
   */
  private lastMethod = "";
  private lastName = "";
  private lastEntry: StatsEntry | undefined;
  private nameCount = 0;
  private sorted: StatsEntry[] | null = null;
  private collapsed = false;
  /** Set by a master that merged a Locust worker's rounded response times (see StatsSnapshot.roundedTimes). */
  roundedTimes = false;
  /**
   * Requests the HTTP client sent a second time on a new connection (the server closed a
   * kept one without answering): each is one request in the rows, but the target may have
   * counted two. See {@link countResentRequest}.
   */
  resentRequests = 0;
  /**
   * Requests a stopped user aborted after sending them: in no row (as in Locust, they are
   * neither requests nor failures), but the target may have counted them. See
   * {@link countAbortedRequests}.
   */
  abortedRequests = 0;
  /**
   * Requests a stopped user aborted before sending them: they still waited for a connection
   * (connecting, in the TLS handshake or a proxy tunnel, or queued behind another request).
   * The target never received them, but they were issued and waited on it: a target that
   * accepts no more connections leaves every request here and none in the rows.
   */
  abortedUnsentRequests = 0;
  private readonly errors: ErrorTable;
  private readonly exceptions: ExceptionTable;
  private readonly maxNames: number;
  private readonly lagSeconds: number;
  private readonly onWarning: (message: string) => void;
  private readonly resetListeners = new Set<() => void>();
  private reported: readonly number[] = PERCENTILES_TO_REPORT;
  private statistics: readonly number[] = PERCENTILES_TO_STATISTICS;
  private snapshotPercentiles: readonly number[] = PERCENTILES_TO_REPORT;

  constructor(options: RequestStatsOptions) {
    this.maxNames = options.maxNames ?? 2000;
    this.lagSeconds = options.currentWindowLagSeconds ?? 1;
    this.onWarning = options.onWarning ?? (() => {});
    this.errors = new ErrorTable(options.maxErrors ?? 1000);
    this.exceptions = new ExceptionTable(options.maxExceptions ?? 200);
    this.history = new StatsHistory(options.history);
    this.iterations = new IterationStats(options.nowMs, this.lagSeconds);
    this.checks = new CheckStats(options.maxNames ?? 2000, this.onWarning);
    this.metrics = new CustomMetrics(options.nowMs, 1000, this.onWarning);
    this.totalEntry = this.newEntry("", AGGREGATED_NAME, options.nowMs);
  }

  /** Distinct (method, name) rows before new names collapse into "(other)". */
  get nameLimit(): number {
    return this.maxNames;
  }

  /**
   * Calls `listener` at the start of every {@link reset}, while the rows still hold what
   * they counted (the metrics exporter keeps its counters monotonic that way). Returns a
   * function that removes it.
   */
  onBeforeReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** Exceptions counted since the last reset (dropped ones included). */
  get exceptionCount(): number {
    return this.exceptions.total;
  }

  /** The "Aggregated" row (method ""), fed by every record. */
  get total(): StatsEntry {
    return this.totalEntry;
  }

  /**
   * Records one request. `error` non-null also counts a failure for the row and the
   * total and groups it in the failures table. `intendedMs`, for a request of an
   * open-model iteration, is its response time from the iteration's intended start.
   * Transactions' and Web Vitals' rows stay out of the total ({@link countsInTotal}).
   * Allocation-free for an existing row.
   */
  record(
    method: string,
    name: string,
    responseTimeMs: number | null,
    contentLength: number,
    error: string | null,
    nowMs: number,
    intendedMs?: number,
  ): void {
    const entry = this.entryFor(method, name, nowMs);
    const inTotal = countsInTotal(method);
    entry.log(responseTimeMs, contentLength, nowMs);
    if (inTotal) this.totalEntry.log(responseTimeMs, contentLength, nowMs);
    if (intendedMs !== undefined) {
      entry.logIntended(intendedMs);
      if (inTotal) this.totalEntry.logIntended(intendedMs);
    }
    if (error !== null) {
      entry.logFailure(nowMs);
      if (inTotal) this.totalEntry.logFailure(nowMs);
      this.errors.record(method, entry.name, error, nowMs);
    }
  }

  /**
   * Records an exception thrown by task code; `node` identifies the worker it came from.
   * Exception rows carry no times (as in Locust); `nowMs` keeps the signature uniform.
   */
  recordException(message: string, traceback: string, _nowMs: number, node?: string): void {
    this.exceptions.record(message, traceback, node);
  }

  /** The row of (method, name), if any request was recorded for it. */
  get(method: string, name: string): StatsEntry | undefined {
    return this.byMethod.get(method)?.get(name);
  }

  /**
   * The row for (method, name), created at `nowMs` if new; once `maxNames` rows exist, new
   * names get the method's "(other)" row instead.
   */
  entryFor(method: string, name: string, nowMs: number): StatsEntry {
    if (name === this.lastName && method === this.lastMethod && this.lastEntry !== undefined) {
      return this.lastEntry;
    }
    const entry = this.findOrCreate(method, name, nowMs);
    // Collapsed names are not remembered: the name would no longer match the row.
    if (entry.name === name) {
      this.lastMethod = method;
      this.lastName = name;
      this.lastEntry = entry;
    }
    return entry;
  }

  private findOrCreate(method: string, name: string, nowMs: number): StatsEntry {
    let byName = this.byMethod.get(method);
    const existing = byName?.get(name);
    if (existing !== undefined) return existing;
    if (this.nameCount >= this.maxNames && name !== OTHER_NAME) return this.otherEntry(method, nowMs);
    if (byName === undefined) {
      byName = new Map();
      this.byMethod.set(method, byName);
    }
    const entry = this.newEntry(method, name, nowMs);
    byName.set(name, entry);
    if (name !== OTHER_NAME) this.nameCount++;
    this.sorted = null;
    return entry;
  }

  /**
   * Merges another node's entry (e.g. a worker's delta) into its row and into the total;
   * its response times count in the current second at `nowMs`.
   */
  mergeEntry(other: StatsEntry, nowMs: number): void {
    this.entryFor(other.method, other.name, nowMs).merge(other, nowMs);
    if (countsInTotal(other.method)) this.totalEntry.merge(other, nowMs);
  }

  /**
   * Merges another node's serialized report (e.g. a worker's delta since its previous
   * report): each row into its row, and the node's Aggregated row into the total, as
   * Locust's master does. A node's Aggregated row is the sum of its rows, so merging it
   * once gives the total that merging every row again would ({@link mergeEntry}), at half
   * the cost. Its start time is not taken, though: a node's Aggregated row starts at its
   * previous report, which may predate this test; the total starts no later than the
   * earliest row, as with {@link mergeEntry}. Every histogram is decoded first, so an
   * invalid one (or one that does not hold exactly its row's timed requests) throws
   * before anything is merged.
   */
  mergeSerializedReport(
    rows: readonly SerializedStatsEntry[],
    total: SerializedStatsEntry,
    nowMs: number,
  ): void {
    const histograms = rows.map(decodeCheckedHistogram);
    const totalHistogram = decodeCheckedHistogram(total);
    const intended = rows.map(decodeIntended);
    const totalIntended = decodeIntended(total);
    let earliestStart = Number.POSITIVE_INFINITY;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      this.entryFor(row.method, row.name, nowMs).mergeSerialized(row, histograms[i]!, nowMs, intended[i]);
      if (row.startTimeMs < earliestStart) earliestStart = row.startTimeMs;
    }
    this.totalEntry.mergeSerialized(
      { ...total, startTimeMs: earliestStart },
      totalHistogram,
      nowMs,
      totalIntended,
    );
  }

  /** One more request sent twice (see {@link resentRequests}). */
  countResentRequest(): void {
    this.resentRequests++;
  }

  /**
   * Requests a user's stop aborted: `sent` after they were sent (see {@link abortedRequests}),
   * `unsent` while they waited for a connection (see {@link abortedUnsentRequests}).
   */
  countAbortedRequests(sent: number, unsent = 0): void {
    this.abortedRequests += sent;
    this.abortedUnsentRequests += unsent;
  }

  /** Merges failure rows from another node (occurrences add up, first/last seen widen). */
  mergeErrors(rows: readonly ErrorSnapshot[]): void {
    for (const row of rows) this.errors.merge(row);
  }

  /** Merges exception rows from another node (counts add up, nodes are united). */
  mergeExceptions(rows: readonly ExceptionSnapshot[]): void {
    for (const row of rows) this.exceptions.merge(row);
  }

  /** All rows, sorted by name then method (the Aggregated row is {@link total}). */
  entries(): StatsEntry[] {
    if (this.sorted === null) {
      const all: StatsEntry[] = [];
      for (const byName of this.byMethod.values()) all.push(...byName.values());
      this.sorted = all.sort((a, b) => compare(a.name, b.name) || compare(a.method, b.method));
    }
    return [...this.sorted];
  }

  /**
   * Locust's reset_stats: clears rows, total, failures, exceptions and the test's history
   * (not the session's chart series); restarts at `nowMs`. `delta`: the reset after a
   * worker's report, whose counts are deltas its master adds up (unfinished iterations are
   * not carried over, see {@link IterationStats.reset}).
   */
  reset(nowMs: number, delta = false): void {
    for (const listener of this.resetListeners) listener();
    this.byMethod.clear();
    this.lastEntry = undefined;
    this.nameCount = 0;
    this.sorted = null;
    this.collapsed = false;
    this.roundedTimes = false;
    this.resentRequests = 0;
    this.abortedRequests = 0;
    this.abortedUnsentRequests = 0;
    this.totalEntry.reset(nowMs);
    this.errors.reset();
    this.exceptions.reset();
    this.iterations.reset(nowMs, !delta);
    this.checks.reset();
    this.metrics.reset(nowMs);
    this.history.reset();
  }

  /** The failures table alone (the web UI's Failures tab), without a snapshot of every row. */
  failureRows(): { errors: ErrorSnapshot[]; dropped: number } {
    return { errors: this.errors.rows(), dropped: this.errors.dropped };
  }

  /** The exceptions table alone. */
  exceptionRows(): { exceptions: ExceptionSnapshot[]; dropped: number } {
    return { exceptions: this.exceptions.rows(), dropped: this.exceptions.dropped };
  }

  /** The test's span, over which every row's requests/s is measured (as Locust's table). */
  runSpan(): RunSpan {
    return runSpanOf(this.totalEntry);
  }

  /** Everything as plain data at `nowMs` (the input of reports and the web UI). */
  snapshot(nowMs: number, options: SnapshotOptions = {}): StatsSnapshot {
    const withPercentiles = { ...options, percentiles: this.snapshotPercentiles, runSpan: this.runSpan() };
    return {
      timeMs: nowMs,
      startTimeMs: this.totalEntry.startTimeMs,
      entries:
        options.rows === false
          ? []
          : this.entries().map((entry) => snapshotEntry(entry, nowMs, withPercentiles)),
      total: snapshotEntry(this.totalEntry, nowMs, withPercentiles),
      errors: this.errors.rows(),
      exceptions: this.exceptions.rows(),
      droppedErrors: this.errors.dropped,
      droppedExceptions: this.exceptions.dropped,
      collapsedNames: this.collapsed,
      ...(this.roundedTimes ? { roundedTimes: true as const } : {}),
      ...(this.resentRequests > 0 ? { resentRequests: this.resentRequests } : {}),
      ...(this.abortedRequests > 0 ? { abortedRequests: this.abortedRequests } : {}),
      ...(this.abortedUnsentRequests > 0 ? { abortedUnsentRequests: this.abortedUnsentRequests } : {}),
      ...(this.iterations.active ? { iterations: this.iterations.snapshot(nowMs) } : {}),
      reportedPercentiles: this.reportedPercentiles,
      ...(this.checks.isEmpty ? {} : { checks: this.checks.snapshot() }),
      ...(this.metrics.isEmpty ? {} : { metrics: this.metrics.snapshot(nowMs) }),
    };
  }

  /**
   * The percentiles (0..1) the console tables, CSV files and reports show: Locust's
   * PERCENTILES_TO_REPORT unless set (--percentiles). Snapshots also keep Locust's list
   * (the JSON report's fixed keys).
   */
  get reportedPercentiles(): readonly number[] {
    return this.reported;
  }

  /** The percentile columns of the web UI's statistics table: Locust's PERCENTILES_TO_STATISTICS (95, 99) unless set. */
  get statisticsPercentiles(): readonly number[] {
    return this.statistics;
  }

  /** Sets the percentiles every output shows (--percentiles 50,90,99,99.9 gives 0.5, 0.9, 0.99, 0.999). */
  setPercentiles(list: readonly number[]): void {
    if (list.length === 0 || list.some((p) => !(p > 0 && p <= 1))) {
      throw new RangeError(`percentiles must be between 0 and 1 (1 = 100 %), got ${list.join(", ")}`);
    }
    this.reported = [...list];
    this.statistics = [...list];
    this.snapshotPercentiles = snapshotPercentiles(list);
  }

  private otherEntry(method: string, nowMs: number): StatsEntry {
    if (!this.collapsed) {
      this.collapsed = true;
      this.onWarning(
        `More than ${this.maxNames} distinct request names: new names are now counted under "${OTHER_NAME}". ` +
          "If your URLs contain ids or other dynamic parts, group them with the name option, " +
          'e.g. client.get("/item/" + id, { name: "/item/[id]" }).',
      );
    }
    return this.entryFor(method, OTHER_NAME, nowMs);
  }

  private newEntry(method: string, name: string, nowMs: number): StatsEntry {
    return new StatsEntry(method, name, nowMs, {
      currentWindowLagSeconds: this.lagSeconds,
      // The rows' current window begins where the Aggregated row's does (undefined while it is made).
      windowStartMs: this.totalEntry?.startTimeMs,
    });
  }
}

function decodeIntended(s: SerializedStatsEntry) {
  return s.intended === undefined ? undefined : decodeIntendedHistogram(s.intended);
}

/** A serialized row's histogram, which must hold one value per timed request of the row. */
function decodeCheckedHistogram(row: SerializedStatsEntry): Histogram {
  const histogram = decodeEntryHistogram(row);
  const timed = row.numRequests - row.numNoneRequests;
  if (histogram.totalCount !== timed) {
    throw new RangeError(
      `the histogram of '${row.method} ${row.name}' holds ${histogram.totalCount} response times for ${timed} timed requests`,
    );
  }
  return histogram;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
