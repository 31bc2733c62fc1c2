/**
 * Wait-time helpers, in seconds as in Locust. A wait time is a function called after each
 * task with `this` bound to the user (or task set) and returns how long to wait.
 *
 * @example
 * class Shopper extends HttpUser { waitTime = between(1, 5); }
 */
export interface WaitTimeContext {
  /** When the task that just ended started, in `performance.now()` milliseconds. */
  taskStartedAtMs: number;
  /** Now, in `performance.now()` milliseconds. */
  nowMs: number;
}

export type WaitTimeFunction = (this: unknown, context?: WaitTimeContext) => number;

function requireNonNegative(helper: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${helper}: ${name} must be a number of seconds ≥ 0, got ${String(value)}`);
  }
}

/** A uniformly random wait between `min` and `max` seconds. */
export function between(min: number, max: number): WaitTimeFunction {
  requireNonNegative("between()", "min", min);
  requireNonNegative("between()", "max", max);
  if (max < min) throw new RangeError(`between(): max (${max}) must be ≥ min (${min})`);
  return () => min + Math.random() * (max - min);
}

/** Always wait `seconds`. */
export function constant(seconds: number): WaitTimeFunction {
  requireNonNegative("constant()", "seconds", seconds);
  return () => seconds;
}

/**
 * Start a task every `seconds` at most: the wait is `seconds` minus how long the task
 * took (never negative). A task that takes longer than the pacing is followed at once.
 */
export function constantPacing(seconds: number): WaitTimeFunction {
  requireNonNegative("constantPacing()", "seconds", seconds);
  return (context?: WaitTimeContext) => {
    if (!context) return seconds;
    const ranForSeconds = (context.nowMs - context.taskStartedAtMs) / 1000;
    return Math.max(0, seconds - ranForSeconds);
  };
}

/**
 * At most `tasksPerSecond` task runs per second *per user* (Locust's semantics): the
 * inverse of constantPacing. 10 users with constantThroughput(2) make at most 20 tasks/s.
 */
export function constantThroughput(tasksPerSecond: number): WaitTimeFunction {
  if (!Number.isFinite(tasksPerSecond) || tasksPerSecond <= 0) {
    throw new RangeError(`constantThroughput(): tasksPerSecond must be > 0, got ${String(tasksPerSecond)}`);
  }
  return constantPacing(1 / tasksPerSecond);
}
