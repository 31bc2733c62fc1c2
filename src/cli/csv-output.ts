/**
 * Writes Locust's CSV files during a run, as Locust does every CSV_STATS_INTERVAL_SEC (1 s):
 * `_stats.csv`, `_failures.csv` and `_exceptions.csv` are rewritten whole, and rows are
 * appended to `_stats_history.csv`. Each rewrite replaces the file atomically
 * (report-files.ts), so a run killed at any moment leaves complete files at most a second
 * or two old.
 *
 * While users run, a rewrite must not distort what it measures: with 2,000 request names
 * the tables cost 50-150 ms of CPU, and done in one piece every second they stalled every
 * user that long (p99.9 34.8 ms with --csv against 4.6 ms without). So the live rewrites
 * are built half a millisecond at a time between the users' I/O (sliced-work.ts) and
 * written with asynchronous I/O; a rewrite still in progress when the next second comes
 * lets that second pass. The final write, after the users have stopped, is synchronous.
 * An arrival-rate test also gets `_iterations.csv`, created with its first row; a test
 * with checks `_checks.csv`, and one with custom metrics `_metrics.csv` (rewritten whole).
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import {
  exceptionsCsv,
  failuresCsv,
  iterationsCsvHeader,
  iterationsCsvRow,
  statsCsv,
  statsCsvHeader,
  statsCsvLine,
  statsHistoryCsvHeader,
  statsHistoryCsvLine,
  statsHistoryCsvRows,
} from "../reports/csv.js";
import { checksCsv, metricsCsv } from "../reports/scripting-tables.js";
import type { Logger } from "../shared/logger.js";
import {
  type RequestStats,
  type SnapshotOptions,
  type StatsSnapshot,
  snapshotEntry,
  snapshotPercentiles,
} from "../stats/index.js";
import type { OutputPaths } from "./output-paths.js";
import { type StandardStreams, writeReportFile, writeReportFileAsync } from "./report-files.js";
import { mapInSlices } from "./sliced-work.js";

type CsvPaths = NonNullable<OutputPaths["csv"]>;

/** The text of each file for one moment. */
interface CsvTexts {
  stats: string;
  failures: string;
  exceptions: string;
  /** Rows to append to the history. */
  history: string;
  /** The row to append to `_iterations.csv` ("" outside an arrival-rate test). */
  iterations: string;
  /** `_checks.csv` and `_metrics.csv` ("" when the test has none). */
  checks: string;
  metrics: string;
}

/** The CSV files of one run. */
export class CsvOutput {
  private readonly failed = new Set<string>();
  private iterationsHeaderWritten = false;
  /**
   * The rows last appended to each history file. A master's tick after the test ended and
   * its final write can fall in the same second with the same counts: the same row twice.
   */
  private readonly lastRows = new Map<string, string>();
  private inFlight: Promise<void> | undefined;
  /** Live rewrites let pass because the previous one was still being written. */
  skipped = 0;

  constructor(
    private readonly paths: CsvPaths,
    private readonly fullHistory: boolean,
    private readonly logger: Logger,
    /** Where `/dev/stdout` and `/dev/stderr` paths go. */
    private readonly streams?: StandardStreams,
  ) {}

  /** What the files need of a snapshot: current-window percentiles only for the full history. */
  private get snapshotOptions(): SnapshotOptions {
    return this.fullHistory ? { allCurrentPercentiles: true } : { currentPercentiles: false };
  }

  /** Creates the files: the history header and the current (usually empty) tables. */
  start(stats: RequestStats, userCount: number, nowMs: number): void {
    this.guard(this.paths.history, () =>
      writeFileSync(this.paths.history, statsHistoryCsvHeader(stats.reportedPercentiles)),
    );
    this.write(stats, userCount, nowMs);
  }

  /**
   * A live rewrite for `nowMs`, built and written in the background without blocking the
   * users; nothing when the previous one has not finished yet.
   */
  update(stats: RequestStats, userCount: number, nowMs: number): void {
    if (this.inFlight !== undefined) {
      this.skipped++;
      return;
    }
    this.inFlight = this.writeInBackground(stats, userCount, nowMs).finally(() => {
      this.inFlight = undefined;
    });
  }

  /** Settles when no live rewrite is in progress (call before the final {@link write}). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /**
   * Rewrites the tables and appends history rows for `nowMs`, synchronously (the final
   * write). Returns false if any file could not be written (the error is logged once per
   * file; later writes still try).
   */
  write(stats: RequestStats, userCount: number, nowMs: number): boolean {
    const snapshot = stats.snapshot(nowMs, this.snapshotOptions);
    const texts: CsvTexts = {
      stats: statsCsv(snapshot),
      failures: failuresCsv(snapshot),
      exceptions: exceptionsCsv(snapshot),
      history: statsHistoryCsvRows(snapshot, userCount, this.fullHistory),
      iterations: iterationsCsvRow(snapshot, userCount),
      checks: checksCsv(snapshot),
      metrics: metricsCsv(snapshot),
    };
    const { paths } = this;
    const results = [
      this.guard(paths.stats, () => writeReportFile(paths.stats, texts.stats, this.streams)),
      this.guard(paths.failures, () => writeReportFile(paths.failures, texts.failures, this.streams)),
      this.guard(paths.exceptions, () => writeReportFile(paths.exceptions, texts.exceptions, this.streams)),
      this.guard(paths.history, () => {
        if (this.isNewRow(paths.history, texts.history)) appendFileSync(paths.history, texts.history);
      }),
    ];
    if (texts.iterations !== "")
      results.push(this.guard(paths.iterations, () => this.appendIterations(texts.iterations)));
    for (const [path, text] of [
      [paths.checks, texts.checks],
      [paths.metrics, texts.metrics],
    ] as const) {
      if (text !== "") results.push(this.guard(path, () => writeReportFile(path, text, this.streams)));
    }
    return results.every(Boolean);
  }

  private async writeInBackground(stats: RequestStats, userCount: number, nowMs: number): Promise<void> {
    const texts = await this.textsInSlices(stats, nowMs, userCount);
    const { paths } = this;
    await Promise.all([
      this.guardAsync(paths.stats, () => writeReportFileAsync(paths.stats, texts.stats, this.streams)),
      this.guardAsync(paths.failures, () =>
        writeReportFileAsync(paths.failures, texts.failures, this.streams),
      ),
      this.guardAsync(paths.exceptions, () =>
        writeReportFileAsync(paths.exceptions, texts.exceptions, this.streams),
      ),
      this.guardAsync(paths.history, async () => {
        if (this.isNewRow(paths.history, texts.history)) await appendFile(paths.history, texts.history);
      }),
    ]);
    if (texts.iterations !== "") this.guard(paths.iterations, () => this.appendIterations(texts.iterations));
    for (const [path, text] of [
      [paths.checks, texts.checks],
      [paths.metrics, texts.metrics],
    ] as const) {
      if (text !== "") await this.guardAsync(path, () => writeReportFileAsync(path, text, this.streams));
    }
  }

  /**
   * The files' texts, built a slice of rows at a time. Each row's snapshot becomes its
   * lines at once and is dropped: only strings outlive a slice, so the young-generation
   * collections between slices have little to copy (row objects kept for the whole
   * rewrite made them twice as long).
   */
  private async textsInSlices(stats: RequestStats, nowMs: number, userCount: number): Promise<CsvTexts> {
    // The percentile columns of --percentiles (snapshots also compute Locust's own list).
    const reported = stats.reportedPercentiles;
    const options = {
      ...this.snapshotOptions,
      percentiles: snapshotPercentiles(reported),
      runSpan: stats.runSpan(),
    };
    const intended = stats.total.intended !== undefined;
    const historyLines: string[] = [];
    const statsLines = await mapInSlices(stats.entries(), (entry) => {
      const row = snapshotEntry(entry, nowMs, options);
      if (this.fullHistory) historyLines.push(statsHistoryCsvLine(row, nowMs, userCount, true, reported));
      return statsCsvLine(row, reported, intended);
    });
    // The Aggregated row, failures and exceptions last, in one piece: while users run, the
    // Aggregated row may count a few requests more than the rows above it.
    const rest: StatsSnapshot = stats.snapshot(nowMs, { ...options, rows: false });
    historyLines.push(statsHistoryCsvLine(rest.total, nowMs, userCount, this.fullHistory, reported));
    return {
      stats:
        statsCsvHeader(reported, intended) +
        statsLines.join("") +
        statsCsvLine(rest.total, reported, intended),
      failures: failuresCsv(rest),
      exceptions: exceptionsCsv(rest),
      history: historyLines.join(""),
      iterations: iterationsCsvRow(rest, userCount),
      checks: checksCsv(rest),
      metrics: metricsCsv(rest),
    };
  }

  /** False for the very rows (timestamp and values) appended last to `path`. */
  private isNewRow(path: string, rows: string): boolean {
    if (this.lastRows.get(path) === rows) return false;
    this.lastRows.set(path, rows);
    return true;
  }

  private appendIterations(row: string): void {
    if (!this.isNewRow(this.paths.iterations, row)) return;
    if (!this.iterationsHeaderWritten) {
      writeFileSync(this.paths.iterations, iterationsCsvHeader());
      this.iterationsHeaderWritten = true;
    }
    appendFileSync(this.paths.iterations, row);
  }

  private guard(path: string, action: () => void): boolean {
    try {
      action();
      this.failed.delete(path);
      return true;
    } catch (error) {
      this.noteFailure(path, error);
      return false;
    }
  }

  private async guardAsync(path: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.failed.delete(path);
    } catch (error) {
      this.noteFailure(path, error);
    }
  }

  private noteFailure(path: string, error: unknown): void {
    if (this.failed.has(path)) return;
    this.failed.add(path);
    this.logger.error(`could not write ${path}: ${(error as Error).message}`);
  }
}
