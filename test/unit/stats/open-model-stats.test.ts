import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArrivalSchedule, Environment } from "../../../src/runner/index.js";
import {
  IterationStats,
  interruptedIterationsWarning,
  RequestStats,
  StatsEntry,
} from "../../../src/stats/index.js";
import { User } from "../../../src/user/index.js";
import { sortedCopy } from "./samples.js";

const T0 = 1_700_000_000_000;

/** Exact nearest-rank percentile of sorted values. */
function exact(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

describe("response times from the intended start", () => {
  it("are a second exact histogram of a row: percentiles within 0.1 % of the exact values, exact min, max, mean", () => {
    const entry = new StatsEntry("GET", "/a", T0);
    const service: number[] = [];
    const intended: number[] = [];
    for (let i = 1; i <= 2000; i++) {
      const ms = 5 + (i % 17) * 0.25;
      // Every 10th request waited a second for a free user.
      const waited = i % 10 === 0 ? 1000 + i / 10 : i % 3;
      entry.log(ms, 10, T0 + i);
      entry.logIntended(ms + waited);
      service.push(ms);
      intended.push(ms + waited);
    }
    const sorted = sortedCopy(intended);
    const times = entry.intended!;
    assert.equal(times.count, 2000);
    for (const p of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const truth = exact(sorted, p);
      const value = times.percentiles([p])[0]!;
      assert.ok(Math.abs(value - truth) <= truth * 0.001, `p${p * 100}: ${value} vs ${truth}`);
    }
    assert.equal(times.minMs, sorted[0]);
    assert.equal(times.maxMs, sorted[sorted.length - 1]);
    assert.equal(times.percentiles([1])[0], sorted[sorted.length - 1]);
    assert.ok(Math.abs(times.avgMs - intended.reduce((a, b) => a + b, 0) / 2000) < 1e-9);
    // The service times are untouched: p99 is still about 9 ms, where the intended p99 shows the waits.
    assert.ok(entry.percentile(0.99)! < 10);
    assert.ok(times.percentiles([0.99])[0]! > 1000);
  });

  it("merge, serialize and deserialize exactly; a closed-model row has none; reset clears them", () => {
    const a = new StatsEntry("GET", "/a", T0);
    const b = new StatsEntry("GET", "/a", T0);
    for (let i = 0; i < 100; i++) {
      a.log(1, 0, T0);
      a.logIntended(1 + i);
      b.log(2, 0, T0);
      b.logIntended(500 + i);
    }
    const merged = new StatsEntry("GET", "/a", T0);
    merged.merge(a, T0);
    merged.merge(b, T0);
    const viaWire = new StatsEntry("GET", "/a", T0);
    viaWire.mergeSerialized(
      a.serialize({ window: false }),
      StatsEntry.deserialize(a.serialize()).histogram,
      T0,
    );
    viaWire.mergeSerialized(
      b.serialize({ window: false }),
      StatsEntry.deserialize(b.serialize()).histogram,
      T0,
    );
    for (const entry of [merged, viaWire, StatsEntry.deserialize(merged.serialize())]) {
      assert.equal(entry.intended!.count, 200);
      assert.equal(entry.intended!.minMs, 1);
      assert.equal(entry.intended!.maxMs, 599);
      assert.deepEqual(entry.intended!.percentiles([0.5, 0.99]), merged.intended!.percentiles([0.5, 0.99]));
    }
    const closed = new StatsEntry("GET", "/b", T0);
    closed.log(3, 0, T0);
    assert.equal(closed.intended, undefined);
    assert.equal(closed.serialize().intended, undefined);
    merged.reset(T0);
    assert.equal(merged.intended, undefined);
  });

  it("RequestStats records them in the row and the total, and snapshots show them only when present", () => {
    const stats = new RequestStats({ nowMs: T0 });
    stats.record("GET", "/open", 10, 0, null, T0, 250);
    stats.record("GET", "/closed", 10, 0, null, T0);
    const snapshot = stats.snapshot(T0 + 1000);
    const open = snapshot.entries.find((e) => e.name === "/open")!;
    const closed = snapshot.entries.find((e) => e.name === "/closed")!;
    assert.equal(open.intended?.count, 1);
    assert.equal(open.intended?.medianMs, 250);
    assert.equal(closed.intended, undefined);
    assert.equal(snapshot.total.intended?.count, 1, "the total has the open row's");
    assert.equal(snapshot.iterations, undefined, "no iterations block without an arrival rate");
  });

  it("the Environment measures them from the event's intended start to the end of its response", () => {
    class Nobody extends User {}
    const environment = new Environment({ userClasses: [Nobody] });
    const start = performance.timeOrigin + performance.now();
    environment.events.request.fire({
      requestType: "GET",
      name: "/x",
      responseTimeMs: 12,
      responseLength: 0,
      startTimeMs: start,
      intendedStartMs: start - 300,
    });
    environment.events.request.fire({ requestType: "GET", name: "/y", responseTimeMs: 5, responseLength: 0 });
    const x = environment.stats.get("GET", "/x")!;
    assert.ok(Math.abs(x.intended!.maxMs - 312) < 0.01, `intended ${x.intended!.maxMs}`);
    assert.equal(x.maxResponseTimeMs, 12);
    assert.equal(environment.stats.get("GET", "/y")!.intended, undefined);
  });
});

describe("IterationStats", () => {
  it("counts scheduled, started and dropped, with per-second rates of the last whole second", () => {
    const it = new IterationStats(T0);
    assert.equal(it.active, false);
    it.setTargetRate(100);
    for (let s = 0; s < 12; s++) {
      it.countScheduled(100);
      for (let k = 0; k < 90; k++) it.countStarted(T0 + s * 1000 + k);
      it.countDropped(10, T0 + s * 1000 + 500);
    }
    const snapshot = it.snapshot(T0 + 12_000);
    assert.equal(snapshot.scheduled, 1200);
    assert.equal(snapshot.started, 1080);
    assert.equal(snapshot.dropped, 120);
    assert.equal(snapshot.waiting, 0);
    assert.equal(snapshot.currentRate, 90);
    assert.equal(snapshot.currentDroppedPerSec, 10);
    assert.equal(snapshot.targetRate, 100);
  });

  it("the achieved rate is the last whole second's: it follows a rate change at once, and a first partial second is scaled", () => {
    const it = new IterationStats(T0);
    it.setTargetRate(100);
    for (let s = 0; s < 10; s++) for (let k = 0; k < 100; k++) it.countStarted(T0 + s * 1000 + k * 10);
    it.setTargetRate(40);
    for (let s = 10; s < 12; s++) for (let k = 0; k < 40; k++) it.countStarted(T0 + s * 1000 + k * 25);
    // A 10-second average read 88/s here, two seconds after the change to 40/s.
    assert.equal(it.snapshot(T0 + 12_000).currentRate, 40);
    assert.equal(it.snapshot(T0 + 12_999).currentRate, 40);

    // A test that began at .6 s: its first second has 0.4 s of iterations at 200/s.
    const late = new IterationStats(T0 + 600);
    for (let k = 0; k < 80; k++) late.countStarted(T0 + 600 + k * 5);
    late.countDropped(4, T0 + 900);
    assert.equal(late.snapshot(T0 + 1_500).currentRate, 200);
    assert.equal(late.snapshot(T0 + 1_500).currentDroppedPerSec, 10);
    assert.equal(late.snapshot(T0 + 900).currentRate, 0, "no whole second yet");

    // A master (lag 3) reads the second 5 s back: workers report every 3 s.
    const master = new IterationStats(T0, 3);
    for (let k = 0; k < 30; k++) master.countStarted(T0 + 2_000 + k);
    for (let k = 0; k < 7; k++) master.countStarted(T0 + 4_000 + k);
    assert.equal(master.snapshot(T0 + 7_500).currentRate, 30);
    assert.equal(master.snapshot(T0 + 9_000).currentRate, 7);

    // A ramp 10 -> 100 over 9 s on a master, its rate set once a second: the target beside
    // an achieved rate is the schedule's over the same second (its mean rate, 55 over second 4).
    const ramp = new IterationStats(T0, 3);
    const rampSchedule = new ArrivalSchedule(T0, 10);
    rampSchedule.changeRate(T0, 100, 9_000);
    ramp.followSchedule((ms) => rampSchedule.countAt(ms), T0);
    for (let s = 0; s < 10; s++)
      ramp.setTargetRate(rampSchedule.rateAt(T0 + s * 1000 + 500), T0 + s * 1000 + 500);
    const rampNow = ramp.snapshot(T0 + 9_500);
    assert.equal(rampNow.targetRate, 100);
    assert.equal(rampNow.currentSecond, T0 / 1000 + 4);
    assert.equal(rampNow.currentTargetRate, 55, "the target over second 4, not now's 100");
    assert.equal(new IterationStats(T0, 3).snapshot(T0 + 9_500).currentTargetRate, 0, "no rate set yet");

    // The same ramp run by a scheduler that sets the rate at every tick (every 10 ms here):
    // still 55 over second 4 (a mean of the rates last set in seconds 4 and 5 read about 65).
    const ticked = new IterationStats(T0);
    ticked.followSchedule((ms) => rampSchedule.countAt(ms), T0);
    for (let t = T0; t <= T0 + 5_990; t += 10) ticked.setTargetRate(rampSchedule.rateAt(t), t);
    const tickedNow = ticked.snapshot(T0 + 5_990);
    assert.equal(tickedNow.currentSecond, T0 / 1000 + 4);
    assert.equal(tickedNow.currentTargetRate, 55);

    // A step from 20 to 50 at 2.5 s, noted only by the snapshot: 35 over second 2 (half at each).
    const stepped = new IterationStats(T0);
    const stepSchedule = new ArrivalSchedule(T0, 20);
    stepSchedule.changeRate(T0 + 2_500, 50);
    stepped.followSchedule((ms) => stepSchedule.countAt(ms), T0);
    assert.equal(stepped.snapshot(T0 + 3_100).currentTargetRate, 35);
    assert.equal(stepped.snapshot(T0 + 4_100).currentTargetRate, 50);

    // A test that began at .6 s at 200/s: its first second's target is read over 0.4 s, as its count.
    const lateTarget = new IterationStats(T0 + 600);
    const lateSchedule = new ArrivalSchedule(T0 + 600, 200);
    lateTarget.followSchedule((ms) => lateSchedule.countAt(ms), T0 + 600);
    assert.equal(lateTarget.snapshot(T0 + 1_500).currentTargetRate, 200);

    // The test's last second is scaled to the part before its end, as its first.
    const ending = new IterationStats(T0);
    for (let k = 0; k < 50; k++) ending.countStarted(T0 + 1000 + k * 5);
    ending.markStopping(T0 + 1_250);
    assert.equal(ending.snapshot(T0 + 2_100).currentRate, 200);
  });

  it("interrupted iterations: a warning from 0.1 % of the started, information below (they cannot move a percentile 0.1 points)", () => {
    assert.equal(interruptedIterationsWarning({ started: 4000, inFlight: 0 }, 0), undefined);
    const few = interruptedIterationsWarning({ started: 4000, inFlight: 1 }, 0)!;
    assert.equal(few.serious, false);
    assert.match(few.text, /^1 of 4000 started iterations \(0\.03%\) were interrupted/);
    assert.match(few.text, /Too few to move a response time percentile by more than 0\.03 points/);
    assert.doesNotMatch(few.text, /likely the slowest/);
    const many = interruptedIterationsWarning({ started: 4000, inFlight: 4 }, 2000)!;
    assert.equal(many.serious, true);
    assert.match(many.text, /likely the slowest, so the response time percentiles .* are too low/);
    assert.match(many.text, /longer than 2 s lets in-flight iterations finish/);
    // A capacity search judges each step on what completed within its hold: the totals lack them, no step does.
    const search = interruptedIterationsWarning({ started: 4000, inFlight: 40 }, 0, true)!;
    assert.equal(search.serious, false);
    assert.match(search.text, /^40 of 4000 started iterations \(1\.00%\) were interrupted/);
    assert.match(
      search.text,
      /capacity search's steps and answer are unaffected .* only the whole run's totals lack them\.$/,
    );
  });

  it("the whole-test rate is over the test up to its stop: 30 starts at 5/s in 6 s read 5/s, not 5.17", () => {
    const stats = new IterationStats(1_000_000);
    stats.setTargetRate(5);
    for (let n = 0; n < 30; n++) stats.countStarted(1_000_000 + n * 200);
    assert.equal(stats.snapshot(1_012_000).totalRate, 2.5, "running: over the test so far (12 s)");
    stats.markStopping(1_006_000);
    // Read later (after a stop timeout): still over the 6 s of the test.
    assert.equal(stats.snapshot(1_016_000).totalRate, 5);
    stats.markStopped();
    stats.reset(1_020_000);
    assert.equal(stats.snapshot(1_022_000).totalRate, 0);
  });

  it("merges a worker's deltas exactly and keeps the target and `active` across a reset", () => {
    const worker = new IterationStats(T0);
    worker.setTargetRate(50);
    worker.countScheduled(20);
    for (let k = 0; k < 15; k++) worker.countStarted(T0 + 1000 + k);
    worker.countDropped(3, T0 + 1500);
    const master = new IterationStats(T0);
    master.setTargetRate(100);
    master.merge(worker.serialize());
    master.merge(worker.serialize());
    assert.deepEqual(
      { scheduled: master.scheduled, started: master.started, dropped: master.dropped },
      { scheduled: 40, started: 30, dropped: 6 },
    );
    assert.equal(master.snapshot(T0 + 3000).waiting, 4);
    master.reset(T0 + 5000);
    // The 4 waiting and 30 in flight (none completed) are carried into the new counts.
    assert.deepEqual(
      {
        scheduled: master.scheduled,
        started: master.started,
        completed: master.completed,
        dropped: master.dropped,
      },
      { scheduled: 34, started: 30, completed: 0, dropped: 0 },
    );
    master.markStopped();
    master.reset(T0 + 6000);
    assert.equal(master.started, 0, "after the test stopped nothing is carried");
    assert.equal(master.active, true);
    assert.equal(master.targetRate, 100);
    master.deactivate();
    assert.equal(master.active, false);
  });

  it("the history samples the iteration series only while an arrival rate runs", () => {
    const stats = new RequestStats({ nowMs: T0 });
    stats.history.sample(stats, T0 + 1000, 1);
    assert.equal(stats.history.toJSON().iterations, undefined);
    stats.iterations.followSchedule((ms) => (Math.max(0, ms - (T0 + 1000)) * 25) / 1000, T0 + 1000);
    stats.iterations.setTargetRate(25, T0 + 1000);
    stats.iterations.countScheduled(5);
    stats.iterations.countStarted(T0 + 1100);
    stats.history.sample(stats, T0 + 2000, 1);
    stats.history.sample(stats, T0 + 3000, 1);
    const columns = stats.history.toJSON().iterations!;
    assert.deepEqual(columns.targetRate, [25, 25]);
    assert.equal(columns.timeMs.length, 2);
    assert.equal(stats.history.sessionJSON().iterations?.timeMs.length, 2);
    stats.reset(T0 + 4000);
    assert.equal(stats.history.toJSON().iterations, undefined, "a reset starts the test's series again");

    // A master reads the second 5 s back: its points are drawn at the end of that second (on
    // the other charts' time axis), and none for the seconds before the test began.
    const master = new RequestStats({ nowMs: T0, currentWindowLagSeconds: 3 });
    master.iterations.followSchedule((ms) => (Math.max(0, ms - T0) * 10) / 1000, T0);
    master.iterations.setTargetRate(10, T0);
    for (let k = 0; k < 85; k++) master.iterations.countStarted(T0 + k * 100);
    for (let s = 1; s <= 8; s++) master.history.sample(master, T0 + s * 1000 + 300, 1);
    const drawn = master.history.toJSON().iterations!;
    assert.deepEqual(
      drawn.timeMs,
      [T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000],
      "sampled at 5.3 to 8.3 s: seconds 0 to 3",
    );
    assert.deepEqual(drawn.targetRate, [10, 10, 10, 10]);
    assert.deepEqual(drawn.rate, [10, 10, 10, 10]);
    // Stopped at 8.5 s, its last reports in: the final sample draws the seconds to the end (4
    // to 8, the last one over its half before the stop, its target too).
    master.iterations.markStopping(T0 + 8_500);
    master.history.sample(master, T0 + 8_600, 0, true);
    const ended = master.history.toJSON().iterations!;
    // The last one stands at the final sample (8.6 s), with the other charts' last point.
    assert.deepEqual(
      ended.timeMs.map((t) => (t - T0) / 1000),
      [1, 2, 3, 4, 5, 6, 7, 8, 8.6],
    );
    assert.deepEqual(ended.rate, [10, 10, 10, 10, 10, 10, 10, 10, 10]);
    assert.deepEqual(ended.targetRate, [10, 10, 10, 10, 10, 10, 10, 10, 10]);
    assert.equal(stats.history.sessionJSON().iterations?.timeMs.length, 2, "the session keeps it");
  });

  it("counts completed iterations: in flight = started − completed, interrupted once stopped; both identities hold", () => {
    const it = new IterationStats(T0);
    it.setTargetRate(10);
    it.countScheduled(12);
    for (let k = 0; k < 9; k++) it.countStarted(T0 + 100 * k);
    for (let k = 0; k < 6; k++) it.countCompleted();
    it.countDropped(1, T0 + 900);
    let snap = it.snapshot(T0 + 1000);
    assert.deepEqual(
      [
        snap.scheduled,
        snap.started,
        snap.completed,
        snap.inFlight,
        snap.interrupted,
        snap.dropped,
        snap.waiting,
      ],
      [12, 9, 6, 3, 0, 1, 2],
      "while running: 3 in flight, none interrupted yet",
    );
    assert.equal(snap.scheduled, snap.started + snap.dropped + snap.waiting);
    assert.equal(snap.started, snap.completed + snap.inFlight);
    // The stop drops the 2 waiting; one in-flight iteration finishes within --stop-timeout.
    it.countDroppedAtStop(2);
    it.countCompleted();
    it.markStopped();
    snap = it.snapshot(T0 + 1200);
    assert.deepEqual([snap.completed, snap.inFlight, snap.interrupted, snap.waiting], [7, 2, 2, 0]);
    assert.equal(snap.dropped, snap.scheduled - snap.started);
    assert.equal(snap.started, snap.completed + snap.interrupted);
    // A new test starts with nothing interrupted.
    it.reset(T0 + 2000);
    it.setTargetRate(10);
    assert.deepEqual([it.started, it.completed, it.interrupted], [0, 0, 0]);
  });

  it("drops at the stop: in dropped and droppedAtStop, in no second's rate; they cross a worker's merge; a reset clears them", () => {
    const worker = new IterationStats(T0);
    worker.setTargetRate(50);
    worker.countScheduled(60);
    for (let k = 0; k < 40; k++) worker.countStarted(T0 + 1000 + k);
    worker.countDropped(5, T0 + 1500);
    worker.markStopping(T0 + 1200);
    worker.countDroppedAtStop(15);
    let snap = worker.snapshot(T0 + 2000, T0 / 1000 + 1);
    assert.deepEqual([snap.dropped, snap.droppedAtStop, snap.waiting], [20, 15, 0]);
    assert.equal(snap.dropped, snap.scheduled - snap.started);
    // The stop's second is read over its 0.2 s: 5 / 0.2 = 25/s, not (5 + 15) / 0.2 = 100/s.
    assert.equal(snap.currentDroppedPerSec, 25);
    const delta = worker.serialize();
    assert.equal(delta.droppedAtStop, 15);
    assert.deepEqual(delta.droppedPerSec, [[T0 / 1000 + 1, 5]]);
    const master = new IterationStats(T0);
    master.setTargetRate(50);
    master.merge(delta);
    assert.deepEqual([master.dropped, master.droppedAtStop], [20, 15]);
    master.markStopped();
    master.reset(T0 + 3000);
    snap = master.snapshot(T0 + 3000);
    assert.deepEqual([snap.dropped, snap.droppedAtStop], [0, 0]);
  });

  it("a worker's completed count crosses the merge; a report without it (an older worker) counts 0", () => {
    const worker = new IterationStats(T0);
    worker.setTargetRate(5);
    worker.countScheduled(5);
    for (let k = 0; k < 5; k++) worker.countStarted(T0 + k);
    for (let k = 0; k < 3; k++) worker.countCompleted();
    const delta = worker.serialize();
    assert.equal(delta.completed, 3);
    const master = new IterationStats(T0);
    master.setTargetRate(5);
    master.merge(delta);
    worker.reset(T0 + 10, false);
    assert.equal(worker.started, 0, "a worker's delta reset carries nothing");
    worker.countCompleted();
    worker.countCompleted();
    master.merge(worker.serialize());
    assert.deepEqual([master.started, master.completed, master.inFlight], [5, 5, 0]);
  });
});
