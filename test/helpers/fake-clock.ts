/**
 * A fake clock for the open model's scheduler: time moves only when a test advances it,
 * and timers fire in order. Like Node's, a timer never fires sooner than 1 ms after it was
 * armed (and `lateMs` can make every timer fire later still, as on a busy machine).
 */
import type { SchedulerClock } from "../../src/runner/index.js";

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeClock implements SchedulerClock {
  readonly epochOffsetMs = 1_700_000_000_000;
  /** Timers the scheduler armed (not those of {@link later}). */
  armed = 0;
  /** Extra delay of every scheduler timer, ms: a function so tests can vary it. */
  lateMs: () => number = () => 0;
  private time = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    this.armed++;
    return this.add(callback, Math.max(1, delayMs) + this.lateMs());
  }

  clearTimer(handle: unknown): void {
    const at = this.timers.findIndex((timer) => timer.id === handle);
    if (at >= 0) this.timers.splice(at, 1);
  }

  /** Runs `callback` after `delayMs` of fake time (a user's task ending, say). */
  later(callback: () => void, delayMs: number): void {
    this.add(callback, delayMs);
  }

  /** Timers pending now. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time to `targetMs`, firing every timer due on the way, in order. */
  advanceTo(targetMs: number): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= targetMs) {
      const next = this.timers.shift()!;
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = Math.max(this.time, targetMs);
  }

  private add(callback: () => void, delayMs: number): number {
    const id = this.nextId++;
    const at = this.time + delayMs;
    // Sorted by time, then by arming order: binary search for the first later timer.
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.timers[mid]!.at <= at) low = mid + 1;
      else high = mid;
    }
    this.timers.splice(low, 0, { id, at, callback });
    return id;
  }
}
