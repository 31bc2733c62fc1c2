import type { UserClass } from "./user.js";

/** What a shape's `tick()` asks for: a user count, a spawn rate and optionally which classes. */
export interface ShapeTick {
  users: number;
  spawnRate: number;
  userClasses?: UserClass[];
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

  /** The users and spawn rate wanted now (Locust's tuple form `[users, rate]` works too), or null to stop. */
  abstract tick(): ShapeTick | readonly [number, number] | readonly [number, number, UserClass[]] | null;

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
export function normaliseShapeTick(result: ReturnType<LoadTestShape["tick"]>): ShapeTick | null {
  if (result === null || result === undefined) return null;
  if (Array.isArray(result)) {
    const [users, spawnRate, userClasses] = result as [number, number, UserClass[] | undefined];
    return userClasses ? { users, spawnRate, userClasses } : { users, spawnRate };
  }
  return result as ShapeTick;
}
