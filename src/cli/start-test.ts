/**
 * Starting the test the options ask for, once the run is ready (headless, or the web UI
 * with --autostart): a capacity search, the load shape, an arrival rate, or users.
 */
import type { Environment, Runner } from "../runner/index.js";
import { CicadaError } from "../shared/errors.js";
import { startCapacityRun } from "./capacity-run.js";
import type { CliOptions } from "./options.js";
import { arrivalRateOf } from "./options-open-model.js";

/** Why the test could not start, once known (a CicadaError carries its exit code and hint). */
export interface StartOutcome {
  failure?: unknown;
}

/**
 * Starts what the options ask for: a capacity search, the load shape, an arrival rate, or
 * users. A start that fails quits the runner and is kept in the returned outcome, so a
 * headless run can end with the error's message and exit code. `printsFailure`: the caller
 * prints a CicadaError's message and hint at the end (headless), so it is not logged too.
 */
export function startTest(
  environment: Environment,
  runner: Runner,
  options: CliOptions,
  printsFailure = false,
): StartOutcome {
  const logger = environment.logger;
  const outcome: StartOutcome = {};
  const onError = (error: unknown) => {
    outcome.failure = error;
    if (!(printsFailure && error instanceof CicadaError)) {
      logger.error(`could not start: ${error instanceof CicadaError ? error.message : String(error)}`);
    }
    runner.quit();
  };
  if (options.findCapacity === true) {
    startCapacityRun(environment, runner, options);
    return outcome;
  }
  const rate = arrivalRateOf(options);
  if (environment.shapeClass) {
    if (options.users !== undefined || options.spawnRate !== undefined || options.runTime !== undefined) {
      logger.warning("a LoadTestShape is in use: -u, -r and -t are ignored");
    }
    if (rate !== undefined)
      logger.warning("a LoadTestShape is in use: --arrival-rate and --ramp are ignored");
    logger.info(`Running the load shape ${environment.shapeClass.name}`);
    // An invalid first tick is a usage error, thrown before anything runs.
    runner.startShape();
    return outcome;
  }
  if (options.runTime !== undefined) logger.info(`Run time limit set to ${options.runTime / 1000} seconds`);
  if (rate !== undefined) {
    const ramp =
      rate.to === undefined ? "" : `, ramping to ${rate.to} over ${(options.ramp as number) / 1000} s`;
    logger.info(`Starting ${rate.from} iterations per second${ramp}`);
    if (options.resetStats === true && rate.to === undefined) {
      logger.warning(
        `--reset-stats resets the statistics when a ramp is done; --arrival-rate ${rate.from} has no ramp, so it does nothing (give A:B with --ramp)`,
      );
    }
    runner
      .startArrivalRate({
        rate: rate.from,
        rampTo: rate.to,
        rampMs: options.ramp as number | undefined,
        runTimeMs: options.runTime,
      })
      .catch(onError);
    return outcome;
  }
  const users = options.users ?? 1;
  const spawnRate = options.spawnRate ?? 1;
  const openModelOnly = [
    options.maxUsers !== undefined ? "--max-users" : undefined,
    options.maxQueueTime !== undefined ? "--max-queue-time" : undefined,
  ].filter((flag) => flag !== undefined);
  if (openModelOnly.length > 0) {
    logger.warning(
      `${openModelOnly.join(" and ")} ${openModelOnly.length > 1 ? "apply" : "applies"} to an arrival rate (--arrival-rate): ` +
        `this test runs ${users} user${users === 1 ? "" : "s"}, so ${openModelOnly.length > 1 ? "they do" : "it does"} nothing`,
    );
  }
  logger.info(`Ramping to ${users} users at a rate of ${spawnRate} per second`);
  runner.start(users, spawnRate, { runTimeMs: options.runTime }).catch(onError);
  return outcome;
}
