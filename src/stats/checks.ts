/**
 * The checks table: how often each named check (`check(res, { "status is 200": ... })`)
 * passed and failed. A check never fails its request; this table, the `checks` and
 * `check:"name"` thresholds and the reports are where its outcome shows.
 *
 * Memory is bounded like the request rows: past `maxNames` distinct names, new names
 * count under "(other)" (with one warning). Pure: no clock, no Node APIs.
 */

/** One check's counts, as plain data (reports, the web UI, thresholds). */
export interface CheckSnapshot {
  name: string;
  passes: number;
  fails: number;
  /** passes / (passes + fails); 0 when the check never ran. */
  rate: number;
}

/** A node's check counts since its previous report (a worker's delta): name → [passes, fails]. */
export type SerializedChecks = Array<[name: string, passes: number, fails: number]>;

/** Name that new check names count under once the limit of names is reached. */
export const OTHER_CHECK_NAME = "(other)";

interface CheckCounts {
  passes: number;
  fails: number;
}

/** Passes and fails per check name (see the file comment). */
export class CheckStats {
  private readonly byName = new Map<string, CheckCounts>();
  private totalPasses = 0;
  private totalFails = 0;
  private collapsed = false;

  constructor(
    private readonly maxNames = 1000,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  /** Counts one run of the check `name`. */
  record(name: string, passed: boolean): void {
    this.add(name, passed ? 1 : 0, passed ? 0 : 1);
  }

  /** Passes of every check together. */
  get passes(): number {
    return this.totalPasses;
  }

  /** Fails of every check together. */
  get fails(): number {
    return this.totalFails;
  }

  /** True when no check ran since the last reset. */
  get isEmpty(): boolean {
    return this.byName.size === 0;
  }

  /** The counts of one check, or undefined when it never ran. */
  get(name: string): CheckSnapshot | undefined {
    const counts = this.byName.get(name);
    return counts === undefined ? undefined : snapshotOf(name, counts);
  }

  /** Every check, sorted by name (the order of every table that shows them). */
  snapshot(): CheckSnapshot[] {
    return [...this.byName]
      .map(([name, counts]) => snapshotOf(name, counts))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The counts as plain data (a worker's report). */
  serialize(): SerializedChecks {
    return [...this.byName].map(([name, c]) => [name, c.passes, c.fails]);
  }

  /** Adds another node's counts (a worker's delta) exactly. */
  merge(other: SerializedChecks): void {
    for (const [name, passes, fails] of other) this.add(name, passes, fails);
  }

  /** Forgets every check (a new test, or a worker's report was sent). */
  reset(): void {
    this.byName.clear();
    this.totalPasses = 0;
    this.totalFails = 0;
    this.collapsed = false;
  }

  private add(name: string, passes: number, fails: number): void {
    let counts = this.byName.get(name);
    if (counts === undefined) {
      if (this.byName.size >= this.maxNames && name !== OTHER_CHECK_NAME) {
        this.warnCollapsed();
        this.add(OTHER_CHECK_NAME, passes, fails);
        return;
      }
      counts = { passes: 0, fails: 0 };
      this.byName.set(name, counts);
    }
    counts.passes += passes;
    counts.fails += fails;
    this.totalPasses += passes;
    this.totalFails += fails;
  }

  private warnCollapsed(): void {
    if (this.collapsed) return;
    this.collapsed = true;
    this.onWarning(
      `More than ${this.maxNames} distinct check names: new ones are now counted under "${OTHER_CHECK_NAME}". ` +
        "Name checks by what they check, not by the data they saw.",
    );
  }
}

function snapshotOf(name: string, counts: CheckCounts): CheckSnapshot {
  const runs = counts.passes + counts.fails;
  return { name, passes: counts.passes, fails: counts.fails, rate: runs > 0 ? counts.passes / runs : 0 };
}
