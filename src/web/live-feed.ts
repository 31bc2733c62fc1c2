/**
 * The live stream behind the browser UI. Once a second (and only while someone listens)
 * it computes one update, serialises it once, and writes the same text to every
 * connected browser. A browser that connects gets everything once (the rows and the whole
 * Aggregated history of the session kept on the server, with where each test began);
 * after that only what changed: the rows that
 * changed, one chart point, the status. After a stats reset everyone gets everything again.
 */
import type { Runner } from "../runner/index.js";
import type { FullUpdate, RunState, StatsRow, TickUpdate, UiMeta, Versions } from "./api-types.js";
import type { LogBuffer } from "./log-buffer.js";
import {
  currentWindowEndMs,
  isActive,
  RowBuilder,
  runStatus,
  sameRow,
  totalPoint,
  toWire,
  workerRows,
} from "./rows.js";

/** Something an update can be written to: one Server-Sent Events response. */
export type FeedClient = (eventText: string) => void;

export interface LiveFeedOptions {
  runner: Runner;
  meta: () => UiMeta;
  logs?: LogBuffer | undefined;
  /** Time between two updates, ms (default 1000: the UI promises at most one a second). */
  intervalMs?: number;
  /** The table's percentiles besides the median (default 95 and 99 %). */
  percentiles?: readonly number[];
}

/** Formats one Server-Sent Event. JSON has no raw newlines, so one `data:` line suffices. */
export function sseEvent(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}

export class LiveFeed {
  private readonly clients = new Set<FeedClient>();
  private readonly rowBuilder: RowBuilder;
  /** What the browsers have, as of the previous update sent to all of them. */
  private previousRows = new Map<string, StatsRow>();
  private previousTotalStart: number | undefined;
  private previousState: RunState | undefined;
  private fullRequested = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly intervalMs: number;
  /** Wall time the last tick took, ms (for the scale measurements in the docs). */
  lastTickMs = 0;

  constructor(private readonly options: LiveFeedOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.rowBuilder = new RowBuilder(
      options.percentiles ?? options.runner.environment.stats.statisticsPercentiles,
    );
  }

  /** Number of connected browsers. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a browser: it gets a full update at once, then every tick. Returns the remover. */
  addClient(client: FeedClient): () => void {
    const { update, rows } = this.buildFull();
    if (this.clients.size === 0) this.remember(update, rows);
    client(sseEvent("full", JSON.stringify(update)));
    this.clients.add(client);
    this.ensureTimer();
    return () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTimer();
    };
  }

  /** Everything the UI shows, now (also `GET /api/state`). */
  fullUpdate(): FullUpdate {
    return this.buildFull().update;
  }

  /** Computes the next update, sends it to every browser, and returns the text sent. */
  tick(): string {
    const started = performance.now();
    const startTime = this.options.runner.environment.stats.total.startTimeMs;
    let text: string;
    const reset = this.previousTotalStart !== undefined && startTime !== this.previousTotalStart;
    if (reset || this.fullRequested) {
      this.fullRequested = false;
      // The stats were reset (button, API or a new test): the browsers' rows and charts are stale.
      const { update, rows } = this.buildFull();
      this.remember(update, rows);
      text = sseEvent("full", JSON.stringify(update));
    } else {
      text = sseEvent("tick", JSON.stringify(this.tickUpdate()));
    }
    this.previousTotalStart = startTime;
    for (const client of this.clients) {
      try {
        client(text);
      } catch (error) {
        this.options.runner.environment.logger.debug(`a web UI stream failed: ${String(error)}`);
        this.clients.delete(client);
      }
    }
    this.lastTickMs = performance.now() - started;
    return text;
  }

  /** Makes the next tick a full update (after a stats reset that kept the start time). */
  requestFull(): void {
    this.fullRequested = true;
  }

  /** Stops the timer and forgets the browsers (the server closes their responses). */
  close(): void {
    this.stopTimer();
    this.clients.clear();
  }

  private remember(full: FullUpdate, rows: StatsRow[]): void {
    this.previousRows = new Map(rows.map((row) => [row.key, row]));
    this.previousTotalStart = this.options.runner.environment.stats.total.startTimeMs;
    this.previousState = full.status.state;
  }

  private buildFull(): { update: FullUpdate; rows: StatsRow[] } {
    const runner = this.options.runner;
    const environment = runner.environment;
    const nowMs = environment.now();
    const meta = this.options.meta();
    const { rows, total } = this.buildRows(currentWindowEndMs(runner));
    const session = environment.stats.history.sessionJSON();
    const update: FullUpdate = {
      kind: "full",
      timeMs: nowMs,
      meta,
      status: runStatus(runner, meta.distributed),
      rows: rows.map(toWire),
      total: toWire(total),
      history: session.total,
      runs: session.runs,
      workers: workerRows(runner),
      versions: this.versions(),
    };
    return { update, rows };
  }

  private buildRows(nowMs: number): { rows: StatsRow[]; total: StatsRow } {
    const stats = this.options.runner.environment.stats;
    return {
      rows: stats.entries().map((entry) => this.rowBuilder.row(entry, nowMs)),
      total: this.rowBuilder.row(stats.total, nowMs),
    };
  }

  private tickUpdate(): TickUpdate {
    const runner = this.options.runner;
    const nowMs = runner.environment.now();
    const { rows, total } = this.buildRows(currentWindowEndMs(runner));
    const changed: StatsRow[] = [];
    const current = new Map<string, StatsRow>();
    for (const row of rows) {
      current.set(row.key, row);
      const before = this.previousRows.get(row.key);
      if (before === undefined || !sameRow(before, row)) changed.push(row);
    }
    this.previousRows = current;
    const state = runner.state;
    // A point while the test runs, plus one as it ends (the users drop to 0 on the chart).
    const wasActive = this.previousState !== undefined && isActive(this.previousState);
    const point = isActive(state) || wasActive ? totalPoint(runner) : null;
    this.previousState = state;
    const meta = this.options.meta();
    return {
      kind: "tick",
      timeMs: nowMs,
      status: runStatus(runner, meta.distributed),
      rows: changed.map(toWire),
      total: toWire(total),
      point,
      workers: workerRows(runner),
      versions: this.versions(),
    };
  }

  private versions(): Versions {
    const stats = this.options.runner.environment.stats;
    return {
      failures: stats.total.numFailures,
      logs: this.options.logs?.lastSeq ?? 0,
      exceptions: stats.exceptionCount,
      checks: stats.checks.passes + stats.checks.fails + stats.metrics.updates,
    };
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        this.options.runner.environment.logger.error(`web UI update failed: ${String(error)}`);
      }
    }, this.intervalMs);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
