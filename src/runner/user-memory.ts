/**
 * Whether a number of users fits in this process's memory, before they are started:
 * `-u 5000000` (or the same in the web UI's form) used to ramp until V8 died with an
 * out-of-memory stack. Each user costs heap: about 2.5 KB when idle (a plain User between
 * tasks, measured), 15-25 KB once it holds a keep-alive HTTP connection and requests in
 * flight (docs/performance.md: 22.5 KB of memory per user at 10,000 users). Certain to
 * exceed the heap limit: refused; likely to: a warning. The CLI and the web UI word the
 * outcome their own way (an exit code, a field of the form).
 */
import { getHeapStatistics } from "node:v8";

/** Heap every user needs, even an idle one. */
const MIN_HEAP_PER_USER_BYTES = 2.5 * 1024;
/** Heap a user with a keep-alive HTTP connection usually takes. */
const TYPICAL_HEAP_PER_USER_BYTES = 20 * 1024;

/** What to do instead: the same advice wherever the users were asked for. */
export const SPREAD_USERS_HINT =
  "spread the users over processes or machines (--processes, --worker), or raise Node's limit " +
  "(NODE_OPTIONS=--max-old-space-size=MB)";

export interface UserMemoryVerdict {
  /** Set when the users cannot fit: why (they must be refused). */
  refusal?: string;
  /** Set when they probably do not fit: why (they may run, with a warning). */
  warning?: string;
}

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** Whether `users` fit in `heapLimitBytes` (V8's limit of this process by default). */
export function userMemoryVerdict(
  users: number,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): UserMemoryVerdict {
  const least = users * MIN_HEAP_PER_USER_BYTES;
  const typical = users * TYPICAL_HEAP_PER_USER_BYTES;
  const limit = gigabytes(heapLimitBytes);
  if (least > heapLimitBytes) {
    return {
      refusal: `${users} users need at least ${gigabytes(least)} of memory (2.5 KB each even when idle), more than the ${limit} this process may use: it would run out of memory`,
    };
  }
  if (typical > heapLimitBytes) {
    return {
      warning:
        `${users} users with HTTP connections usually take about ${gigabytes(typical)} of memory (about 20 KB each), ` +
        `more than the ${limit} this process may use: the run may run out of memory; ${SPREAD_USERS_HINT}`,
    };
  }
  return {};
}
