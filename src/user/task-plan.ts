/**
 * Turns a class's task declarations (`@task` members and the `tasks` field) into a
 * TaskPlan: the weighted list a task loop picks from, already filtered by
 * --tags / --exclude-tags. Plans are computed once per class and filter, before the test
 * starts, so a user picking its next task does no reflection.
 */
import { kMarkov } from "./internal.js";
import { readClassTags, readMemberTags, readTaskDeclarations, readTransitions } from "./task.js";

/** A plain task function; `this` and the argument are the user or task set running it. */
export type TaskFunction = (this: never, owner: never) => unknown;
/** A TaskSet subclass used as a task. */
export type TaskSetClass = abstract new (parent: never) => object;
export type TaskEntry = TaskFunction | TaskSetClass;
/** The `tasks` field: an array (optionally with `[task, weight]` pairs) or a map of task to weight. */
export type TaskList =
  | ReadonlyArray<TaskEntry | readonly [TaskEntry, number]>
  | ReadonlyMap<TaskEntry, number>;

export interface TaskDefinition {
  readonly name: string;
  readonly weight: number;
  readonly tags: ReadonlySet<string>;
  /** For function tasks: calls the task with the owner as `this` and argument. */
  readonly run?: (owner: object) => unknown;
  /** For nested task sets: the class and its own plan. */
  readonly taskSet?: TaskSetClass;
  readonly plan?: () => TaskPlan;
}

export interface TaskPlan {
  readonly tasks: readonly TaskDefinition[];
  /** Cumulative weights, for a weighted random pick. */
  readonly cumulativeWeights: Float64Array;
  readonly totalWeight: number;
  /** For SequentialTaskSet: tasks in order, each repeated `weight` times. */
  readonly sequence: readonly TaskDefinition[];
  /** For MarkovTaskSet: the chain over `tasks`, which starts at `tasks[0]`. */
  readonly markov?: MarkovChain;
}

/** A MarkovTaskSet's transitions: for each task (by index in the plan), where it may go next. */
export interface MarkovChain {
  /** `next[i]`: the tasks task `i` may be followed by (indexes), with cumulative weights. */
  readonly next: ReadonlyArray<{ readonly targets: readonly number[]; readonly cumulative: Float64Array }>;
}

/** The task after task `current` of a Markov chain, picked by its transitions' weights. */
export function pickTransition(chain: MarkovChain, current: number, random: number): number {
  const { targets, cumulative } = chain.next[current]!;
  const target = random * cumulative[cumulative.length - 1]!;
  let i = 0;
  while (i < cumulative.length - 1 && target >= cumulative[i]!) i++;
  return targets[i]!;
}

export interface TagFilter {
  readonly include?: ReadonlySet<string> | undefined;
  readonly exclude?: ReadonlySet<string> | undefined;
}

/** Makes a probe instance of a task-holding class, to read instance fields like `tasks`. */
export type ProbeFactory = (cls: Function) => object | undefined;

/** Picks a task by weight. */
export function pickWeighted(plan: TaskPlan, random: number): TaskDefinition {
  const target = random * plan.totalWeight;
  const weights = plan.cumulativeWeights;
  let low = 0;
  let high = weights.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (target < weights[mid]!) high = mid;
    else low = mid + 1;
  }
  return plan.tasks[low]!;
}

function isTaskSetClass(value: unknown, isTaskSet: (cls: Function) => boolean): value is TaskSetClass {
  return typeof value === "function" && isTaskSet(value);
}

function passes(tags: ReadonlySet<string>, filter: TagFilter): boolean {
  if (filter.include && filter.include.size > 0 && ![...tags].some((t) => filter.include!.has(t)))
    return false;
  if (filter.exclude && [...tags].some((t) => filter.exclude!.has(t))) return false;
  return true;
}

function toPlan(tasks: TaskDefinition[]): TaskPlan {
  const cumulativeWeights = new Float64Array(tasks.length);
  let total = 0;
  const sequence: TaskDefinition[] = [];
  tasks.forEach((t, i) => {
    total += t.weight;
    cumulativeWeights[i] = total;
    for (let n = 0; n < t.weight; n++) sequence.push(t);
  });
  return { tasks, cumulativeWeights, totalWeight: total, sequence };
}

function normaliseTaskList(list: unknown, owner: string): Array<[TaskEntry, number]> {
  if (list === undefined || list === null) return [];
  const entries: Array<[unknown, unknown]> =
    list instanceof Map
      ? [...list.entries()]
      : Array.isArray(list)
        ? list.map((item): [unknown, unknown] => (Array.isArray(item) ? [item[0], item[1]] : [item, 1]))
        : [];
  if (!(list instanceof Map) && !Array.isArray(list)) {
    throw new TypeError(`${owner}.tasks must be an array or a Map of task → weight`);
  }
  return entries.map(([entry, weight]) => {
    if (typeof entry !== "function")
      throw new TypeError(`${owner}.tasks: every task must be a function or a TaskSet class`);
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1) {
      throw new RangeError(`${owner}.tasks: weights must be whole numbers ≥ 1, got ${String(weight)}`);
    }
    return [entry as TaskEntry, weight];
  });
}

function isMarkovClass(cls: Function): boolean {
  return (cls as unknown as Record<symbol, unknown>)[kMarkov] === true;
}

/**
 * The plan of a MarkovTaskSet: its `@transition` methods, the first declared one as the
 * start, checked as Locust checks them (every target is a method with transitions of its
 * own; no `@task`, no tags). Each task's weight is its share of runs in the long run (the
 * chain's stationary distribution), so task ratios are true.
 */
function markovPlan(cls: Function): TaskPlan {
  const owner = cls.name;
  const chain = readTransitions(cls);
  if (chain.size === 0) {
    throw new TypeError(
      `${owner} is a MarkovTaskSet without Markov tasks: mark its methods with @transition("next")`,
    );
  }
  if (readTaskDeclarations(cls).length > 0) {
    throw new TypeError(`${owner} is a MarkovTaskSet: use @transition on its methods, not @task`);
  }
  const names = [...chain.keys()];
  const index = new Map(names.map((name, i) => [name, i]));
  const next = names.map((name) => {
    if (readMemberTags(cls, name).length > 0 || readClassTags(cls).length > 0) {
      throw new TypeError(
        `${owner}.${name}: tags are not supported in a MarkovTaskSet (they could break the chain)`,
      );
    }
    const targets: number[] = [];
    const cumulative: number[] = [];
    let total = 0;
    for (const [target, weight] of chain.get(name)!) {
      const to = index.get(target);
      if (to === undefined) {
        const exists = typeof (cls.prototype as Record<string, unknown>)[target] === "function";
        throw new TypeError(
          exists
            ? `${owner}.${target} cannot be the target of a transition from ${name}: it has no @transition of its own`
            : `${owner}.${name} has a transition to ${target}, which is not a method of ${owner}`,
        );
      }
      targets.push(to);
      total += weight;
      cumulative.push(total);
    }
    return { targets, cumulative: Float64Array.from(cumulative) };
  });
  const shares = stationaryShares(next, names.length);
  const tasks: TaskDefinition[] = names.map((name, i) => ({
    name,
    weight: shares[i]!,
    tags: new Set<string>(),
    run: (owner: object) => (owner as Record<string, () => unknown>)[name]!.call(owner),
  }));
  return { ...toPlan([]), tasks, totalWeight: 1, markov: { next } };
}

/**
 * How often each task runs in the long run, starting from the first: the average of the
 * first steps' distributions (a Cesàro mean, which also settles for periodic chains).
 */
function stationaryShares(next: MarkovChain["next"], size: number): number[] {
  let current = new Array<number>(size).fill(0);
  current[0] = 1;
  const sum = new Array<number>(size).fill(0);
  const steps = 2000;
  for (let step = 0; step < steps; step++) {
    const following = new Array<number>(size).fill(0);
    current.forEach((p, i) => {
      const { targets, cumulative } = next[i]!;
      const total = cumulative[cumulative.length - 1]!;
      targets.forEach((to, k) => {
        following[to]! += (p * (cumulative[k]! - (k > 0 ? cumulative[k - 1]! : 0))) / total;
      });
      sum[i]! += p;
    });
    current = following;
  }
  return sum.map((s) => s / steps);
}

/**
 * Plans the tasks of a User or TaskSet class. `isTaskSet` recognises TaskSet classes
 * (passed in to avoid an import cycle with task-set.ts).
 */
export class TaskPlanner {
  private readonly cache = new Map<string, WeakMap<Function, TaskPlan>>();
  private readonly planning = new Set<Function>();

  constructor(
    private readonly probe: ProbeFactory,
    private readonly isTaskSet: (cls: Function) => boolean,
    readonly filter: TagFilter = {},
  ) {}

  plan(cls: Function, inheritedTags: readonly string[] = []): TaskPlan {
    const key = [...inheritedTags].sort().join("\u0000");
    let byClass = this.cache.get(key);
    if (!byClass) {
      byClass = new WeakMap();
      this.cache.set(key, byClass);
    }
    const cached = byClass.get(cls);
    if (cached) return cached;
    this.planning.add(cls);
    try {
      const plan = isMarkovClass(cls) ? markovPlan(cls) : toPlan(this.definitions(cls, inheritedTags));
      byClass.set(cls, plan);
      return plan;
    } finally {
      this.planning.delete(cls);
    }
  }

  private definitions(cls: Function, inheritedTags: readonly string[]): TaskDefinition[] {
    const classTags = [...inheritedTags, ...readClassTags(cls)];
    const probe = this.probe(cls) as Record<string | symbol, unknown> | undefined;
    const out: TaskDefinition[] = [];

    for (const declaration of readTaskDeclarations(cls)) {
      const tags = [...classTags, ...readMemberTags(cls, declaration.key)];
      const name = String(declaration.key);
      if (declaration.kind === "method") {
        const key = declaration.key;
        const run = (owner: object) => (owner as Record<string | symbol, () => unknown>)[key]!.call(owner);
        this.pushFunction(out, name, declaration.weight, tags, run);
      } else {
        const holder = declaration.isStatic ? (cls as unknown as Record<string | symbol, unknown>) : probe;
        const value = holder?.[declaration.key];
        this.pushEntry(out, cls.name, value, declaration.weight, tags, name);
      }
    }
    const listSource = probe?.tasks ?? (cls as unknown as { tasks?: unknown }).tasks;
    for (const [entry, weight] of normaliseTaskList(listSource, cls.name)) {
      this.pushEntry(out, cls.name, entry, weight, classTags, entry.name || "(anonymous task)");
    }
    return out;
  }

  private pushEntry(
    out: TaskDefinition[],
    owner: string,
    value: unknown,
    weight: number,
    tags: readonly string[],
    name: string,
  ): void {
    if (isTaskSetClass(value, this.isTaskSet)) {
      const nestedTags = [...tags];
      const taskSetTags = new Set([...tags, ...readClassTags(value)]);
      if (this.planning.has(value)) {
        // A task set that (indirectly) contains itself: plan it when it runs.
        out.push({
          name: value.name,
          weight,
          tags: taskSetTags,
          taskSet: value,
          plan: () => this.plan(value, nestedTags),
        });
        return;
      }
      const plan = this.plan(value, nestedTags);
      if (plan.tasks.length > 0) {
        out.push({ name: value.name, weight, tags: taskSetTags, taskSet: value, plan: () => plan });
      }
      return;
    }
    if (typeof value !== "function") {
      throw new TypeError(
        `${owner}.${name}: @task on a field needs a TaskSet class or a function as its value`,
      );
    }
    const fn = value as (this: object, owner: object) => unknown;
    this.pushFunction(out, name, weight, tags, (o) => fn.call(o, o));
  }

  private pushFunction(
    out: TaskDefinition[],
    name: string,
    weight: number,
    tags: readonly string[],
    run: (owner: object) => unknown,
  ): void {
    const tagSet = new Set(tags);
    if (passes(tagSet, this.filter)) out.push({ name, weight, tags: tagSet, run });
  }

  /** Every tag that appears anywhere in the (unfiltered) plan of a class. */
  static collectTags(cls: Function, probe: ProbeFactory, isTaskSet: (cls: Function) => boolean): Set<string> {
    const all = new Set<string>();
    const visit = (plan: TaskPlan, seen: Set<TaskPlan>) => {
      if (seen.has(plan)) return;
      seen.add(plan);
      for (const t of plan.tasks) {
        for (const tagName of t.tags) all.add(tagName);
        if (t.plan) visit(t.plan(), seen);
      }
    };
    visit(new TaskPlanner(probe, isTaskSet).plan(cls), new Set());
    return all;
  }
}
