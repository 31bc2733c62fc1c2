/**
 * Settings written as `static` fields. A locustfile may write any setting of a user or task
 * set as an instance field (`waitTime = between(1, 5)`) or a static one (`static waitTime =
 * between(1, 5)`, closer to Locust's class attributes). The code reads instance fields, so a
 * new instance adopts its class's static value for every setting left undefined: an
 * instance field that is set wins, as an instance attribute does in Python, then a method or
 * getter of the same name, then the static value.
 */
import type { UserEnvironment } from "./environment.js";
import type { User, UserClass } from "./user.js";

/** Class-level markers that describe the class itself, never copied into instances. */
const CLASS_ONLY = new Set(["abstract"]);

/**
 * Gives `instance` its class's static value (inherited statics included) for each of its
 * own fields that is undefined. Every setting the base classes declare is such a field
 * (`useDefineForClassFields`), so no list of names is kept here to fall out of date.
 */
export function adoptStaticSettings<T extends object>(instance: T): T {
  const cls = instance.constructor as unknown as Record<string, unknown>;
  const fields = instance as Record<string, unknown>;
  const prototype = Object.getPrototypeOf(instance) as object;
  for (const key of Object.keys(instance)) {
    if (fields[key] !== undefined || CLASS_ONLY.has(key)) continue;
    // A method or getter of that name (`waitTime() { return 1; }`, ported from Python's
    // `def wait_time(self)`) was hidden by the base class's field: a user waited nothing.
    if (declaredOnPrototype(prototype, key)) {
      delete fields[key];
      continue;
    }
    const value = cls[key];
    if (value !== undefined) fields[key] = value;
  }
  return instance;
}

/** True when a class in the chain defines `key` as a method, a getter or a value (read without calling a getter). */
function declaredOnPrototype(prototype: object | null, key: string): boolean {
  for (let at = prototype; at !== null && at !== Object.prototype; at = Object.getPrototypeOf(at)) {
    const descriptor = Object.getOwnPropertyDescriptor(at, key);
    if (descriptor !== undefined) return descriptor.get !== undefined || descriptor.value !== undefined;
  }
  return false;
}

/** A new user of `cls`, with its static settings adopted: how the runner creates every user. */
export function createUser(cls: UserClass, environment: UserEnvironment): User {
  return adoptStaticSettings(new cls(environment));
}
