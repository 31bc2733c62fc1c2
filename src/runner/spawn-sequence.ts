/**
 * Which user class the n-th spawned user belongs to. Classes with `fixedCount` come
 * first (exactly that many each), then weighted classes interleave by weight with a
 * smooth weighted round-robin, so A:5 B:1 gives A A A B A A A A A B ... rather than all
 * A's then all B's (Locust interleaves the same way). Every prefix of the sequence is as
 * close to the weights as whole users allow, so a ramp-up, a ramp-down (newest first)
 * and the final count agree.
 */
export interface SpawnClass {
  readonly name: string;
  readonly weight: number;
  readonly fixedCount: number;
}

export class SpawnSequence {
  private readonly order: string[] = [];
  private readonly weighted: SpawnClass[];
  private readonly current: number[];
  private readonly totalWeight: number;

  constructor(classes: readonly SpawnClass[]) {
    for (const cls of classes) {
      for (let i = 0; i < cls.fixedCount; i++) this.order.push(cls.name);
    }
    this.weighted = classes.filter((c) => c.fixedCount <= 0 && c.weight > 0);
    this.current = this.weighted.map(() => 0);
    this.totalWeight = this.weighted.reduce((sum, c) => sum + c.weight, 0);
  }

  /** The largest number of users this sequence can hold (Infinity unless every class is fixed). */
  get capacity(): number {
    return this.weighted.length > 0 ? Number.POSITIVE_INFINITY : this.order.length;
  }

  /** The class of the user at 0-based position `index`. */
  classAt(index: number): string | undefined {
    this.extendTo(index + 1);
    return this.order[index];
  }

  /** How many users of each class the first `n` positions hold. */
  countsFor(n: number): Map<string, number> {
    const limit = Math.min(n, this.capacity);
    this.extendTo(limit);
    const counts = new Map<string, number>();
    for (let i = 0; i < limit; i++) {
      const name = this.order[i]!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  private extendTo(length: number): void {
    if (this.weighted.length === 0) return;
    while (this.order.length < length) {
      // Smooth weighted round-robin (as nginx balances upstreams): add each weight, pick
      // the largest running total, subtract the total weight from it.
      let best = 0;
      for (let i = 0; i < this.weighted.length; i++) {
        this.current[i]! += this.weighted[i]!.weight;
        if (this.current[i]! > this.current[best]!) best = i;
      }
      this.current[best]! -= this.totalWeight;
      this.order.push(this.weighted[best]!.name);
    }
  }
}
