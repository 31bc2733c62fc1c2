/**
 * Writes Locust's CSV files during a run, as Locust does every CSV_STATS_INTERVAL_SEC (1 s):
 * `_stats.csv`, `_failures.csv` and `_exceptions.csv` are rewritten whole, and rows are
 * appended to `_stats_history.csv`. Each rewrite goes to a temporary file renamed over the
 * old one, so a run killed at any moment leaves complete files at most a second old.
 * An arrival-rate test also gets `_iterations.csv`, created with its first row; a test
 * with checks `_checks.csv`, and one with custom metrics `_metrics.csv` (rewritten whole).
 */
import { appendFileSync, renameSync, writeFileSync } from "node:fs";
import {
  exceptionsCsv,
  failuresCsv,
  iterationsCsvHeader,
  iterationsCsvRow,
  statsCsv,
  statsHistoryCsvHeader,
  statsHistoryCsvRows,
} from "../reports/csv.js";
import { checksCsv, metricsCsv } from "../reports/scripting-tables.js";
import type { Logger } from "../shared/logger.js";
import type { RequestStats } from "../stats/index.js";
import type { OutputPaths } from "./output-paths.js";

type CsvPaths = NonNullable<OutputPaths["csv"]>;

/** Replaces `path` with `text` atomically (write a sibling, then rename). */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** The CSV files of one run. */
export class CsvOutput {
  private readonly failed = new Set<string>();
  private iterationsHeaderWritten = false;

  constructor(
    private readonly paths: CsvPaths,
    private readonly fullHistory: boolean,
    private readonly logger: Logger,
  ) {}

  /** Creates the files: the history header and the current (usually empty) tables. */
  start(stats: RequestStats, userCount: number, nowMs: number): void {
    this.guard(this.paths.history, () => writeFileSync(this.paths.history, statsHistoryCsvHeader()));
    this.write(stats, userCount, nowMs);
  }

  /**
   * Rewrites the tables and appends history rows for `nowMs`. Returns false if any file
   * could not be written (the error is logged once per file; later writes still try).
   */
  write(stats: RequestStats, userCount: number, nowMs: number): boolean {
    const snapshot = stats.snapshot(nowMs, { allCurrentPercentiles: this.fullHistory });
    const results = [
      this.guard(this.paths.stats, () => writeFileAtomic(this.paths.stats, statsCsv(snapshot))),
      this.guard(this.paths.failures, () => writeFileAtomic(this.paths.failures, failuresCsv(snapshot))),
      this.guard(this.paths.exceptions, () =>
        writeFileAtomic(this.paths.exceptions, exceptionsCsv(snapshot)),
      ),
      this.guard(this.paths.history, () =>
        appendFileSync(this.paths.history, statsHistoryCsvRows(snapshot, userCount, this.fullHistory)),
      ),
    ];
    const iterations = iterationsCsvRow(snapshot, userCount);
    if (iterations !== "")
      results.push(this.guard(this.paths.iterations, () => this.appendIterations(iterations)));
    for (const [path, text] of [
      [this.paths.checks, checksCsv(snapshot)],
      [this.paths.metrics, metricsCsv(snapshot)],
    ] as const) {
      if (text !== "") results.push(this.guard(path, () => writeFileAtomic(path, text)));
    }
    return results.every(Boolean);
  }

  private appendIterations(row: string): void {
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
      if (!this.failed.has(path)) {
        this.failed.add(path);
        this.logger.error(`could not write ${path}: ${(error as Error).message}`);
      }
      return false;
    }
  }
}
