/**
 * Everything a run leaves behind besides the console tables: the CSV files (rewritten
 * every second), thresholds (watched for abortOnFail during the run, judged at the end),
 * and the JSON, HTML and JUnit reports written at the end, including after Ctrl-C/SIGTERM.
 *
 * Lifecycle: `RunOutputs.prepare` validates thresholds and paths before the test starts
 * (throwing a UsageError or EnvironmentError); `begin(runner)` starts the per-second
 * work; `finish(result)` prints the threshold verdict, writes every file (one failing
 * write never prevents the others) and returns the exit code.
 */

import { resolve } from "node:path";
import type { MonitorConfig } from "../monitor/config.js";
import { seriesDefinitions } from "../monitor/config.js";
import type { TargetMonitor } from "../monitor/target-monitor.js";
import {
  type AbortDecision,
  abortMoment,
  buildJsonReport,
  formatCapacitySummary,
  formatMeasured,
  formatMonitorSummary,
  formatThresholdSummary,
  type JsonThresholdResult,
  MONITOR_CSV_FILE,
  type MonitorReport,
  type MonitorThresholdContext,
  markInterrupted,
  monitorReportOf,
  parseThresholds,
  type ReportFlag,
  type ReportInput,
  type ReportMeta,
  renderHtmlReport,
  renderJunitXml,
  statsHistograms,
  type ThresholdDefinition,
} from "../reports/index.js";
import { type Environment, overloadNote, type Runner } from "../runner/index.js";
import type { CapacityResult } from "../shared/capacity.js";
import { ExitCode } from "../shared/errors.js";
import { settlesWithin } from "../shared/timers.js";
import type { SeriesColumns, StatsSnapshot } from "../stats/index.js";
import { capacityExitCode, latestCapacityResult } from "./capacity-run.js";
import { CsvOutput } from "./csv-output.js";
import type { CliIO, TextSink } from "./io.js";
import type { LoadedLocustfile } from "./locustfile.js";
import type { CliOptions } from "./options.js";
import { type ReportOptions, reportOptionsOf } from "./options-reports.js";
import { checkOutputPaths, type OutputPaths, resolveOutputPaths } from "./output-paths.js";
import { writeReportFile } from "./report-files.js";
import { buildReportMeta } from "./report-meta.js";
import { ThresholdWatch } from "./threshold-watch.js";

/** How often CSV files are rewritten and abortOnFail thresholds checked (Locust's CSV_STATS_INTERVAL_SEC). */
export const OUTPUT_INTERVAL_MS = 1000;

/** What `finish` needs from the run (runHeadless's result satisfies it). */
export interface RunResult {
  snapshot: StatsSnapshot;
  exitCode: number;
  interrupted: boolean;
  /** The signal that interrupted it (SIGINT for Ctrl-C, SIGTERM, SIGHUP), when one did. */
  interruptedBy?: string | undefined;
  /** Why the watchdog ended the run (then the exit code is ExitCode.stalled). */
  stalled?: string;
}

/** Inputs of {@link RunOutputs.prepare}. */
export interface OutputsSetup {
  options: CliOptions;
  loaded: LoadedLocustfile;
  environment: Environment;
  io: CliIO;
  /** What `--monitor`/`--prometheus` will watch, if anything (for `host:` thresholds). */
  monitor?: MonitorConfig | undefined;
}

/** A writer that may have failed (the monitor CSV). */
interface FallibleWriter {
  readonly ok: boolean;
  stop(): void;
}

/** Which hosts and series `host:` thresholds may name, before the test. */
function monitorContext(config: MonitorConfig | undefined): MonitorThresholdContext | undefined {
  if (config === undefined) return undefined;
  return {
    series: seriesDefinitions(config),
    // Prometheus's hosts are its series' instances: known only once it answers.
    hosts: config.prometheus === undefined ? config.endpoints.map((e) => e.label) : null,
  };
}

/** The report files and thresholds of one run. */
export class RunOutputs {
  private readonly flags: ReportFlag[] = [];
  private readonly csv: CsvOutput | undefined;
  /** abortOnFail and windowed thresholds, judged while the run goes on. */
  private readonly watch: ThresholdWatch;
  private timer: ReturnType<typeof setInterval> | undefined;
  private runner: Runner | undefined;
  private monitor: TargetMonitor | undefined;
  private monitorCsv: FallibleWriter | undefined;

  private constructor(
    private readonly setup: OutputsSetup,
    readonly report: ReportOptions,
    readonly paths: OutputPaths,
    readonly thresholds: readonly ThresholdDefinition[],
  ) {
    const logger = setup.environment.logger;
    this.csv = paths.csv ? new CsvOutput(paths.csv, report.csvFullHistory, logger, setup.io) : undefined;
    this.watch = new ThresholdWatch(thresholds, setup.environment, (decision) => this.abort(decision));
  }

  /**
   * Validates the thresholds (locustfile export and --threshold) and the output paths.
   * Writes nothing.
   * @throws UsageError (exit 2) for a bad threshold, EnvironmentError (exit 4) for a path that cannot be written.
   */
  static prepare(setup: OutputsSetup): RunOutputs {
    const report = reportOptionsOf(setup.options);
    const thresholds = parseThresholds(
      setup.loaded.exports.thresholds,
      report.thresholds,
      monitorContext(setup.monitor),
      setup.loaded.events.metricDeclarations.list(),
    );
    const shape = setup.environment.shapeClass !== undefined;
    // {u} and {r} name users: an arrival rate has none ("none", as with a shape), nor has a
    // capacity search, which sets the load step by step (its {t} is its -t limit).
    const users = !shape && setup.options.arrivalRate === undefined && setup.options.findCapacity !== true;
    const paths = resolveOutputPaths(report, setup.io.cwd, {
      users: users ? (setup.options.users ?? 1) : undefined,
      spawnRate: users ? (setup.options.spawnRate ?? 1) : undefined,
      runTimeMs: shape ? undefined : setup.options.runTime,
    });
    checkOutputPaths(paths, report.json);
    if (report.csvFullHistory && !report.csv) {
      setup.environment.logger.warning("--csv-full-history does nothing without --csv PREFIX");
    }
    if (report.junit && thresholds.length === 0) {
      setup.environment.logger.warning("--junit without thresholds: the JUnit file will have no test case");
    }
    return new RunOutputs(setup, report, paths, thresholds);
  }

  /** Where the tables and summary go: stderr when --json keeps stdout for the JSON. */
  get summaryStream(): TextSink {
    return this.report.json ? this.setup.io.stderr : this.setup.io.stdout;
  }

  /** Adds a note shown in the reports (e.g. "generator overloaded"). */
  addFlag(flag: ReportFlag): void {
    if (!this.flags.some((f) => f.code === flag.code)) this.flags.push(flag);
  }

  /** Starts writing CSV files and watching abortOnFail and windowed thresholds, once a second. */
  begin(runner: Runner): void {
    this.runner = runner;
    const { environment } = this.setup;
    this.csv?.start(environment.stats, runner.userCount, environment.now());
    this.watch.begin(runner);
    if (this.csv === undefined && !this.watch.needsTicks) return;
    this.timer = setInterval(() => this.tick(), OUTPUT_INTERVAL_MS);
    this.timer.unref?.();
  }

  /** Stops the per-second work (idempotent). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.watch.stop();
    this.monitorCsv?.stop();
  }

  /** Where `PREFIX_monitor.csv` goes (with --csv), beside the other CSV files. */
  get monitorCsvPath(): string | undefined {
    return this.report.csv === undefined
      ? undefined
      : resolve(this.setup.io.cwd, this.report.csv) + MONITOR_CSV_FILE;
  }

  /** The run's target monitor: its data goes into every report and `host:` thresholds read it. */
  attachMonitor(monitor: TargetMonitor, csv?: FallibleWriter): void {
    this.monitor = monitor;
    this.watch.monitor = monitor;
    this.monitorCsv = csv;
  }

  /** The target's part of the reports, the finding computed against `load` (default: the current history). */
  monitorReport(load?: SeriesColumns): MonitorReport | undefined {
    if (this.monitor === undefined) return undefined;
    return monitorReportOf(this.monitor.data(), load ?? this.setup.environment.stats.history.toJSON().total);
  }

  /** The run's --stop-timeout, ms: the reports' note on requests a stop aborted says whether it ran out. */
  /** See Runner.stopCutShort. */
  get stopCutShort(): boolean {
    return this.runner?.stopCutShort === true;
  }

  get stopTimeoutMs(): number {
    return this.runner?.stopTimeoutMs ?? this.setup.options.stopTimeout ?? 0;
  }

  /** The answer of the capacity search the latest test was, if it was one and it ended. */
  capacityResult(): CapacityResult | undefined {
    return latestCapacityResult(this.setup.environment, this.runner);
  }

  private tick(): void {
    const { environment } = this.setup;
    // A live rewrite, built in slices in the background (csv-output.ts).
    this.csv?.update(environment.stats, this.runner?.userCount ?? 0, environment.now());
    this.watch.tick();
  }

  private abort(decision: AbortDecision): void {
    const { key, expression } = decision.definition;
    const when = abortMoment(decision);
    this.setup.environment.logger.error(
      `threshold '${key}: ${expression}' failed (measured ${formatMeasured(decision.result)}) ${when}: aborting the run (abortOnFail)`,
    );
    this.addFlag({
      code: "aborted-by-threshold",
      message: `The run was stopped early because the threshold '${key}: ${expression}' failed (abortOnFail).`,
    });
    this.runner?.quit();
  }

  /**
   * The metadata of the latest test (see report-meta.ts). `endTimeMs` is when the process
   * stopped measuring (a report written at exit), or null for a report of the live run;
   * a test that already stopped keeps its own end either way.
   */
  meta(endTimeMs: number | null, nowMs: number): ReportMeta {
    const { environment, options, loaded } = this.setup;
    const meta = buildReportMeta({
      environment,
      runner: this.runner,
      options,
      locustfile: loaded.bundles.map((b) => b.filename).join(", "),
      flags: [...this.flags, ...generatorFlags(environment)],
      endTimeMs,
      nowMs,
    });
    // A capacity search changes the load at every step: its own section lists them.
    const searched = environment.capacity?.running === true || this.capacityResult() !== undefined;
    return searched ? { ...meta, flags: meta.flags.filter((flag) => flag.code !== "test-changed") } : meta;
  }

  /** Threshold results at `nowMs`; the one that aborted the run is marked and counts as failed. */
  evaluateThresholds(nowMs: number): JsonThresholdResult[] {
    return this.watch.evaluate(nowMs);
  }

  /**
   * Ends the run's outputs: prints the threshold verdict, writes every file and returns
   * the exit code: ended by the watchdog → 6; thresholds failed → 99; else a report file
   * could not be written → 4; else a capacity search's code (docs/exit-codes.md; failed
   * requests are what it looks for, so --exit-code-on-error does not apply); else the run's
   * own code (5 for errors outside any task, --exit-code-on-error when requests failed, or 0).
   */
  async finish(result: RunResult): Promise<number> {
    this.stop();
    // The last live CSV rewrite must land before the final one, not after it (bounded).
    if (this.csv) await settlesWithin(this.csv.settled(), FINAL_WRITE_WAIT_MS);
    return this.finishNow(result);
  }

  /**
   * {@link finish} at once, synchronously: for a run the watchdog ends from a paused main
   * thread (stalled-run.ts), where nothing asynchronous will run again.
   */
  finishNow(result: RunResult): number {
    this.stop();
    const { environment, io } = this.setup;
    // A signal now must not kill the process halfway through writing the reports.
    const unsubscribe = io.onSignal((signal) =>
      environment.logger.warning(`${signal} received while writing the reports: finishing them first`),
    );
    try {
      if (result.stalled !== undefined) {
        this.addFlag({
          code: "stalled",
          message: `The run was ended by the watchdog: ${result.stalled}. The statistics cover the time until then, and the response times of the last seconds include the stall.`,
        });
      } else if (result.interrupted) {
        const message = `The run was interrupted by ${result.interruptedBy ?? "a signal"}; the statistics cover the time until then.`;
        this.addFlag({ code: "interrupted", message });
        // Said beside the summary too: the log line of the signal may be in --logfile or below -L.
        this.summaryStream.write(`⚠ ${message}\n`);
      }
      const end = result.snapshot.timeMs;
      const history = environment.stats.history.toJSON();
      const monitor = this.monitorReport(history.total);
      const target = formatMonitorSummary(monitor);
      if (target.length > 0) this.summaryStream.write(`${target.join("\n")}\n`);
      const capacity = this.capacityResult();
      const answer = formatCapacitySummary(capacity);
      if (answer.length > 0) this.summaryStream.write(`${answer.join("\n")}\n`);
      const thresholds = markInterrupted(
        this.evaluateThresholds(end),
        environment.stats.iterations.interrupted,
      );
      const summary = formatThresholdSummary(thresholds);
      if (summary.length > 0) this.summaryStream.write(`${summary.join("\n")}\n`);
      const input: ReportInput = {
        snapshot: result.snapshot,
        history,
        meta: this.meta(end, end),
        thresholds,
        ...(monitor ? { monitor } : {}),
        ...statsHistograms(environment.stats),
        capacity,
        stopTimeoutMs: this.stopTimeoutMs,
        stopCutShort: this.runner?.stopCutShort === true,
      };
      const written = this.writeFiles(input, thresholds);
      if (result.stalled !== undefined) return ExitCode.stalled;
      if (thresholds.some((t) => !t.passed)) return ExitCode.thresholds;
      if (!written) return ExitCode.environment;
      return capacity ? capacityExitCode(capacity) : result.exitCode;
    } finally {
      unsubscribe();
    }
  }

  /** Writes every report; returns false if any could not be written (each failure is logged). */
  private writeFiles(input: ReportInput, thresholds: JsonThresholdResult[]): boolean {
    const { environment, io } = this.setup;
    const logger = environment.logger;
    let ok = true;
    const attempt = (what: string, path: string, write: () => void) => {
      try {
        write();
        logger.info(`${what} written to ${path}`);
      } catch (error) {
        ok = false;
        logger.error(`could not write the ${what} to ${path}: ${(error as Error).message}`);
      }
    };
    if (this.csv && !this.csv.write(environment.stats, 0, input.snapshot.timeMs)) ok = false;
    if (this.monitorCsv && !this.monitorCsv.ok) ok = false;
    let json: string | undefined;
    const jsonText = () => {
      json ??= JSON.stringify(buildJsonReport(input));
      return json;
    };
    if (this.paths.jsonFile) {
      const path = this.paths.jsonFile;
      attempt("JSON report", path, () => writeReportFile(path, `${jsonText()}\n`, io));
    }
    if (this.paths.junit) {
      const path = this.paths.junit;
      attempt("JUnit XML", path, () => writeReportFile(path, renderJunitXml(thresholds, input.meta), io));
    }
    if (this.paths.html) {
      const path = this.paths.html;
      attempt("HTML report", path, () => writeReportFile(path, renderHtmlReport(input), io));
    }
    if (this.report.json) io.stdout.write(`${jsonText()}\n`);
    return ok;
  }
}

/** How long the final write waits for a live CSV rewrite still in progress. */
const FINAL_WRITE_WAIT_MS = 5000;

/**
 * A report flag when Cicada itself was the bottleneck for part of the test
 * ("generator-overloaded"), or when a master was (which does not touch the latencies).
 */
export function generatorFlags(environment: Environment): ReportFlag[] {
  const load = environment.generatorMonitor?.state;
  if (!load || load.overloadedSeconds === 0) return [];
  return [
    {
      code: load.role === "master" ? "master-overloaded" : "generator-overloaded",
      message: overloadNote(load).join(" ").replace(/\s+/g, " ").trim(),
    },
  ];
}
