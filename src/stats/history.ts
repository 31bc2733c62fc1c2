import { type HistoryPoint, HistorySeries, type SeriesColumns } from "./history-series.js";
import { type IterationColumns, IterationSeries } from "./iteration-series.js";
import type { IterationSnapshot, IterationStats } from "./iterations.js";
import type { StatsEntry } from "./stats-entry.js";

export type { HistoryPoint, SeriesColumns } from "./history-series.js";

/** Options of a {@link StatsHistory}. */
export interface StatsHistoryOptions {
  /** Points kept for the Aggregated series (default 1000). */
  maxPoints?: number;
  /** Points kept per (method, name) series (default 500). */
  maxPointsPerName?: number;
}

/** What {@link StatsHistory.sample} reads: RequestStats satisfies it. */
export interface HistorySource {
  readonly total: StatsEntry;
  entries(): StatsEntry[];
  /** The open model's counters; sampled while `active`. */
  readonly iterations?: IterationStats;
}

/** Where a test began on the session's chart: its number (1 for the first) and its start. */
export interface RunStart {
  run: number;
  timeMs: number;
}

/** The Aggregated series of every test of the session, with where each test began. */
export interface SessionHistoryJSON {
  total: SeriesColumns;
  runs: RunStart[];
  /** Target rate, achieved rate and dropped iterations of every arrival-rate test of the session. */
  iterations?: IterationColumns;
}

/** Compact columnar JSON of the whole history. */
export interface StatsHistoryJSON {
  total: SeriesColumns;
  entries: Array<{ method: string; name: string } & SeriesColumns>;
  /** The open model's series: present only when the test ran at an arrival rate. */
  iterations?: IterationColumns;
}

/**
 * Bounded time series of the Aggregated row and of every (method, name), for charts and
 * the HTML report. The owner calls {@link sample} about once a second; each series stays
 * within its point budget however long the run (see HistorySeries). A name first seen
 * mid-run gets a series that starts then.
 *
 * Besides the current test's series, which a reset clears, it keeps the Aggregated series
 * of the whole session and where each test began ({@link beginRun}): the web UI's charts
 * show every test of the session with a "Run #n" marker at each start, as Locust's do.
 */
export class StatsHistory {
  private readonly maxPoints: number;
  private readonly maxPointsPerName: number;
  private total: HistorySeries;
  private readonly byMethod = new Map<string, Map<string, HistorySeries>>();
  private readonly session: HistorySeries;
  private iterations: IterationSeries | undefined;
  private sessionIterations: IterationSeries | undefined;
  /** The newest second the iteration series has a point of (epoch seconds). */
  private drawnSecond = Number.NEGATIVE_INFINITY;
  private readonly runs: RunStart[] = [];
  private runCount = 0;

  constructor(options: StatsHistoryOptions = {}) {
    this.maxPoints = options.maxPoints ?? 1000;
    this.maxPointsPerName = options.maxPointsPerName ?? 500;
    if (!Number.isInteger(this.maxPointsPerName) || this.maxPointsPerName < 2) {
      throw new RangeError("maxPointsPerName must be an integer >= 2");
    }
    this.total = new HistorySeries(this.maxPoints);
    this.session = new HistorySeries(this.maxPoints);
  }

  /**
   * Appends one point for the total and for every entry, at `nowMs` with `userCount` users.
   * `ended`: the test has stopped and its last reports are in, so the iteration series also
   * gets the seconds after the newest one it had (a master's last 5 s, otherwise missing).
   */
  sample(stats: HistorySource, nowMs: number, userCount: number, ended = false): void {
    const point = pointOf(stats.total, nowMs, userCount);
    this.total.add(point);
    this.session.add(point);
    for (const entry of stats.entries()) {
      this.seriesOrCreate(entry.method, entry.name).add(pointOf(entry, nowMs, userCount));
    }
    const iterations = stats.iterations;
    if (!iterations?.active) return;
    this.addIterationPoint(iterations, iterations.snapshot(nowMs), nowMs);
    if (!ended) return;
    const lastSecond = Math.floor((Math.min(nowMs, iterations.stoppingAtMs ?? nowMs) - 1) / 1000);
    const firstSecond = Math.max(this.drawnSecond + 1, Math.floor(iterations.startMs / 1000));
    for (let second = firstSecond; second <= lastSecond; second++) {
      this.addIterationPoint(iterations, iterations.snapshot(nowMs, second), nowMs);
    }
  }

  /**
   * One point of the iteration series, drawn at the end of the second its rates are of, on
   * the other charts' time axis (a master's is 5 s back: stamped when sampled, its test was
   * drawn starting 5 s late), never after `nowMs`, the sample's moment: the second a test
   * stopped in ends with the other charts' last point. A second drawn already, or that
   * ended before the counts began, adds nothing.
   */
  private addIterationPoint(iterations: IterationStats, snapshot: IterationSnapshot, nowMs: number): void {
    const second = snapshot.currentSecond;
    const timeMs = Math.min((second + 1) * 1000, nowMs);
    if (second <= this.drawnSecond || timeMs <= iterations.startMs) return;
    this.drawnSecond = second;
    this.iterations ??= new IterationSeries(this.maxPoints);
    this.sessionIterations ??= new IterationSeries(this.maxPoints);
    this.iterations.add(snapshot, timeMs);
    this.sessionIterations.add(snapshot, timeMs);
  }

  /** Points of the Aggregated series, oldest first. */
  totalSeries(): HistoryPoint[] {
    return this.total.points();
  }

  /** Points of one (method, name) series; undefined if it was never sampled. */
  seriesFor(method: string, name: string): HistoryPoint[] | undefined {
    return this.byMethod.get(method)?.get(name)?.points();
  }

  /** The (method, name) pairs with a series, in first-seen order per method. */
  names(): Array<{ method: string; name: string }> {
    const out: Array<{ method: string; name: string }> = [];
    for (const [method, byName] of this.byMethod)
      for (const name of byName.keys()) out.push({ method, name });
    return out;
  }

  /** Columnar JSON of every series. */
  toJSON(): StatsHistoryJSON {
    const entries: StatsHistoryJSON["entries"] = [];
    for (const [method, byName] of this.byMethod) {
      for (const [name, series] of byName) entries.push({ method, name, ...series.toColumns() });
    }
    const json: StatsHistoryJSON = { total: this.total.toColumns(), entries };
    if (this.iterations !== undefined) json.iterations = this.iterations.toColumns();
    return json;
  }

  /** Marks the start of a new test on the session's series (the runner calls it). */
  beginRun(nowMs: number): void {
    this.runCount++;
    this.runs.push({ run: this.runCount, timeMs: nowMs });
    // A bound for endless sessions; the oldest markers go first.
    if (this.runs.length > MAX_RUN_MARKERS) this.runs.shift();
  }

  /** The Aggregated series of every test of the session, and where each began. */
  sessionJSON(): SessionHistoryJSON {
    const json: SessionHistoryJSON = {
      total: this.session.toColumns(),
      runs: this.runs.map((run) => ({ ...run })),
    };
    if (this.sessionIterations !== undefined) json.iterations = this.sessionIterations.toColumns();
    return json;
  }

  /** Forgets every series of the current test (the session's series and run starts stay). */
  reset(): void {
    this.total = new HistorySeries(this.maxPoints);
    this.iterations = undefined;
    this.byMethod.clear();
  }

  private seriesOrCreate(method: string, name: string): HistorySeries {
    let byName = this.byMethod.get(method);
    if (byName === undefined) {
      byName = new Map();
      this.byMethod.set(method, byName);
    }
    let series = byName.get(name);
    if (series === undefined) {
      series = new HistorySeries(this.maxPointsPerName);
      byName.set(name, series);
    }
    return series;
  }
}

/** Run starts kept for the session's chart. */
const MAX_RUN_MARKERS = 1000;

function pointOf(entry: StatsEntry, nowMs: number, userCount: number): HistoryPoint {
  const [p50 = null, p95 = null, p99 = null] = entry.currentPercentiles([0.5, 0.95, 0.99], nowMs);
  return {
    timeMs: nowMs,
    userCount,
    rps: entry.currentRps(nowMs),
    failPerSec: entry.currentFailPerSec(nowMs),
    p50,
    p95,
    p99,
    avgResponseTimeMs: entry.avgResponseTimeMs,
  };
}
