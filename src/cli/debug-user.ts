/**
 * `--debug-user [Class]`: Locust's `run_single_user` on the command line. One user of one
 * class runs, without statistics tables, and every request it makes is printed on stdout
 * as it ends (method, URL, status, time, size, and the failure if any; with
 * --debug-payload the response's headers and body too). It ends with -t, -i, Ctrl-C or
 * when the user stops itself; with --inspect it runs under a debugger.
 */
import type { HttpResponse } from "../http/index.js";
import { type Environment, LocalRunner } from "../runner/index.js";
import { UsageError } from "../shared/errors.js";
import { describeFailure, type RequestEvent } from "../shared/request-event.js";
import type { UserClass } from "../user/index.js";
import { exitCodeFor } from "./headless.js";
import { watchInterrupts } from "./interrupts.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import type { ParityOptions } from "./options-parity.js";

/** Longest body printed by --debug-payload, in characters. */
const MAX_BODY_CHARS = 4000;

/** The class --debug-user runs: the one named, or the locustfile's only class. */
export function debugUserClass(wanted: string | null, classes: readonly UserClass[]): string {
  const names = classes.map((cls) => cls.name);
  if (wanted !== null) return wanted; // an unknown name is reported like any unknown class
  if (names.length === 1) return names[0]!;
  throw new UsageError(
    "CICADA_ERR_DEBUG_USER",
    `--debug-user needs a class name: the locustfile has ${names.length} user classes (${names.join(", ")})`,
    { hint: `For example: --debug-user ${names[0]}` },
  );
}

/** One request as --debug-user prints it. */
export function formatDebugRequest(event: RequestEvent, payload: boolean): string {
  const response = event.response as HttpResponse | undefined;
  const status = response?.status === undefined ? "-" : String(response.status);
  const where = event.url ?? event.name;
  const named = event.url !== undefined && !event.url.endsWith(event.name) ? ` (${event.name})` : "";
  const failure = event.exception ? `  FAILED ${describeFailure(event.exception)}` : "";
  const line = `${event.requestType} ${where}${named} ${status} ${event.responseTimeMs.toFixed(2)} ms ${event.responseLength} B${failure}\n`;
  if (!payload) return line;
  const details: string[] = [];
  if (event.context && Object.keys(event.context).length > 0) {
    details.push(`  context: ${JSON.stringify(event.context)}`);
  }
  if (response !== undefined && typeof response.text === "function") {
    for (const [name, value] of Object.entries(response.headers)) {
      for (const item of Array.isArray(value) ? value : [value]) details.push(`  < ${name}: ${item}`);
    }
    const text = response.text();
    const shown =
      text.length > MAX_BODY_CHARS
        ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length - MAX_BODY_CHARS} more characters)`
        : text;
    if (shown !== "") details.push(...shown.split("\n").map((l) => `  | ${l}`));
  }
  return details.length === 0 ? line : `${line}${details.join("\n")}\n`;
}

/** Runs the one user until it ends; returns the exit code (as a headless run's). */
export async function runDebugUser(
  environment: Environment,
  options: CliOptions,
  parity: ParityOptions,
  io: CliIO,
): Promise<number> {
  const logger = environment.logger;
  const runner = new LocalRunner(environment, {
    stopTimeoutMs: options.stopTimeout ?? 0,
    iterations: parity.iterations,
  });
  environment.events.request.addListener((event) => {
    io.stdout.write(formatDebugRequest(event, parity.debugPayload));
  });
  const interrupts = watchInterrupts(io, logger, runner, "the user");
  const stopped = new Promise<void>((resolve) => {
    runner.stateChanged.addListener((state) => {
      if (state === "stopped") resolve();
    });
  });
  try {
    const name = environment.userClassInfos[0]?.name ?? "";
    logger.info(`Debugging one ${name} user (--debug-user): each request is printed as it ends`);
    runner.start(1, 1, { runTimeMs: options.runTime }).catch((error: unknown) => {
      logger.error(`could not start: ${String(error)}`);
      runner.quit();
    });
    await Promise.race([stopped, interrupts.forced]);
    await Promise.race([runner.quitAndWait(), interrupts.forced]);
  } finally {
    interrupts.dispose();
  }
  await environment.events.quitting.fireAsync({ environment });
  return exitCodeFor(environment.stats.snapshot(environment.now()), options, environment);
}
