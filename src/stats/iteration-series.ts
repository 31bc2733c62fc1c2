import { BoundedSeries, type MergeKind } from "./bounded-series.js";
import type { IterationSnapshot } from "./iterations.js";

/** One point of the open model's history: what was asked, what was achieved, what was dropped. */
export interface IterationPoint {
  timeMs: number;
  /** The target arrival rate during the second of `rate`, iterations per second. */
  targetRate: number;
  /** Iterations started in the last whole second (on a master, 5 s back). */
  rate: number;
  /** Iterations dropped in that second (for waiting out --max-queue-time: the stop's drops are no rate). */
  droppedPerSec: number;
}

/** The iteration history as columns (compact JSON). */
export interface IterationColumns {
  /** How many samples each stored point now stands for. */
  stride: number;
  timeMs: number[];
  targetRate: number[];
  rate: number[];
  droppedPerSec: number[];
}

const KINDS: readonly MergeKind[] = ["last", "mean", "mean", "mean"];

/** A bounded series of {@link IterationPoint}s (rates averaged when points merge). */
export class IterationSeries {
  private readonly series: BoundedSeries;

  constructor(maxPoints: number) {
    this.series = new BoundedSeries(maxPoints, KINDS);
  }

  /**
   * Adds the point of `snapshot` at `timeMs` (the end of the second it describes): the rates
   * of its last whole second, with the target rate of that same second (on a master, 5 s
   * back), so the two lines compare.
   */
  add(snapshot: IterationSnapshot, timeMs: number): void {
    this.series.add([
      timeMs,
      snapshot.currentTargetRate,
      snapshot.currentRate,
      snapshot.currentDroppedPerSec,
    ]);
  }

  get size(): number {
    return this.series.size;
  }

  toColumns(): IterationColumns {
    const c: IterationColumns = {
      stride: this.series.stride,
      timeMs: [],
      targetRate: [],
      rate: [],
      droppedPerSec: [],
    };
    this.series.forEachRow((row) => {
      c.timeMs.push(row[0]!);
      c.targetRate.push(row[1]!);
      c.rate.push(row[2]!);
      c.droppedPerSec.push(row[3]!);
    });
    return c;
  }
}
