/**
 * A count of the times the event loop called back into Cicada: socket reads of the HTTP
 * client, and an immediate the task loop arms. A user whose task resumed after one of
 * them has let other users and timers run, so a zero wait after it needs no extra yield
 * to the event loop (see the task loop): that saves an immediate and a promise per task
 * when users have no think time.
 */
let turns = 0;

/** Notes that the event loop called back into Cicada (an I/O callback or a timer). */
export function countLoopTurn(): void {
  turns++;
}

/** The number of event-loop callbacks so far; compare two readings to see if any happened. */
export function loopTurns(): number {
  return turns;
}
