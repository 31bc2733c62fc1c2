/**
 * `check(res, { "status is 200": (r) => r.status === 200, "has token": (r) => ... })`:
 * named assertions about a response (k6's `check`). Each runs and is counted as a pass or
 * a fail under its name; a failed check never fails the request or stops the task (use
 * `catchResponse` for that). The counts reach the stats through the run's `check` event,
 * the same seam as requests, so workers report them to their master; the `checks` and
 * `check:"name"` thresholds judge them.
 */
import { LocustfileError } from "../shared/errors.js";
import type { Events } from "./events.js";

/** One named check that ran (the `check` event). */
export interface CheckEvent {
  name: string;
  passed: boolean;
  /** What the check function threw, if it did (it then counts as failed). */
  error?: unknown;
}

/** A check: a function of the value (truthy passes), or a boolean already computed. */
export type CheckFunction<T> = ((value: T) => unknown) | boolean;

/** The checks of one `check()` call, by name. */
export type Checks<T> = Record<string, CheckFunction<T>>;

/** A `check()` call the locustfile got wrong (not a function, a promise, a bad name). */
export class CheckError extends LocustfileError {
  constructor(message: string, hint: string) {
    super("CICADA_ERR_CHECK", message, { hint });
  }
}

const NAME_LIMIT = 200;

/** `check()` as a locustfile calls it. */
export type CheckFn = <T>(value: T, checks: Checks<T>) => boolean;

/**
 * The `check` function of a run: it reports to `events`. A check function that throws
 * counts as failed (a response without the expected shape is the server's answer, not a
 * bug of the test), and the first error of each check is logged.
 */
export function checkFor(events: Events): CheckFn {
  // Names already found valid: the same few names are checked on every request.
  const validNames = new Set<string>();
  return <T>(value: T, checks: Checks<T>): boolean => {
    if (typeof checks !== "object" || checks === null || Array.isArray(checks)) {
      throw new CheckError(
        `check(value, checks): checks must be an object of named functions, got ${Array.isArray(checks) ? "an array" : typeof checks}`,
        'Write check(res, { "status is 200": (r) => r.status === 200 })',
      );
    }
    let all = true;
    for (const [name, test] of Object.entries(checks)) {
      if (!validNames.has(name)) {
        checkName(name);
        if (validNames.size < 10_000) validNames.add(name);
      }
      const { passed, error } = runCheck(name, test, value);
      if (!passed) all = false;
      events.check.fire(error === undefined ? { name, passed } : { name, passed, error });
    }
    return all;
  };
}

function runCheck<T>(name: string, test: CheckFunction<T>, value: T): { passed: boolean; error?: unknown } {
  if (typeof test === "boolean") return { passed: test };
  if (typeof test !== "function") {
    throw new CheckError(
      `check "${name}" must be a function of the value or a boolean, got ${test === null ? "null" : typeof test}`,
      `Write "${name}": (r) => r.status === 200`,
    );
  }
  let result: unknown;
  try {
    result = test(value);
  } catch (error) {
    return { passed: false, error };
  }
  if (result instanceof Promise || (typeof result === "object" && result !== null && "then" in result)) {
    throw new CheckError(
      `check "${name}" returned a promise: checks run synchronously, so it would always pass`,
      "Await what you need before check(), then test the value",
    );
  }
  return { passed: Boolean(result) };
}

function checkName(name: string): void {
  if (name.trim() === "" || name.length > NAME_LIMIT || /[\r\n]/.test(name)) {
    throw new CheckError(
      `a check needs a name: a non-empty string of at most ${NAME_LIMIT} characters on one line, got ${JSON.stringify(name)}`,
      'Name a check by what it checks: "status is 200", "has token"',
    );
  }
}
