// Durations beyond setTimeout's 2^31-1 ms (24.8 days) used to fire after 1 ms: `-t 600h`
// ended the run at once, `-s 600h` stopped users at once, a long waitTime ran the next
// task at once. They must last as long as they say (shared/timers.ts chains timers).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { constant, HttpUser, task, User } from "../../../src/user/index.js";
import { startTarget } from "../../helpers/cli.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

const HOURS_600 = 600 * 3600 * 1000;

describe("long durations in a run", () => {
  it("-t 600h: the test is still running after 150 ms", async (t) => {
    class Idle extends User {
      override waitTime = constant(0.05);
      @task idle() {}
    }
    const { runner } = makeRun([Idle]);
    t.after(() => runner.quitAndWait());
    await runner.start(1, 100, { runTimeMs: HOURS_600 });
    await sleep(150);
    assert.equal(runner.state, "running");
  });

  it("a waitTime of 30 days: the second task does not start after 1 ms", async (t) => {
    let tasks = 0;
    class Patient extends User {
      override waitTime = constant(30 * 24 * 3600);
      @task once() {
        tasks++;
      }
    }
    const { runner, environment } = makeRun([Patient]);
    t.after(() => runner.quitAndWait());
    await runner.start(1, 100);
    assert.ok(await waitFor(() => tasks === 1));
    await sleep(100);
    assert.equal(tasks, 1);
    assert.equal(environment.stats.snapshot(Date.now()).exceptions.length, 0);
  });

  it("-s 600h: a stop lets the request in flight finish instead of aborting it at once", async (t) => {
    const target = await startTarget((_req, res) => {
      setTimeout(() => res.end("slow"), 150);
    });
    t.after(() => target.close());
    class Busy extends HttpUser {
      override waitTime = constant(0);
      @task async work() {
        await this.client.get("/slow");
      }
    }
    const { runner, environment } = makeRun([Busy], { host: target.url, stopTimeoutMs: HOURS_600 });
    t.after(() => runner.quitAndWait());
    await runner.start(1, 100);
    assert.ok(await waitFor(() => target.requests === 1));
    await runner.stopAndWait();
    assert.equal(environment.stats.total.numRequests, 1, "the request ran to its end and was counted");
  });
});
