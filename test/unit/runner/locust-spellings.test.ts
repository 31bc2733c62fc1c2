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

class PortedFast extends HttpUser {
  max_retries = 3;
  concurrency = 10;
  max_redirects = 2;
  @task browse() {}
}

describe("Locust's FastHttpUser settings", () => {
  it("a renamed one names Cicada's name; one Cicada lacks says so and what to use instead", () => {
    const environment = new Environment({ userClasses: [PortedFast] });
    assert.deepEqual(locustSpellingWarnings([PortedFast], environment), [
      "PortedFast.max_redirects is Locust's name: Cicada reads maxRedirects, so max_redirects is ignored",
      "PortedFast.max_retries is a setting of Locust's FastHttpUser that Cicada does not have, so it is ignored: Cicada resends a request only on a kept connection the server closed, never on a failure",
      "PortedFast.concurrency is a setting of Locust's FastHttpUser that Cicada does not have, so it is ignored: each user has its own connections (requests it sends together, with Promise.all, go out in parallel); run more users for more load",
    ]);
  });
});
