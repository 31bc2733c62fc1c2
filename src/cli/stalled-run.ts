/**
 * How a run ends when the watchdog finds its event loop blocked (watchdog.ts): from the
 * paused main thread, synchronously, it logs where the code was, records the stall in the
 * exceptions table, prints the summary and writes every report, then returns
 * ExitCode.stalled (the watchdog exits with it). Nothing asynchronous runs again.
 */
import { formatFinalSummary } from "../reports/console.js";
import type { Environment, Runner } from "../runner/index.js";
import { ExitCode } from "../shared/errors.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import type { RunOutputs } from "./outputs.js";
import { DEFAULT_STALL_TIMEOUT_MS } from "./watchdog.js";
import { describeStall, type StallEvent } from "./watchdog-protocol.js";

export function endStalledRun(
  event: StallEvent,
  run: { environment: Environment; outputs: RunOutputs; runner: Runner; stallTimeoutMs: number },
): number {
  const { environment, outputs, runner } = run;
  const what = describeStall(event, run.stallTimeoutMs);
  const where = event.stack === "" ? "" : `\nThe main thread was here:\n${event.stack}`;
  environment.logger.error(
    `${what}: ending the run and writing the reports.${where}\n` +
      "Hint: a task (or a callback of the locustfile) runs synchronous, CPU-bound code: await between steps, " +
      "or move the work to a worker thread",
  );
  environment.reportStall(`Stalled: ${what}`, event.stack);
  const snapshot = environment.stats.snapshot(environment.now());
  outputs.summaryStream.write(
    `${formatFinalSummary(snapshot, runner.stopTimeoutMs, runner.stopCutShort).join("\n")}\n`,
  );
  outputs.finishNow({ snapshot, exitCode: ExitCode.stalled, interrupted: true, stalled: what });
  return ExitCode.stalled;
}

/**
 * Arms the watchdog (watchdog.ts) for one run: its stall timeout, the run time's end (a
 * headless -t: a blocked loop past it is a stall too), and this run's way to end.
 * Returns the function that disarms it, before the normal end writes the reports.
 */
export function watchForStalls(
  io: CliIO,
  run: { environment: Environment; outputs: RunOutputs; runner: Runner; options: CliOptions },
): () => void {
  const watchdog = io.watchdog;
  if (watchdog === undefined) return () => {};
  const { environment, outputs, runner, options } = run;
  const stallTimeoutMs = options.stallTimeout ?? DEFAULT_STALL_TIMEOUT_MS;
  watchdog.setStallTimeout(stallTimeoutMs);
  const unsubscribe = watchdog.onStall((event) =>
    endStalledRun(event, { environment, outputs, runner, stallTimeoutMs }),
  );
  const runTimeMs = options.headless && !environment.shapeClass ? options.runTime : undefined;
  let deadlineSet = false;
  const removeListener = runner.stateChanged.addListener((state) => {
    if (state === "spawning" && runTimeMs !== undefined && !deadlineSet) {
      deadlineSet = true;
      watchdog.setRunEnd(Date.now() + runTimeMs);
    } else if (state === "stopping" || state === "stopped") watchdog.setRunEnd(undefined);
  });
  return () => {
    unsubscribe();
    removeListener();
    watchdog.setRunEnd(undefined);
  };
}
