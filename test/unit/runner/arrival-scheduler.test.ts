import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loopAlignedDelay } from "../../../src/runner/arrival-scheduler.js";
import { ArrivalScheduler, type IterationStarter } from "../../../src/runner/index.js";
import { IterationStats, RequestStats } from "../../../src/stats/index.js";
import { FakeClock } from "../../helpers/fake-clock.js";

/**
 * Users on the fake clock: at most `maxUsers` busy at once, each iteration busy for
 * `durationMs(n)`; records when each iteration was meant to start and when it started.
 */
class SimulatedUsers implements IterationStarter {
  busy = 0;
  peakBusy = 0;
  readonly intended: number[] = [];
  readonly startedAt: number[] = [];
  scheduler!: ArrivalScheduler;

  constructor(
    private readonly clock: FakeClock,
    private readonly maxUsers: number,
    private readonly durationMs: (n: number) => number,
  ) {}

  tryStart(intendedStartMs: number): boolean {
    if (this.busy >= this.maxUsers) return false;
    const n = this.intended.length;
    this.intended.push(intendedStartMs - this.clock.epochOffsetMs);
    this.startedAt.push(this.clock.now());
    this.busy++;
    this.peakBusy = Math.max(this.peakBusy, this.busy);
    this.clock.later(() => {
      this.busy--;
      this.scheduler.onUserFree();
    }, this.durationMs(n));
    return true;
  }
}

function setUp(options: {
  maxUsers: number;
  durationMs: (n: number) => number;
  maxQueueMs?: number;
  onFirstDrop?: () => void;
  /** The counters' owner (default: an IterationStats of its own). */
  requestStats?: (clock: FakeClock) => RequestStats;
}) {
  const clock = new FakeClock();
  const users = new SimulatedUsers(clock, options.maxUsers, options.durationMs);
  const stats = options.requestStats?.(clock).iterations ?? new IterationStats(clock.epochOffsetMs);
  const scheduler = new ArrivalScheduler({
    clock,
    starter: users,
    counters: stats,
    maxQueueMs: options.maxQueueMs ?? 1000,
    ...(options.onFirstDrop ? { onFirstDrop: options.onFirstDrop } : {}),
  });
  users.scheduler = scheduler;
  return { clock, users, stats, scheduler };
}

describe("ArrivalScheduler", () => {
  it("holds 5,000/s for 60 s without drift, on late timers, with one timer per wake-up, not per iteration", () => {
    const { clock, users, stats, scheduler } = setUp({ maxUsers: 1000, durationMs: () => 50 });
    // Timers fire up to 3 ms late, as on a loaded machine.
    let seed = 7;
    clock.lateMs = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31) * 3;
    };
    scheduler.start(5000);
    for (let second = 1; second <= 60; second++) {
      clock.advanceTo(second * 1000);
      // Everything due by the last wake-up has started: at most one wake-up (≤ 4 ms) behind.
      const due = Math.floor(clock.now() * 5) + 1;
      assert.ok(
        stats.started <= due && stats.started >= due - 25,
        `second ${second}: ${stats.started} of ${due}`,
      );
    }
    scheduler.stop();
    assert.equal(stats.started, users.intended.length);
    assert.ok(stats.started >= 300_001 - 25, `started ${stats.started}`);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.scheduled, stats.started);
    // Each iteration keeps its exact intended start, n / rate, however late it started.
    // (To within the precision of an epoch time in ms.)
    for (let n = 0; n < users.intended.length; n += 1013)
      assert.ok(Math.abs(users.intended[n]! - n / 5) < 1e-3);
    let latest = 0;
    let earliest = 0;
    users.startedAt.forEach((at, n) => {
      latest = Math.max(latest, at - users.intended[n]!);
      earliest = Math.min(earliest, at - users.intended[n]!);
    });
    assert.ok(latest < 5, `started at most ~a timer late (max ${latest} ms)`);
    assert.ok(earliest >= -1e-3, "never before the intended start");
    assert.ok(clock.armed < 70_000, `${clock.armed} timers for ${stats.started} iterations`);
  });

  it("ends the schedule at the run time: 10/s for 2 s is 20 iterations, none due at the very end", () => {
    const { clock, stats, scheduler } = setUp({ maxUsers: 100, durationMs: () => 5 });
    scheduler.start(10);
    scheduler.endAt(2000);
    // The run-time stop lands a little after 2 s (its timer, the event loop): nothing more starts.
    clock.advanceTo(2003);
    assert.equal(stats.scheduled, 20);
    assert.equal(stats.started, 20);
    scheduler.stop();
    assert.equal(stats.dropped, 0);
    // A ramp ends the same way: 0 → 40/s over 4 s is 80 iterations before 4 s.
    const ramp = setUp({ maxUsers: 100, durationMs: () => 5 });
    ramp.scheduler.start(0);
    ramp.scheduler.setRate(40, 4000);
    ramp.scheduler.endAt(4000);
    ramp.clock.advanceTo(4500);
    assert.equal(ramp.stats.scheduled, 80);
    ramp.scheduler.stop();
  });

  it("a stop starts what fell due since the timer last ran: 2,000/s for 3 s is 6,000 however late the timer", () => {
    // Users busy beyond the stop: only the timer wakes the scheduler.
    const { clock, stats, scheduler } = setUp({ maxUsers: 10_000, durationMs: () => 10_000 });
    clock.lateMs = () => 1.3; // a wake-up every 2.3 ms: the last one before the stop is at 2,999.2 ms
    scheduler.start(2000);
    scheduler.endAt(3000);
    clock.advanceTo(3000.4);
    assert.ok(stats.scheduled < 6000, `the timer alone: ${stats.scheduled}`);
    scheduler.stop();
    assert.equal(stats.scheduled, 6000);
    assert.equal(stats.started, 6000);
    assert.equal(stats.dropped, 0);
  });

  it("follows a ramp: 100 → 1000/s over 10 s starts the integral of the rate", () => {
    const { clock, stats, scheduler } = setUp({ maxUsers: 1000, durationMs: () => 10 });
    scheduler.start(100);
    scheduler.setRate(1000, 10_000);
    for (const t of [2500, 5000, 7500, 10_000]) {
      clock.advanceTo(t);
      const s = t / 1000;
      const expected = 100 * s + (900 / 10 / 2) * s * s;
      assert.ok(
        Math.abs(stats.started - expected) <= 2,
        `at ${s} s: ${stats.started}, expected about ${expected}`,
      );
    }
    assert.equal(scheduler.targetRate, 1000);
    clock.advanceTo(12_000);
    assert.ok(Math.abs(stats.started - 7500) <= 2, `then 1000/s: ${stats.started}`);
  });

  it("keeps the intended start of an iteration that waited for a free user", () => {
    // One user, 150 ms per iteration, 10/s (every 100 ms): each waits 50 ms more than the last.
    const { clock, users, stats, scheduler } = setUp({
      maxUsers: 1,
      durationMs: () => 150,
      maxQueueMs: 10_000,
    });
    scheduler.start(10);
    clock.advanceTo(1000);
    assert.deepEqual(users.intended.slice(0, 4), [0, 100, 200, 300]);
    assert.deepEqual(users.startedAt.slice(0, 4), [0, 150, 300, 450]);
    assert.equal(scheduler.waiting, stats.scheduled - stats.started);
    assert.equal(stats.dropped, 0);
  });

  it("drops an iteration that waited longer than --max-queue-time, counting each one once", () => {
    // One user busy 300 ms per iteration at 10/s: it carries 10 iterations in 3 s, the
    // queue grows by 6.7/s, and iterations older than 1 s are dropped.
    const { clock, users, stats, scheduler } = setUp({
      maxUsers: 1,
      durationMs: () => 300,
      maxQueueMs: 1000,
    });
    scheduler.start(10);
    let peakWaiting = 0;
    for (let t = 10; t <= 10_000; t += 10) {
      clock.advanceTo(t);
      peakWaiting = Math.max(peakWaiting, scheduler.waiting);
      assert.equal(
        stats.scheduled,
        stats.started + stats.dropped + scheduler.waiting,
        `invariant at ${t} ms`,
      );
      // Nothing waits longer than the limit (give the timer its 1 ms).
      if (scheduler.waiting > 0) {
        const oldest = stats.started + stats.dropped;
        assert.ok(t - oldest * 100 <= 1001, `iteration ${oldest} waited ${t - oldest * 100} ms`);
      }
    }
    assert.ok(peakWaiting <= 11, `at most ~1 s of iterations wait (${peakWaiting})`);
    // Every started iteration began within 1 s of its intended start.
    for (let n = 0; n < users.intended.length; n++)
      assert.ok(users.startedAt[n]! - users.intended[n]! <= 1000);
    const waitingAtStop = scheduler.waiting;
    const droppedBefore = stats.dropped;
    scheduler.stop();
    assert.equal(stats.dropped, droppedBefore + waitingAtStop, "stop drops those still waiting");
    assert.equal(stats.droppedAtStop, waitingAtStop, "counted apart: none of them waited 1 s");
    assert.equal(stats.dropped, stats.scheduled - stats.started, "dropped == scheduled − started");
    assert.equal(stats.scheduled, 10 * 10 + 1);
    assert.ok(Math.abs(stats.started - 34) <= 1, `the user carried 10000/300 iterations: ${stats.started}`);
  });

  it("the stop drops the iterations still waiting as dropped at the stop: no queue-time warning, no Dropped/s, totals exact", () => {
    // A user's report: 50/s, one user whose iteration takes 3 s, --max-queue-time 10 s, -t
    // 2.206 s. No iteration could wait 10 s; 110 were waiting at the stop. They used to set off
    // the --max-queue-time warning and, divided by the stop's 0.206 s, draw 534 dropped/s.
    let stats!: RequestStats;
    let warnings = 0;
    const { clock, scheduler } = setUp({
      maxUsers: 1,
      durationMs: () => 3000,
      maxQueueMs: 10_000,
      onFirstDrop: () => warnings++,
      requestStats: (clock) => {
        stats = new RequestStats({ nowMs: clock.epochOffsetMs });
        return stats;
      },
    });
    const epoch = (ms: number) => clock.epochOffsetMs + ms;
    scheduler.start(50);
    scheduler.endAt(2206);
    for (let t = 1000; t <= 2000; t += 1000) {
      clock.advanceTo(t);
      stats.history.sample(stats, epoch(t), 1);
    }
    clock.advanceTo(2206.5);
    // As BaseRunner stops: the counts' end, the scheduler, then the final sample.
    stats.iterations.markStopping(epoch(2206.5));
    scheduler.stop();
    stats.iterations.markStopped();
    stats.history.sample(stats, epoch(2206.5), 0, true);

    assert.equal(warnings, 0, "no iteration waited out --max-queue-time");
    const series = stats.history.toJSON().iterations!;
    assert.deepEqual(
      series.timeMs.map((t) => t - clock.epochOffsetMs),
      [1000, 2000, 2206.5],
      "a last point for the stop's part of a second",
    );
    assert.deepEqual(series.droppedPerSec, [0, 0, 0], "the stop's drops are no rate");
    assert.equal(stats.iterations.serialize().droppedPerSec.length, 0, "nor in any second a worker reports");
    const it = stats.iterations.snapshot(epoch(2206.5));
    assert.equal(it.scheduled, 111, "due at 0, 20, ..., 2200 ms");
    assert.equal(it.started, 1);
    assert.equal(it.dropped, it.scheduled - it.started, "dropped == scheduled − started");
    assert.equal(it.droppedAtStop, 110, "every drop was the stop's");
    assert.equal(it.waiting, 0);
  });

  it("at the stop, what already waited out --max-queue-time (its timer late) is a queue-time drop; the rest are the stop's", () => {
    let warnings = 0;
    const { clock, stats, scheduler } = setUp({
      maxUsers: 1,
      durationMs: () => 10_000,
      maxQueueMs: 100,
      onFirstDrop: () => warnings++,
    });
    clock.lateMs = () => 50;
    scheduler.start(10);
    scheduler.endAt(220);
    // 0 started at 0; 1 (due 100) waits for its deadline at 200, whose timer fires at 250.
    clock.advanceTo(220);
    assert.equal(stats.dropped, 0);
    scheduler.stop();
    // 1 waited 120 ms: dropped for --max-queue-time; 2 (due 200) waited 20 ms: the stop's.
    assert.deepEqual([stats.scheduled, stats.started, stats.dropped, stats.droppedAtStop], [3, 1, 2, 1]);
    assert.equal(warnings, 1);
    const perSecond = stats.serialize().droppedPerSec.reduce((sum, [, count]) => sum + count, 0);
    assert.equal(perSecond, stats.dropped - stats.droppedAtStop, "only the queue-time drop is in a second");
  });

  it("with --max-queue-time 0 drops at once what finds no free user (k6's behaviour)", () => {
    const { clock, stats, scheduler } = setUp({ maxUsers: 2, durationMs: () => 250, maxQueueMs: 0 });
    scheduler.start(10);
    clock.advanceTo(2000);
    scheduler.stop();
    // Two users of 250 ms at 100 ms intervals: 2 of every 2.5 iterations can start at once, iterations 0, 1, 3, 4, 5, 6...
    assert.equal(stats.scheduled, 21);
    assert.equal(stats.started + stats.dropped, 21);
    assert.ok(stats.dropped >= 5 && stats.dropped <= 9, `dropped ${stats.dropped}`);
  });

  it("with --max-queue-time 0 and timers firing late, starts everything while users are free", () => {
    // A late timer is the generator's delay, not a wait for a user: it costs latency from
    // the intended start, never an iteration (it used to drop every one of them).
    const { clock, stats, scheduler } = setUp({ maxUsers: 50, durationMs: () => 5, maxQueueMs: 0 });
    clock.lateMs = () => 2;
    scheduler.start(300);
    clock.advanceTo(3000);
    scheduler.stop();
    assert.equal(stats.dropped, 0);
    assert.equal(stats.started, stats.scheduled);
    assert.ok(stats.started >= 899, `started ${stats.started}`);
  });

  it("counts the drops of an absurd rate (10^12/s) arithmetically, without a loop per iteration", () => {
    // A loop over the expired indices would run ~10^12 times here: the file's timeout would
    // end it long before it finished.
    const { clock, stats, scheduler } = setUp({ maxUsers: 10, durationMs: () => 50, maxQueueMs: 100 });
    scheduler.start(1e12);
    for (let t = 10; t <= 2000; t += 10) {
      clock.advanceTo(t);
      assert.equal(
        stats.scheduled,
        stats.started + stats.dropped + scheduler.waiting,
        `invariant at ${t} ms`,
      );
    }
    scheduler.stop();
    assert.equal(stats.dropped, stats.scheduled - stats.started);
    assert.equal(stats.scheduled, 2e12 + 1);
    assert.ok(stats.started <= 10 * (2000 / 50) + 10, `started ${stats.started}`);
  });

  it("starts an iteration that falls due as a user frees up at once, on that user, not at the timer's next wake-up", () => {
    // One user busy 10 ms, an iteration due every 10 ms, timers 8 ms late: each iteration
    // falls due as the user finishes the previous one, and starts then (in the turn that
    // read the response, on a hot connection), not 8 ms later when the timer wakes.
    const { clock, users, stats, scheduler } = setUp({ maxUsers: 1, durationMs: () => 10, maxQueueMs: 1000 });
    clock.lateMs = () => 8;
    scheduler.start(100);
    clock.advanceTo(1000);
    scheduler.stop();
    assert.ok(stats.started >= 99, `started ${stats.started}`);
    assert.equal(stats.dropped, stats.scheduled - stats.started);
    const lateness = users.startedAt.map((at, n) => at - users.intended[n]!);
    assert.ok(Math.max(...lateness) < 1e-6, `started late by up to ${Math.max(...lateness)} ms`);
  });

  it("pauses at rate 0 without a timer and resumes on the next change", () => {
    const { clock, stats, scheduler } = setUp({ maxUsers: 10, durationMs: () => 1 });
    scheduler.start(0);
    clock.advanceTo(5000);
    assert.equal(stats.started, 0, "none at rate 0, not even a first one");
    assert.equal(clock.pending, 0, "no timer while paused");
    scheduler.setRate(100);
    clock.advanceTo(6000);
    assert.ok(Math.abs(stats.started - 101) <= 1, `100/s after the change: ${stats.started}`);
  });
});

describe("the real clock's timer delays", () => {
  it("land on the first millisecond boundary of libuv's loop clock at or after the due time", () => {
    // Node fires a timer when the loop's whole-millisecond clock reaches its due time: one
    // due between two boundaries fired at the earlier one, before anything was due.
    const offsetMs = 8_123_456.789; // the process's monotonic ms minus performance.now()
    for (const [nowMs, delayMs] of [
      [1000.25, 0.2],
      [1000.25, 1.9],
      [5123.999, 0.001],
      [77.5, 20],
    ] as const) {
      const delay = loopAlignedDelay(delayMs, nowMs, offsetMs);
      const firesAt = nowMs + offsetMs + delay;
      assert.ok(delay >= delayMs, `${delay} < ${delayMs}`);
      assert.ok(firesAt - Math.floor(firesAt) < 0.002, `fires at ${firesAt}, not on a boundary`);
      assert.ok(
        delay - delayMs < 1.002,
        `${delay} ms for a timer due in ${delayMs} ms: past the next boundary`,
      );
    }
  });
});
