import assert from "node:assert/strict";
import { it } from "node:test";
import type { ChecksResponse } from "../../../src/web/api-types.js";
import { makeWebRun } from "../web/helpers.js";

it("GET /api/checks gives the checks table and the custom metrics; the stream's version moves with them", async (t) => {
  const run = await makeWebRun();
  t.after(() => run.close());
  const get = async () =>
    (await run.app.inject({ method: "GET", url: "/api/checks" })).json() as ChecksResponse;
  assert.deepEqual(await get(), { checks: [], all: null, metrics: [] });
  const before = run.feed.fullUpdate().versions.checks;
  const stats = run.environment.stats;
  stats.checks.record("status is 200", true);
  stats.checks.record("status is 200", false);
  stats.metrics.record({ name: "coupons_issued", kind: "counter" }, 4);
  const body = await get();
  assert.deepEqual(body.checks, [{ name: "status is 200", passes: 1, fails: 1, rate: 0.5 }]);
  assert.deepEqual(body.all, { name: "All checks", passes: 1, fails: 1, rate: 0.5 });
  assert.equal(body.metrics[0]?.name, "coupons_issued");
  assert.match(body.metrics[0]?.text ?? "", /^4 \(/);
  assert.equal(run.feed.fullUpdate().versions.checks, (before ?? 0) + 3);
});
