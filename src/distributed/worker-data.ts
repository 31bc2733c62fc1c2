/**
 * A worker's side of the test data a Cicada master hands out: each request for rows is a
 * `cicada_data_request`, answered by a `cicada_data_rows` with the same id. Under a Locust
 * master (no `cicada_version` in its ack) the worker reads its own copy of each file
 * instead, and says what that means (data/registry.ts).
 */
import type { DataSets } from "../data/index.js";
import type { DataRows } from "./protocol-scripting.js";

/** How long a request for rows may wait for the master. */
const ANSWER_TIMEOUT_MS = 15_000;

interface Pending {
  resolve(value: { rows: unknown[]; exhausted: boolean }): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Requests for rows in flight, by id. */
export class WorkerDataClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly send: (type: string, data: unknown) => void) {}

  /**
   * Ties the worker's data sets to what its master has: the ack of a Cicada master names
   * its data sets (`served`); a Locust master's names none and hands out nothing.
   * @throws DataFileError (and DataParseError) when a data set must be read here and cannot be.
   */
  async connect(dataSets: DataSets, cicadaMaster: boolean, served: readonly string[]): Promise<void> {
    if (dataSets.list().length === 0) return;
    if (cicadaMaster) await dataSets.connect(new Set(served), (key, count) => this.fetch(key, count));
    else await dataSets.readOwnFiles("the master is a Locust master, which cannot hand out rows");
  }

  /** Asks the master for `count` rows of the data set `key`. */
  fetch(key: string, count: number): Promise<{ rows: unknown[]; exhausted: boolean }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the master did not send rows of ${key} within ${ANSWER_TIMEOUT_MS / 1000} s`));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.send("cicada_data_request", { id, data_set: key, count });
    });
  }

  /** The master's answer. */
  onRows(answer: DataRows): void {
    const pending = this.pending.get(answer.id);
    if (pending === undefined) return; // timed out, or from before a reconnect
    this.pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.error !== null)
      pending.reject(new Error(`the master could not hand out rows: ${answer.error}`));
    else pending.resolve({ rows: answer.rows, exhausted: answer.exhausted });
  }

  /** The master is gone: requests in flight fail now rather than at their timeout. */
  failAll(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
      this.pending.delete(id);
    }
  }
}
