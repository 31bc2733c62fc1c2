import type { HttpClient } from "../http/index.js";
import { InterruptTaskSet } from "../shared/control-flow.js";
import type { UserEnvironment } from "./environment.js";
import { kMarkov, kTaskQueue } from "./internal.js";
import type { TaskDefinition, TaskList } from "./task-plan.js";
import type { TransactionOptions } from "./transaction.js";
import { User } from "./user.js";
import type { WaitTimeFunction } from "./wait-time.js";

/**
 * A group of tasks a user enters and stays in until a task calls `interrupt()`: Locust's
 * TaskSet. Task sets nest; each may have its own `waitTime` (otherwise the user's).
 *
 * @example
 * class Forum extends TaskSet {
 *   @task(5) async read() { await this.client.get("/forum/thread/1"); }
 *   @task async leave() { this.interrupt(); }
 * }
 * export class Visitor extends HttpUser { tasks = [Forum]; }
 *
 * Give the user's class to reach its own members with their types:
 * `class Forum extends TaskSet<Visitor> { ... this.user.accountId ... }`.
 */
export class TaskSet<U extends User = User> {
  /** The user running this task set. */
  readonly user: U;
  /** The user or task set that entered this one. */
  readonly parent: U | TaskSet<U>;
  /** Seconds to wait after each task of this set; the user's waitTime when not set. */
  waitTime?: WaitTimeFunction;
  /** Tasks without decorators. */
  tasks?: TaskList;

  /** @internal */
  [kTaskQueue]: TaskDefinition[] = [];

  constructor(parent: U | TaskSet<U>) {
    this.parent = parent;
    this.user = parent instanceof User ? parent : parent.user;
  }

  /** The user's HTTP client (for users that are HttpUsers). */
  get client(): HttpClient {
    const client = (this.user as unknown as { client?: HttpClient }).client;
    if (!client) throw new TypeError(`${this.user.constructor.name} has no HTTP client: extend HttpUser`);
    return client;
  }

  get environment(): UserEnvironment {
    return this.user.environment;
  }

  onStart(): void | Promise<void> {}
  onStop(): void | Promise<void> {}

  /** Runs `fn` as the next task of this set (before a picked one), or first of all with `first`. */
  scheduleTask(fn: (this: this, owner: this) => unknown, first = false): void {
    const definition: TaskDefinition = {
      name: fn.name || "(scheduled task)",
      weight: 1,
      tags: new Set(),
      run: (owner) => fn.call(owner as this, owner as this),
    };
    if (first) this[kTaskQueue].unshift(definition);
    else this[kTaskQueue].push(definition);
  }

  /** The user's {@link User.transaction}: measures `block` as one row of type `TXN`. Always `await` it. */
  transaction<T>(name: string, block: () => T | Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.user.transaction(name, () => block.call(this), options);
  }

  /**
   * Leaves this task set and returns to the parent. With `reschedule` (default) the
   * parent picks its next task at once; otherwise it waits first.
   */
  interrupt(reschedule = true): never {
    throw new InterruptTaskSet(reschedule);
  }
}

/** A TaskSet that runs its tasks in declaration order, cycling; `@task(3)` runs three times in a row. */
export class SequentialTaskSet<U extends User = User> extends TaskSet<U> {}

/**
 * A TaskSet whose tasks follow a Markov chain (Locust's MarkovTaskSet): it starts with its
 * first `@transition` method, and after each one moves to one of that method's targets,
 * picked by weight. Its methods use `@transition`/`@transitions`, not `@task`; tags are
 * not supported. Use it as a task of a user (`tasks = [Shop]`, or `@task(2) shop = Shop`).
 *
 * @example
 * class Shop extends MarkovTaskSet<Visitor> {
 *   @transition("browse") async index() { await this.client.get("/"); }
 *   @transitions({ index: 1, cart: 2 }) async browse() { await this.client.get("/items"); }
 *   @transition("index") async cart() { await this.client.get("/cart"); }
 * }
 */
export class MarkovTaskSet<U extends User = User> extends TaskSet<U> {
  /** @internal */
  static readonly [kMarkov] = true;
}

/** True when `cls` is a TaskSet subclass. */
export function isTaskSetClass(cls: Function): boolean {
  return cls === TaskSet || cls.prototype instanceof TaskSet;
}
