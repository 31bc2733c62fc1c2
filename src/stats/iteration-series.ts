import { BoundedSeries, type MergeKind } from "./bounded-series.js";
import type { IterationSnapshot } from "./iterations.js";

/** One point of the open model's history: what was asked, what was achieved, what was dropped. */
export interface IterationPoint {
  timeMs: number;
  /** The target arrival rate, iterations per second. */
  targetRate: number;
  /** Iterations started per second (current window). */
  rate: number;
  /** Iterations dropped per second (current window). */
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

  /** Adds the point of `snapshot` at `nowMs`. */
  add(snapshot: IterationSnapshot, nowMs: number): void {
    this.series.add([nowMs, snapshot.targetRate, snapshot.currentRate, snapshot.currentDroppedPerSec]);
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
