/**
 * Columns of samples (a time and one value per series name) kept within a point budget
 * however long the run: at `maxPoints` neighbouring points merge pairwise and later
 * samples are merged `stride` at a time before they are stored, as the stats history
 * does. Merging keeps the highest value of a level ("max", so a peak is never averaged
 * away), the mean of a rate ("mean") or the later value of a cumulative count ("last", so
 * the rate between two points stays exact); a point where every merged value is a gap
 * stays a gap. Whole-run figures (min, max, mean, last) are kept exactly, apart from the points.
 */

export type MergeRule = "max" | "mean" | "last";

/** Exact figures of one series over every sample added (gaps excluded). */
export interface SeriesSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  /** When the last value was taken. */
  lastTimeMs: number;
}

/** The stored points as plain columns. */
export interface ColumnsSnapshot {
  stride: number;
  timeMs: number[];
  values: Record<string, Array<number | null>>;
}

interface Accumulated {
  sum: number;
  max: number;
  last: number;
  count: number;
}

function valueBy(rule: MergeRule, acc: Accumulated): number {
  if (rule === "max") return acc.max;
  return rule === "last" ? acc.last : acc.sum / acc.count;
}

function merge(values: Array<number | null>, rule: MergeRule): number | null {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let last = 0;
  let count = 0;
  for (const value of values) {
    if (value === null) continue;
    sum += value;
    max = Math.max(max, value);
    last = value;
    count++;
  }
  if (count === 0) return null;
  return valueBy(rule, { sum, max, last, count });
}

export class BoundedSeries {
  private timeMs: number[] = [];
  private readonly columns = new Map<string, Array<number | null>>();
  private strideSamples = 1;
  private pendingTime = 0;
  private pendingCount = 0;
  private readonly pending = new Map<string, Accumulated>();
  private readonly summaries = new Map<string, SeriesSummary & { sum: number }>();

  /**
   * @param maxPoints stored points at most (at least 2).
   * @param ruleOf how a series' points merge.
   */
  constructor(
    readonly maxPoints: number,
    private readonly ruleOf: (name: string) => MergeRule,
  ) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2)
      throw new RangeError("maxPoints must be an integer >= 2");
  }

  get stride(): number {
    return this.strideSamples;
  }

  /** Series names seen so far, in first-seen order. */
  names(): string[] {
    return [...this.columns.keys()];
  }

  /** Adds one sample; a name not given is a gap for that series at this time. */
  add(timeMs: number, values: Readonly<Record<string, number | null>>): void {
    for (const [name, value] of Object.entries(values)) {
      this.columnOf(name);
      if (value !== null && Number.isFinite(value)) {
        this.summarise(name, value, timeMs);
        const acc = this.pending.get(name) ?? { sum: 0, max: Number.NEGATIVE_INFINITY, last: 0, count: 0 };
        acc.sum += value;
        acc.max = Math.max(acc.max, value);
        acc.last = value;
        acc.count++;
        this.pending.set(name, acc);
      }
    }
    this.pendingTime = timeMs;
    this.pendingCount++;
    if (this.pendingCount === this.strideSamples) this.flush();
  }

  /** Exact figures of one series over the whole run; undefined before its first value. */
  summary(name: string): SeriesSummary | undefined {
    const s = this.summaries.get(name);
    return s === undefined
      ? undefined
      : {
          count: s.count,
          min: s.min,
          max: s.max,
          mean: s.sum / s.count,
          last: s.last,
          lastTimeMs: s.lastTimeMs,
        };
  }

  /** The points (the samples not yet merged as one trailing point), those after `sinceMs` only if given. */
  snapshot(sinceMs = Number.NEGATIVE_INFINITY): ColumnsSnapshot {
    const times = [...this.timeMs];
    const values: Record<string, Array<number | null>> = {};
    for (const [name, column] of this.columns) values[name] = [...column];
    if (this.pendingCount > 0) {
      times.push(this.pendingTime);
      for (const name of this.columns.keys()) values[name]!.push(this.pendingValue(name));
    }
    const from = times.findIndex((t) => t > sinceMs);
    const start = from < 0 ? times.length : from;
    for (const name of Object.keys(values)) values[name] = values[name]!.slice(start);
    return { stride: this.strideSamples, timeMs: times.slice(start), values };
  }

  private columnOf(name: string): Array<number | null> {
    let column = this.columns.get(name);
    if (column === undefined) {
      // A series first seen now was a gap at every earlier point.
      column = new Array<number | null>(this.timeMs.length).fill(null);
      this.columns.set(name, column);
    }
    return column;
  }

  private summarise(name: string, value: number, timeMs: number): void {
    const s = this.summaries.get(name);
    if (s === undefined) {
      this.summaries.set(name, {
        count: 1,
        sum: value,
        min: value,
        max: value,
        mean: value,
        last: value,
        lastTimeMs: timeMs,
      });
      return;
    }
    s.count++;
    s.sum += value;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
    s.last = value;
    s.lastTimeMs = timeMs;
  }

  private pendingValue(name: string): number | null {
    const acc = this.pending.get(name);
    if (acc === undefined || acc.count === 0) return null;
    return valueBy(this.ruleOf(name), acc);
  }

  private flush(): void {
    this.timeMs.push(this.pendingTime);
    for (const [name, column] of this.columns) column.push(this.pendingValue(name));
    this.pending.clear();
    this.pendingCount = 0;
    if (this.timeMs.length >= this.maxPoints) this.halve();
  }

  /** Merges points (0,1), (2,3), ...; an odd last point stays as it is. */
  private halve(): void {
    const n = this.timeMs.length;
    const times: number[] = [];
    for (let i = 0; i < n; i += 2) times.push(this.timeMs[Math.min(i + 1, n - 1)]!);
    for (const [name, column] of this.columns) {
      const rule = this.ruleOf(name);
      const merged: Array<number | null> = [];
      for (let i = 0; i < n; i += 2)
        merged.push(i + 1 < n ? merge([column[i]!, column[i + 1]!], rule) : column[i]!);
      this.columns.set(name, merged);
    }
    this.timeMs = times;
    this.strideSamples *= 2;
  }
}
