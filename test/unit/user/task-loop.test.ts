import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RescheduleTask, StopUser } from "../../../src/shared/control-flow.js";
import { constant, SequentialTaskSet, TaskSet, tag, task, User } from "../../../src/user/index.js";
import { readTaskDeclarations } from "../../../src/user/task.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

describe("task selection", () => {
  it("picks tasks in proportion to their weights (3:1)", async () => {
    const counts = { heavy: 0, light: 0 };
    class Weighted extends User {
      override waitTime = constant(0);
      @task(3) heavy() {
        counts.heavy++;
      }
      @task light() {
        counts.light++;
      }
    }
    const { runner } = makeRun([Weighted]);
    await runner.start(1, 100);
    assert.ok(await waitFor(() => counts.heavy + counts.light >= 8000, 10_000));
    await runner.quitAndWait();
    const share = counts.heavy / (counts.heavy + counts.light);
    assert.ok(Math.abs(share - 0.75) < 0.03, `heavy share ${share}`);
  });

  it("@task() with empty parentheses is weight 1, as Locust's; a weight that is not a whole number ≥ 1 is refused", () => {
    class Plain extends User {
      @task() a() {}
      @task(2) b() {}
    }
    assert.deepEqual(
      readTaskDeclarations(Plain).map((d) => [d.key, d.weight]),
      [
        ["a", 1],
        ["b", 2],
      ],
    );
    assert.throws(() => task(0), /weight must be a whole number ≥ 1, got 0/);
    assert.throws(() => task(1.5), /got 1.5/);
  });

  it("runs a SequentialTaskSet in declaration order, repeating weighted tasks", async () => {
    const order: string[] = [];
    class Flow extends SequentialTaskSet {
      @task login() {
        order.push("login");
      }
      @task(2) main() {
        order.push("main");
      }
      @task list() {
        order.push("list");
      }
      @task post() {
        order.push("post");
      }
    }
    class Sequencer extends User {
      override waitTime = constant(0);
      override tasks = [Flow];
    }
    const { runner } = makeRun([Sequencer]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => order.length >= 10));
    await runner.quitAndWait();
    assert.deepEqual(order.slice(0, 10), [
      "login",
      "main",
      "main",
      "list",
      "post",
      "login",
      "main",
      "main",
      "list",
      "post",
    ]);
  });

  it("supports a plain `tasks` field with weights and functions receiving the user", async () => {
    const seen: string[] = [];
    function browse(user: User) {
      seen.push(`browse:${user.constructor.name}`);
    }
    class Plain extends User {
      override waitTime = constant(0);
      override tasks = [[browse, 2]] as const;
    }
    const { runner } = makeRun([Plain]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => seen.length >= 3));
    await runner.quitAndWait();
    assert.equal(seen[0], "browse:Plain");
  });

  it("filters tasks by tags, exclusion winning", async () => {
    const ran = new Set<string>();
    class Tagged extends User {
      override waitTime = constant(0);
      @tag("a") @task one() {
        ran.add("one");
      }
      @tag("a", "slow") @task two() {
        ran.add("two");
      }
      @tag("b") @task three() {
        ran.add("three");
      }
      @task untagged() {
        ran.add("untagged");
      }
    }
    const { runner } = makeRun([Tagged], { tags: ["a"], excludeTags: ["slow"] });
    await runner.start(1, 10);
    await sleep(100);
    await runner.quitAndWait();
    assert.deepEqual([...ran], ["one"]);
  });
});

describe("user life", () => {
  it("calls onStart once per user and onStop when stopped", async () => {
    const calls = { start: 0, stop: 0, tasks: 0 };
    class Lifecycle extends User {
      override waitTime = constant(0.01);
      override onStart() {
        calls.start++;
      }
      override onStop() {
        calls.stop++;
      }
      @task work() {
        calls.tasks++;
      }
    }
    const { runner } = makeRun([Lifecycle]);
    await runner.start(3, 100);
    assert.ok(await waitFor(() => calls.tasks > 20));
    assert.equal(calls.start, 3);
    assert.equal(calls.stop, 0);
    await runner.stopAndWait();
    assert.equal(calls.stop, 3);
    assert.equal(runner.userCount, 0);
    await runner.quitAndWait();
  });

  it("StopUser ends that user (onStop runs) and RescheduleTask is not an error", async () => {
    const calls = { stop: 0, after: 0, rescheduled: 0 };
    class Quitter extends User {
      override waitTime = constant(0);
      private n = 0;
      override onStop() {
        calls.stop++;
      }
      @task work() {
        this.n++;
        if (this.n === 3) throw new StopUser();
        if (this.n < 3) {
          calls.rescheduled++;
          throw new RescheduleTask();
        }
        calls.after++;
      }
    }
    const { runner, environment } = makeRun([Quitter]);
    await runner.start(2, 100);
    assert.ok(await waitFor(() => calls.stop === 2));
    assert.equal(calls.after, 0);
    assert.equal(calls.rescheduled, 4);
    assert.equal(environment.stats.snapshot(Date.now()).exceptions.length, 0);
    await runner.quitAndWait();
  });

  it("a user whose onStop throws StopUser has still ended: the runner counts it out and stops", async () => {
    let stops = 0;
    class Stubborn extends User {
      override waitTime = constant(0);
      override onStop() {
        stops++;
        throw new StopUser();
      }
      @task work() {
        throw new StopUser();
      }
    }
    const { runner, logs } = makeRun([Stubborn]);
    await runner.start(2, 100);
    assert.ok(await waitFor(() => stops === 2 && runner.userCount === 0));
    assert.ok(await waitFor(() => logs.some((r) => r.message.includes("every user has stopped by itself"))));
    await runner.quitAndWait();
  });

  it("counts other exceptions by stack and carries on after the wait", async () => {
    let runs = 0;
    class Thrower extends User {
      override waitTime = constant(0);
      @task explode() {
        runs++;
        throw new RangeError("bad index");
      }
    }
    const { runner, environment } = makeRun([Thrower]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => runs >= 5));
    await runner.quitAndWait();
    const { exceptions } = environment.stats.snapshot(Date.now());
    assert.equal(exceptions.length, 1);
    assert.ok(exceptions[0]!.count >= 5);
    assert.match(exceptions[0]!.message, /RangeError: bad index/);
    assert.match(exceptions[0]!.traceback, /explode/);
  });

  it("runner.quit() from a task ends the whole test", async () => {
    let runs = 0;
    class Breaker extends User {
      override waitTime = constant(0.005);
      @task probe() {
        runs++;
        if (runs === 10) this.environment.runner!.quit();
      }
    }
    const { runner } = makeRun([Breaker]);
    await runner.start(4, 100);
    await runner.whenQuit;
    assert.equal(runner.state, "stopped");
    assert.equal(runner.userCount, 0);
  });

  it("interrupt() leaves a TaskSet: reschedule=true goes on at once, and onStop of the set runs", async () => {
    const events: string[] = [];
    class Section extends TaskSet {
      override onStart() {
        events.push("enter");
      }
      override onStop() {
        events.push("leave");
      }
      @task read() {
        events.push("read");
        this.interrupt();
      }
    }
    class Visitor extends User {
      override waitTime = constant(0);
      override tasks = [Section];
    }
    const { runner } = makeRun([Visitor]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => events.length >= 6));
    await runner.quitAndWait();
    assert.deepEqual(events.slice(0, 6), ["enter", "read", "leave", "enter", "read", "leave"]);
  });

  it("a graceful stop lets the current task finish; a hard stop does not wait for it", async () => {
    let finished = 0;
    class Slow extends User {
      override waitTime = constant(0);
      @task async slow() {
        await sleep(150);
        finished++;
      }
    }
    const graceful = makeRun([Slow], { stopTimeoutMs: 2000 });
    await graceful.runner.start(1, 10);
    await sleep(30);
    await graceful.runner.quitAndWait();
    assert.equal(finished, 1);
  });
});
