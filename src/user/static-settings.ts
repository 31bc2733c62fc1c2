/**
 * Settings written as `static` fields. A locustfile may write any setting of a user or task
 * set as an instance field (`waitTime = between(1, 5)`) or a static one (`static waitTime =
 * between(1, 5)`, closer to Locust's class attributes). The code reads instance fields, so a
 * new instance adopts its class's static value for every setting left undefined: an
 * instance field that is set wins, as an instance attribute does in Python.
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
  for (const key of Object.keys(instance)) {
    if (fields[key] !== undefined || CLASS_ONLY.has(key)) continue;
    const value = cls[key];
    if (value !== undefined) fields[key] = value;
  }
  return instance;
}

/** A new user of `cls`, with its static settings adopted: how the runner creates every user. */
export function createUser(cls: UserClass, environment: UserEnvironment): User {
  return adoptStaticSettings(new cls(environment));
}
