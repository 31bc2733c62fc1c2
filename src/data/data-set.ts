/**
 * A data set as a locustfile uses it: `const row = await accounts.next()`. Rows come in
 * batches from a provider (the file's {@link RowSource} in this process, or the master in
 * a distributed test) into one buffer per process, shared by every user; concurrent
 * `next()` calls wait together for one fetch.
 *
 * In unique mode a fetch asks for exactly the rows waiting users need, so a worker never
 * holds rows another worker's users could have used; the other modes fetch a batch.
 */
import { StopTest, StopUser } from "../shared/control-flow.js";
import type { Logger } from "../shared/logger.js";
import type { DataMode, DataSpec } from "./sources.js";

/** What happens when every row was handed out: the user stops, the test stops, or the rows start again. */
export type OnExhausted = "stopUser" | "stopTest" | "wrap";

/** Options of `data.csv()` and `data.json()`. */
export interface DataOptions {
  /** "sequential" (default): in file order; "unique": each row to one user only, in the whole test; "random": any row, each time. */
  mode?: DataMode;
  /** When the rows run out: "stopUser" (default for unique), "stopTest", or "wrap" (default for sequential; not with unique). */
  onExhausted?: OnExhausted;
}

/** Rows for a data set from wherever they are kept. */
export interface RowProvider {
  /** Up to `count` rows; `exhausted` once none are left (never for wrap or random). */
  fetch(count: number): Promise<{ rows: unknown[]; exhausted: boolean }>;
  /** A new test begins: rows start again from the first. */
  reset(): void;
  /** Who decides the test's end when the rows run out: this process, or the master. */
  readonly stopsTestItself: boolean;
}

const BATCH = 256;

interface Waiter {
  resolve(row: unknown): void;
  reject(error: unknown): void;
}

/** One data set of a run (see the file comment). */
export class DataSet<Row = Record<string, string>> {
  /** The path as the locustfile wrote it. */
  readonly path: string;
  readonly mode: DataMode;
  readonly onExhausted: OnExhausted;
  /** Identifies the data set between a master and its workers. */
  readonly key: string;
  private provider: RowProvider | undefined;
  private buffer: unknown[] = [];
  private cursor = 0;
  private waiters: Waiter[] = [];
  private fetching = false;
  private exhausted = false;
  private generation = 0;
  private warned = false;

  constructor(
    readonly spec: DataSpec,
    onExhausted: OnExhausted,
    private readonly resolveProvider: (dataSet: DataSet<unknown>) => Promise<RowProvider>,
    private readonly logger: () => Logger | undefined,
  ) {
    this.path = spec.path;
    this.mode = spec.mode;
    this.onExhausted = onExhausted;
    this.key = dataSetKey(spec);
  }

  /**
   * The next row: a record keyed by the CSV's header (or the JSON array's element).
   * When the rows have run out it throws StopUser (the user stops) or StopTest (the test
   * stops), as `onExhausted` says; with "wrap" it starts again at the first row.
   */
  next(): Promise<Row> {
    if (this.cursor < this.buffer.length) return Promise.resolve(this.buffer[this.cursor++] as Row);
    if (this.exhausted) return Promise.reject(this.ranOut());
    return new Promise<Row>((resolve, reject) => {
      this.waiters.push({ resolve: resolve as (row: unknown) => void, reject });
      void this.pump();
    });
  }

  /** A new test: the rows start again, and users of the old test still waiting stop. */
  beginTest(): void {
    this.generation++;
    this.buffer = [];
    this.cursor = 0;
    this.exhausted = false;
    this.warned = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new StopUser("a new test started"));
    this.provider?.reset();
  }

  /** Uses `provider` from now on (the master's rows, or this process's file). */
  setProvider(provider: RowProvider): void {
    this.provider = provider;
  }

  /** Whether rows come from somewhere already. */
  get hasProvider(): boolean {
    return this.provider !== undefined;
  }

  private async pump(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    const generation = this.generation;
    try {
      this.provider ??= await this.resolveProvider(this as DataSet<unknown>);
      while (this.waiters.length > 0 && !this.exhausted) {
        const want = this.mode === "unique" ? this.waiters.length : Math.max(BATCH, this.waiters.length);
        const { rows, exhausted } = await this.provider.fetch(want);
        if (generation !== this.generation) return;
        this.buffer = rows;
        this.cursor = 0;
        while (this.waiters.length > 0 && this.cursor < this.buffer.length) {
          this.waiters.shift()!.resolve(this.buffer[this.cursor++]);
        }
        if (exhausted || rows.length === 0) this.exhausted = true;
      }
      if (this.exhausted) this.rejectWaiters(this.ranOut());
    } catch (error) {
      if (generation === this.generation) this.rejectWaiters(error);
    } finally {
      if (generation === this.generation) this.fetching = false;
    }
  }

  private rejectWaiters(error: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** The control-flow exception for a user that needs a row when none is left. */
  private ranOut(): Error {
    const stopsTest = this.onExhausted === "stopTest";
    if (!this.warned) {
      this.warned = true;
      const provider = this.provider;
      const what = stopsTest
        ? provider?.stopsTestItself === false
          ? "the master stops the test"
          : "the test stops"
        : "a user that needs another one stops";
      this.logger()?.info(
        `data ${this.path}: every row was handed out (${this.mode}): ${what} (onExhausted: ${this.onExhausted})`,
      );
    }
    if (stopsTest && this.provider?.stopsTestItself !== false)
      return new StopTest(`the rows of ${this.path} ran out`);
    return new StopUser(`the rows of ${this.path} ran out`);
  }
}

/** The key a master and its workers know a data set by: kind, mode and path as written. */
export function dataSetKey(spec: Pick<DataSpec, "kind" | "mode" | "path">): string {
  return `${spec.kind}:${spec.mode}:${spec.path}`;
}
