/**
 * Which user class the n-th spawned user belongs to, in the order current Locust
 * (≥ 2.27, dispatch.py's Kullback-Leibler generator) dispatches them: classes with
 * `fixedCount` come first (exactly that many each, interleaved by their counts), then
 * weighted classes interleave by weight, each next user going to the class whose share so
 * far is furthest below its weight: A:3 B:1 gives A B A A A B A A ..., A:5 B:1 gives
 * A A B A A A A A B .... Every prefix of the sequence is as close to the weights as whole
 * users allow, so a ramp-up, a ramp-down (newest first) and the final count agree.
 */
export interface SpawnClass {
  readonly name: string;
  readonly weight: number;
  readonly fixedCount: number;
}

/**
 * Locust's generator: each class has a key, `weight · log2((n - 1) / n)` with n = its
 * picks so far + weight + 1 (how much the divergence from the weights changes if it gets
 * the next user); the smallest key gets it (ties: smaller n, then smaller weight, then
 * name). The same numbers, in the same order, as Python's heap of `(key, n, weight, name)`.
 */
class KlInterleaver {
  private readonly keys: number[];
  private readonly counts: number[];

  constructor(private readonly classes: ReadonlyArray<{ name: string; weight: number }>) {
    this.counts = classes.map((c) => c.weight + 1);
    this.keys = classes.map((c) => c.weight * Math.log2(c.weight / (c.weight + 1)));
  }

  next(): string {
    let best = 0;
    for (let i = 1; i < this.classes.length; i++) if (this.before(i, best)) best = i;
    const n = this.counts[best]!;
    this.keys[best] = this.classes[best]!.weight * Math.log2(n / (n + 1));
    this.counts[best] = n + 1;
    return this.classes[best]!.name;
  }

  private before(a: number, b: number): boolean {
    const keyA = this.keys[a]!;
    const keyB = this.keys[b]!;
    if (keyA !== keyB) return keyA < keyB;
    if (this.counts[a] !== this.counts[b]) return this.counts[a]! < this.counts[b]!;
    const weightA = this.classes[a]!.weight;
    const weightB = this.classes[b]!.weight;
    if (weightA !== weightB) return weightA < weightB;
    return this.classes[a]!.name < this.classes[b]!.name;
  }
}

export class SpawnSequence {
  private readonly order: string[] = [];
  private readonly weighted: KlInterleaver | undefined;

  constructor(classes: readonly SpawnClass[]) {
    const fixed = classes.filter((c) => c.fixedCount > 0);
    const fixedTotal = fixed.reduce((sum, c) => sum + c.fixedCount, 0);
    const interleavedFixed = new KlInterleaver(fixed.map((c) => ({ name: c.name, weight: c.fixedCount })));
    for (let i = 0; i < fixedTotal; i++) this.order.push(interleavedFixed.next());
    const weighted = classes.filter((c) => c.fixedCount <= 0 && c.weight > 0);
    this.weighted = weighted.length > 0 ? new KlInterleaver(weighted) : undefined;
  }

  /** The largest number of users this sequence can hold (Infinity unless every class is fixed). */
  get capacity(): number {
    return this.weighted !== undefined ? Number.POSITIVE_INFINITY : this.order.length;
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
    if (this.weighted === undefined) return;
    while (this.order.length < length) this.order.push(this.weighted.next());
  }
}
