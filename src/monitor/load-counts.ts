/**
 * The load's completed requests of one test, as the monitor counts them beside the target
 * (TargetMonitor's `requestCounts`): cumulative counts within a point budget, a merged
 * point keeping the later count, so the rate between any two points stays exact.
 */
import { EventHook } from "../shared/event-hook.js";
import { BoundedSeries } from "./bounded-series.js";
import { loadColumns } from "./load-rate.js";
import type { LoadColumns, RequestCountPoint } from "./types.js";

export class LoadCounts {
  /** Fired when counts were added, with the time they reach (the CSV writer waits for it on a master). */
  readonly counted = new EventHook<number>();
  private series: BoundedSeries;
  private throughMs: number | null = null;

  constructor(private readonly maxPoints: number) {
    this.series = this.newSeries();
  }

  /** The time the counts reach (null before the first): the rate up to it is known. */
  get countedThroughMs(): number | null {
    return this.throughMs;
  }

  /** Forgets the counts (a new test begins). */
  reset(): void {
    this.series = this.newSeries();
    this.throughMs = null;
  }

  /** Adds the points that became complete (oldest first). */
  add(points: readonly RequestCountPoint[]): void {
    for (const { timeMs, requests, failures } of points) this.series.add(timeMs, { requests, failures });
    const last = points[points.length - 1];
    if (last === undefined) return;
    this.throughMs = last.timeMs;
    this.counted.fire(last.timeMs);
  }

  /** The counts and the rates between them (MonitorData's `load`). */
  columns(): LoadColumns {
    const snapshot = this.series.snapshot();
    // Every point has both counts: no gap to fill.
    const counts = (name: string) => (snapshot.values[name] ?? []).map((v) => v ?? 0);
    return loadColumns(snapshot.stride, snapshot.timeMs, counts("requests"), counts("failures"));
  }

  private newSeries(): BoundedSeries {
    return new BoundedSeries(this.maxPoints, () => "last");
  }
}
