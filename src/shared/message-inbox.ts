/**
 * `waitFor` for message streams (WebSocket messages, Server-Sent Events): the time from
 * the call, or from the last send, to the first message that matches a predicate,
 * reported as one request-like row under the wait's name. A timeout or the stream
 * closing first is a failure of the system under test: reported, never thrown.
 *
 * Which messages can match: those received since the later of the last send and the end
 * of the previous wait (kept in a bounded inbox while nobody waits), then new ones. A
 * message that was already there when `waitFor` was called matches at once and counts
 * as the time from the clock's start (the send) to its arrival, or 0 with no send: the
 * user waited that long for it, no more.
 */
import { startTimer, stopTimer, type TimerHandle } from "./timers.js";

/** What a wait reports: the fields of a request event, without its type. */
export interface WaitReport {
  name: string;
  responseTimeMs: number;
  responseLength: number;
  exception: Error | null;
  startTimeMs: number;
}

/** Options of one wait. */
export interface WaitOptions {
  /** The statistics row of this wait. */
  name: string;
  /** Seconds to wait for a matching message (default: the client's wait timeout). */
  timeout?: number;
}

/** A failure of a wait: `Timeout: ...` or `ConnectionClosed: ...` in the failures table. */
export class WaitFailure extends Error {
  constructor(name: "Timeout" | "ConnectionClosed", message: string) {
    super(message);
    this.name = name;
  }
}

interface Received<T> {
  message: T;
  atMs: number;
}

interface PendingWait<T> {
  predicate: (message: T) => boolean;
  name: string;
  clockStartMs: number;
  startTimeMs: number;
  timer: TimerHandle;
  resolve: (message: T | undefined) => void;
  reject: (reason: unknown) => void;
}

export interface MessageInboxOptions<T> {
  /** Called once per finished wait (success or failure). */
  report: (report: WaitReport) => void;
  /** Bytes of a message, for the row's response length. */
  sizeOf: (message: T) => number;
  /** Seconds a wait lasts when its options give no timeout. */
  defaultTimeoutSeconds: number;
  /** Messages kept while nobody waits; older ones are dropped. Default 1000. */
  capacity?: number;
}

/** The messages of one stream and the (at most one) wait on them. */
export class MessageInbox<T> {
  private received: Array<Received<T>> = [];
  /** Set by a send, cleared when a wait ends: the clock start of the next wait. */
  private sentAtMs: number | undefined;
  private sentAtEpochMs = 0;
  private pending: PendingWait<T> | undefined;
  private closedBecause: WaitFailure | undefined;
  private cancelledBecause: { reason: unknown } | undefined;
  /** Messages dropped because the inbox was full while nobody waited. */
  dropped = 0;

  constructor(private readonly options: MessageInboxOptions<T>) {}

  /** True once `close()` was called: waits fail at once. */
  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  /** A message arrived: it ends the pending wait if it matches, else it is kept for the next wait. */
  push(message: T): void {
    const atMs = performance.now();
    const wait = this.pending;
    if (wait !== undefined) {
      let matches: boolean;
      try {
        matches = wait.predicate(message);
      } catch (error) {
        this.settle(wait);
        wait.reject(error);
        return;
      }
      if (matches) this.succeed(wait, message, atMs);
      return;
    }
    this.received.push({ message, atMs });
    if (this.received.length > (this.options.capacity ?? 1000)) {
      this.received.shift();
      this.dropped++;
    }
  }

  /** A message was sent: the next wait's clock starts now, and earlier messages cannot answer it. */
  markSent(): void {
    this.sentAtMs = performance.now();
    this.sentAtEpochMs = Date.now();
    this.received.length = 0;
  }

  /** No more messages will come: a pending wait fails with `reason`, and so does every later one. */
  close(reason: WaitFailure): void {
    this.closedBecause ??= reason;
    const wait = this.pending;
    if (wait !== undefined) this.fail(wait, reason);
  }

  /** The user is being stopped: a pending wait, and every later one, rejects with `reason`, unreported. */
  cancel(reason: unknown): void {
    this.cancelledBecause ??= { reason };
    const wait = this.pending;
    if (wait === undefined) return;
    this.settle(wait);
    wait.reject(reason);
  }

  /** Resolves with the first matching message, or undefined after reporting a failure. */
  waitFor(predicate: (message: T) => boolean, options: WaitOptions): Promise<T | undefined> {
    if (this.cancelledBecause !== undefined) return Promise.reject(this.cancelledBecause.reason);
    if (this.pending !== undefined) {
      return Promise.reject(new Error("waitFor: this stream already has a wait in progress; await it first"));
    }
    const timeoutSeconds = options.timeout ?? this.options.defaultTimeoutSeconds;
    if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) {
      return Promise.reject(
        new RangeError(`waitFor: timeout must be a number of seconds > 0, got ${timeoutSeconds}`),
      );
    }
    const nowMs = performance.now();
    const clockStartMs = this.sentAtMs ?? nowMs;
    const startTimeMs = this.sentAtMs === undefined ? Date.now() : this.sentAtEpochMs;
    let buffered: Received<T> | undefined;
    try {
      buffered = this.takeFirstMatch(predicate);
    } catch (error) {
      return Promise.reject(error);
    }
    if (buffered !== undefined) {
      this.sentAtMs = undefined;
      this.options.report({
        name: options.name,
        responseTimeMs: Math.max(0, buffered.atMs - clockStartMs),
        responseLength: this.options.sizeOf(buffered.message),
        exception: null,
        startTimeMs,
      });
      return Promise.resolve(buffered.message);
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const wait: PendingWait<T> = {
        predicate,
        name: options.name,
        clockStartMs,
        startTimeMs,
        resolve,
        reject,
        // startTimer: any timeout, even past setTimeout's 24.8 days (timers.ts).
        timer: startTimer(() => {
          this.fail(wait, new WaitFailure("Timeout", `no matching message within ${timeoutSeconds} s`));
        }, timeoutSeconds * 1000),
      };
      this.pending = wait;
      if (this.closedBecause !== undefined) this.fail(wait, this.closedBecause);
    });
  }

  /** The first buffered message that matches, dropping it and those before it (all, if none matches). */
  private takeFirstMatch(predicate: (message: T) => boolean): Received<T> | undefined {
    const received = this.received;
    for (let index = 0; index < received.length; index++) {
      if (predicate(received[index]!.message)) {
        const match = received[index]!;
        received.splice(0, index + 1);
        return match;
      }
    }
    received.length = 0;
    return undefined;
  }

  private succeed(wait: PendingWait<T>, message: T, atMs: number): void {
    this.settle(wait);
    this.options.report({
      name: wait.name,
      responseTimeMs: Math.max(0, atMs - wait.clockStartMs),
      responseLength: this.options.sizeOf(message),
      exception: null,
      startTimeMs: wait.startTimeMs,
    });
    wait.resolve(message);
  }

  private fail(wait: PendingWait<T>, reason: WaitFailure): void {
    this.settle(wait);
    this.options.report({
      name: wait.name,
      responseTimeMs: performance.now() - wait.clockStartMs,
      responseLength: 0,
      exception: reason,
      startTimeMs: wait.startTimeMs,
    });
    wait.resolve(undefined);
  }

  private settle(wait: PendingWait<T>): void {
    stopTimer(wait.timer);
    if (this.pending === wait) this.pending = undefined;
    this.sentAtMs = undefined;
  }
}
