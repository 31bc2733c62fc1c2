/**
 * `-i/--iterations N` across workers: the master holds the N permits and lends them to
 * Cicada workers in leases, so exactly N tasks run in the whole test however the workers'
 * speeds differ, and none starts past N. Leases shrink as the budget runs out (a quarter
 * of what is left per worker, at most ten permits per user of the asking worker), so the
 * last tasks go to whichever workers are free, and a worker asks for the next lease
 * before the current one is used up.
 *
 * Messages (Cicada's own; Locust peers never see them):
 * - worker → master `cicada_permits_request` `{ users }`
 * - master → worker `cicada_permits` `{ granted, exhausted }`
 * - worker → master `cicada_iterations_done`: its budget is spent and its users finished.
 */
import type { IterationGate } from "../user/index.js";

export const PERMITS_REQUEST = "cicada_permits_request";
export const PERMITS = "cicada_permits";
export const ITERATIONS_DONE = "cicada_iterations_done";

/** The master's side: what is left of the test's budget. */
export class IterationLedger {
  private left: number;
  private readonly done = new Set<string>();

  constructor(readonly limit: number) {
    this.left = limit;
  }

  get remaining(): number {
    return this.left;
  }

  /** A lease for a worker running `users` users, with `liveWorkers` workers in the test. */
  lend(users: number, liveWorkers: number): { granted: number; exhausted: boolean } {
    const share = Math.ceil(this.left / (4 * Math.max(1, liveWorkers)));
    const granted = Math.min(this.left, Math.max(1, Math.min(share, 10 * Math.max(1, users))));
    this.left -= granted;
    return { granted, exhausted: this.left === 0 };
  }

  /** A worker has spent its leases and its users have finished. */
  markDone(workerId: string): void {
    this.done.add(workerId);
  }

  /** True when the budget is gone and every worker that may still run tasks has finished. */
  finished(workersWithUsers: readonly string[]): boolean {
    return this.left === 0 && workersWithUsers.every((id) => this.done.has(id));
  }
}

/**
 * A worker's side: permits from the master's leases. A task waits for a lease when the
 * current one is spent; once the master has none left, tasks get no permit and users stop.
 */
export class LeasedIterationGate implements IterationGate {
  private local = 0;
  private exhausted = false;
  private asking = false;
  private lastLease = 1;
  private waiting: Array<(permit: boolean) => void> = [];

  constructor(
    /** Sends a `cicada_permits_request`. */
    private readonly ask: () => void,
    /** The budget is gone here (no permit left, none to come). */
    private readonly onSpent: () => void,
  ) {}

  acquire(): boolean | Promise<boolean> {
    if (this.local > 0) {
      this.local--;
      // Ask for the next lease before this one is used up, so tasks rarely wait.
      if (this.local * 2 < this.lastLease) this.request();
      if (this.local === 0 && this.exhausted) this.onSpent();
      return true;
    }
    if (this.exhausted) return false;
    this.request();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The master's answer to a request. */
  received(granted: number, exhausted: boolean): void {
    this.asking = false;
    this.local += granted;
    if (granted > 0) this.lastLease = granted;
    if (exhausted) this.exhausted = true;
    while (this.waiting.length > 0 && this.local > 0) {
      this.local--;
      this.waiting.shift()!(true);
    }
    if (this.local === 0 && this.exhausted) {
      const refused = this.waiting;
      this.waiting = [];
      for (const resolve of refused) resolve(false);
      this.onSpent();
    } else if (this.waiting.length > 0) this.request();
  }

  private request(): void {
    if (this.asking || this.exhausted) return;
    this.asking = true;
    this.ask();
  }
}
