import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { startTarget, type Target } from "../../helpers/cli.js";
import { makeRun, sleep } from "../../helpers/env.js";

describe("stopping users with requests in flight", () => {
  let target: Target;
  before(async () => {
    // Answers after 600 ms, so a stop always finds the users mid-request.
    target = await startTarget((_req, res) => {
      setTimeout(() => res.end("slow"), 600);
    });
  });
  after(() => target.close());

  class Waiter extends HttpUser {
    override waitTime = constant(0);
    @task async slow() {
      await this.client.get("/slow");
    }
  }

  it("without a stop timeout, users stop at once and in-flight requests are not counted", async () => {
    const { runner, environment } = makeRun([Waiter], { host: target.url });
    await runner.start(4, 100);
    await sleep(200);
    const t0 = performance.now();
    await runner.quitAndWait();
    const took = performance.now() - t0;
    assert.ok(took < 400, `stop took ${took} ms`);
    assert.equal(environment.stats.total.numRequests, 0);
    assert.equal(environment.stats.total.numFailures, 0);
  });

  it("with a stop timeout, in-flight requests finish and are counted as successes", async () => {
    const { runner, environment } = makeRun([Waiter], { host: target.url, stopTimeoutMs: 3000 });
    await runner.start(4, 100);
    await sleep(200);
    await runner.quitAndWait();
    assert.equal(environment.stats.total.numRequests, 4);
    assert.equal(environment.stats.total.numFailures, 0);
  });
});
