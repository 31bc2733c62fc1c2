/**
 * `-i/--iterations N`: exactly N tasks in the whole test. In one process a counter hands
 * out the permits; on a worker the permits come from the master in leases
 * (distributed/iteration-leases.ts), so the total holds across workers too.
 */
import type { IterationGate } from "../user/index.js";

/** N permits in this process; `onSpent` is called once, when the last one is taken. */
export class LocalIterationGate implements IterationGate {
  private left: number;

  constructor(
    readonly limit: number,
    private readonly onSpent: () => void,
  ) {
    this.left = limit;
  }

  /** Permits not handed out yet. */
  get remaining(): number {
    return this.left;
  }

  get spent(): boolean {
    return this.left === 0;
  }

  acquire(): boolean {
    if (this.left === 0) return false;
    this.left--;
    if (this.left === 0) this.onSpent();
    return true;
  }
}

/** Checks an iteration limit from the command line or a master: a whole number ≥ 1. */
export function checkIterations(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`--iterations must be a whole number ≥ 1, got ${String(value)}`);
  }
  return value;
}
