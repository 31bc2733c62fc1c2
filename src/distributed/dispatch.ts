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
 * Each worker's share of an arrival rate: the rate, its ramp and --max-users split evenly
 * (the users rounded up, so the workers together may have a few more than asked, never
 * fewer than one each). The shares of the rate add up to the whole exactly.
 */
export function arrivalShares(
  orderedWorkers: readonly string[],
  plan: ArrivalPlan,
): Map<string, CicadaArrival> {
  const shares = new Map<string, CicadaArrival>();
  const n = orderedWorkers.length;
  if (n === 0) return shares;
  for (const id of orderedWorkers) {
    shares.set(id, {
      rate: plan.rate / n,
      rate_to: plan.rampTo === undefined ? null : plan.rampTo / n,
      ramp_s: plan.rampMs / 1000,
      max_users: Math.max(1, Math.ceil(plan.maxUsers / n)),
      max_queue_s: plan.maxQueueMs / 1000,
    });
  }
  return shares;
}
