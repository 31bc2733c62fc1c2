/**
 * Timers for any duration. `setTimeout` holds its delay in a signed 32-bit integer: a
 * delay of 2^31 ms (24.8 days) or more fires after 1 ms instead (Node prints a
 * TimeoutOverflowWarning). `-t 600h` would then end a run at once, and a request timeout of
 * 30 days would fail every request. These helpers reach long delays by chaining timers;
 * delays that fit are a plain `setTimeout` (no allocation beyond Node's own).
 *
 * Shared by every layer that arms a timer from a user's duration: the runner (-t, -s),
 * the CLI (--autoquit), the task loop (waitTime) and the HTTP client (timeouts).
 */

/** The longest delay `setTimeout` honours: 2^31 - 1 ms, about 24.8 days. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A delay `setTimeout` can hold: at most MAX_TIMER_DELAY_MS (hot-path code that re-checks its deadline when woken). */
export function clampTimerDelay(delayMs: number): number {
  return delayMs > MAX_TIMER_DELAY_MS ? MAX_TIMER_DELAY_MS : delayMs;
}

type NativeTimer = ReturnType<typeof setTimeout>;

/** A timeout longer than `setTimeout` holds: one native timer after another until the delay has passed. */
export class LongTimeout {
  private timer: NativeTimer | undefined;
  private refed = true;
  private readonly dueAt: number;

  /** @param maxSegmentMs the longest native timer of the chain (smaller in tests, to see it chain) */
  constructor(
    private readonly callback: () => void,
    delayMs: number,
    private readonly maxSegmentMs = MAX_TIMER_DELAY_MS,
  ) {
    this.dueAt = performance.now() + delayMs;
    this.arm();
  }

  /** Cancels the timeout (idempotent). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Like Node's `timeout.unref()`: this timer alone does not keep the process alive. */
  unref(): this {
    this.refed = false;
    (this.timer as { unref?: () => void } | undefined)?.unref?.();
    return this;
  }

  private arm(): void {
    const remaining = this.dueAt - performance.now();
    if (remaining === Number.POSITIVE_INFINITY) return; // never due: arm nothing
    this.timer = setTimeout(() => this.wake(), Math.min(this.maxSegmentMs, Math.max(1, remaining)));
    if (!this.refed) (this.timer as { unref?: () => void }).unref?.();
  }

  private wake(): void {
    this.timer = undefined;
    if (performance.now() >= this.dueAt) this.callback();
    else this.arm();
  }
}

/** A native timer, or a LongTimeout for delays it cannot hold. */
export type TimerHandle = NativeTimer | LongTimeout;

/**
 * `setTimeout(callback, delayMs, ...args)` for any delay ≥ 0, including ones above
 * MAX_TIMER_DELAY_MS (chained) and Infinity (never fires). Cancel with {@link stopTimer}.
 */
export function startTimer<A extends unknown[]>(
  callback: (...args: A) => void,
  delayMs: number,
  ...args: A
): TimerHandle {
  if (delayMs <= MAX_TIMER_DELAY_MS) return setTimeout(callback, delayMs, ...args);
  return new LongTimeout(() => callback(...args), delayMs);
}

/** Cancels a timer of {@link startTimer} (undefined is ignored). */
export function stopTimer(timer: TimerHandle | undefined): void {
  if (timer === undefined) return;
  if (timer instanceof LongTimeout) timer.clear();
  else clearTimeout(timer);
}

/**
 * True when `promise` settles within `ms` (its value or error does not matter), false when
 * the time ran out first. Any length of `ms`.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = startTimer(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    stopTimer(timer);
  }
}
