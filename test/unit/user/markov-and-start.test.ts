import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  constant,
  MarkovTaskSet,
  StopUser,
  tag,
  task,
  transition,
  transitions,
  User,
} from "../../../src/index.js";
import { describeUserClasses, taskRatioPerClass } from "../../../src/runner/index.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

describe("a throwing onStart", () => {
  it("ends that user: no task, no onStop, the error counted; the test stops when every user has ended", async () => {
    const calls = { start: 0, tasks: 0, stop: 0 };
    class Broken extends User {
      override waitTime = constant(0);
      override onStart() {
        calls.start++;
        throw new Error("login failed");
      }
      override onStop() {
        calls.stop++;
      }
      @task work() {
        calls.tasks++;
      }
    }
    const { runner, environment, logs } = makeRun([Broken]);
    await runner.start(3, 100);
    assert.ok(await waitFor(() => calls.start === 3 && runner.userCount === 0));
    assert.ok(await waitFor(() => logs.some((r) => r.message.includes("every user has stopped by itself"))));
    await runner.quitAndWait();
    assert.deepEqual(calls, { start: 3, tasks: 0, stop: 0 });
    const { exceptions } = environment.stats.snapshot(Date.now());
    assert.equal(
      exceptions.reduce((n, e) => n + e.count, 0),
      3,
    );
    for (const e of exceptions) assert.match(e.message, /login failed/);
  });

  it("StopUser from onStart still runs onStop, as in Locust", async () => {
    const calls = { tasks: 0, stop: 0 };
    class Leaver extends User {
      override onStart() {
        throw new StopUser();
      }
      override onStop() {
        calls.stop++;
      }
      @task work() {
        calls.tasks++;
      }
    }
    const { runner } = makeRun([Leaver]);
    await runner.start(2, 100);
    assert.ok(await waitFor(() => calls.stop === 2));
    await runner.quitAndWait();
    assert.equal(calls.tasks, 0);
  });
});

describe("MarkovTaskSet", () => {
  class Shop extends MarkovTaskSet {
    static trail: string[] = [];
    @transition("browse") index() {
      Shop.trail.push("index");
    }
    @transitions({ index: 3, cart: 1 }) browse() {
      Shop.trail.push("browse");
    }
    @transitions(["index"]) cart() {
      Shop.trail.push("cart");
    }
  }
  class Shopper extends User {
    override waitTime = constant(0);
    @task(2) shop = Shop;
  }

  it("starts at the first task and follows only declared transitions, by weight", async () => {
    Shop.trail = [];
    const { runner } = makeRun([Shopper]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => Shop.trail.length >= 6000, 10_000));
    await runner.quitAndWait();
    const trail = Shop.trail;
    assert.equal(trail[0], "index");
    const allowed = new Set(["index>browse", "browse>index", "browse>cart", "cart>index"]);
    const pairs = new Map<string, number>();
    for (let i = 1; i < trail.length; i++) {
      const pair = `${trail[i - 1]}>${trail[i]}`;
      assert.ok(allowed.has(pair), `unexpected transition ${pair} at ${i}`);
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
    const share = pairs.get("browse>index")! / (pairs.get("browse>index")! + pairs.get("browse>cart")!);
    assert.ok(Math.abs(share - 0.75) < 0.04, `browse → index share ${share}`);
  });

  it("reports the chain's long-run task ratios (index 4/9, browse 4/9, cart 1/9)", () => {
    const { environment } = makeRun([Shopper]);
    const ratios = taskRatioPerClass(environment.userClassInfos).Shopper!.tasks!.Shop!.tasks!;
    assert.ok(Math.abs(ratios.index!.ratio - 4 / 9) < 0.002, JSON.stringify(ratios));
    assert.ok(Math.abs(ratios.browse!.ratio - 4 / 9) < 0.002);
    assert.ok(Math.abs(ratios.cart!.ratio - 1 / 9) < 0.002);
  });

  it("refuses chains Locust refuses: a missing target, a target without transitions, @task, tags", () => {
    const plan = (cls: Function) => () => {
      class Holder extends User {
        override tasks = [cls as typeof MarkovTaskSet];
      }
      return describeUserClasses([Holder], makeRun([]).environment, {});
    };
    class Missing extends MarkovTaskSet {
      @transition("nowhere") a() {}
    }
    class Plain extends MarkovTaskSet {
      @transition("b") a() {}
      b() {}
    }
    class Mixed extends MarkovTaskSet {
      @transition("a") a() {}
      @task t() {}
    }
    class Tagged extends MarkovTaskSet {
      @tag("x") @transition("a") a() {}
    }
    class Empty extends MarkovTaskSet {}
    assert.throws(plan(Missing), /transition to nowhere, which is not a method/);
    assert.throws(plan(Plain), /Plain\.b cannot be the target of a transition from a/);
    assert.throws(plan(Mixed), /use @transition on its methods, not @task/);
    assert.throws(plan(Tagged), /tags are not supported in a MarkovTaskSet/);
    assert.throws(plan(Empty), /without Markov tasks/);
    assert.throws(() => transition("a", 0), /whole number ≥ 1/);
  });

  it("keeps its position per task set instance: re-entering starts again at the first task", async () => {
    const seen: string[] = [];
    class Loop extends MarkovTaskSet {
      @transition("second") first() {
        seen.push("first");
      }
      @transition("first") second() {
        seen.push("second");
        this.interrupt();
      }
    }
    class Looper extends User {
      override waitTime = constant(0);
      override tasks = [Loop];
    }
    const { runner } = makeRun([Looper]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => seen.length >= 6));
    await runner.quitAndWait();
    await sleep(1);
    assert.deepEqual(seen.slice(0, 6), ["first", "second", "first", "second", "first", "second"]);
  });
});
