/**
 * Transactions: `await this.transaction("checkout", async () => { ... })` measures a
 * whole block of a user's work as one row of type `TXN` (k6's `group`, locust-plugins'
 * TransactionManager). The row has the statistics of a request row: its time is the
 * block's wall time, its size the bytes of the requests inside, and it fails when a
 * request (or a nested transaction) inside failed or the block threw. Nested
 * transactions are named by their path (`checkout::pay`); with `tagRequests` the
 * requests inside are renamed `checkout::/cart`, so the table shows them per transaction.
 *
 * The row is recorded through the same `request` event as requests (type `TXN`), so it
 * merges across workers like any row; the stats keep it out of the Aggregated row, which
 * already counts the requests inside.
 *
 * A transaction contains every request its user makes while the block runs: one user
 * runs one task at a time, so that is the block's own work unless the task starts
 * transactions concurrently (then the requests count in every open one, and a warning
 * says so once). A transaction still running when its task ends was not awaited: it is
 * recorded once there, as failed, its later requests count only as requests, and the
 * mistake goes to the exceptions table (nothing counted twice, nothing lost).
 *
 * A `catchResponse` request learns its outcome later than it completes: from `success()`
 * or `failure()`, maybe after the block, or from its status when the task ends. It belongs
 * to the transactions open when it completed (`hold`), and their rows wait for its verdict,
 * so a transaction fails exactly when a request inside is recorded as failed.
 */
import { isControlFlow, StopUser } from "../shared/control-flow.js";
import { describeFailure, type RequestEvent } from "../shared/request-event.js";
import { TRANSACTION_TYPE } from "../stats/index.js";
import { kRecordRequest } from "./internal.js";
import type { User } from "./user.js";

/** Options of `transaction()`. */
export interface TransactionOptions {
  /**
   * Rename the requests made inside to `<transaction>::<name>` (`checkout::/cart`), so
   * each gets a row of its own per transaction. Nested transactions inherit it. Default false.
   */
  tagRequests?: boolean;
}

/** Thrown into the exceptions table when a task ends before a transaction it started was awaited. */
export class TransactionNotAwaitedError extends Error {
  constructor(name: string, detail: string) {
    super(
      `the transaction "${name}" was not awaited: ${detail}. Write \`await this.transaction("${name}", async () => { ... })\``,
    );
    this.name = "TransactionNotAwaited";
  }
}

/**
 * A transaction's promise: it notes whether anyone took its result (`await`, `then`,
 * `Promise.all` all call `then`), which is how a transaction that was never awaited is
 * found when its task ends.
 */
class TransactionPromise<T> extends Promise<T> {
  awaited = false;

  // Promises derived with then/catch are plain ones: only this one is watched.
  static override get [Symbol.species]() {
    return Promise;
  }

  // biome-ignore lint/suspicious/noThenProperty: this is a promise; overriding then is how awaiting is seen
  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.awaited = true;
    return super.then(onFulfilled, onRejected);
  }
}

/** One transaction while its block runs. */
interface Open {
  path: string;
  tag: boolean;
  /** The first failure inside (a request, a nested transaction, or what the block threw). */
  failure: string | undefined;
  bytes: number;
  startedAt: number;
  /** catchResponse requests inside still waiting for their verdict: the row waits for them. */
  held: number;
  /** The block's wall time once it ended, until the row is recorded (undefined: nothing to record). */
  elapsedMs: number | undefined;
  intendedStartMs: number | undefined;
  /** Its task ended while it ran: already recorded, its end is ignored. */
  abandoned: boolean;
  ended: boolean;
  /** What the block threw, kept for a transaction nobody awaited (else it would be lost). */
  thrown: unknown;
  promise: TransactionPromise<unknown> | undefined;
}

const NAME_LIMIT = 200;

/** The transactions of one user (created on its first transaction). */
export class UserTransactions {
  private readonly open: Open[] = [];
  /** Transactions started since the task began, to find the ones never awaited. */
  private startedInTask: Open[] = [];
  private warnedOverlap = false;

  constructor(private readonly owner: User) {}

  /** Runs `block` as the transaction `name` (see the file comment). */
  run<T>(name: string, block: () => T | Promise<T>, options: TransactionOptions = {}): Promise<T> {
    checkName(name, block);
    const parent = this.open.at(-1);
    const txn: Open = {
      path: parent === undefined ? name : `${parent.path}::${name}`,
      tag: options.tagRequests ?? parent?.tag ?? false,
      failure: undefined,
      bytes: 0,
      startedAt: performance.now(),
      held: 0,
      elapsedMs: undefined,
      intendedStartMs: this.owner.intendedStartMs,
      abandoned: false,
      ended: false,
      thrown: undefined,
      promise: undefined,
    };
    this.open.push(txn);
    this.startedInTask.push(txn);
    const promise = new TransactionPromise<T>((resolve, reject) => {
      this.execute(txn, block).then(resolve, reject);
    });
    txn.promise = promise as TransactionPromise<unknown>;
    // Marked handled without counting as awaited: a transaction nobody awaits must not
    // crash the process when it fails (its failure is recorded and reported instead).
    Promise.prototype.then.call(promise, undefined, () => {});
    return promise;
  }

  /** A request (or a nested transaction's row) of this user: renamed if tagged, counted in every open transaction. */
  noteRequest(event: RequestEvent): void {
    if (this.open.length > 0) this.count(this.open, event);
  }

  /**
   * A request of this user completed but learns its outcome later (catchResponse): the
   * transactions open now will count it, and record their rows only once it is reported.
   * Returns where its event goes then; undefined when no transaction is open.
   */
  hold(): ((event: RequestEvent) => void) | undefined {
    if (this.open.length === 0) return undefined;
    const holders = [...this.open];
    for (const txn of holders) txn.held++;
    return (event) => {
      this.count(holders, event);
      this.owner.environment.events.request.fire(event);
      // Innermost first, as their blocks ended.
      for (let i = holders.length - 1; i >= 0; i--) {
        const txn = holders[i]!;
        txn.held--;
        if (txn.held === 0 && txn.elapsedMs !== undefined) {
          // Outside the transactions open now (they did not contain it); its parents counted it at its end.
          this.owner.environment.events.request.fire(this.rowEvent(txn, txn.elapsedMs));
          txn.elapsedMs = undefined;
        }
      }
    };
  }

  /** Renames `event` if the innermost of `holders` tags, and counts it in each of them (outermost first). */
  private count(holders: Open[], event: RequestEvent): void {
    const isTransaction = event.requestType === TRANSACTION_TYPE;
    const inner = holders[holders.length - 1]!;
    if (inner.tag && !isTransaction) event.name = `${inner.path}::${event.name}`;
    const failure = event.exception ? failureText(event.requestType, event.name, event.exception) : undefined;
    for (const txn of holders) {
      // A nested transaction's bytes were counted here already, request by request.
      if (!isTransaction) txn.bytes += event.responseLength;
      if (failure !== undefined) txn.failure ??= failure;
    }
  }

  /**
   * The task (or onStart/onStop) ended: a transaction started in it that nobody awaited
   * is reported; one still running is recorded now, as failed, and its end ignored.
   */
  taskEnded(): void {
    const started = this.startedInTask;
    if (started.length === 0) return;
    this.startedInTask = [];
    for (const txn of started) {
      if (txn.promise?.awaited) continue;
      const environment = this.owner.environment;
      if (!txn.ended) {
        this.abandon(txn);
        environment.reportUserError(
          this.owner,
          new TransactionNotAwaitedError(txn.path, "its task ended while it was still running"),
        );
      } else {
        const threw = txn.thrown === undefined ? "" : ` (and it threw ${describeError(txn.thrown)})`;
        environment.reportUserError(
          this.owner,
          new TransactionNotAwaitedError(txn.path, `nothing took its result${threw}`),
        );
      }
    }
  }

  private async execute<T>(txn: Open, block: () => T | Promise<T>): Promise<T> {
    let threw = false;
    let thrown: unknown;
    let result: T | undefined;
    try {
      result = await block.call(this.owner);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    txn.ended = true;
    if (txn.abandoned) {
      // Its task is long over: nobody else will ever see this error.
      if (threw && !isControlFlow(thrown)) this.owner.environment.reportUserError(this.owner, thrown);
    } else {
      this.close(txn);
      if (threw) txn.thrown = thrown;
      // A user stopped in the middle: the transaction did not complete (as an aborted request).
      if (!(threw && thrown instanceof StopUser)) {
        if (threw && !isControlFlow(thrown)) txn.failure ??= describeError(thrown);
        this.finish(txn, performance.now() - txn.startedAt);
      }
    }
    if (threw) throw thrown;
    return result as T;
  }

  /** Records a still-running transaction whose task ended, as failed, and forgets it. */
  private abandon(txn: Open): void {
    txn.abandoned = true;
    this.close(txn);
    // No figure in the text: failures are grouped by their text, and one mistake must make one row.
    txn.failure ??= "TransactionNotAwaited: its task ended while it was still running";
    this.record(txn, performance.now() - txn.startedAt);
  }

  /** Records a transaction whose block ended, or, while a request inside awaits its verdict, keeps its row for `hold`. */
  private finish(txn: Open, elapsedMs: number): void {
    if (txn.held === 0) {
      this.record(txn, elapsedMs);
      return;
    }
    txn.elapsedMs = elapsedMs;
    // The transactions around it learn its failure now, as from its row (which comes after they may have ended).
    if (txn.failure !== undefined) {
      const failure = failureText(TRANSACTION_TYPE, txn.path, txn.failure);
      for (const outer of this.open) outer.failure ??= failure;
    }
  }

  private close(txn: Open): void {
    const index = this.open.indexOf(txn);
    if (index < 0) return;
    if (index !== this.open.length - 1) this.warnOverlap(txn.path, this.open[this.open.length - 1]!.path);
    this.open.splice(index, 1);
  }

  /** Records the row now, as a request of the user (the transactions open now count it). */
  private record(txn: Open, elapsedMs: number): void {
    this.owner[kRecordRequest](this.rowEvent(txn, elapsedMs));
  }

  private rowEvent(txn: Open, elapsedMs: number): RequestEvent {
    const event: RequestEvent = {
      requestType: TRANSACTION_TYPE,
      name: txn.path,
      responseTimeMs: elapsedMs,
      responseLength: txn.bytes,
      exception: txn.failure ?? null,
      startTimeMs: performance.timeOrigin + txn.startedAt,
      context: this.owner.context(),
    };
    if (txn.intendedStartMs !== undefined) event.intendedStartMs = txn.intendedStartMs;
    return event;
  }

  private warnOverlap(ending: string, inner: string): void {
    if (this.warnedOverlap) return;
    this.warnedOverlap = true;
    this.owner.environment.logger.warning(
      `${this.owner.constructor.name}: the transactions "${ending}" and "${inner}" ran at the same time in one user: ` +
        "requests made while both were open counted in both. Run a user's transactions one after the other (await each).",
    );
  }
}

function checkName(name: unknown, block: unknown): void {
  if (typeof name !== "string" || name.trim() === "" || name.length > NAME_LIMIT || /[\r\n]/.test(name)) {
    throw new TypeError(
      `a transaction needs a name: a non-empty string of at most ${NAME_LIMIT} characters on one line, got ${JSON.stringify(name)}`,
    );
  }
  if (typeof block !== "function") {
    throw new TypeError(`transaction("${name}", block): the block must be a function, got ${typeof block}`);
  }
}

/** How a failure inside reads in a transaction's row: `GET /cart: HTTPError: 500 ...`. */
function failureText(requestType: string, name: string, exception: Error | string): string {
  return `${requestType} ${name}: ${describeFailure(exception)}`;
}

function describeError(error: unknown): string {
  return error instanceof Error || typeof error === "string" ? describeFailure(error) : String(error);
}
