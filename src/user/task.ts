/**
 * The `@task` and `@tag` decorators (standard TypeScript/ECMAScript decorators, which
 * esbuild compiles) and the declarations they leave on a class.
 *
 * Declarations are kept in the class's decorator metadata, so subclasses inherit their
 * parents' tasks and may add their own, as with Locust's `@task`.
 *
 * @example
 * class Shopper extends HttpUser {
 *   @task(3) async browse() { await this.client.get("/"); }
 *   @task @tag("checkout") async buy() { await this.client.post("/cart/checkout"); }
 * }
 */

// Node 20 has no Symbol.metadata. esbuild's decorator helpers fall back to
// Symbol.for("Symbol.metadata") and TypeScript's read Symbol.metadata, so defining it here,
// before any locustfile class is evaluated, makes both agree.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for("Symbol.metadata");

const TASKS = Symbol.for("cicada.tasks");
const TAGS = Symbol.for("cicada.tags");
const CLASS_TAGS = Symbol.for("cicada.classTags");
const TRANSITIONS = Symbol.for("cicada.transitions");

/** A `@task` found on a class: a method, or a (static) field holding a TaskSet class. */
export interface TaskDeclaration {
  key: string | symbol;
  weight: number;
  kind: "method" | "field";
  isStatic: boolean;
}

type Metadata = Record<PropertyKey, unknown>;
type MemberContext = ClassMethodDecoratorContext | ClassFieldDecoratorContext;

/**
 * What a task method may be: it returns nothing (or a promise of nothing). A task that
 * returns a value is almost always a mistake (a forgotten `await` on the wrong thing, a
 * helper used as a task), so it does not compile.
 */
export type TaskMethod = (this: never) => void | Promise<void>;

function ownList<T>(metadata: Metadata, key: symbol): T[] {
  if (!Object.hasOwn(metadata, key)) metadata[key] = [];
  return metadata[key] as T[];
}

function ownMap<T>(metadata: Metadata, key: symbol): Map<string | symbol, T> {
  if (!Object.hasOwn(metadata, key)) metadata[key] = new Map();
  return metadata[key] as Map<string | symbol, T>;
}

function requireMetadata(context: DecoratorContext, decorator: string): Metadata {
  if (!context.metadata) {
    throw new Error(
      `${decorator} needs decorator metadata. Load the locustfile with Cicada (esbuild) and do not enable "experimentalDecorators".`,
    );
  }
  return context.metadata as Metadata;
}

function declareTask(weight: number, context: MemberContext): void {
  if (context.kind !== "method" && context.kind !== "field") {
    throw new TypeError(
      `@task applies to methods or fields holding a TaskSet class, not to a ${(context as DecoratorContext).kind}`,
    );
  }
  const metadata = requireMetadata(context, "@task");
  ownList<TaskDeclaration>(metadata, TASKS).push({
    key: context.name,
    weight,
    kind: context.kind,
    isStatic: context.static,
  });
}

/** The decorator `@task(weight)` returns. */
export type TaskDecorator = {
  (value: TaskMethod, context: ClassMethodDecoratorContext): void;
  (value: undefined, context: ClassFieldDecoratorContext): void;
};

/**
 * Marks a method as a task. `@task` (or `@task()`, as Locust's `@task()`) has weight 1;
 * `@task(3)` is picked three times as often. On a field holding a TaskSet class
 * (`@task(2) forum = ForumSection`) it declares a nested task set.
 */
export function task(value: TaskMethod, context: ClassMethodDecoratorContext): void;
export function task(value: undefined, context: ClassFieldDecoratorContext): void;
// Last, so that `@task forum = ForumSection` (a field: value undefined) picks the one above.
export function task(weight?: number): TaskDecorator;
export function task(valueOrWeight: unknown, context?: MemberContext): TaskDecorator | undefined {
  if (context !== undefined) {
    declareTask(1, context);
    return undefined;
  }
  const weight = valueOrWeight ?? 1;
  if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1) {
    throw new RangeError(`@task(weight): weight must be a whole number ≥ 1, got ${String(weight)}`);
  }
  return ((_value: unknown, ctx: MemberContext) => declareTask(weight, ctx)) as TaskDecorator;
}

/**
 * Tags a task (or every task of a TaskSet class or User class) for `--tags` and
 * `--exclude-tags`.
 */
export function tag(...names: string[]): (value: unknown, context: DecoratorContext) => void {
  if (names.length === 0 || names.some((n) => typeof n !== "string" || n.length === 0)) {
    throw new TypeError("@tag(...names): give one or more non-empty tag names");
  }
  return (_value, context) => {
    const metadata = requireMetadata(context, "@tag");
    if (context.kind === "class") {
      ownList<string>(metadata, CLASS_TAGS).push(...names);
    } else if (context.kind === "method" || context.kind === "field") {
      const tags = ownMap<string[]>(metadata, TAGS);
      tags.set(context.name, [...(tags.get(context.name) ?? []), ...names]);
    } else {
      throw new TypeError(`@tag applies to classes, methods or fields, not to a ${context.kind}`);
    }
  };
}

/** The metadata objects of a class, from its most distant ancestor to itself. */
function metadataChain(cls: Function): Metadata[] {
  const chain: Metadata[] = [];
  let metadata = (cls as unknown as Record<symbol, Metadata | undefined>)[Symbol.metadata as symbol];
  while (metadata) {
    chain.unshift(metadata);
    metadata = Object.getPrototypeOf(metadata) as Metadata | undefined;
  }
  return chain;
}

/** Every `@task` of a class and its ancestors, in declaration order; a subclass redeclaring a name wins. */
export function readTaskDeclarations(cls: Function): TaskDeclaration[] {
  const byKey = new Map<string | symbol, TaskDeclaration>();
  for (const metadata of metadataChain(cls)) {
    if (!Object.hasOwn(metadata, TASKS)) continue;
    for (const declaration of metadata[TASKS] as TaskDeclaration[]) {
      byKey.delete(declaration.key);
      byKey.set(declaration.key, declaration);
    }
  }
  return [...byKey.values()];
}

/** Tags declared with `@tag` on one member, including those from ancestors. */
export function readMemberTags(cls: Function, key: string | symbol): string[] {
  const tags: string[] = [];
  for (const metadata of metadataChain(cls)) {
    if (!Object.hasOwn(metadata, TAGS)) continue;
    tags.push(...((metadata[TAGS] as Map<string | symbol, string[]>).get(key) ?? []));
  }
  return tags;
}

/** Tags declared with `@tag` on the class itself (and its ancestors). */
export function readClassTags(cls: Function): string[] {
  const tags: string[] = [];
  for (const metadata of metadataChain(cls)) {
    if (Object.hasOwn(metadata, CLASS_TAGS)) tags.push(...(metadata[CLASS_TAGS] as string[]));
  }
  return tags;
}

/** The transitions of one Markov task: target method name → weight, in declaration order. */
export type TransitionWeights = ReadonlyMap<string, number>;

function checkTransitionWeight(target: unknown, weight: unknown): [string, number] {
  if (typeof target !== "string" || target === "") {
    throw new TypeError(
      `@transition(name, weight): name must be the name of a method, got ${String(target)}`,
    );
  }
  if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1) {
    throw new RangeError(
      `@transition("${target}", weight): weight must be a whole number ≥ 1, got ${String(weight)}`,
    );
  }
  return [target, weight];
}

function declareTransitions(context: ClassMethodDecoratorContext, pairs: Array<[string, number]>): void {
  if (context.kind !== "method" || context.static) {
    throw new TypeError("@transition and @transitions apply to methods of a MarkovTaskSet");
  }
  const metadata = requireMetadata(context, "@transition");
  const all = ownMap<Map<string, number>>(metadata, TRANSITIONS);
  const own = all.get(context.name) ?? new Map<string, number>();
  // Decorators run bottom-up; prepend so the transitions keep the order they are written in.
  all.set(context.name, new Map([...pairs, ...own]));
}

/**
 * A transition of a MarkovTaskSet task (Locust's `@transition`): after this method runs,
 * the task set moves to the method named `target` with probability proportional to
 * `weight` among this method's transitions.
 *
 * @example
 * class Shop extends MarkovTaskSet {
 *   @transition("browse") async index() { await this.client.get("/"); }
 *   @transition("index", 3) @transition("browse") async browse() { await this.client.get("/items"); }
 * }
 */
export function transition(
  target: string,
  weight = 1,
): (value: TaskMethod, context: ClassMethodDecoratorContext) => void {
  const pair = checkTransitionWeight(target, weight);
  return (_value, context) => declareTransitions(context, [pair]);
}

/**
 * Several transitions at once (Locust's `@transitions`): `{ checkout: 1, browse: 3 }`, or
 * `["browse", ["index", 2]]` (a bare name has weight 1).
 */
export function transitions(
  weights: Readonly<Record<string, number>> | ReadonlyArray<string | readonly [string, number]>,
): (value: TaskMethod, context: ClassMethodDecoratorContext) => void {
  const entries: Array<[unknown, unknown]> = Array.isArray(weights)
    ? weights.map((item): [unknown, unknown] => (Array.isArray(item) ? [item[0], item[1]] : [item, 1]))
    : Object.entries(weights);
  const pairs = entries.map(([target, weight]) => checkTransitionWeight(target, weight));
  return (_value, context) => declareTransitions(context, pairs);
}

/** The Markov tasks of a class (methods with `@transition`), ancestors first, in declaration order. */
export function readTransitions(cls: Function): Map<string, TransitionWeights> {
  const out = new Map<string, TransitionWeights>();
  for (const metadata of metadataChain(cls)) {
    if (!Object.hasOwn(metadata, TRANSITIONS)) continue;
    for (const [key, weights] of metadata[TRANSITIONS] as Map<string | symbol, Map<string, number>>) {
      out.delete(String(key));
      out.set(String(key), weights);
    }
  }
  return out;
}
