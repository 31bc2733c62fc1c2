/**
 * A check that -u fits in this process's memory before the test starts: `-u 5000000`
 * used to ramp until V8 died with an out-of-memory stack. Each user costs heap: about
 * 2.5 KB when idle (a plain User between tasks, measured), 15-25 KB once it holds a
 * keep-alive HTTP connection and requests in flight (docs/performance.md: 22.5 KB of
 * memory per user at 10,000 users). Certain to exceed the heap limit: refused; likely to:
 * a warning.
 */
import { getHeapStatistics } from "node:v8";
import { EnvironmentError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

/** Heap every user needs, even an idle one. */
export const MIN_HEAP_PER_USER_BYTES = 2.5 * 1024;
/** Heap a user with a keep-alive HTTP connection usually takes. */
export const TYPICAL_HEAP_PER_USER_BYTES = 20 * 1024;

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/**
 * Refuses `users` that cannot fit in `heapLimitBytes` (V8's limit of this process by
 * default), warns about numbers that probably do not.
 * @throws EnvironmentError (exit code 4)
 */
export function checkUserMemory(
  users: number,
  logger: Logger,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): void {
  const least = users * MIN_HEAP_PER_USER_BYTES;
  const typical = users * TYPICAL_HEAP_PER_USER_BYTES;
  const limit = gigabytes(heapLimitBytes);
  const spread =
    "spread the users over processes or machines (--processes, --worker), or raise Node's limit " +
    "(NODE_OPTIONS=--max-old-space-size=MB)";
  if (least > heapLimitBytes) {
    throw new EnvironmentError(
      "CICADA_ERR_TOO_MANY_USERS",
      `${users} users need at least ${gigabytes(least)} of memory (2.5 KB each even when idle), more than the ${limit} this process may use: it would run out of memory`,
      { hint: `Use fewer users per process: ${spread}` },
    );
  }
  if (typical > heapLimitBytes) {
    logger.warning(
      `${users} users with HTTP connections usually take about ${gigabytes(typical)} of memory (about 20 KB each), ` +
        `more than the ${limit} this process may use: the run may run out of memory; ${spread}`,
    );
  }
}
