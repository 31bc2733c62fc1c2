/** Locust's snake_case names in a ported locustfile: Cicada never reads them, so it says so. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Environment, locustSpellingWarnings } from "../../../src/runner/index.js";
import { between, HttpUser, TaskSet, task } from "../../../src/user/index.js";

class Checkout extends TaskSet {
  on_stop() {}
  @task pay() {
    this.interrupt();
  }
}

class Ported extends HttpUser {
  static fixed_count = 1;
  wait_time = between(0.5, 1);
  async on_start() {}
  override tasks = [Checkout];
}

class Native extends HttpUser {
  override waitTime = between(0.5, 1);
  override async onStart() {}
  @task browse() {}
}

describe("Locust's spellings in user classes and their TaskSets", () => {
  it("each is named with Cicada's name; a class written with Cicada's names has none", () => {
    const environment = new Environment({ userClasses: [Ported, Native] });
    assert.deepEqual(locustSpellingWarnings([Ported, Native], environment), [
      "Ported.wait_time is Locust's name: Cicada reads waitTime, so wait_time is ignored",
      "Ported.on_start is Locust's name: Cicada reads onStart, so on_start is ignored",
      "Ported.fixed_count is Locust's name: Cicada reads fixedCount, so fixed_count is ignored",
      "Checkout.on_stop is Locust's name: Cicada reads onStop, so on_stop is ignored",
    ]);
    assert.deepEqual(locustSpellingWarnings([Native], environment), []);
  });
});
