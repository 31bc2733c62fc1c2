import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RescheduleTask, StopUser } from "../../../src/shared/control-flow.js";
import { LocustfileError, UsageError } from "../../../src/shared/errors.js";
import { constant, LoadTestShape, TaskSet, task, User } from "../../../src/user/index.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

/** A user that "requests" by firing a request event after `ms` of work, as a custom protocol would. */
async function fakeRequest(user: User, name: string, ms: number): Promise<void> {
  const start = performance.timeOrigin + performance.now();
  await sleep(ms);
  user.environment.events.request.fire({
    requestType: "fake",
    name,
    responseTimeMs: performance.timeOrigin + performance.now() - start,
    responseLength: 0,
    startTimeMs: start,
    intendedStartMs: user.intendedStartMs,
  });
}

describe("the open model on a LocalRunner", () => {
  it("starts iterations at the rate on users created on demand and reused; one onStart per user, no wait time", async (t) => {
    let starts = 0;
    let tasks = 0;
    const intended: Array<number | undefined> = [];
    class Quick extends User {
      // Ignored in the open model: iterations are paced by the schedule.
      override waitTime = constant(10);
      override onStart() {
        starts++;
      }
      @task async work() {
        tasks++;
        intended.push(this.intendedStartMs);
        await fakeRequest(this, "work", 5);
      }
    }
    const { runner, environment } = makeRun([Quick]);
    t.after(() => runner.quitAndWait());
    const begun = performance.now();
    await runner.startArrivalRate({ rate: 100 });
    assert.equal(runner.loadModel, "arrival-rate");
    assert.equal(runner.state, "running");
    await sleep(500);
    // The upper bound follows the time that really passed: a busy machine wakes a sleep late.
    const ranS = (performance.now() - begun) / 1000;
    await runner.stopAndWait();
    const it = environment.stats.iterations;
    assert.ok(
      it.started >= 47 && it.started <= 100 * ranS + 4,
      `started ${it.started} in ${ranS} s at 100/s`,
    );
    assert.equal(tasks, it.started, "one task per iteration");
    assert.equal(it.dropped, it.scheduled - it.started);
    assert.equal(it.dropped, 0);
    // One user carries 5 ms tasks every 10 ms; a timer late by n × 10 ms makes n iterations due
    // at once, each on a user of its own. Without reuse there would be a user per iteration.
    assert.ok(starts * 3 < it.started, `${starts} users for ${it.started} iterations: users are reused`);
    // Intended starts are 10 ms apart, on the schedule, not on when the users got to them.
    const steps = intended.slice(1, 40).map((v, i) => v! - intended[i]!);
    for (const step of steps) assert.ok(Math.abs(step - 10) < 0.01, `step ${step}`);
    const row = environment.stats.get("fake", "work")!;
    assert.equal(
      row.intended?.count,
      row.numRequests,
      "every request has its latency from the intended start",
    );
    assert.ok(row.intended!.percentiles([0.5])[0]! >= row.percentile(0.5)!, "never below the service time");
  });

  it("gives iterations to the classes by weight, exactly", async (t) => {
    const counts = { A: 0, B: 0 };
    class A extends User {
      override weight = 3;
      @task a() {
        counts.A++;
      }
    }
    class B extends User {
      @task b() {
        counts.B++;
      }
    }
    const { runner } = makeRun([A, B]);
    t.after(() => runner.quitAndWait());
    await runner.startArrivalRate({ rate: 200 });
    await sleep(300);
    await runner.stopAndWait();
    const total = counts.A + counts.B;
    assert.ok(total > 50, `${total} iterations`);
    assert.ok(Math.abs(counts.A - total * 0.75) <= 1, `A ${counts.A} of ${total}`);
  });

  it("caps the users at --max-users, drops what waited longer than --max-queue-time, and counts it exactly", async (t) => {
    let peak = 0;
    let busy = 0;
    class Slow extends User {
      @task async slow() {
        busy++;
        peak = Math.max(peak, busy);
        await fakeRequest(this, "slow", 200);
        busy--;
      }
    }
    const { runner, environment, logs } = makeRun([Slow]);
    t.after(() => runner.quitAndWait());
    runner.openModel = { maxUsers: 2, maxQueueMs: 100 };
    await runner.startArrivalRate({ rate: 50 });
    await sleep(600);
    assert.ok(runner.userCount <= 2, `${runner.userCount} users`);
    await runner.stopAndWait();
    const it = environment.stats.iterations;
    assert.equal(peak, 2);
    // 2 users of 200 ms carry about 10/s of the 50/s.
    assert.ok(it.started >= 5 && it.started <= 9, `started ${it.started}`);
    assert.ok(it.dropped > 15, `dropped ${it.dropped}`);
    assert.equal(it.dropped, it.scheduled - it.started, "dropped == scheduled − started");
    assert.ok(logs.some((l) => /Dropping iterations: every one of the 2 users/.test(l.message)));
    // Waiting iterations show up in the latency from the intended start: up to 100 ms of queue.
    // Medians, not maxima: a late timer stretches one request's own time past the queueing
    // of another's; most iterations after the first two waited in the queue.
    const row = environment.stats.get("fake", "slow")!;
    const [intendedMedian] = row.intended!.percentiles([0.5]);
    const serviceMedian = row.percentile(0.5)!;
    assert.ok(
      intendedMedian! > serviceMedian + 50,
      `the queueing is in the intended latency: median ${intendedMedian} ms from the intended start, ${serviceMedian} ms of service`,
    );
  });

  it("a lower --max-users on the running test retires the users above it: free ones at once, busy ones after their iteration", {
    timeout: 20_000,
  }, async (t) => {
    let stops = 0;
    class Slow extends User {
      override onStop() {
        stops++;
      }
      @task async slow() {
        await fakeRequest(this, "slow", 150);
      }
    }
    const { runner } = makeRun([Slow]);
    t.after(() => runner.quitAndWait());
    runner.openModel = { maxUsers: 6, maxQueueMs: 0 };
    await runner.startArrivalRate({ rate: 100 });
    assert.ok(await waitFor(() => runner.userCount === 6, 5000), `${runner.userCount} users`);
    // As a worker does when its share of a distributed --max-users shrinks.
    runner.openModel = { maxUsers: 2, maxQueueMs: 0 };
    await runner.startArrivalRate({ rate: 100 });
    assert.ok(
      await waitFor(() => runner.userCount === 2, 2000),
      `${runner.userCount} users after the cap fell to 2`,
    );
    assert.ok(await waitFor(() => stops === 4, 2000), `${stops} onStop calls`);
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      peak = Math.max(peak, runner.userCount);
      await sleep(10);
    }
    assert.equal(peak, 2, "no user above the lowered cap comes back");
    await runner.stopAndWait();
  });

  it("the iterations still waiting at the stop are dropped at the stop: said as such, not as --max-queue-time's", {
    timeout: 10_000,
  }, async (t) => {
    class Slow extends User {
      @task async slow() {
        await fakeRequest(this, "slow", 1000);
      }
    }
    const { runner, environment, logs } = makeRun([Slow]);
    t.after(() => runner.quitAndWait());
    // One user busy 1 s, a queue time of 5 s: stopped after 0.3 s, no iteration waited it out.
    runner.openModel = { maxUsers: 1, maxQueueMs: 5000 };
    await runner.startArrivalRate({ rate: 50 });
    await sleep(300);
    await runner.stopAndWait();
    const it = environment.stats.iterations;
    assert.equal(it.started, 1);
    assert.ok(it.dropped >= 10, `dropped ${it.dropped}`);
    assert.equal(it.dropped, it.scheduled - it.started, "dropped == scheduled − started");
    assert.equal(it.droppedAtStop, it.dropped, "every one at the stop");
    const messages = logs.map((l) => `${l.level} ${l.message}`);
    assert.ok(!messages.some((m) => /Dropping iterations/.test(m)), messages.join("\n"));
    assert.ok(
      messages.includes(
        `INFO ${it.dropped} iterations were still waiting for a free user when the test stopped: counted as dropped (at the stop, not for --max-queue-time)`,
      ),
      messages.join("\n"),
    );
  });

  it("carries the intended start into onStart of a user created for an iteration, not into onStop, and TaskSets run until they interrupt", async (t) => {
    const seen: string[] = [];
    class Journey extends TaskSet {
      @task async step() {
        seen.push("step");
        this.interrupt();
      }
    }
    class Visitor extends User {
      override tasks = [Journey];
      override async onStart() {
        seen.push(this.intendedStartMs === undefined ? "onStart without" : "onStart with");
      }
      override async onStop() {
        seen.push(this.intendedStartMs === undefined ? "onStop without" : "onStop with");
      }
    }
    const { runner } = makeRun([Visitor]);
    t.after(() => runner.quitAndWait());
    await runner.startArrivalRate({ rate: 20 });
    assert.ok(await waitFor(() => seen.filter((s) => s === "step").length >= 3, 2000));
    await runner.stopAndWait();
    assert.equal(seen[0], "onStart with");
    // onStop is no iteration's: its requests have no intended start (nor a latency from it).
    assert.ok(seen.includes("onStop without") && !seen.includes("onStop with"), seen.join(", "));
  });

  it("a user's StopUser or RescheduleTask ends its iteration; the rate goes on", async (t) => {
    let n = 0;
    class Moody extends User {
      @task act() {
        n++;
        if (n % 3 === 0) throw new StopUser();
        if (n % 3 === 1) throw new RescheduleTask();
      }
    }
    const { runner, environment } = makeRun([Moody]);
    t.after(() => runner.quitAndWait());
    await runner.startArrivalRate({ rate: 100 });
    await sleep(300);
    await runner.stopAndWait();
    assert.ok(environment.stats.iterations.started >= 25, `${environment.stats.iterations.started} started`);
    assert.equal(environment.stats.iterations.dropped, 0);
  });

  it("changes the rate of the running test (setArrivalRate) and ramps (--arrival-rate A:B --ramp)", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    const { runner, environment } = makeRun([Idle]);
    t.after(() => runner.quitAndWait());
    const begun = performance.now();
    await runner.startArrivalRate({ rate: 0, rampTo: 400, rampMs: 500 });
    await sleep(500);
    // The upper bounds follow the time that really passed: a busy machine wakes a sleep late,
    // and the ramp's end goes on at 400/s until the rate is changed.
    const rampS = (performance.now() - begun) / 1000;
    const afterRamp = environment.stats.iterations.started;
    const rampDue = 100 + 400 * (rampS - 0.5);
    assert.ok(
      afterRamp >= 85 && afterRamp <= rampDue + 15,
      `the ramp 0 → 400/s over 0.5 s starts ~100 (${rampDue.toFixed(0)} due after ${rampS} s): ${afterRamp}`,
    );
    runner.setArrivalRate(40);
    assert.equal(runner.arrivalRate, 40);
    const changed = performance.now();
    await sleep(250);
    const laterS = (performance.now() - changed) / 1000;
    await runner.stopAndWait();
    const later = environment.stats.iterations.started - afterRamp;
    // Iterations of the ramp that were due but not started yet when it was read come now.
    const behind = Math.max(0, rampDue - afterRamp);
    assert.ok(later >= 5 && later <= 40 * laterS + behind + 10, `then 40/s for ${laterS} s: ${later}`);
  });

  it("refuses to switch a running test between users and an arrival rate", async (t) => {
    const { runner } = makeRun([PacedIdle]);
    t.after(() => runner.quitAndWait());
    await runner.start(1, 10);
    await assert.rejects(runner.startArrivalRate({ rate: 10 }), /a test with a number of users is running/);
    await runner.stopAndWait();
    await runner.startArrivalRate({ rate: 10 });
    await assert.rejects(runner.start(1, 1), /an arrival-rate test is running/);
  });
});

describe("the schedule and the run time", () => {
  it("a ramp down to 0 that ends at -t schedules its integral: 200 → 0/s over 0.5 s is 50, not 51", async (t) => {
    class Quick extends User {
      @task quick() {}
    }
    const { runner, environment } = makeRun([Quick]);
    t.after(() => runner.quitAndWait());
    await runner.startArrivalRate({ rate: 200, rampTo: 0, rampMs: 500, runTimeMs: 500 });
    assert.ok(await waitFor(() => runner.state === "stopped", 3000));
    assert.equal(environment.stats.iterations.scheduled, 50);
    const { started, dropped } = environment.stats.iterations;
    assert.equal(started + dropped, 50, "(a stalled machine may drop the last ones at the stop)");
  });
});

/** A user that does nothing, every 0.1 s: the load shapes' tests need users, not their work. */
class PacedIdle extends User {
  override waitTime = constant(0.1);
  @task idle() {}
}

/** Resolves when `runner` next reaches "stopped". */
function whenStopped(runner: {
  stateChanged: { addListener(listener: (state: string) => void): unknown };
}): Promise<void> {
  return new Promise((resolve) => {
    runner.stateChanged.addListener((state) => {
      if (state === "stopped") resolve();
    });
  });
}

describe("load shapes of arrival rates", () => {
  it("follows { arrivalRate } ticks", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    class Steps extends LoadTestShape {
      tick() {
        return this.getRunTime() < 0.5 ? { arrivalRate: 40 } : { arrivalRate: 200 };
      }
    }
    const { runner, environment } = makeRun([Idle], { shapeClass: Steps });
    t.after(() => runner.quitAndWait());
    runner.startShape();
    assert.ok(await waitFor(() => runner.arrivalRate === 200, 3000), "the second tick's rate");
    assert.equal(runner.loadModel, "arrival-rate");
    // The test's record (what reports describe) knows it follows the shape, from its first tick.
    assert.equal(runner.tests.current?.shape, "Steps");
    const atSecondTick = environment.stats.iterations.started;
    const secondTick = performance.now();
    await sleep(200);
    const ranS = (performance.now() - secondTick) / 1000; // 0.2 s, or more on a busy machine
    await runner.stopAndWait();
    // About 40 in the first second, then 200/s.
    assert.ok(atSecondTick >= 35, `${atSecondTick} by the second tick`);
    const after = environment.stats.iterations.started - atSecondTick;
    assert.ok(after >= 30 && after <= 200 * ranS + 10, `${after} in the ${ranS} s at 200/s`);
  });

  it("a tick of arrivalRate 0 starts nothing (it used to start one iteration)", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    class Paused extends LoadTestShape {
      tick() {
        return this.getRunTime() < 0.3 ? { arrivalRate: 0 } : null;
      }
    }
    const { runner, environment } = makeRun([Idle], { shapeClass: Paused });
    t.after(() => runner.quitAndWait());
    runner.startShape();
    assert.ok(await waitFor(() => runner.state === "stopped", 5000));
    assert.equal(runner.loadModel, "arrival-rate");
    assert.equal(environment.stats.iterations.scheduled, 0);
    assert.equal(environment.stats.iterations.started, 0);
  });

  it("a tick mixing an arrival rate with users is a usage error on the first tick", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    class Mixed extends LoadTestShape {
      tick() {
        return { arrivalRate: 10, users: 5, spawnRate: 1 } as never;
      }
    }
    const { runner } = makeRun([Idle], { shapeClass: Mixed });
    t.after(() => runner.quitAndWait());
    assert.throws(
      () => runner.startShape(),
      (error: unknown) =>
        error instanceof UsageError && /mixed an arrival rate with users/.test(error.message),
    );
  });

  it("a tick whose arrival rate is NaN is refused, named NaN (not null, as JSON would write it)", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    class NotANumber extends LoadTestShape {
      tick() {
        return { arrivalRate: Number.NaN };
      }
    }
    const { runner } = makeRun([Idle], { shapeClass: NotANumber });
    t.after(() => runner.quitAndWait());
    assert.throws(
      () => runner.startShape(),
      (error: unknown) =>
        error instanceof UsageError && /returned arrivalRate NaN: expected/.test(error.message),
    );
  });

  it("a closed-model tick without a spawn rate, with negative users or Locust's names is refused, not run as nothing", (t) => {
    class Idle extends User {
      @task idle() {}
    }
    for (const [returned, problem] of [
      [{ users: 4 }, /returned \{"users":4\}: spawnRate must be a number of users per second above 0$/],
      [{ user_count: 4, spawn_rate: 4 }, /users must be a whole number ≥ 0, and spawnRate must be/],
      [[-1, 5], /returned \[-1,5\]: users must be a whole number ≥ 0$/],
    ] as const) {
      class Bad extends LoadTestShape {
        tick() {
          return returned as never;
        }
      }
      const { runner } = makeRun([Idle], { shapeClass: Bad });
      t.after(() => runner.quitAndWait());
      assert.throws(
        () => runner.startShape(),
        (error: unknown) => error instanceof UsageError && problem.test(error.message),
        JSON.stringify(returned),
      );
    }
  });

  it("a tick's user classes (Locust's third item) spawn only those, by weight; a tick without them, every class", async (t) => {
    class ApiOnly extends User {
      override waitTime = constant(0.1);
      @task idle() {}
    }
    class Web extends User {
      override waitTime = constant(0.1);
      @task idle() {}
    }
    class Narrowing extends LoadTestShape {
      tick() {
        const t = this.getRunTime();
        if (t > 2.5) return null;
        return t < 1
          ? ([4, 100, [ApiOnly]] as [number, number, [typeof ApiOnly]])
          : { users: 4, spawnRate: 100 };
      }
    }
    const { runner } = makeRun([ApiOnly, Web], { shapeClass: Narrowing });
    t.after(() => runner.quitAndWait());
    runner.startShape();
    assert.ok(
      await waitFor(() => runner.userClassesCount.ApiOnly === 4, 3000),
      JSON.stringify(runner.userClassesCount),
    );
    assert.equal(runner.userClassesCount.Web ?? 0, 0);
    assert.ok(
      await waitFor(() => runner.userClassesCount.ApiOnly === 2 && runner.userClassesCount.Web === 2, 3000),
      JSON.stringify(runner.userClassesCount),
    );
  });

  it("a tick that throws is the locustfile's error (exit 3) naming the shape, on the first tick or later", async (t) => {
    class Throws extends LoadTestShape {
      tick() {
        if (this.getRunTime() >= 0.5) throw new RangeError("boom in shape");
        return { users: 1, spawnRate: 10 };
      }
    }
    const { runner } = makeRun([PacedIdle], { shapeClass: Throws });
    t.after(() => runner.quitAndWait());
    const stopped = whenStopped(runner);
    runner.startShape();
    await stopped;
    assert.ok(runner.shapeFailure instanceof LocustfileError, String(runner.shapeFailure));
    assert.equal(runner.shapeFailure.exitCode, 3);
    assert.match(
      runner.shapeFailure.message,
      /^the load shape Throws's tick\(\) threw: RangeError: boom in shape \(at /,
    );
    class ThrowsAtOnce extends LoadTestShape {
      tick(): never {
        throw new TypeError("this.get_run_time is not a function");
      }
    }
    const first = makeRun([PacedIdle], { shapeClass: ThrowsAtOnce });
    t.after(() => first.runner.quitAndWait());
    assert.throws(
      () => first.runner.startShape(),
      (error: unknown) => error instanceof LocustfileError && error.code === "CICADA_ERR_SHAPE_THREW",
    );
  });

  it("a shape that switches from users to an arrival rate mid-test stops it with a usage error", async (t) => {
    class Switching extends LoadTestShape {
      tick() {
        return this.getRunTime() < 0.5 ? { users: 1, spawnRate: 10 } : { arrivalRate: 10 };
      }
    }
    const { runner } = makeRun([PacedIdle], { shapeClass: Switching });
    t.after(() => runner.quitAndWait());
    const stopped = whenStopped(runner);
    runner.startShape();
    await stopped;
    assert.ok(runner.shapeFailure instanceof UsageError);
    assert.match(runner.shapeFailure.message, /asked for users, then for an arrival rate/);
  });

  it("the runner refuses a rate above 1,000,000/s from code too (1e16 spun its scheduler)", async (t) => {
    class Idle extends User {
      @task idle() {}
    }
    const { runner } = makeRun([Idle]);
    t.after(() => runner.quitAndWait());
    await assert.rejects(
      runner.startArrivalRate({ rate: 1e16 }),
      /from 0 to 1000000 iterations per second, got 10000000000000000/,
    );
    await assert.rejects(runner.startArrivalRate({ rate: 5, rampTo: 2e6, rampMs: 1000 }), /got 2000000/);
    assert.equal(runner.state, "ready", "nothing started");
    await runner.startArrivalRate({ rate: 1 });
    assert.throws(() => runner.setArrivalRate(Number.POSITIVE_INFINITY), /got Infinity/);
    assert.equal(runner.arrivalRate, 1);
  });

  it("refuses a negative arrivalRate, and one above 1,000,000/s (1e20 spun the scheduler)", () => {
    class Idle extends User {
      @task idle() {}
    }
    for (const [rate, message] of [
      [-1, /arrivalRate -1: expected a number of iterations per second from 0 to 1000000/],
      [
        1e20,
        /arrivalRate 100000000000000000000: expected a number of iterations per second from 0 to 1000000/,
      ],
    ] as const) {
      class Shape extends LoadTestShape {
        tick() {
          return { arrivalRate: rate };
        }
      }
      const { runner } = makeRun([Idle], { shapeClass: Shape });
      assert.throws(() => runner.startShape(), message);
      void runner.quitAndWait();
    }
  });
});
