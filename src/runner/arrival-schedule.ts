/**
 * The open model's schedule as pure arithmetic: when the n-th iteration of a test is meant
 * to start, for an arrival rate that may step or ramp linearly at any moment. Nothing here
 * reads a clock or holds an iteration: an iteration is an index, its intended start is a
 * function of the index, so the iterations waiting for a user are two numbers (the oldest
 * waiting index and the next one to schedule) and memory stays bounded whatever the load.
 *
 * The rate is piecewise linear in time. Each segment starts at `t0` (ms) with `c0`
 * iterations already due (a real number), rate `a` (per ms) and slope `b` (per ms²); its
 * count at t is c0 + a·τ + b·τ²/2 with τ = t − t0, up to its end `t1`. Iteration n (from
 * 0) is due at the first moment the count grows past n: at a constant rate R the first is
 * due the moment the test starts and the n-th at n/R seconds, exactly, however late timers
 * fire; a rate of 0 has none due (not even a first), and a ramp from 0 its first at once.
 */

interface Segment {
  t0: number;
  c0: number;
  /** Iterations per ms at t0. */
  a: number;
  /** Change of the rate per ms, per ms (0 for a constant rate). */
  b: number;
  /** End of the segment (ms); Infinity for the last. */
  t1: number;
}

export class ArrivalSchedule {
  private segments: Segment[];

  /** Starts at `startMs` with `ratePerSec` iterations per second (≥ 0). */
  constructor(startMs: number, ratePerSec: number) {
    this.segments = [
      { t0: startMs, c0: 0, a: checkRate(ratePerSec) / 1000, b: 0, t1: Number.POSITIVE_INFINITY },
    ];
  }

  /** When the schedule started, ms. */
  get startMs(): number {
    return this.segments[0]!.t0;
  }

  /**
   * From `atMs` on, the rate moves linearly from its value then to `toPerSec` over
   * `rampMs` (0: a step), then stays there. A ramp in progress is cut short at `atMs`.
   */
  changeRate(atMs: number, toPerSec: number, rampMs = 0): void {
    const to = checkRate(toPerSec) / 1000;
    if (atMs < this.startMs)
      throw new RangeError("a rate change cannot be earlier than the schedule's start");
    const c0 = this.countAt(atMs);
    const from = this.perMsAt(atMs);
    const segments = this.segments;
    while (segments.length > 1 && segments[segments.length - 1]!.t0 > atMs) segments.pop();
    segments[segments.length - 1]!.t1 = atMs;
    if (rampMs > 0 && to !== from) {
      const b = (to - from) / rampMs;
      segments.push({ t0: atMs, c0, a: from, b, t1: atMs + rampMs });
      const c1 = c0 + from * rampMs + b * rampMs * rampMs * 0.5;
      segments.push({ t0: atMs + rampMs, c0: c1, a: to, b: 0, t1: Number.POSITIVE_INFINITY });
    } else {
      segments.push({ t0: atMs, c0, a: to, b: 0, t1: Number.POSITIVE_INFINITY });
    }
  }

  /** The rate at `atMs`, iterations per second. */
  rateAt(atMs: number): number {
    return this.perMsAt(atMs) * 1000;
  }

  /** The rate the schedule ends at once every ramp is done, iterations per second. */
  get finalRate(): number {
    return this.segments[this.segments.length - 1]!.a * 1000;
  }

  /** When the ramp in progress at `atMs` ends (ms), or undefined when the rate is constant then. */
  rampEndAfter(atMs: number): number | undefined {
    const segment = this.segmentAtTime(atMs);
    return segment.b !== 0 && segment.t1 > atMs ? segment.t1 : undefined;
  }

  /** Iterations due by `atMs` (a real number: the next one is due when it reaches the next integer). */
  countAt(atMs: number): number {
    const s = this.segmentAtTime(atMs);
    const tau = Math.max(0, Math.min(atMs, s.t1) - s.t0);
    return s.c0 + s.a * tau + s.b * tau * tau * 0.5;
  }

  /** Number of iterations whose start is due at `atMs` (indices 0 .. n − 1). */
  dueCount(atMs: number): number {
    if (atMs < this.startMs) return 0;
    const count = this.countAt(atMs);
    // Those the count has passed; and the one it stands on, if it grows from here. (A count
    // a hair off an integer because of rounding is that integer.)
    return this.growsAt(atMs) ? Math.floor(count + 1e-9) + 1 : Math.max(0, Math.ceil(count - 1e-9));
  }

  /** Iterations due strictly before `atMs` (one due exactly then is not counted). */
  dueBefore(atMs: number): number {
    if (atMs <= this.startMs) return 0;
    return Math.max(0, Math.ceil(this.countAt(atMs) - 1e-9));
  }

  /** When iteration `index` (from 0) is due, ms; Infinity when the rate never gets there. */
  timeOf(index: number): number {
    const s = this.segmentAtCount(index);
    if (s === undefined) return Number.POSITIVE_INFINITY;
    const k = index - s.c0;
    if (k <= 0) return s.t0;
    let tau: number;
    if (s.b === 0) {
      if (s.a <= 0) return Number.POSITIVE_INFINITY;
      tau = k / s.a;
    } else {
      // The root of b/2·τ² + a·τ − k = 0 in a form without cancellation when b is small.
      const discriminant = Math.max(0, s.a * s.a + 2 * s.b * k);
      const denominator = s.a + Math.sqrt(discriminant);
      if (denominator <= 0) return Number.POSITIVE_INFINITY;
      tau = (2 * k) / denominator;
    }
    return Math.min(s.t0 + tau, s.t1);
  }

  /**
   * Forgets segments that end before iteration `index` is due: the scheduler never asks
   * about older iterations again, so a long test with many rate changes stays small.
   */
  forgetBefore(index: number): void {
    let drop = 0;
    while (drop < this.segments.length - 1 && this.countAt(this.segments[drop]!.t1) <= index) drop++;
    if (drop > 0) this.segments = this.segments.slice(drop);
  }

  /** Segments held (for tests of {@link forgetBefore}). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** True when the count grows right after `atMs` (a rate above 0, or a ramp up from 0). */
  private growsAt(atMs: number): boolean {
    const s = this.segmentAtTime(atMs);
    return this.perMsAt(atMs) > 0 || (s.b > 0 && atMs < s.t1);
  }

  private perMsAt(atMs: number): number {
    const s = this.segmentAtTime(atMs);
    return Math.max(0, s.a + s.b * (Math.min(atMs, s.t1) - s.t0));
  }

  private segmentAtTime(atMs: number): Segment {
    const segments = this.segments;
    for (let i = segments.length - 1; i > 0; i--) if (atMs >= segments[i]!.t0) return segments[i]!;
    return segments[0]!;
  }

  /** The segment in which the count grows past `index`; undefined when no segment does. */
  private segmentAtCount(index: number): Segment | undefined {
    const segments = this.segments;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const last = i === segments.length - 1;
      // (A count a hair above an integer because of rounding is that integer.)
      if (last) return s.a > 0 || s.b > 0 || index < s.c0 - 1e-9 ? s : undefined;
      if (index < segments[i + 1]!.c0 - 1e-9) return s;
    }
    return undefined;
  }
}

function checkRate(ratePerSec: number): number {
  if (!Number.isFinite(ratePerSec) || ratePerSec < 0) {
    throw new RangeError(`an arrival rate must be a number ≥ 0, got ${ratePerSec}`);
  }
  return ratePerSec;
}
