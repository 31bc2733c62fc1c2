/**
 * The running users of one process, in spawn order, with per-class targets. Spawning and
 * stopping are immediate here; pacing (the spawn rate) is the caller's job.
 *
 * A user that ends by itself (StopUser) keeps its slot: it is not replaced when the ramp
 * moves on, and a ramp-down gives up such empty slots before stopping live users.
 */
import { type IterationGate, type User, UserLifecycle } from "../user/index.js";
import type { Environment } from "./environment.js";
import { HARD_STOP_GRACE_MS, stopUsers } from "./stop-users.js";
import type { UserClassInfo } from "./user-classes.js";

type UserState = "running" | "leaving" | "retired";

/** A user of the pool: its lifecycle, its class and where it stands. */
class RunningUser extends UserLifecycle {
  state: UserState = "running";

  constructor(
    user: User,
    readonly info: UserClassInfo,
    private readonly pool: UserPool,
  ) {
    super(user, info.plan);
  }

  /** Settles when the user has ended (never rejects); the user was started when spawned. */
  get finished(): Promise<void> {
    return this.start();
  }

  protected override onEnded(): void {
    this.pool.ended(this);
  }

  protected override iterationGate(): IterationGate | undefined {
    return this.pool.iterationGate();
  }
}

export class UserPool {
  private users: RunningUser[] = [];
  private infoByName = new Map<string, UserClassInfo>();
  /** The environment's class list the map was built from (a new one after a settings change). */
  private infosSeen: readonly UserClassInfo[] | undefined;

  constructor(
    private readonly environment: Environment,
    /** Called when a user ends by itself (StopUser), so the runner can notice an empty test. */
    private readonly onUserEnded: () => void,
    /** The test's iteration budget (-i), read before each task. */
    readonly iterationGate: () => IterationGate | undefined = () => undefined,
  ) {}

  private infoOf(className: string): UserClassInfo | undefined {
    const infos = this.environment.userClassInfos;
    if (infos !== this.infosSeen) {
      this.infosSeen = infos;
      this.infoByName = new Map(infos.map((info) => [info.name, info]));
    }
    return this.infoByName.get(className);
  }

  /** Users running now (not stopping, not ended). */
  get count(): number {
    let n = 0;
    for (const u of this.users) if (u.state === "running") n++;
    return n;
  }

  /** Running users still in their onStart (see UserLifecycle.starting). */
  get starting(): number {
    let n = 0;
    for (const u of this.users) if (u.state === "running" && u.starting) n++;
    return n;
  }

  /** Running users per class name. */
  countsByClass(): Record<string, number> {
    return this.tally((u) => u.state === "running");
  }

  private tally(include: (u: RunningUser) => boolean): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const info of this.environment.userClassInfos) counts[info.name] = 0;
    for (const u of this.users) if (include(u)) counts[u.info.name] = (counts[u.info.name] ?? 0) + 1;
    return counts;
  }

  /** Spawns one user of the named class. */
  spawn(className: string): void {
    const info = this.infoOf(className);
    if (!info) throw new Error(`unknown user class ${className}`);
    const running = new RunningUser(this.environment.createUser(info), info, this);
    // In the pool before its onStart runs (which may stop the runner, and so this user).
    this.users.push(running);
    void running.start();
  }

  /**
   * Brings each class to its target number of slots: gives up ended users' slots and
   * stops the newest users of classes above target (gracefully within `stopTimeoutMs`),
   * and spawns users for classes below, in `spawnOrder` first (to keep the interleaving).
   */
  reconcile(
    targets: ReadonlyMap<string, number>,
    spawnOrder: readonly string[],
    stopTimeoutMs: number,
  ): Promise<void> {
    const slots = this.tally((u) => u.state !== "leaving");
    const leaving: RunningUser[] = [];
    for (const retiredFirst of [true, false]) {
      for (let i = this.users.length - 1; i >= 0; i--) {
        const u = this.users[i]!;
        if (u.state === "leaving" || (u.state === "retired") !== retiredFirst) continue;
        if ((slots[u.info.name] ?? 0) <= (targets.get(u.info.name) ?? 0)) continue;
        slots[u.info.name]!--;
        if (u.state === "retired") this.users.splice(i, 1);
        else leaving.push(u);
      }
    }
    for (const name of spawnOrder) {
      if ((slots[name] ?? 0) < (targets.get(name) ?? 0)) {
        this.spawn(name);
        slots[name] = (slots[name] ?? 0) + 1;
      }
    }
    for (const [name, target] of targets) {
      while ((slots[name] ?? 0) < target) {
        this.spawn(name);
        slots[name] = (slots[name] ?? 0) + 1;
      }
    }
    return this.stopUsers(leaving, stopTimeoutMs);
  }

  /** Asks every running user to stop after its current task (at once if it is waiting). */
  requestStopAll(): void {
    for (const u of this.users) if (u.state === "running") u.requestStop();
  }

  /** Stops every user; resolves when all have run onStop (or the grace period is over). */
  stopAll(stopTimeoutMs: number): Promise<void> {
    const running = this.users.filter((u) => u.state === "running");
    this.users = running;
    return this.stopUsers(running, stopTimeoutMs);
  }

  /**
   * Hard-stops every user now, those being stopped gracefully too (a second Ctrl-C): their
   * tasks end and their requests in flight are aborted and counted.
   */
  interruptAll(): void {
    for (const u of [...this.users]) if (u.state !== "retired") u.interrupt();
  }

  private async stopUsers(users: RunningUser[], stopTimeoutMs: number): Promise<void> {
    for (const u of users) u.state = "leaving";
    const stuck = await stopUsers(users, stopTimeoutMs);
    if (stuck.length === 0) return;
    this.environment.logger.warning(
      `${stuck.length} user(s) did not finish onStop within ${HARD_STOP_GRACE_MS / 1000} s after being stopped; leaving them`,
    );
    for (const u of stuck) this.remove(u);
  }

  /** @internal A user has ended (RunningUser.onEnded). */
  ended(user: RunningUser): void {
    if (user.state === "leaving") {
      this.remove(user);
      return;
    }
    if (user.state === "running") {
      user.state = "retired";
      this.onUserEnded();
    }
  }

  private remove(user: RunningUser): void {
    const index = this.users.indexOf(user);
    if (index >= 0) this.users.splice(index, 1);
  }
}
