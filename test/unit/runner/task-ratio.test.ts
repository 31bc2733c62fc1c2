/**
 * --show-task-ratio(-json) and the web UI's /tasks, against what Locust 2.12 prints for the
 * same classes (`locust -f ratio.py --show-task-ratio-json`: Shopper weight 3 with tasks 3:1,
 * Admin weight 1 with one task).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { Environment, taskRatioPerClass, taskRatioTotal } from "../../../src/runner/index.js";
import { constant, TaskSet, task, User } from "../../../src/user/index.js";

class Shopper extends User {
  static weight = 3;
  override waitTime = constant(1);
  @task(3) browse() {}
  @task buy() {}
}
class Admin extends User {
  override waitTime = constant(1);
  @task report() {}
}

it("per class: each class's share of users, its tasks within it; total: the tasks' share of all", () => {
  const infos = new Environment({ userClasses: [Shopper, Admin] }).userClassInfos;
  // Locust 2.12's per_class (it printed "75.0 Shopper" where Cicada printed 100.0).
  assert.deepEqual(taskRatioPerClass(infos), {
    Shopper: { ratio: 0.75, tasks: { browse: { ratio: 0.75 }, buy: { ratio: 0.25 } } },
    Admin: { ratio: 0.25, tasks: { report: { ratio: 1 } } },
  });
  assert.deepEqual(taskRatioTotal(infos), {
    Shopper: { ratio: 0.75, tasks: { browse: { ratio: 0.5625 }, buy: { ratio: 0.1875 } } },
    Admin: { ratio: 0.25, tasks: { report: { ratio: 0.25 } } },
  });
});

// Locust 2.12 printed exactly these for the same classes (tasks = {Cart: 1} beside @task(3) browse).
it("a TaskSet's tasks: shares of the set per class (as Locust's per_class), of everything in total", () => {
  class Cart extends TaskSet {
    @task(3) item() {}
    @task stop() {}
  }
  class Visitor extends User {
    override waitTime = constant(1);
    override tasks = [Cart];
    @task(3) browse() {}
  }
  const infos = new Environment({ userClasses: [Visitor] }).userClassInfos;
  assert.deepEqual(taskRatioPerClass(infos).Visitor!.tasks, {
    Cart: { ratio: 0.25, tasks: { item: { ratio: 0.75 }, stop: { ratio: 0.25 } } },
    browse: { ratio: 0.75 },
  });
  assert.deepEqual(taskRatioTotal(infos).Visitor!.tasks, {
    Cart: { ratio: 0.25, tasks: { item: { ratio: 0.1875 }, stop: { ratio: 0.0625 } } },
    browse: { ratio: 0.75 },
  });
});
