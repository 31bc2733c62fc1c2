/**
 * A headless run: start at once, print the live table every 2 s, stop at the run time
 * (or when a task, a shape or a signal ends it), then print Locust's final blocks and
 * return the exit code. A first Ctrl-C/SIGTERM stops users gracefully and still prints
 * everything measured; a second one skips the wait for users.
 */
import { formatFinalSummary, formatIterations, formatStatsTable } from "../reports/console.js";
import { type Environment, overloadNote, type Runner } from "../runner/index.js";
import { CicadaError, ExitCode } from "../shared/errors.js";
import type { StatsSnapshot } from "../stats/index.js";
import { formatError } from "./format-error.js";
import { watchInterrupts } from "./interrupts.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import { type StartOutcome, startTest } from "./start-test.js";
import { hadUnhandledErrors } from "./unhandled-errors.js";

const LIVE_TABLE_INTERVAL_MS = 2000;

export interface HeadlessResult {
  snapshot: StatsSnapshot;
  exitCode: number;
  interrupted: boolean;
  interruptedBy: string | undefined;
}

/**
 * Exit code of a finished run: ExitCode.unhandledErrors when the locustfile's code failed
 * outside any task, else --exit-code-on-error when any request failed or any task threw.
 */
export function exitCodeFor(snapshot: StatsSnapshot, options: CliOptions, environment: Environment): number {
  if (hadUnhandledErrors(snapshot, environment)) return ExitCode.unhandledErrors;
  const failed =
    snapshot.total.numFailures > 0 || snapshot.exceptions.length > 0 || snapshot.droppedExceptions > 0;
  return failed ? options.exitCodeOnError : 0;
}

export async function runHeadless(
  environment: Environment,
  runner: Runner,
  options: CliOptions,
  io: CliIO,
): Promise<HeadlessResult> {
  const logger = environment.logger;
  // With --json, stdout carries only the JSON document.
  const out = options.json === true ? io.stderr : io.stdout;
  const write = (lines: string[]) => out.write(`${lines.join("\n")}\n`);
  const interrupts = watchInterrupts(io, logger, runner);
  const stopped = new Promise<void>((resolve) => {
    runner.stateChanged.addListener((state) => {
      if (state === "stopped") resolve();
    });
  });
  const liveTable = options.onlySummary
    ? undefined
    : setInterval(() => {
        const snapshot = environment.stats.snapshot(environment.now());
        write([...formatStatsTable(snapshot, true), ...formatIterations(snapshot, true)]);
      }, LIVE_TABLE_INTERVAL_MS);

  let start: StartOutcome = {};
  try {
    start = startTest(environment, runner, options, true);
    // A test that never started never stops: its quit (a failed start, a signal) ends the wait.
    await Promise.race([stopped, runner.whenQuit, interrupts.forced]);
    await Promise.race([runner.quitAndWait(), interrupts.forced]);
  } finally {
    if (liveTable) clearInterval(liveTable);
    interrupts.dispose();
  }

  const snapshot = environment.stats.snapshot(environment.now());
  write(formatFinalSummary(snapshot, runner.stopTimeoutMs, runner.stopCutShort));
  const shapeFailure = start.failure instanceof CicadaError ? start.failure : runner.shapeFailure;
  // The start was refused, the load shape made a usage mistake mid-run, or a master's
  // workers could not run what they were sent: everything measured is reported, then its
  // message and code.
  const failure = shapeFailure instanceof CicadaError ? shapeFailure : runner.clusterProblem;
  if (failure !== undefined) io.stderr.write(formatError(failure).text);
  const load = environment.generatorMonitor?.state;
  if (load) write(overloadNote(load));
  await environment.events.quitting.fireAsync({ environment });
  const exitCode = failure !== undefined ? failure.exitCode : exitCodeFor(snapshot, options, environment);
  return { snapshot, exitCode, interrupted: interrupts.interrupted, interruptedBy: interrupts.signal };
}
