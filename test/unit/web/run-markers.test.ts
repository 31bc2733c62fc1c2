/** The history the server keeps for the charts covers every test of the session, with where each began. */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { makeWebRun, startTarget, type Target } from "./helpers.js";

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

it("GET /api/state carries the session's history and each test's start (Run #1, Run #2)", async () => {
  const run = await makeWebRun({ host: target.url });
  try {
    const stateOf = async () => (await run.app.inject({ method: "GET", url: "/api/state" })).json();
    assert.deepEqual((await stateOf()).runs, []);
    await run.runner.start(1, 100);
    await run.runner.stopAndWait(); // a stop samples one last point
    const first = run.runner.startedAtMs!;
    await run.runner.start(1, 100);
    await run.runner.stopAndWait();
    const second = run.runner.startedAtMs!;
    assert.ok(second >= first);
    const state = await stateOf();
    assert.deepEqual(state.runs, [
      { run: 1, timeMs: first },
      { run: 2, timeMs: second },
    ]);
    // Both tests' points, although the second test reset the statistics.
    assert.equal(state.history.timeMs.length, 2);
    assert.ok(state.history.timeMs[0] >= first && state.history.timeMs[1] >= second);
    // The test's own history (the reports') holds the second test only.
    assert.equal(run.environment.stats.history.totalSeries().length, 1);
  } finally {
    await run.close();
  }
});
