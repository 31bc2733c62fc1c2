import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { constant, LoadTestShape, task, User } from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

class Idle extends User {
  override waitTime = constant(0.05);
  @task idle() {}
}

describe("load shapes and events", () => {
  it("follows a LoadTestShape's ticks and stops when it returns null", async () => {
    const seen: number[] = [];
    class Steps extends LoadTestShape {
      tick() {
        seen.push(this.getCurrentUserCount());
        const t = this.getRunTime();
        if (t < 1) return { users: 2, spawnRate: 100 };
        // It stops once its 5 users ran, not at 2 s alone: the ticks come about a second apart
        // and once, in a full run, none of them saw 5 users before the stop (ramps [2]): a tick
        // a hair before 1 s (timers count whole milliseconds) keeps 2 users, and the next one,
        // a little after 2 s, returned null.
        if (t < 2 || this.getCurrentUserCount() < 5) return [5, 100] as const;
        return null;
      }
    }
    const { runner, environment } = makeRun([Idle], { shapeClass: Steps });
    const stopped = new Promise<void>((resolve) => {
      environment.events.testStop.addListener(() => resolve());
    });
    // Each ramp's end, as it happened: polling for 5 users could miss their one-second
    // window on a machine busy enough to starve this process for that long.
    const ramps: number[] = [];
    environment.events.spawningComplete.addListener(({ userCount }) => {
      ramps.push(userCount);
    });
    runner.startShape();
    assert.ok(await waitFor(() => runner.userCount === 2, 900));
    await stopped;
    assert.deepEqual(ramps, [2, 5], "2 users, then 5, then the stop");
    assert.equal(runner.state, "stopped");
    assert.ok(seen.includes(5), `the shape saw the user count: ${seen.join(",")}`);
    await runner.quitAndWait();
  });

  it("fires testStart, spawningComplete, testStopping, testStop in order, with the request events fed to the stats", async () => {
    const order: string[] = [];
    class Measured extends User {
      override waitTime = constant(0.01);
      @task measure() {
        this.environment.events.request.fire({
          requestType: "sql",
          name: "select 1",
          responseTimeMs: 2.5,
          responseLength: 10,
        });
      }
    }
    const { runner, environment } = makeRun([Measured]);
    const { events } = environment;
    events.testStart.addListener(() => {
      order.push("testStart");
    });
    events.spawningComplete.addListener(({ userCount }) => {
      order.push(`spawningComplete:${userCount}`);
    });
    events.testStopping.addListener(() => {
      order.push("testStopping");
    });
    events.testStop.addListener(() => {
      order.push("testStop");
    });
    await runner.start(3, 100);
    assert.ok(await waitFor(() => environment.stats.total.numRequests >= 10));
    await runner.quitAndWait();
    assert.deepEqual(order, ["testStart", "spawningComplete:3", "testStopping", "testStop"]);
    const row = environment.stats.get("sql", "select 1");
    assert.ok(row && row.numRequests >= 10);
    assert.equal(row.minResponseTimeMs, 2.5);
    assert.equal(row.medianResponseTimeMs, 2.5);
  });

  it("a listener that throws does not stop the others, and its error is logged", async () => {
    const { runner, environment, logs } = makeRun([Idle]);
    let second = false;
    environment.events.testStart.addListener(() => {
      throw new Error("listener broke");
    });
    environment.events.testStart.addListener(() => {
      second = true;
    });
    await runner.start(1, 10);
    await runner.quitAndWait();
    assert.ok(second);
    assert.ok(logs.some((l) => l.level === "ERROR" && l.message.includes("listener broke")));
  });
});
