/**
 * The live state of the app, fed by the server's Server-Sent Events stream. Updates are
 * immutable at the top level (React's useSyncExternalStore sees a new object), and a row
 * that did not change keeps its identity, so memoised table rows skip re-rendering.
 */
import { useSyncExternalStore } from "react";
import { appendPoint, type ChartSeries, emptySeries, seriesFromColumns } from "./series.js";
import type {
  FullUpdate,
  RunStart,
  RunStatus,
  StatsRow,
  TickUpdate,
  UiMeta,
  Versions,
  WireRow,
  WorkerRow,
} from "./types.js";

/** A row of the stream as the object the table uses. */
export function fromWire(wire: WireRow): StatsRow {
  const [method, name, numRequests, numFailures, medianMs, p95Ms, p99Ms, avgMs, minMs, maxMs] = wire;
  return {
    key: `${method}\t${name}`,
    method,
    name,
    numRequests,
    numFailures,
    medianMs,
    p95Ms,
    p99Ms,
    avgMs,
    minMs,
    maxMs,
    avgContentLength: wire[10],
    currentRps: wire[11],
    currentFailPerSec: wire[12],
    percentilesMs: wire[13] ?? [p95Ms, p99Ms],
  };
}

export interface LiveState {
  /** True while the stream is open. */
  connected: boolean;
  meta: UiMeta | null;
  status: RunStatus | null;
  /** Every row, in the order first seen (the table sorts its own copy). */
  rows: StatsRow[];
  total: StatsRow | null;
  series: ChartSeries;
  /** Bumped whenever `series` changed (it is mutated in place). */
  seriesVersion: number;
  /** Where each test of the session began (the charts' "Run #n" markers). */
  runs: RunStart[];
  workers: WorkerRow[];
  versions: Versions;
  /** Time of the latest update (server clock, epoch ms). */
  timeMs: number;
}

const initial: LiveState = {
  connected: false,
  meta: null,
  status: null,
  rows: [],
  total: null,
  series: emptySeries(),
  seriesVersion: 0,
  runs: [],
  workers: [],
  versions: { failures: 0, logs: 0 },
  timeMs: 0,
};

/** Measures updates that have run this many times are cleared, so the timeline stays small. */
const MAX_MEASURES = 600;
let measures = 0;

/**
 * Runs one update and records its cost (parsing, store, React render and commit, which
 * React flushes before the next task) as a "cicada:update" User Timing measure, visible
 * in the browser's performance tools and read by the scale test.
 */
function measured(update: () => void): void {
  const start = performance.now();
  update();
  setTimeout(() => {
    if (++measures > MAX_MEASURES) {
      performance.clearMeasures("cicada:update");
      measures = 1;
    }
    performance.measure("cicada:update", { start });
  }, 0);
}

export class LiveStore {
  private state: LiveState = initial;
  private readonly listeners = new Set<() => void>();
  private source: EventSource | undefined;

  /** Opens the stream (`api/stream`, relative to the page). */
  connect(url = "api/stream"): void {
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener("full", (event) =>
      measured(() => this.applyFull(JSON.parse((event as MessageEvent).data))),
    );
    source.addEventListener("tick", (event) =>
      measured(() => this.applyTick(JSON.parse((event as MessageEvent).data))),
    );
    source.onopen = () => this.set({ ...this.state, connected: true });
    source.onerror = () => this.set({ ...this.state, connected: false });
  }

  close(): void {
    this.source?.close();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): LiveState => this.state;

  applyFull(update: FullUpdate): void {
    this.set({
      connected: true,
      meta: update.meta,
      status: update.status,
      rows: update.rows.map(fromWire),
      total: fromWire(update.total),
      series: seriesFromColumns(update.history),
      seriesVersion: this.state.seriesVersion + 1,
      runs: update.runs,
      workers: update.workers,
      versions: update.versions,
      timeMs: update.timeMs,
    });
  }

  applyTick(update: TickUpdate): void {
    let rows = this.state.rows;
    if (update.rows.length > 0) {
      const changed = new Map(update.rows.map((wire) => [`${wire[0]}\t${wire[1]}`, fromWire(wire)]));
      rows = rows.map((row) => {
        const replacement = changed.get(row.key);
        if (replacement === undefined) return row;
        changed.delete(row.key);
        return replacement;
      });
      rows.push(...changed.values());
    }
    let { series, seriesVersion } = this.state;
    if (update.point) {
      appendPoint(series, update.point);
      seriesVersion++;
    }
    this.set({
      ...this.state,
      connected: true,
      status: update.status,
      rows,
      total: fromWire(update.total),
      series,
      seriesVersion,
      workers: update.workers,
      versions: update.versions,
      timeMs: update.timeMs,
    });
  }

  private set(state: LiveState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

export const liveStore = new LiveStore();

/** The live state, re-rendering the caller on every update. */
export function useLive(): LiveState {
  return useSyncExternalStore(liveStore.subscribe, liveStore.getState);
}
