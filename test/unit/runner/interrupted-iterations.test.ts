/**
 * The open model's completed and interrupted iterations, through a real LocalRunner and a
 * real target that answers after 300 ms and counts what it received and answered. A test of a
 * hard stop makes the target hold requests past a given count until the client gives up on
 * them, so no answer can race the stop: the answered ones ended before it, the held ones are
 * in flight at it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { constant, HttpUser, SequentialTaskSet, task } from "../../../src/user/index.js";
import { startTarget, type Target } from "../../helpers/cli.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

let target: Target;
let received = 0;
let answered = 0;
/** Requests from this one on (counted from 0) are held until the client aborts them. */
let holdFrom = Number.POSITIVE_INFINITY;

before(async () => {
  target = await startTarget((_req, res) => {
    if (received++ >= holdFrom) return;
    setTimeout(() => {
      // A request the client aborted (a hard stop) is never answered.
      if (res.destroyed) return;
      answered++;
      res.end("ok");
    }, 300);
  });
});
after(() => target.close());

function resetTarget(holdFromRequest = Number.POSITIVE_INFINITY): void {
  received = 0;
  answered = 0;
  holdFrom = holdFromRequest;
}

let tasksRun = 0;
class Slow extends HttpUser {
  @task async claim() {
    tasksRun++;
    await this.client.get("/claim");
  }
}

/** A journey of three requests with the user's 200 ms wait between them, one per iteration. */
class Checkout extends SequentialTaskSet {
  @task async cart() {
    await this.client.get("/cart");
  }
  @task async pay() {
    await this.client.get("/pay");
  }
  @task async done() {
    await this.client.get("/done");
    this.interrupt();
  }
}
class Shopper extends HttpUser {
  override waitTime = constant(0.2);
  override tasks = [Checkout];
}

class SlowStart extends HttpUser {
  override async onStart() {
    await this.client.get("/login");
  }
  @task async claim() {
    tasksRun++;
  }
}

describe("completed and interrupted iterations", () => {
  it("a hard stop: completed ones are those that ended, the rest interrupted, one warning with the fix", async () => {
    resetTarget(3);
    const { runner, environment, logs } = makeRun([Slow], { host: target.url });
    await runner.startArrivalRate({ rate: 20 });
    const snapshot = () => environment.stats.iterations.snapshot(Date.now());
    // Stop once the client has read the 3 answers, 4 more iterations wait on held requests,
    // and the target has received every request started (so each interrupted one is seen).
    const readyToStop = () => {
      const now = snapshot();
      return now.completed === 3 && now.inFlight >= 4 && received === now.started;
    };
    assert.ok(
      await waitFor(readyToStop),
      `completed ${snapshot().completed}, in flight ${snapshot().inFlight}`,
    );
    assert.equal(snapshot().interrupted, 0, "none interrupted while the test runs");
    await runner.stopAndWait();
    const it = snapshot();
    assert.equal(it.completed, 3);
    assert.ok(it.interrupted >= 4, `interrupted ${it.interrupted}`);
    assert.equal(it.started, it.completed + it.interrupted);
    assert.equal(it.dropped, it.scheduled - it.started);
    // One request per iteration: the counted requests are the completed iterations'.
    assert.equal(environment.stats.total.numRequests, it.completed);
    assert.equal(answered, it.completed, "the target answered exactly the completed iterations");
    assert.equal(received - answered, it.interrupted, "and saw the interrupted ones begin, never finish");
    const warnings = logs.filter((l) => /were interrupted/.test(l.message));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!.message,
      new RegExp(
        `^${it.interrupted} of ${it.started} started iterations \\(\\d+\\.\\d\\d%\\) were interrupted`,
      ),
    );
    assert.match(warnings[0]!.message, /percentiles \(pN_intended and the service times\) are too low/);
    assert.match(
      warnings[0]!.message,
      /--stop-timeout \(-s\), e\.g\. -s 30s, lets in-flight iterations finish/,
    );
  });

  it("a graceful stop (--stop-timeout): every started iteration completes, none interrupted, no warning", async () => {
    resetTarget();
    const { runner, environment, logs } = makeRun([Slow], { host: target.url, stopTimeoutMs: 2000 });
    await runner.startArrivalRate({ rate: 20 });
    await sleep(520);
    await runner.stopAndWait();
    const it = environment.stats.iterations.snapshot(Date.now());
    assert.ok(it.started >= 9, `started ${it.started}`);
    assert.deepEqual([it.completed, it.interrupted], [it.started, 0]);
    assert.equal(environment.stats.total.numRequests, it.started);
    assert.equal(answered, it.started);
    assert.ok(!logs.some((l) => /were interrupted/.test(l.message)));
  });

  it("a graceful stop lets a TaskSet iteration finish through its waits; the waits are not in the latency from the intended start", async () => {
    resetTarget();
    const { runner, environment } = makeRun([Shopper], { host: target.url, stopTimeoutMs: 3000 });
    await runner.startArrivalRate({ rate: 10 });
    await sleep(350);
    await runner.stopAndWait();
    const it = environment.stats.iterations.snapshot(Date.now());
    assert.ok(it.started >= 3, `started ${it.started}`);
    // Stopped while in their first request or first wait, every journey still ran all three.
    assert.deepEqual([it.completed, it.interrupted], [it.started, 0]);
    assert.equal(answered, 3 * it.started);
    const row = (name: string) => environment.stats.get("GET", name)!;
    for (const name of ["/cart", "/pay", "/done"]) assert.equal(row(name).numRequests, it.started, name);
    // /done comes 600 ms of service and 400 ms of waits after the intended start: only the service counts.
    const done = row("/done");
    const service = done.percentile(0.5)!;
    const intended = done.intended!.percentiles([0.5])[0]!;
    // (with the waits it would be service + 1,000).
    assert.ok(
      intended >= service + 600 - 50,
      `the earlier requests count: ${intended} ms, service ${service} ms`,
    );
    assert.ok(intended < service + 600 + 200, `the waits do not: ${intended} ms, service ${service} ms`);
  });

  it("onStart belongs to the first iteration: a hard stop during it interrupts it; a graceful one lets its task run", async () => {
    resetTarget(0);
    tasksRun = 0;
    const hard = makeRun([SlowStart], { host: target.url });
    await hard.runner.startArrivalRate({ rate: 20 });
    await waitFor(() => received >= 2);
    await hard.runner.stopAndWait();
    const cut = hard.environment.stats.iterations;
    assert.ok(cut.started >= 2, `started ${cut.started}`);
    assert.deepEqual([cut.completed, cut.interrupted, tasksRun], [0, cut.started, 0]);

    resetTarget();
    tasksRun = 0;
    const graceful = makeRun([SlowStart], { host: target.url, stopTimeoutMs: 2000 });
    await graceful.runner.startArrivalRate({ rate: 20 });
    await sleep(120);
    await graceful.runner.stopAndWait();
    const done = graceful.environment.stats.iterations;
    assert.ok(done.started >= 2, `started ${done.started}`);
    assert.deepEqual([done.completed, done.interrupted], [done.started, 0]);
    assert.equal(tasksRun, done.started, "each first iteration ran its task after onStart");
  });
});
