import { Histogram, IndexList } from "./histogram.js";

/** Plain form of one second's sparse response-time counts: [second, minUs, maxUs, [index, count, ...]]. */
export type SerializedSecond = [second: number, minUs: number, maxUs: number, pairs: number[]];

/** Plain form of a {@link CurrentWindow}'s response-time state (counters travel separately). */
export interface SerializedWindow {
  openSecond: number | null;
  seconds: SerializedSecond[];
}

const noIndices = new Int32Array(0);
const noCounts = new Float64Array(0);

/** One sealed second: the non-zero (counts index, count) pairs of its response times. */
class SealedSecond {
  second = Number.NEGATIVE_INFINITY;
  length = 0;
  // Allocated with the first second sealed here: a master creates an entry per worker row.
  indices: Int32Array = noIndices;
  counts: Float64Array = noCounts;
  minUs = 0;
  maxUs = 0;

  ensureCapacity(size: number): void {
    if (size <= this.indices.length) return;
    const capacity = Math.max(size, 16, this.indices.length * 2);
    this.indices = new Int32Array(capacity);
    this.counts = new Float64Array(capacity);
  }
}

/** Shared scratch for merging a window; stats code is single-threaded and never re-entrant here. */
const scratch = new Histogram();

const floorMod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * How many whole seconds back the newest second is whose counts are complete, for a
 * window of `lagSeconds`: 1, the last whole second, in a process that records its own
 * requests (lag 1); in a master (lag 3: workers report every 3 s, so it hears of a second
 * up to 3 s after it ended) the lag plus 2 for the report's trip and merge: the second 5 s
 * back, the newest that every worker has surely reported in full.
 */
export function completeSecondLag(lagSeconds: number): number {
  return lagSeconds === 1 ? 1 : lagSeconds + 2;
}

/**
 * The "current" state of one stats entry: per-second request and failure counters and the
 * response times of recent seconds, each in a fixed ring indexed by epoch second.
 *
 * Response times of the open (latest) second go into an interval histogram plus a list of
 * the counts indices it touched. When a later second is seen (lazily, on record or query:
 * there is no timer), the open second is sealed into the ring as sparse pairs and the
 * interval histogram is zeroed in place. Recording allocates nothing except when a
 * second holds more distinct values than ever before (the touched list and the sealed
 * arrays grow, then are reused), so memory follows the number of distinct values.
 *
 * The window of a query at `nowMs` is the 10 whole seconds ending `lagSeconds` before
 * floor(nowMs / 1000), never starting before the entry's start second; the current,
 * incomplete second is never part of it.
 */
export class CurrentWindow {
  readonly lagSeconds: number;
  private readonly size: number;
  private readonly counterSecond: Float64Array;
  private readonly requests: Float64Array;
  private readonly failures: Float64Array;
  private newestCounterSecond = Number.NEGATIVE_INFINITY;
  /** Sealed seconds by ring slot, created on first use. */
  private readonly sealed: Array<SealedSecond | undefined>;
  private readonly open = new Histogram();
  private openSecond = Number.NEGATIVE_INFINITY;
  /** Counts indices of the open second's non-zero slots. */
  private readonly touched = new IndexList();

  /** @param lagSeconds whole seconds between the window's end and the current second (≥ 1). */
  constructor(lagSeconds: number) {
    if (!Number.isInteger(lagSeconds) || lagSeconds < 1) {
      throw new RangeError(`currentWindowLagSeconds must be an integer >= 1 (got ${lagSeconds})`);
    }
    this.lagSeconds = lagSeconds;
    this.size = Math.max(20, lagSeconds + 11);
    this.counterSecond = new Float64Array(this.size).fill(Number.NEGATIVE_INFINITY);
    this.requests = new Float64Array(this.size);
    this.failures = new Float64Array(this.size);
    this.sealed = new Array<SealedSecond | undefined>(this.size).fill(undefined);
  }

  /** Adds `count` requests to epoch second `second`. */
  countRequests(second: number, count: number): void {
    const slot = this.counterSlot(second);
    if (slot >= 0) this.requests[slot]! += count;
  }

  /** Adds `count` failures to epoch second `second`. */
  countFailures(second: number, count: number): void {
    const slot = this.counterSlot(second);
    if (slot >= 0) this.failures[slot]! += count;
  }

  /** Records one response time (µs) into the open second (`second` or a later open one). */
  recordResponseTime(us: number, second: number): void {
    this.advance(second);
    const index = this.open.recordReturningIndex(us, 1);
    if (this.open.countAtIndex(index) === 1) this.touched.push(index);
  }

  /** Adds a whole histogram (µs) into the open second, so current percentiles include it. */
  addHistogram(histogram: Histogram, second: number): void {
    if (histogram.totalCount === 0) return;
    this.advance(second);
    this.open.addNotingNewIndices(histogram, this.touched);
  }

  /** Seals the open second if `second` is later; queries and records call this. */
  advance(second: number): void {
    if (second <= this.openSecond) return;
    if (this.touched.length > 0) this.sealOpenSecond();
    this.openSecond = second;
  }

  /** Average per-second requests (or failures) over the window at `nowMs`. */
  currentRate(kind: "requests" | "failures", nowMs: number, startTimeMs: number): number {
    const { first, last, seconds } = this.windowAt(nowMs, startTimeMs);
    const counts = kind === "requests" ? this.requests : this.failures;
    let sum = 0;
    for (let second = first; second <= last; second++) {
      const slot = floorMod(second, this.size);
      if (this.counterSecond[slot] === second) sum += counts[slot]!;
    }
    return sum / seconds;
  }

  /**
   * Requests (or failures) per second in one whole second, floor(nowMs / 1000) − lagSeconds
   * (by default the one the window ends with): a rate that follows a change within a second
   * or two, where {@link currentRate}'s 10-second average lags it by about five. A second
   * only partly after `startTimeMs` (the test's first) or before `endTimeMs` (its last) is
   * scaled to the part the test covered, at least a tenth of a second, so a test that began
   * at .6 does not read 40 %.
   */
  lastSecondRate(
    kind: "requests" | "failures",
    nowMs: number,
    startTimeMs: number,
    lagSeconds = this.lagSeconds,
    endTimeMs = Number.POSITIVE_INFINITY,
  ): number {
    const second = Math.floor(nowMs / 1000) - lagSeconds;
    const coveredMs = Math.min((second + 1) * 1000, endTimeMs) - Math.max(second * 1000, startTimeMs);
    if (coveredMs <= 0) return 0;
    const slot = floorMod(second, this.size);
    if (this.counterSecond[slot] !== second) return 0;
    const count = kind === "requests" ? this.requests[slot]! : this.failures[slot]!;
    return count / (Math.max(coveredMs, 100) / 1000);
  }

  /**
   * Response-time percentiles (µs) over the window at `nowMs`, for each p in 0..1; null
   * when the window holds no response times. Same definition as {@link Histogram}.
   */
  currentPercentiles(
    percentiles: readonly number[],
    nowMs: number,
    startTimeMs: number,
  ): Array<number | null> {
    const { first, last } = this.windowAt(nowMs, startTimeMs);
    // first >= last - 9 and the ring holds more than 10 seconds, so every second is addressable
    for (let second = first; second <= last; second++) {
      const slot = this.sealed[floorMod(second, this.size)];
      if (slot?.second === second)
        scratch.addSparse(slot.indices, slot.counts, slot.length, slot.minUs, slot.maxUs);
    }
    const values: Array<number | null> =
      scratch.totalCount === 0
        ? percentiles.map(() => null)
        : scratch.valuesAtPercentiles(percentiles.map((p) => p * 100));
    for (let second = first; second <= last; second++) {
      const slot = this.sealed[floorMod(second, this.size)];
      if (slot?.second === second) scratch.resetIndices(slot.indices, slot.length);
    }
    return values;
  }

  /** Requests and failures counted in the retained seconds after `second` (later ones than it). */
  countsAfter(second: number): { requests: number; failures: number } {
    let requests = 0;
    let failures = 0;
    this.forEachCountedSecond((s, r, f) => {
      if (s <= second) return;
      requests += r;
      failures += f;
    });
    return { requests, failures };
  }

  /** Calls `callback` for every retained second with a non-zero counter, ascending. */
  forEachCountedSecond(callback: (second: number, requests: number, failures: number) => void): void {
    const newest = this.newestCounterSecond;
    if (!Number.isFinite(newest)) return;
    // Every retained second is within the ring's span below the newest one.
    for (let second = newest - this.size + 1; second <= newest; second++) {
      const slot = floorMod(second, this.size);
      if (this.counterSecond[slot] !== second) continue;
      const requests = this.requests[slot]!;
      const failures = this.failures[slot]!;
      if (requests !== 0 || failures !== 0) callback(second, requests, failures);
    }
  }

  /** Clears all counters and response times in place. */
  reset(): void {
    this.counterSecond.fill(Number.NEGATIVE_INFINITY);
    this.requests.fill(0);
    this.failures.fill(0);
    this.newestCounterSecond = Number.NEGATIVE_INFINITY;
    for (const slot of this.sealed) {
      if (slot === undefined) continue;
      slot.second = Number.NEGATIVE_INFINITY;
      slot.length = 0;
    }
    this.open.reset();
    this.openSecond = Number.NEGATIVE_INFINITY;
    this.touched.length = 0;
  }

  /** The response-time state as plain data (sealed seconds still in the ring, then the open one). */
  serializeResponseTimes(): SerializedWindow {
    const seconds: SerializedSecond[] = [];
    const slots = this.sealed.filter(
      (slot): slot is SealedSecond => slot !== undefined && Number.isFinite(slot.second) && slot.length > 0,
    );
    slots.sort((a, b) => a.second - b.second);
    for (const slot of slots) {
      const pairs: number[] = [];
      for (let k = 0; k < slot.length; k++) pairs.push(slot.indices[k]!, slot.counts[k]!);
      seconds.push([slot.second, slot.minUs, slot.maxUs, pairs]);
    }
    const openPairs: number[] = [];
    for (let k = 0; k < this.touched.length; k++) {
      const index = this.touched.items[k]!;
      openPairs.push(index, this.open.countAtIndex(index));
    }
    if (openPairs.length > 0)
      seconds.push([this.openSecond, this.open.minValue, this.open.maxValue, openPairs]);
    return { openSecond: Number.isFinite(this.openSecond) ? this.openSecond : null, seconds };
  }

  /** Restores what {@link serializeResponseTimes} wrote (into a freshly reset window). */
  restoreResponseTimes(state: SerializedWindow): void {
    for (const [second, minUs, maxUs, pairs] of state.seconds) {
      const length = pairs.length / 2;
      const indices = new Int32Array(length);
      const counts = new Float64Array(length);
      for (let k = 0; k < length; k++) {
        indices[k] = pairs[2 * k]!;
        counts[k] = pairs[2 * k + 1]!;
      }
      if (second === state.openSecond) {
        this.advance(second);
        this.open.addSparse(indices, counts, length, minUs, maxUs);
        for (let k = 0; k < length; k++) this.touched.push(indices[k]!);
      } else {
        this.writeSealed(second, indices, counts, length, minUs, maxUs);
      }
    }
    if (state.openSecond !== null) this.advance(state.openSecond);
  }

  private windowAt(nowMs: number, startTimeMs: number): { first: number; last: number; seconds: number } {
    const current = Math.floor(nowMs / 1000);
    this.advance(current);
    const last = current - this.lagSeconds;
    const first = Math.max(last - 9, Math.floor(startTimeMs / 1000));
    return { first, last, seconds: Math.max(1, last - first + 1) };
  }

  private counterSlot(second: number): number {
    if (second <= this.newestCounterSecond - this.size) return -1;
    if (second > this.newestCounterSecond) this.newestCounterSecond = second;
    const slot = floorMod(second, this.size);
    const held = this.counterSecond[slot]!;
    if (held === second) return slot;
    if (held > second) return -1;
    this.counterSecond[slot] = second;
    this.requests[slot] = 0;
    this.failures[slot] = 0;
    return slot;
  }

  private sealOpenSecond(): void {
    const length = this.touched.length;
    const touched = this.touched.items;
    const slot = this.slotFor(this.openSecond);
    slot.ensureCapacity(length);
    for (let k = 0; k < length; k++) {
      const index = touched[k]!;
      slot.indices[k] = index;
      slot.counts[k] = this.open.countAtIndex(index);
    }
    slot.second = this.openSecond;
    slot.length = length;
    slot.minUs = this.open.minValue;
    slot.maxUs = this.open.maxValue;
    this.open.resetIndices(touched, length);
    this.touched.length = 0;
  }

  private writeSealed(
    second: number,
    indices: Int32Array,
    counts: Float64Array,
    length: number,
    minUs: number,
    maxUs: number,
  ): void {
    const slot = this.slotFor(second);
    slot.ensureCapacity(length);
    slot.indices.set(indices.subarray(0, length));
    slot.counts.set(counts.subarray(0, length));
    slot.second = second;
    slot.length = length;
    slot.minUs = minUs;
    slot.maxUs = maxUs;
  }

  /** The ring slot of `second`, created on first use. */
  private slotFor(second: number): SealedSecond {
    const at = floorMod(second, this.size);
    let slot = this.sealed[at];
    if (slot === undefined) {
      slot = new SealedSecond();
      this.sealed[at] = slot;
    }
    return slot;
  }
}
