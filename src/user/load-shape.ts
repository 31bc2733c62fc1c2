import { isArrivalRate, MAX_ARRIVAL_RATE } from "../shared/arrival-rate.js";
import { UsageError } from "../shared/errors.js";
import type { UserClass } from "./user.js";

/** What a shape's `tick()` asks for: a user count, a spawn rate and optionally which classes. */
export interface ShapeTick {
  users: number;
  spawnRate: number;
  /** Only these classes, by their weights (Locust's third item); the others' users stop. */
  userClasses?: UserClass[];
}

/**
 * What an open-model shape's `tick()` asks for: iterations started per second from this
 * tick on (0 pauses), whatever the response times (k6's ramping-arrival-rate stages).
 * Users are created on demand, up to `--max-users`.
 */
export interface ArrivalRateTick {
  arrivalRate: number;
}

/** The runner as a shape sees it. */
export interface ShapeRunner {
  readonly userCount: number;
}

/**
 * A load shape: `tick()` is called about once a second and returns the users and spawn
 * rate wanted now, or `null` to end the test (Locust's LoadTestShape). While a shape is
 * active, -u, -r and -t are ignored.
 *
 * @example
 * export class Steps extends LoadTestShape {
 *   tick() {
 *     const t = this.getRunTime();
 *     if (t > 60) return null;
 *     return { users: 10 * (Math.floor(t / 10) + 1), spawnRate: 10 };
 *   }
 * }
 */
export abstract class LoadTestShape {
  static abstract = true;

  /** Set by the runner before the first tick. */
  runner: ShapeRunner | undefined;
  private startMs = performance.now();

  /**
   * The users and spawn rate wanted now (Locust's tuple form `[users, rate]` works too), or
   * the arrival rate (`{ arrivalRate }`, the open model), or null to stop. A shape stays
   * with one kind for the whole test.
   */
  abstract tick():
    | ShapeTick
    | ArrivalRateTick
    | readonly [number, number]
    | readonly [number, number, UserClass[]]
    | null;

  /** Seconds since the shape started (or since `resetTime()`). */
  getRunTime(): number {
    return (performance.now() - this.startMs) / 1000;
  }

  resetTime(): void {
    this.startMs = performance.now();
  }

  getCurrentUserCount(): number {
    return this.runner?.userCount ?? 0;
  }
}

/** True when `cls` is a concrete LoadTestShape subclass. */
export function isLoadShapeClass(cls: unknown): cls is new () => LoadTestShape {
  return typeof cls === "function" && cls.prototype instanceof LoadTestShape;
}

/** Normalises the tuple and object forms of a tick result. */
export function normaliseShapeTick(
  result: ReturnType<LoadTestShape["tick"]>,
): ShapeTick | ArrivalRateTick | null {
  if (result === null || result === undefined) return null;
  if (Array.isArray(result)) {
    const [users, spawnRate, userClasses] = result as [number, number, UserClass[] | undefined];
    return checkUsersTick(userClasses ? { users, spawnRate, userClasses } : { users, spawnRate }, result);
  }
  const tick = checkArrivalTick(result as ShapeTick | ArrivalRateTick);
  return isArrivalRateTick(tick) ? tick : checkUsersTick(tick, result);
}

/**
 * A closed-model tick needs a whole number of users ≥ 0 and a spawn rate above 0: `{ users: 4 }`
 * alone, Locust's `user_count`, or `[-1, 5]` started nothing, without a word.
 * @throws UsageError otherwise.
 */
function checkUsersTick(tick: ShapeTick, returned: unknown): ShapeTick {
  const { users, spawnRate } = tick;
  const usersOk = typeof users === "number" && Number.isInteger(users) && users >= 0;
  const rateOk = typeof spawnRate === "number" && Number.isFinite(spawnRate) && spawnRate > 0;
  if (usersOk && rateOk) return tick;
  const shown = JSON.stringify(returned, (_key, value) =>
    typeof value === "function"
      ? value.name
      : typeof value === "number" && !Number.isFinite(value)
        ? String(value)
        : value,
  );
  throw new UsageError(
    "CICADA_ERR_SHAPE_TICK",
    `the load shape's tick() returned ${shown}: ${[
      ...(usersOk ? [] : ["users must be a whole number ≥ 0"]),
      ...(rateOk ? [] : ["spawnRate must be a number of users per second above 0"]),
    ].join(", and ")}`,
    {
      hint: "Return { users: N, spawnRate: R } or [N, R] (the closed model), { arrivalRate: N } (the open model), or null to end the test; see docs/api.md#load-shapes",
    },
  );
}

/** True for a tick of the open model. */
export function isArrivalRateTick(tick: ShapeTick | ArrivalRateTick): tick is ArrivalRateTick {
  return "arrivalRate" in tick;
}

/**
 * A tick that asks for an arrival rate must ask for nothing else of the closed model, and
 * its rate must be a number ≥ 0.
 * @throws UsageError otherwise.
 */
function checkArrivalTick(tick: ShapeTick | ArrivalRateTick): ShapeTick | ArrivalRateTick {
  if (!("arrivalRate" in tick)) return tick;
  if ("users" in tick || "spawnRate" in tick) {
    throw new UsageError(
      "CICADA_ERR_SHAPE_TICK",
      `the load shape's tick() mixed an arrival rate with users: ${JSON.stringify(tick)}`,
      {
        hint: "Return { arrivalRate: N } (iterations per second, the open model) or { users, spawnRate } (the closed model), never both; see docs/api.md#load-shapes",
      },
    );
  }
  const rate = tick.arrivalRate;
  if (!isArrivalRate(rate)) {
    throw new UsageError(
      "CICADA_ERR_SHAPE_TICK",
      // String() for numbers: JSON would write NaN and Infinity as null.
      `the load shape's tick() returned arrivalRate ${typeof rate === "number" ? String(rate) : JSON.stringify(rate)}: expected a number of iterations per second from 0 to ${MAX_ARRIVAL_RATE}`,
      {
        hint: `Return { arrivalRate: N } with N from 0 to ${MAX_ARRIVAL_RATE} (0 starts no iteration for the moment; null ends the test); see docs/api.md#load-shapes`,
      },
    );
  }
  return tick;
}
