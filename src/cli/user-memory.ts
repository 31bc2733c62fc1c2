/**
 * The command line's check that -u fits in this process's memory before the test starts
 * (the arithmetic is the runner's {@link userMemoryVerdict}): certain to exceed the heap
 * limit, refused with exit code 4; likely to, a warning.
 */
import { SPREAD_USERS_HINT, userMemoryVerdict } from "../runner/index.js";
import { EnvironmentError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

/**
 * Refuses `users` that cannot fit in `heapLimitBytes` (V8's limit of this process by
 * default), warns about numbers that probably do not.
 * @throws EnvironmentError (exit code 4)
 */
export function checkUserMemory(users: number, logger: Logger, heapLimitBytes?: number): void {
  const verdict = userMemoryVerdict(users, heapLimitBytes);
  if (verdict.refusal !== undefined) {
    throw new EnvironmentError("CICADA_ERR_TOO_MANY_USERS", verdict.refusal, {
      hint: `Use fewer users per process: ${SPREAD_USERS_HINT}`,
    });
  }
  if (verdict.warning !== undefined) logger.warning(verdict.warning);
}
