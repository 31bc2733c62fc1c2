import { completeSecondLag } from "./current-window.js";
import type { StatsEntry } from "./stats-entry.js";

/** The requests and failures completed from a test's start to a moment (epoch ms). */
export interface CountPoint {
  timeMs: number;
  requests: number;
  failures: number;
}

/** When the counts are read: as a test begins, during it, or once it has ended (every count is in). */
export type CountMoment = "begin" | "tick" | "end";

/** What {@link SettledCounts} reads: RequestStats satisfies it. */
export interface CountSource {
  readonly total: StatsEntry;
  onBeforeReset(listener: () => void): () => void;
}

/** Seconds a master looks back at most when it has not read for a while (the window's ring holds ~20). */
const MAX_CATCH_UP_SECONDS = 15;

/**
 * The Aggregated row's cumulative request and failure counts since a test began, at
 * moments whose counts are complete, so that the rate between two of them is the rate
 * the target served then (where Locust's "current" rate averages the last 10 s).
 *
 * A process that records its own requests knows them as they complete: each read is one
 * point at that moment. A distributed master hears of a second's requests from each
 * worker's next report, up to 3 s later: a read gives a point at the end of each whole
 * second that every worker has surely reported (completeSecondLag: 5 s back), counted by
 * the second the workers completed them in, so a rate never reads low because a report
 * is still on its way. Once the test has ended (`"end"`, after the workers' final reports)
 * the remaining seconds and the end itself follow.
 *
 * A "Reset stats" during the test folds the counts so far into the next ones: the counts
 * stay cumulative from the test's start.
 */
export class SettledCounts {
  private readonly settleSeconds: number;
  /** Counted before the last reset, and at the test's start (subtracted). */
  private offset = { requests: 0, failures: 0 };
  private lastTimeMs = Number.NEGATIVE_INFINITY;
  private lastSecond = Number.NEGATIVE_INFINITY;
  private readonly removeListener: () => void;

  constructor(private readonly stats: CountSource) {
    const lag = stats.total.currentWindowLagSeconds;
    // Lag 1: this process records its requests itself, so every count is in at once.
    this.settleSeconds = lag === 1 ? 0 : completeSecondLag(lag);
    this.removeListener = stats.onBeforeReset(() => {
      const total = this.stats.total;
      this.offset = {
        requests: this.offset.requests + total.numRequests,
        failures: this.offset.failures + total.numFailures,
      };
    });
  }

  /** The points that became complete since the last read (oldest first; none when nothing new). */
  read(nowMs: number, moment: CountMoment): CountPoint[] {
    const total = this.stats.total;
    if (moment === "begin") {
      this.offset = { requests: -total.numRequests, failures: -total.numFailures };
      this.lastTimeMs = Number.NEGATIVE_INFINITY;
      this.lastSecond = Math.floor(nowMs / 1000) - 1;
      return this.take([{ timeMs: nowMs, requests: 0, failures: 0 }]);
    }
    const points: CountPoint[] = [];
    if (this.settleSeconds > 0) {
      const newest = Math.floor(nowMs / 1000) - (moment === "end" ? 1 : this.settleSeconds);
      const first = Math.max(this.lastSecond + 1, newest - MAX_CATCH_UP_SECONDS);
      for (let second = first; second <= newest; second++) {
        const counts = total.countsThroughSecond(second);
        points.push(this.point((second + 1) * 1000, counts.requests, counts.failures));
      }
      this.lastSecond = Math.max(this.lastSecond, newest);
      if (moment !== "end") return this.take(points);
    }
    points.push(this.point(nowMs, total.numRequests, total.numFailures));
    return this.take(points);
  }

  /** Stops following the stats' resets. */
  close(): void {
    this.removeListener();
  }

  private point(timeMs: number, requests: number, failures: number): CountPoint {
    return { timeMs, requests: this.offset.requests + requests, failures: this.offset.failures + failures };
  }

  /** The points after the last one given, remembered. */
  private take(points: CountPoint[]): CountPoint[] {
    const fresh = points.filter((p) => p.timeMs > this.lastTimeMs);
    const last = fresh[fresh.length - 1];
    if (last !== undefined) this.lastTimeMs = last.timeMs;
    return fresh;
  }
}
