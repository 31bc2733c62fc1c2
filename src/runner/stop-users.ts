/**
 * Stopping a group of users the way Locust does, for both pools (closed and open model):
 * with a stop timeout they finish their task first; then, or without one, they are
 * interrupted; a user whose onStop hangs is given up on after a grace period.
 */
import { settlesWithin } from "../shared/timers.js";

/** A running user as the pools hold it (a UserLifecycle). */
export interface StoppableUser {
  requestStop(): void;
  interrupt(): void;
  /** Settles when the user has ended; never rejects. */
  readonly finished: Promise<void>;
}

/** How long to wait for users' onStop after a hard stop before giving up on them. */
export const HARD_STOP_GRACE_MS = 10_000;

/**
 * Stops `users`: gracefully within `stopTimeoutMs` (0: at once), then hard. Resolves with
 * the users that had still not ended {@link HARD_STOP_GRACE_MS} after the hard stop.
 */
export async function stopUsers<U extends StoppableUser>(
  users: readonly U[],
  stopTimeoutMs: number,
): Promise<U[]> {
  if (users.length === 0) return [];
  const ended = new Set<U>();
  const allFinished = Promise.all(users.map((u) => u.finished.then(() => ended.add(u))));
  if (stopTimeoutMs > 0) {
    for (const u of users) u.requestStop();
    if (await settlesWithin(allFinished, stopTimeoutMs)) return [];
  }
  for (const u of users) u.interrupt();
  if (await settlesWithin(allFinished, HARD_STOP_GRACE_MS)) return [];
  return users.filter((u) => !ended.has(u));
}
