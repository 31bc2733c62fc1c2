/**
 * `--find-capacity` in a run: starting the search the options describe (headless, or the
 * web UI with --autostart), and what the run's end makes of its answer: the summary's
 * block and the exit code (docs/exit-codes.md).
 */
import { type Environment, LocalRunner, type Runner, startCapacitySearch } from "../runner/index.js";
import {
  CAPACITY_EXIT_CODES,
  type CapacityResult,
  describeSlos,
  formatGrowth,
  formatLoad,
} from "../shared/capacity.js";
import type { CliOptions } from "./options.js";
import { capacitySettingsOf } from "./options-capacity.js";

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

/** Starts the search `options` ask for on `runner` (a master's workers just follow it). */
export function startCapacityRun(environment: Environment, runner: Runner, options: CliOptions): void {
  const settings = capacitySettingsOf(options);
  const { model, start, max, minHoldMs, maxHoldMs } = settings;
  environment.logger.info(
    `Finding the capacity: ${formatLoad(model, start)} first, ${formatGrowth(settings.growth)} until an SLO breaks ` +
      `(at most ${formatLoad(model, max)}), each step held ${seconds(minHoldMs)} to ${seconds(maxHoldMs)}; ` +
      `SLOs: ${describeSlos(settings.slos)}` +
      (settings.runTimeMs === undefined ? "" : `; the whole search within ${seconds(settings.runTimeMs)}`),
  );
  startCapacitySearch(runner, settings, { distributed: !(runner instanceof LocalRunner) });
}

/** The answer of the search the latest test ran, if it was one. */
export function latestCapacityResult(
  environment: Environment,
  runner: Runner | undefined,
): CapacityResult | undefined {
  const result = environment.capacity?.result;
  const test = runner?.tests.current?.number ?? null;
  return result !== undefined && result.testNumber === test ? result : undefined;
}

/** The exit code a search's answer earns (0 when a capacity was found). */
export function capacityExitCode(result: CapacityResult): number {
  return CAPACITY_EXIT_CODES[result.outcome];
}
