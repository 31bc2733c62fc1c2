/**
 * Locust's API in one process: custom messages loop back to the runner's own listener,
 * events.request.measure() times a block as a request, -i N runs exactly N tasks, and
 * --reset-stats clears what ran during the ramp.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { constant, task, User } from "../../../src/user/index.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

class Idle extends User {
  override waitTime = constant(1);
  @task idle() {}
}

describe("custom messages without workers", () => {
  it("sendMessage reaches the runner's own listener, as Locust's LocalRunner does", async () => {
    const { runner, logs } = makeRun([Idle]);
    const got: unknown[] = [];
    runner.registerMessage<{ n: number }>("ping", (message, environment) => {
      got.push([message.type, message.nodeId, message.data.n, environment === runner.environment]);
    });
    runner.sendMessage("ping", { n: 7 });
    runner.sendMessage("nobody_listens", null);
    assert.deepEqual(got, [["ping", "local", 7, true]]);
    assert.ok(
      logs.some(
        (r) => r.level === "WARNING" && r.message.includes("Unknown message type received: nobody_listens"),
      ),
    );
    assert.throws(() => runner.registerMessage("ping", () => {}), /already has a listener/);
    assert.throws(() => runner.registerMessage("heartbeat", () => {}), /message type of the protocol itself/);
    assert.throws(() => runner.sendMessage("spawn", {}), /message type of the protocol itself/);
    await runner.quitAndWait();
  });

  it("a listener that throws is logged and does not break the runner", async () => {
    const { runner, logs } = makeRun([Idle]);
    runner.registerMessage("bad", () => {
      throw new Error("listener bug");
    });
    runner.sendMessage("bad");
    assert.ok(logs.some((r) => r.level === "ERROR" && r.message.includes("listener bug")));
    await runner.quitAndWait();
  });
});

describe("events.request.measure", () => {
  it("records the block's time as a request, its error as the failure, and lets the block set the size", async () => {
    const { environment } = makeRun([Idle]);
    const request = environment.events.request;
    const rows = await request.measure("sql", "top products", async (meta) => {
      await sleep(30);
      meta.responseLength = 3;
      meta.context.shard = 2;
      return [1, 2, 3];
    });
    assert.deepEqual(rows, [1, 2, 3]);
    const failed = await request.measure("sql", "broken", () => {
      throw new RangeError("no such table");
    });
    assert.equal(failed, undefined, "as in Locust, the error is recorded, not thrown");
    await request.measure("sql", "checked", (meta) => {
      meta.exception = "0 rows";
    });
    const stats = environment.stats;
    const top = stats.get("sql", "top products")!;
    assert.equal(top.numRequests, 1);
    assert.equal(top.numFailures, 0);
    assert.equal(top.totalContentLength, 3);
    assert.ok(top.maxResponseTimeMs >= 29, `measured ${top.maxResponseTimeMs} ms`);
    assert.equal(stats.get("sql", "broken")!.numFailures, 1);
    const errors = stats.snapshot(Date.now()).errors.map((e) => [e.name, e.error]);
    assert.deepEqual(errors.sort(), [
      ["broken", "RangeError: no such table"],
      ["checked", "0 rows"],
    ]);
    assert.equal(describeFailure("x"), "x");
  });
});

describe("-i/--iterations in one process", () => {
  it("runs exactly N tasks over all users, starts none past N, then stops the test by itself", async () => {
    let started = 0;
    let finished = 0;
    class Busy extends User {
      override waitTime = constant(0.001);
      @task async work() {
        started++;
        await sleep(2);
        finished++;
      }
    }
    const { runner, logs } = makeRun([Busy], {}, { iterations: 53 });
    await runner.start(7, 1000);
    assert.ok(await waitFor(() => runner.state === "stopped", 5000), `state ${runner.state}`);
    assert.equal(started, 53);
    assert.equal(finished, 53, "the last tasks finished before the test stopped");
    assert.ok(logs.some((r) => r.message.includes("iteration limit is reached and every user has finished")));
    await runner.quitAndWait();
  });

  it("a second test gets a fresh budget", async () => {
    let runs = 0;
    class Quick extends User {
      @task work() {
        runs++;
      }
    }
    const { runner } = makeRun([Quick], {}, { iterations: 5 });
    for (const expected of [5, 10]) {
      await runner.start(2, 100);
      assert.ok(await waitFor(() => runner.state === "stopped", 3000));
      assert.equal(runs, expected);
    }
    await runner.quitAndWait();
  });
});

/** A 1 ms GET of `name`, reported as a user's request would be. */
function recordRequest(user: User, name: string): void {
  user.environment.events.request.fire({ requestType: "GET", name, responseTimeMs: 1, responseLength: 0 });
}

describe("--reset-stats", () => {
  it("clears what ran during the ramp when it completes (and fires resetStats)", async () => {
    class Starter extends User {
      override waitTime = constant(0.01);
      override onStart() {
        recordRequest(this, "/login");
      }
      @task work() {
        recordRequest(this, "/work");
      }
    }
    for (const reset of [false, true]) {
      const { runner, environment } = makeRun([Starter], { resetStatsAfterRamp: reset });
      let resets = 0;
      environment.events.resetStats.addListener(() => {
        resets++;
      });
      await runner.start(5, 50);
      await sleep(100);
      const logins = environment.stats.get("GET", "/login")?.numRequests ?? 0;
      assert.equal(logins, reset ? 0 : 5, `reset ${reset}`);
      assert.equal(resets, reset ? 1 : 0);
      assert.ok((environment.stats.get("GET", "/work")?.numRequests ?? 0) > 0);
      await runner.quitAndWait();
    }
  });

  it("an arrival-rate ramp: the statistics start again when the rate reaches its end (it did nothing)", async () => {
    class Iteration extends User {
      @task work() {
        recordRequest(this, "/work");
      }
    }
    const { runner, environment, logs } = makeRun([Iteration], { resetStatsAfterRamp: true });
    let resets = 0;
    environment.events.resetStats.addListener(() => {
      resets++;
    });
    await runner.startArrivalRate({ rate: 50, rampTo: 100, rampMs: 600 });
    await sleep(150);
    assert.equal(resets, 0, "not before the ramp is done");
    assert.ok(await waitFor(() => resets === 1, 3000));
    assert.ok(
      logs.some((record) =>
        /Resetting stats \(--reset-stats\): the arrival rate reached 100\/s/.test(record.message),
      ),
    );
    // Counted afresh from the end of the ramp (about 10 in 100 ms), not with the ramp's 45.
    await sleep(100);
    const work = environment.stats.get("GET", "/work")?.numRequests ?? 0;
    assert.ok(work > 0 && work < 40, `requests since the reset: ${work}`);
    await runner.quitAndWait();
  });
});
