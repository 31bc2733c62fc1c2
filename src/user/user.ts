import type { RequestEvent } from "../shared/request-event.js";
import type { UserEnvironment } from "./environment.js";
import {
  kBeginIteration,
  kDispose,
  kInterrupt,
  kRecordRequest,
  kResume,
  kStart,
  kTaskEnded,
  kTaskQueue,
  kTransactions,
} from "./internal.js";
import type { TaskDefinition, TaskList } from "./task-plan.js";
import { type TransactionOptions, UserTransactions } from "./transaction.js";
import type { WaitTimeFunction } from "./wait-time.js";

/**
 * A simulated user: the base of every user class in a locustfile, Locust's `User`.
 * Declare tasks with `@task` methods or a `tasks` field; Cicada runs one instance per
 * simulated user, calling `onStart`, then picking tasks by weight with `waitTime` between
 * them until the user is stopped, then `onStop`.
 *
 * Class-level settings may be written as instance fields (`weight = 3`) or static fields
 * (`static weight = 3`). `static abstract = true` marks a base class that is never
 * spawned; subclasses are not abstract unless they say so too.
 *
 * @example
 * export class Reader extends User {
 *   waitTime = between(1, 2);
 *   @task async read() { await doSomething(); this.environment.events.request.fire({...}); }
 * }
 */
export class User {
  /** Never spawned: a base class for other users. Applies only to the class that declares it. */
  static abstract = true;

  /** Base URL of relative requests. The `-H/--host` flag wins. */
  host?: string;
  /** Seconds to wait after each task. Default: no wait. */
  waitTime?: WaitTimeFunction;
  /** Relative share of spawned users (default 1). */
  weight?: number;
  /** When > 0, exactly this many users of this class are spawned, before weighted ones. */
  fixedCount?: number;
  /** Tasks without decorators: functions or TaskSet classes, optionally with weights. */
  tasks?: TaskList;

  /** The run this user belongs to: events, runner, options. */
  readonly environment: UserEnvironment;

  /**
   * Open model (`--arrival-rate`) only: when the iteration this user runs now was
   * scheduled to start, epoch ms; undefined in a closed-model test. An HttpUser's requests
   * carry it by themselves; a User measuring another protocol adds it to the `request`
   * events it fires (`intendedStartMs: this.intendedStartMs`), so the stats also record
   * the response time from the intended start.
   */
  intendedStartMs: number | undefined;

  /** @internal */
  [kTaskQueue]: TaskDefinition[] = [];
  /** @internal */
  [kTransactions]: UserTransactions | undefined;

  constructor(environment: UserEnvironment) {
    this.environment = environment;
  }

  /** Called once when the user starts, before its first task. */
  onStart(): void | Promise<void> {}

  /** Called once when the user stops (also after StopUser and when the test stops). */
  onStop(): void | Promise<void> {}

  /** Extra data merged into the `context` of every request event this user fires. */
  context(): Record<string, unknown> {
    return {};
  }

  /**
   * Measures `block` as one transaction: a row of type `TXN` named `name`, with the
   * block's time, the bytes of its requests, and a failure when a request inside failed
   * or the block threw. Resolves with the block's result (or rejects with its error).
   * Nested transactions are named `outer::inner`; `{ tagRequests: true }` renames the
   * requests inside `name::<request name>`. Always `await` it.
   *
   * @example
   * await this.transaction("checkout", async () => {
   *   await this.client.get("/cart");
   *   await this.client.post("/pay");
   * });
   */
  transaction<T>(name: string, block: () => T | Promise<T>, options?: TransactionOptions): Promise<T> {
    this[kTransactions] ??= new UserTransactions(this);
    return this[kTransactions].run(name, block, options);
  }

  /**
   * Fires `events.request` for a request this user made with a client of its own (another
   * protocol): the same as `this.environment.events.request.fire(event)`, except that the
   * user's open transactions see it (its time, bytes and failure).
   */
  fireRequest(event: RequestEvent): void {
    this[kRecordRequest](event);
  }

  /**
   * The `onRequest` of this user's protocol clients: its requests go through here, so its
   * open transactions see them, then the `request` event fires. One closure per user.
   * @internal
   */
  protected requestRecorder(): (event: RequestEvent) => void {
    return (event) => this[kRecordRequest](event);
  }

  /**
   * Where the event of a request whose outcome comes later (catchResponse) goes: the
   * transactions open now count it whenever it is reported, and wait for it before
   * recording their rows; a transaction opened in between does not see it. One per request.
   * @internal
   */
  protected deferredRequestRecorder(): (event: RequestEvent) => void {
    return this[kTransactions]?.hold() ?? ((event) => this.environment.events.request.fire(event));
  }

  /** @internal */
  [kRecordRequest](event: RequestEvent): void {
    this[kTransactions]?.noteRequest(event);
    this.environment.events.request.fire(event);
  }

  /** @internal */
  [kStart](): void | Promise<void> {}
  /** @internal */
  [kBeginIteration](intendedStartMs: number): void {
    this.intendedStartMs = intendedStartMs;
  }
  /** @internal */
  [kInterrupt](): void {}
  /** @internal */
  [kResume](): void {}
  /** @internal */
  [kTaskEnded](): void {
    this[kTransactions]?.taskEnded();
  }
  /** @internal */
  [kDispose](): void | Promise<void> {}
}

/** A User subclass (the constructor, not an instance). */
export type UserClass = (new (
  environment: UserEnvironment,
) => User) & { abstract?: boolean; weight?: number; fixedCount?: number; host?: string };

/** True when `cls` is `User` or a subclass of it. */
export function isUserClass(cls: unknown): cls is UserClass {
  return typeof cls === "function" && (cls === User || cls.prototype instanceof User);
}

/** True when the class itself declares `static abstract = true` (inherited values do not count). */
export function isAbstractClass(cls: Function): boolean {
  return Object.hasOwn(cls, "abstract") && (cls as { abstract?: unknown }).abstract === true;
}
