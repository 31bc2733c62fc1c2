/**
 * Which users run where, Locust's way (dispatch.py), as pure functions: the n-th user
 * gets the class the spawn sequence gives it (fixedCount classes first, then weighted
 * classes interleaved) and goes to the next worker in round-robin order, with workers
 * ordered so that consecutive ones are on different machines. Counts for n users are
 * a function of n alone, so a ramp-down removes the newest users first, and a worker
 * joining or leaving just recomputes the same function over the new list (rebalancing).
 */
import type { SpawnSequence } from "../runner/index.js";
import { hostOfNodeId } from "./node-id.js";
import type { CicadaArrival } from "./protocol.js";

/**
 * Workers in dispatch order: by their index among the workers of the same machine
 * (machine = node id before the first `_`), then by id, so users spread over machines first.
 */
export function orderWorkers(ids: Iterable<string>): string[] {
  const sorted = [...ids].sort();
  const perHost = new Map<string, number>();
  const indexWithinHost = new Map<string, number>();
  for (const id of sorted) {
    const host = hostOfNodeId(id);
    const index = perHost.get(host) ?? 0;
    perHost.set(host, index + 1);
    indexWithinHost.set(id, index);
  }
  return sorted.sort(
    (a, b) => indexWithinHost.get(a)! - indexWithinHost.get(b)! || (a < b ? -1 : a > b ? 1 : 0),
  );
}

/**
 * Absolute per-class counts for each worker when `userCount` users run: every class of
 * `classNames` is present (0 included), as a spawn message carries them.
 */
export function dispatchUsers(
  orderedWorkers: readonly string[],
  sequence: SpawnSequence,
  classNames: readonly string[],
  userCount: number,
): Map<string, Record<string, number>> {
  const result = new Map<string, Record<string, number>>();
  for (const id of orderedWorkers) {
    result.set(id, Object.fromEntries(classNames.map((name) => [name, 0])));
  }
  if (orderedWorkers.length === 0) return result;
  const n = Math.min(userCount, sequence.capacity);
  for (let i = 0; i < n; i++) {
    const counts = result.get(orderedWorkers[i % orderedWorkers.length]!)!;
    const name = sequence.classAt(i)!;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return result;
}

/** One ramp step every `intervalMs`, each moving `usersPerStep` users (Locust: max(1, floor(rate)) per step). */
export interface RampPlan {
  usersPerStep: number;
  intervalMs: number;
}

/** Locust's ramp pacing for a spawn rate (users per second). */
export function rampPlan(spawnRate: number): RampPlan {
  const usersPerStep = Math.max(1, Math.floor(spawnRate));
  return { usersPerStep, intervalMs: (usersPerStep / spawnRate) * 1000 };
}

/** The user count after one step from `current` towards `target`. */
export function nextRampCount(current: number, target: number, usersPerStep: number): number {
  return current < target
    ? Math.min(target, current + usersPerStep)
    : Math.max(target, current - usersPerStep);
}

/** The whole test's arrival rate now (and its ramp in progress), and the open model's caps. */
export interface ArrivalPlan {
  rate: number;
  rampTo: number | undefined;
  rampMs: number;
  maxUsers: number;
  maxQueueMs: number;
}

/**
 * --max-users split exactly over `workers` workers, in their dispatch order: each gets
 * the whole part, and the first `total % workers` one user more (5 over 2 is 3 and 2;
 * 1 over 2 is 1 and 0). The parts add up to `total`, never more.
 */
export function splitUsers(total: number, workers: number): number[] {
  if (workers <= 0) return [];
  const whole = Math.max(0, Math.floor(total));
  const base = Math.floor(whole / workers);
  const extra = whole % workers;
  return Array.from({ length: workers }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Each worker's share of an arrival rate: --max-users split exactly ({@link splitUsers}),
 * and the rate and its ramp in proportion to each worker's users, so that every worker
 * has as many users per iteration per second as the whole test asked for (a worker with
 * 0 users gets rate 0). The users add up to --max-users, the rates to the whole rate.
 */
export function arrivalShares(
  orderedWorkers: readonly string[],
  plan: ArrivalPlan,
): Map<string, CicadaArrival> {
  const shares = new Map<string, CicadaArrival>();
  const users = splitUsers(plan.maxUsers, orderedWorkers.length);
  const total = users.reduce((sum, n) => sum + n, 0);
  const part = (rate: number, n: number) => (total > 0 ? (rate * n) / total : 0);
  orderedWorkers.forEach((id, i) => {
    const n = users[i]!;
    shares.set(id, {
      rate: part(plan.rate, n),
      rate_to: plan.rampTo === undefined ? null : part(plan.rampTo, n),
      ramp_s: plan.rampMs / 1000,
      max_users: n,
      max_queue_s: plan.maxQueueMs / 1000,
    });
  });
  return shares;
}

/**
 * How --max-users is split, for the master's log: "up to 3 users each (6 in all)", or
 * "up to 5 users in all (1 worker with 3 users, 1 with 2)" when the parts differ.
 */
export function describeUserSplit(users: readonly number[]): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const total = users.reduce((sum, n) => sum + n, 0);
  if (users.length <= 1) return `up to ${plural(total, "user")}`;
  const groups = new Map<number, number>();
  for (const n of users) groups.set(n, (groups.get(n) ?? 0) + 1);
  if (groups.size === 1) return `up to ${plural(users[0]!, "user")} each (${total} in all)`;
  const parts = [...groups]
    .sort(([a], [b]) => b - a)
    .map(([n, workers], i) => {
      const count = i === 0 ? plural(n, "user") : n === 0 ? "none" : String(n);
      return `${i === 0 ? plural(workers, "worker") : workers} with ${count}`;
    });
  return `up to ${plural(total, "user")} in all (${parts.join(", ")})`;
}
