/**
 * Pushes the exported series every few seconds (remote write, OTLP), so that an endpoint
 * that is down, slow or refusing never costs the test anything:
 *
 * - one push in flight at a time, each with a timeout;
 * - a push that failed for a passing reason (no connection, a timeout, 429 or 5xx) stays
 *   queued and is retried with a backoff (0.5 s, 1 s, 2 s ... up to the interval); one
 *   refused for good (another 4xx) is dropped;
 * - the queue is bounded in pushes and in bytes: past either bound the oldest push goes.
 *   The series are cumulative, so a lost push costs resolution, never a count;
 * - one warning when an outage begins, one info line when it ends, and a summary at the
 *   end if anything was lost. The test itself never fails because of it.
 */
import type { Logger } from "../shared/logger.js";

export type PushOutcome = { delivered: true } | { delivered: false; retryable: boolean; reason: string };

/** One push, ready to send. */
export interface PushPayload {
  bytes: number;
  send(timeoutMs: number): Promise<PushOutcome>;
}

export interface PushLoopOptions {
  /** What is pushed where, for messages: "Prometheus remote write to http://...". */
  describe: string;
  /** Makes the push of the state now; a rejection counts as a failed push. */
  snapshot: () => Promise<PushPayload>;
  logger: Logger;
  intervalMs: number;
  /** Pushes kept while the endpoint fails (1: only the newest, for cumulative OTLP). */
  maxQueued: number;
  /** Bytes kept while the endpoint fails. */
  maxQueuedBytes: number;
  /** Timeout of one push (default 10 s, at most the interval doubled). */
  requestTimeoutMs?: number;
  /** How long the last push at the end may take (default 3 s). */
  finalFlushMs?: number;
}

/** What the loop has done so far. */
export interface PushStats {
  delivered: number;
  /** Dropped from a full queue, refused for good, or still queued at the end. */
  dropped: number;
  failedAttempts: number;
  queued: number;
  queuedBytes: number;
}

export class PushLoop {
  private readonly queue: PushPayload[] = [];
  private queuedBytes = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> | undefined;
  /** The snapshot of a push being built, if any. */
  private building: Promise<PushPayload | undefined> | undefined;
  private backoffMs = 0;
  private inOutage = false;
  private closed = false;
  private readonly stats = { delivered: 0, dropped: 0, failedAttempts: 0 };
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: PushLoopOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? Math.min(10_000, options.intervalMs * 2);
  }

  get pushStats(): PushStats {
    return { ...this.stats, queued: this.queue.length, queuedBytes: this.queuedBytes };
  }

  /** Pushes now and then every interval; the timer never keeps the process alive. */
  start(): void {
    this.timer = setInterval(() => void this.pushNow(), this.options.intervalMs);
    this.timer.unref();
    void this.pushNow();
  }

  /** Queues the state now and sends what the queue holds. */
  async pushNow(): Promise<void> {
    if (this.closed) return;
    let payload: PushPayload | undefined;
    try {
      this.building = this.options.snapshot();
      payload = await this.building;
    } catch (error) {
      this.noteFailure(`could not build the push: ${(error as Error).message}`);
      return;
    } finally {
      this.building = undefined;
    }
    // Closed meanwhile: the final push carries a newer state, and a receiver refuses
    // samples older than ones it has (Prometheus: "out of order sample").
    if (this.closed) return;
    this.enqueue(payload);
    if (this.retryTimer === undefined) await this.drain();
  }

  /** Stops the timer and makes one last push of the final state, within `finalFlushMs`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadline = this.options.finalFlushMs ?? 3000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      (async () => {
        // A push being built or sent goes first: pushes must reach the receiver in time order.
        await this.building?.catch(() => undefined);
        await this.sending;
        this.enqueue(await this.options.snapshot().catch(() => undefined));
        await this.drain(deadline);
      })(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadline + 500);
      }),
    ]);
    clearTimeout(timer);
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
    this.queuedBytes = 0;
    const { delivered, dropped } = this.stats;
    if (dropped > 0) {
      this.options.logger.info(
        `${this.options.describe}: ${delivered} of ${delivered + dropped} pushes delivered, ${dropped} lost`,
      );
    }
  }

  private enqueue(payload: PushPayload | undefined): void {
    if (payload === undefined) return;
    this.queue.push(payload);
    this.queuedBytes += payload.bytes;
    while (
      this.queue.length > 1 &&
      (this.queue.length > this.options.maxQueued || this.queuedBytes > this.options.maxQueuedBytes)
    ) {
      this.queuedBytes -= this.queue.shift()!.bytes;
      this.stats.dropped++;
    }
  }

  /** Sends queued pushes oldest first until one fails; at most one runs at a time. */
  private drain(timeoutCapMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.sending ??= (async () => {
      try {
        while (this.queue.length > 0) {
          const payload = this.queue[0]!;
          const outcome = await payload.send(Math.min(this.requestTimeoutMs, timeoutCapMs));
          if (outcome.delivered) {
            this.remove(payload);
            this.stats.delivered++;
            this.backoffMs = 0;
            this.endOutage();
            continue;
          }
          this.stats.failedAttempts++;
          this.noteFailure(outcome.reason);
          if (!outcome.retryable) {
            this.remove(payload);
            this.stats.dropped++;
            continue;
          }
          this.scheduleRetry();
          return;
        }
      } finally {
        this.sending = undefined;
      }
    })();
    return this.sending;
  }

  private remove(payload: PushPayload): void {
    const index = this.queue.indexOf(payload);
    if (index < 0) return; // already dropped from a full queue while it was being sent
    this.queue.splice(index, 1);
    this.queuedBytes -= payload.bytes;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.backoffMs = Math.min(this.options.intervalMs, this.backoffMs === 0 ? 500 : this.backoffMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.backoffMs);
    this.retryTimer.unref();
  }

  private noteFailure(reason: string): void {
    if (this.inOutage) {
      this.options.logger.debug(`${this.options.describe} failed again: ${reason}`);
      return;
    }
    this.inOutage = true;
    const mb = (this.options.maxQueuedBytes / 1e6).toFixed(0);
    this.options.logger.warning(
      `${this.options.describe} failed: ${reason}. The test goes on; Cicada retries and keeps ` +
        `at most ${this.options.maxQueued} pushes (${mb} MB) meanwhile.`,
    );
  }

  private endOutage(): void {
    if (!this.inOutage) return;
    this.inOutage = false;
    this.options.logger.info(`${this.options.describe} works again`);
  }
}
