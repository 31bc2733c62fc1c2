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
  const [method, name, numRequests, numFailures, medianMs, percentilesMs, avgMs, minMs, maxMs] = wire;
  const row: StatsRow = {
    key: `${method}\t${name}`,
    method,
    name,
    numRequests,
    numFailures,
    medianMs,
    percentilesMs,
    avgMs,
    minMs,
    maxMs,
    avgContentLength: wire[9],
    currentRps: wire[10],
    currentFailPerSec: wire[11],
  };
  const intended = wire[12];
  if (intended !== undefined) {
    const [intendedMedianMs = null, ...intendedPercentilesMs] = intended;
    row.intendedMedianMs = intendedMedianMs;
    row.intendedPercentilesMs = intendedPercentilesMs;
  }
  return row;
}

export interface LiveState {
  /** True while the stream is open. */
  connected: boolean;
  /**
   * True when the stream is open but nothing arrived for {@link STALE_AFTER_MS}: the
   * server sends an update every second, so it is hung (or the network is).
   */
  stale: boolean;
  /** Bumped on every (re)connection: views fetch again and drop errors of the outage. */
  connectionEpoch: number;
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
  stale: false,
  connectionEpoch: 0,
  meta: null,
  status: null,
  rows: [],
  total: null,
  series: emptySeries(),
  seriesVersion: 0,
  runs: [],
  workers: [],
  versions: { failures: 0, logs: 0, exceptions: 0 },
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

/** No update for this long (the server sends one a second) and the view says it is stale. */
export const STALE_AFTER_MS = 3500;
/**
 * A stream silent this long is dropped and opened again: a hung connection never fails
 * by itself, and a fresh one gets a full update (or fails, and the browser retries).
 */
export const RECONNECT_AFTER_MS = 10_000;

export class LiveStore {
  private state: LiveState = initial;
  private readonly listeners = new Set<() => void>();
  private source: EventSource | undefined;
  private url = "api/stream";
  private lastMessageAt = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;

  /** Opens the stream (`api/stream`, relative to the page) and watches that updates keep coming. */
  connect(url = "api/stream"): void {
    this.url = url;
    this.open();
    this.watchdog ??= setInterval(() => this.checkSilence(), 500);
  }

  private open(): void {
    this.source?.close();
    const source = new EventSource(this.url);
    this.source = source;
    this.lastMessageAt = performance.now();
    source.addEventListener("full", (event) =>
      measured(() => this.applyFull(JSON.parse((event as MessageEvent).data))),
    );
    source.addEventListener("tick", (event) =>
      measured(() => this.applyTick(JSON.parse((event as MessageEvent).data))),
    );
    source.onopen = () => {
      this.lastMessageAt = performance.now();
      this.set({ ...this.state, connected: true });
    };
    source.onerror = () => this.set({ ...this.state, connected: false, stale: false });
  }

  private checkSilence(): void {
    if (!this.state.connected) return;
    const silentMs = performance.now() - this.lastMessageAt;
    if (silentMs > RECONNECT_AFTER_MS) {
      this.set({ ...this.state, connected: false, stale: false });
      this.open();
    } else if (silentMs > STALE_AFTER_MS && !this.state.stale) {
      this.set({ ...this.state, stale: true });
    }
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.source?.close();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): LiveState => this.state;

  applyFull(update: FullUpdate): void {
    this.lastMessageAt = performance.now();
    this.set({
      connected: true,
      stale: false,
      // Every connection starts with a full update.
      connectionEpoch: this.state.connectionEpoch + 1,
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
    this.lastMessageAt = performance.now();
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
      stale: false,
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

/** The connection epoch alone (re-renders the caller only when the stream reconnects). */
export function useConnectionEpoch(): number {
  return useSyncExternalStore(liveStore.subscribe, () => liveStore.getState().connectionEpoch);
}
