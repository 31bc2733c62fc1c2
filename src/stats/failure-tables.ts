import type { ErrorSnapshot, ExceptionSnapshot } from "./snapshot.js";

/** Longest error message kept; longer ones are cut (and grouped by the cut text) so memory stays bounded. */
export const MAX_ERROR_LENGTH = 2000;
/** Longest exception message or traceback kept. */
export const MAX_TRACEBACK_LENGTH = 20_000;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Failures grouped by (method, name, error), capped at `maxRows` distinct groups. Once
 * full, occurrences of new groups are counted in `dropped`, so nothing is silently lost
 * and memory stays bounded whatever the number of distinct messages.
 */
export class ErrorTable {
  /** Occurrences that belonged to groups the full table could not hold. */
  dropped = 0;
  private rowCount = 0;
  private readonly groups = new Map<string, Map<string, Map<string, ErrorSnapshot>>>();

  constructor(private readonly maxRows: number) {}

  /** Counts one occurrence of `error` for (method, name) at `nowMs`. */
  record(method: string, name: string, error: string, nowMs: number): void {
    this.add(method, name, error, 1, nowMs, nowMs);
  }

  /** Adds a row from another node: occurrences add up, first/last seen widen. */
  merge(row: ErrorSnapshot): void {
    this.add(row.method, row.name, row.error, row.occurrences, row.firstSeenMs, row.lastSeenMs);
  }

  private add(
    method: string,
    name: string,
    error: string,
    occurrences: number,
    firstSeenMs: number,
    lastSeenMs: number,
  ): void {
    const text = truncate(error, MAX_ERROR_LENGTH);
    let byName = this.groups.get(method);
    let byError = byName?.get(name);
    const row = byError?.get(text);
    if (row !== undefined) {
      row.occurrences += occurrences;
      if (lastSeenMs > row.lastSeenMs) row.lastSeenMs = lastSeenMs;
      if (firstSeenMs < row.firstSeenMs) row.firstSeenMs = firstSeenMs;
      return;
    }
    if (this.rowCount >= this.maxRows) {
      this.dropped += occurrences;
      return;
    }
    if (byName === undefined) {
      byName = new Map();
      this.groups.set(method, byName);
    }
    if (byError === undefined) {
      byError = new Map();
      byName.set(name, byError);
    }
    byError.set(text, { method, name, error: text, occurrences, firstSeenMs, lastSeenMs });
    this.rowCount++;
  }

  /** Copies of the rows, most occurrences first (earliest first on ties). */
  rows(): ErrorSnapshot[] {
    const rows: ErrorSnapshot[] = [];
    for (const byName of this.groups.values()) {
      for (const byError of byName.values()) for (const row of byError.values()) rows.push({ ...row });
    }
    return rows.sort((a, b) => b.occurrences - a.occurrences || a.firstSeenMs - b.firstSeenMs);
  }

  /** Number of distinct groups held. */
  get size(): number {
    return this.rowCount;
  }

  /** Empties the table and the dropped counter. */
  reset(): void {
    this.groups.clear();
    this.rowCount = 0;
    this.dropped = 0;
  }
}

interface ExceptionRow {
  count: number;
  message: string;
  traceback: string;
  nodes: Set<string>;
}

/**
 * Exceptions thrown by task code, grouped by traceback (as Locust), capped at `maxRows`
 * distinct tracebacks with a `dropped` counter beyond.
 */
export class ExceptionTable {
  /** Exceptions whose traceback the full table could not hold. */
  dropped = 0;
  /** Every exception counted, dropped ones included (the web UI's change counter). */
  total = 0;
  private readonly rowsByTraceback = new Map<string, ExceptionRow>();

  constructor(private readonly maxRows: number) {}

  /** Counts one exception; `node` (a worker id or hostname) is remembered per traceback. */
  record(message: string, traceback: string, node?: string): void {
    this.add(message, traceback, 1, node === undefined ? [] : [node]);
  }

  /** Adds a row from another node: counts add up, nodes are united. */
  merge(row: ExceptionSnapshot): void {
    this.add(row.message, row.traceback, row.count, row.nodes);
  }

  private add(message: string, traceback: string, count: number, nodes: readonly string[]): void {
    this.total += count;
    const key = truncate(traceback, MAX_TRACEBACK_LENGTH);
    let row = this.rowsByTraceback.get(key);
    if (row === undefined) {
      if (this.rowsByTraceback.size >= this.maxRows) {
        this.dropped += count;
        return;
      }
      row = { count: 0, message: truncate(message, MAX_TRACEBACK_LENGTH), traceback: key, nodes: new Set() };
      this.rowsByTraceback.set(key, row);
    }
    row.count += count;
    for (const node of nodes) row.nodes.add(node);
  }

  /** Copies of the rows, most frequent first. */
  rows(): ExceptionSnapshot[] {
    return [...this.rowsByTraceback.values()]
      .map((row) => ({
        count: row.count,
        message: row.message,
        traceback: row.traceback,
        nodes: [...row.nodes],
      }))
      .sort((a, b) => b.count - a.count);
  }

  /** Number of distinct tracebacks held. */
  get size(): number {
    return this.rowsByTraceback.size;
  }

  /** Empties the table and the dropped counter. */
  reset(): void {
    this.rowsByTraceback.clear();
    this.dropped = 0;
    this.total = 0;
  }
}
