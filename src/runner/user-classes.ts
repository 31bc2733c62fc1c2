/**
 * Reads the class-level settings of user classes (weight, fixedCount, host), which a
 * locustfile may write as static or as instance fields, and plans their tasks.
 */
import {
  adoptStaticSettings,
  createUser,
  isAbstractClass,
  isTaskSetClass,
  type TagFilter,
  type TaskPlan,
  TaskPlanner,
  type User,
  type UserClass,
  type UserEnvironment,
} from "../user/index.js";

export interface UserClassInfo {
  readonly cls: UserClass;
  readonly name: string;
  readonly weight: number;
  readonly fixedCount: number;
  readonly host: string | undefined;
  readonly plan: TaskPlan;
}

function readSetting(
  cls: UserClass,
  probe: User | undefined,
  key: "weight" | "fixedCount" | "host",
): unknown {
  const instanceValue = probe?.[key];
  if (instanceValue !== undefined) return instanceValue;
  return (cls as unknown as Record<string, unknown>)[key];
}

/** Builds probe instances of users and task sets, to read instance fields without running anything. */
export function makeProbeFactory(environment: UserEnvironment): (cls: Function) => object | undefined {
  const probes = new WeakMap<Function, object>();
  let probeUser: User | undefined;
  return (cls) => {
    const cached = probes.get(cls);
    if (cached) return cached;
    let probe: object | undefined;
    if (isTaskSetClass(cls)) {
      if (!probeUser) return undefined;
      probe = adoptStaticSettings(new (cls as unknown as new (parent: User) => object)(probeUser));
    } else {
      probe = createUser(cls as UserClass, environment);
      probeUser ??= probe as User;
    }
    probes.set(cls, probe);
    return probe;
  };
}

/** Describes the spawnable user classes: settings validated, tasks planned with the tag filter. */
export function describeUserClasses(
  classes: readonly UserClass[],
  environment: UserEnvironment,
  filter: TagFilter,
): UserClassInfo[] {
  const probe = makeProbeFactory(environment);
  const planner = new TaskPlanner(probe, isTaskSetClass, filter);
  return classes
    .filter((cls) => !isAbstractClass(cls))
    .map((cls) => {
      const instance = probe(cls) as User;
      const weight = readSetting(cls, instance, "weight") ?? 1;
      const fixedCount = readSetting(cls, instance, "fixedCount") ?? 0;
      const host = readSetting(cls, instance, "host");
      if (Object.hasOwn(instance, "abstract")) {
        // Python's `abstract = True` is a class attribute of the class that says it; an
        // instance field is inherited by every subclass, so it cannot say which class it marks.
        throw new TypeError(
          `${cls.name} sets abstract as an instance field, which Cicada does not read: write static abstract = true on the base class (it marks only the class that declares it)`,
        );
      }
      if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
        throw new TypeError(`${cls.name}.weight must be a number ≥ 0, got ${String(weight)}`);
      }
      if (typeof fixedCount !== "number" || !Number.isInteger(fixedCount) || fixedCount < 0) {
        throw new TypeError(`${cls.name}.fixedCount must be a whole number ≥ 0, got ${String(fixedCount)}`);
      }
      if (host !== undefined && typeof host !== "string") {
        throw new TypeError(`${cls.name}.host must be a string URL, got ${typeof host}`);
      }
      return { cls, name: cls.name, weight, fixedCount, host, plan: planner.plan(cls) };
    });
}

/** Every tag used by the tasks of these classes (before filtering). */
export function collectTags(classes: readonly UserClass[], environment: UserEnvironment): Set<string> {
  const probe = makeProbeFactory(environment);
  const all = new Set<string>();
  for (const cls of classes) {
    for (const tagName of TaskPlanner.collectTags(cls, probe, isTaskSetClass)) all.add(tagName);
  }
  return all;
}

/** Locust's snake_case names of settings and hooks, with Cicada's (camelCase) name for each. */
const LOCUST_SPELLINGS: ReadonlyArray<readonly [string, string]> = [
  ["wait_time", "waitTime"],
  ["on_start", "onStart"],
  ["on_stop", "onStop"],
  ["fixed_count", "fixedCount"],
  ["network_timeout", "networkTimeout"],
  ["connection_timeout", "connectionTimeout"],
  ["max_redirects", "maxRedirects"],
  ["default_headers", "defaultHeaders"],
];

/**
 * Settings of Locust's FastHttpUser that Cicada has no field of that name for, with what a
 * ported file should use instead: left in, they are silently ignored like the spellings above.
 */
const LOCUST_ONLY_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ["max_retries", "Cicada resends a request only on a kept connection the server closed, never on a failure"],
  [
    "concurrency",
    "each user has its own connections (requests it sends together, with Promise.all, go out in parallel); run more users for more load",
  ],
  ["client_pool", "each user has its own connections, never shared"],
  ["ssl_context_factory", "set tls (ca, cert, key, ...) or insecure"],
  ["proxy_host", "set proxy, or the http_proxy/https_proxy variables"],
  ["proxy_port", "set proxy, or the http_proxy/https_proxy variables"],
];

/**
 * The warnings for settings and hooks written with Locust's names in these user classes and
 * their TaskSets (`wait_time`, `on_start`, ...): Cicada never reads them, so a ported file
 * would run without its waits or its login, silently and type-checked.
 */
export function locustSpellingWarnings(
  classes: readonly UserClass[],
  environment: UserEnvironment,
): string[] {
  const probe = makeProbeFactory(environment);
  const planner = new TaskPlanner(probe, isTaskSetClass, {});
  const warnings: string[] = [];
  const seen = new Set<Function>();
  const visit = (cls: Function, plan: () => TaskPlan) => {
    if (seen.has(cls)) return;
    seen.add(cls);
    const instance = probe(cls) ?? cls.prototype;
    for (const [locust, cicada] of LOCUST_SPELLINGS) {
      if (locust in instance || locust in cls) {
        warnings.push(
          `${cls.name}.${locust} is Locust's name: Cicada reads ${cicada}, so ${locust} is ignored`,
        );
      }
    }
    for (const [locust, instead] of LOCUST_ONLY_SETTINGS) {
      if (locust in instance || locust in cls) {
        warnings.push(
          `${cls.name}.${locust} is a setting of Locust's FastHttpUser that Cicada does not have, so it is ignored: ${instead}`,
        );
      }
    }
    for (const task of plan().tasks) if (task.taskSet && task.plan) visit(task.taskSet, task.plan);
  };
  for (const cls of classes) if (!isAbstractClass(cls)) visit(cls, () => planner.plan(cls));
  return warnings;
}
