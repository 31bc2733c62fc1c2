/**
 * The exit code a locustfile asked for (Locust's `environment.process_exit_code`), set in
 * a task or a `quitting` listener: it wins over the code Cicada chose, when it is valid.
 */
import type { Environment } from "../runner/index.js";

export function withProcessExitCode(environment: Environment, chosen: number): number {
  const wanted = environment.processExitCode;
  if (wanted === undefined) return chosen;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 255) {
    environment.logger.error(
      `environment.processExitCode must be a whole number from 0 to 255, got ${String(wanted)}: exiting with ${chosen}`,
    );
    return chosen;
  }
  if (wanted !== chosen)
    environment.logger.info(`Exit code ${wanted}, set by the locustfile (processExitCode)`);
  return wanted;
}
