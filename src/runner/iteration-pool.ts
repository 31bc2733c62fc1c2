/**
 * The open model's users: created on demand, up to `maxUsers`, and reused when free. The
 * scheduler asks for one iteration at a time ({@link IterationPool.tryStart}); the pool
 * picks the user class by weight (a smooth weighted round-robin, so the mix is exact, not
 * random), gives the iteration to a free user of that class, or creates one. A user that
 * finishes an iteration is free again and tells the scheduler, which hands it the oldest
 * waiting iteration at once.
 *
 * At the cap, with several classes, a free user of another class is retired (its onStop
 * runs) to make room for the class the mix needs; with one class that never happens.
 */
import { type User, UserLifecycle } from "../user/index.js";
import type { IterationStarter } from "./arrival-scheduler.js";
import type { Environment } from "./environment.js";
import { HARD_STOP_GRACE_MS, stopUsers } from "./stop-users.js";
import type { UserClassInfo } from "./user-classes.js";

/** A user of the open model: runs one task per iteration, tells the pool when it is free. */
class IterationUser extends UserLifecycle {
  leaving = false;

  constructor(
    user: User,
    readonly info: UserClassInfo,
    private readonly pool: IterationPool,
  ) {
    super(user, info.plan, true);
  }

  /** Settles when the user has ended (never rejects). */
  get finished(): Promise<void> {
    return this.start();
  }

  protected override onIterationDone(): void {
    this.pool.freed(this);
  }

  protected override onIterationFinished(): void {
    this.pool.completed();
  }

  protected override onEnded(): void {
    this.pool.ended(this);
  }
}

/**
 * Smooth weighted round-robin (as nginx balances upstreams): each pick adds every class's
 * weight to its credit and takes the class with the most, which then pays the total. Over
 * any run of picks each class gets its share within one pick.
 */
class ClassRotation {
  private readonly credits: number[];
  private readonly totalWeight: number;

  constructor(private readonly infos: readonly UserClassInfo[]) {
    this.credits = infos.map(() => 0);
    this.totalWeight = infos.reduce((sum, info) => sum + info.weight, 0);
  }

  /** The class the next iteration goes to, without taking the pick (see {@link commit}). */
  peek(): number {
    let best = 0;
    let bestCredit = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.infos.length; i++) {
      const credit = this.credits[i]! + this.infos[i]!.weight;
      if (credit > bestCredit) {
        best = i;
        bestCredit = credit;
      }
    }
    return best;
  }

  /** Takes the pick {@link peek} returned. */
  commit(chosen: number): void {
    for (let i = 0; i < this.infos.length; i++) this.credits[i]! += this.infos[i]!.weight;
    this.credits[chosen]! -= this.totalWeight;
  }
}

export class IterationPool implements IterationStarter {
  /** Users that count against the cap: alive and not retired. */
  private readonly users = new Set<IterationUser>();
  /** Free users per class index, the most recently freed last (its connection is warm). */
  private readonly free: IterationUser[][];
  /** Retired or stopping users whose onStop may still run. */
  private readonly leaving = new Set<IterationUser>();
  private readonly rotation: ClassRotation;
  private stopped = false;
  /** Called when a user is free or a slot opened (the scheduler starts a waiting iteration). */
  onUserFree: () => void = () => {};

  constructor(
    private readonly environment: Environment,
    private readonly infos: readonly UserClassInfo[],
    /** The cap ({@link setMaxUsers}: a worker's share changes when workers join or leave). */
    private maxUsers: number,
  ) {
    if (infos.length === 0) throw new Error("an arrival-rate test needs at least one user class");
    this.free = infos.map(() => []);
    this.rotation = new ClassRotation(infos);
  }

  /** Users alive (busy or free). */
  get count(): number {
    return this.users.size;
  }

  /** Users running an iteration now. */
  get busyCount(): number {
    let free = 0;
    for (const list of this.free) free += list.length;
    return this.users.size - free;
  }

  /** Users alive per class name. */
  countsByClass(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const info of this.environment.userClassInfos) counts[info.name] = 0;
    for (const user of this.users) counts[user.info.name] = (counts[user.info.name] ?? 0) + 1;
    return counts;
  }

  tryStart(intendedStartMs: number): boolean {
    if (this.stopped) return false;
    const index = this.rotation.peek();
    let user = this.free[index]!.pop();
    if (user === undefined) {
      if (this.users.size >= this.maxUsers && !this.retireAFreeUser()) return false;
      user = this.create(index, intendedStartMs);
    } else {
      user.runIteration(intendedStartMs);
    }
    this.rotation.commit(index);
    return true;
  }

  /**
   * Changes the cap. Above a lower one, free users are retired now (their onStop runs) and
   * busy ones as their iteration ends, so the users alive come down to the cap.
   */
  setMaxUsers(maxUsers: number): void {
    this.maxUsers = maxUsers;
    while (this.users.size > this.maxUsers && this.retireAFreeUser()) {}
  }

  /** Stops every user (gracefully within `stopTimeoutMs`); resolves when all have ended. */
  async stopAll(stopTimeoutMs: number): Promise<void> {
    this.stopped = true;
    const all = [...this.users, ...this.leaving];
    for (const list of this.free) list.length = 0;
    for (const user of this.users) this.leaving.add(user);
    this.users.clear();
    for (const user of all) user.leaving = true;
    const stuck = await stopUsers(all, stopTimeoutMs);
    if (stuck.length > 0) {
      this.environment.logger.warning(
        `${stuck.length} user(s) did not finish onStop within ${HARD_STOP_GRACE_MS / 1000} s after being stopped; leaving them`,
      );
      for (const user of stuck) this.leaving.delete(user);
    }
  }

  /**
   * Hard-stops every user now, those being stopped gracefully too (a second Ctrl-C): their
   * iterations end and their requests in flight are aborted and counted.
   */
  interruptAll(): void {
    for (const user of [...this.users, ...this.leaving]) user.interrupt();
  }

  /** @internal A user finished an iteration. */
  freed(user: IterationUser): void {
    if (user.leaving || this.stopped) return;
    if (this.users.size > this.maxUsers) {
      // Above a cap lowered while it was busy.
      this.retire(user);
      return;
    }
    this.free[this.infos.indexOf(user.info)]!.push(user);
    this.onUserFree();
  }

  /** @internal A user's iteration ended by itself (not cut off by a hard stop). */
  completed(): void {
    this.environment.stats.iterations.countCompleted();
  }

  /** @internal A user has ended (stopped, retired, or StopUser from its own code). */
  ended(user: IterationUser): void {
    this.leaving.delete(user);
    if (!this.users.delete(user)) return;
    const list = this.free[this.infos.indexOf(user.info)]!;
    const at = list.indexOf(user);
    if (at >= 0) list.splice(at, 1);
    // Its slot may now carry a waiting iteration.
    if (!this.stopped) this.onUserFree();
  }

  /** A new user of class `index` whose first iteration (after its onStart) starts now. */
  private create(index: number, intendedStartMs: number): IterationUser {
    const info = this.infos[index]!;
    const running = new IterationUser(this.environment.createUser(info), info, this);
    this.users.add(running);
    // Before start(): onStart's requests already belong to this iteration.
    running.runIteration(intendedStartMs);
    void running.start();
    return running;
  }

  /** At the cap: stops a free user of any class to make room; false when none is free. */
  private retireAFreeUser(): boolean {
    for (const list of this.free) {
      const user = list.shift();
      if (user === undefined) continue;
      this.retire(user);
      return true;
    }
    return false;
  }

  /** Takes a user out of the cap's count and stops it (its onStop runs). */
  private retire(user: IterationUser): void {
    this.users.delete(user);
    user.leaving = true;
    this.leaving.add(user);
    user.requestStop();
  }
}
