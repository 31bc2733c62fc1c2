import { StopUser } from "../shared/control-flow.js";

/**
 * Where an open-model user waits for its next iteration. The runner hands iterations only
 * to free users, so at most one is ever pending here: the first, handed to a user before
 * its onStart ran, or one handed over as the previous iteration ended.
 */
export class IterationHandoff {
  private pending = false;
  private resolveWait: (() => void) | undefined;
  private rejectWait: ((reason: unknown) => void) | undefined;

  /** True while the user waits for an iteration (a stop ends the wait). */
  get waiting(): boolean {
    return this.resolveWait !== undefined;
  }

  /**
   * Hands the user an iteration: ends its wait, or is kept until it asks.
   * @throws Error when the user already has one pending (a bug in the runner).
   */
  give(): void {
    const resolve = this.resolveWait;
    if (resolve !== undefined) {
      this.resolveWait = undefined;
      this.rejectWait = undefined;
      resolve();
      return;
    }
    if (this.pending) throw new Error("an iteration was handed to a user that already had one");
    this.pending = true;
  }

  /** Takes the pending iteration (true), or returns false when there is none yet. */
  take(): boolean {
    const had = this.pending;
    this.pending = false;
    return had;
  }

  /** Resolves when an iteration is handed over; rejects with StopUser when {@link cancel}led. */
  wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolveWait = resolve;
      this.rejectWait = reject;
    });
  }

  /** Ends a wait with StopUser (the user is being stopped). */
  cancel(): void {
    const reject = this.rejectWait;
    this.resolveWait = undefined;
    this.rejectWait = undefined;
    reject?.(new StopUser());
  }
}
