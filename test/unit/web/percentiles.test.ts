import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalRunner } from "../../../src/runner/index.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, startTarget, type Target } from "./helpers.js";

describe("the statistics table's percentiles (UiMeta.percentiles, each row's percentilesMs)", () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  for (const [label, configured, expected] of [
    ["Locust's 95 and 99 by default", undefined, [0.95, 0.99]],
    ["those of --percentiles", [0.5, 0.9, 0.999], [0.5, 0.9, 0.999]],
  ] as const) {
    it(label, async () => {
      const run = await makeWebRun({
        host: target.url,
        runner: (environment) => {
          if (configured) environment.stats.setPercentiles(configured);
          return new LocalRunner(environment);
        },
      });
      try {
        await run.runner.start(1, 100);
        assert.ok(await waitFor(() => (run.environment.stats.get("GET", "/ok")?.numRequests ?? 0) > 5, 5000));
        const state = (await run.app.inject({ method: "GET", url: "/api/state" })).json();
        assert.deepEqual(state.meta.percentiles, expected);
        const row = (state.rows as unknown[][]).find((r) => r[0] === "GET" && r[1] === "/ok")!;
        // The wire row: [method, name, requests, failures, median, percentilesMs, ...].
        const sent = row[5] as number[];
        assert.equal(sent.length, expected.length);
        assert.ok(
          sent.every((value, i) => value > 0 && (i === 0 || value >= sent[i - 1]!)),
          String(sent),
        );
        // --percentiles 50,...: its first column is the median the row also carries (row[4]).
        if (configured) assert.equal(sent[0], row[4]);
      } finally {
        await run.close();
      }
    });
  }
});
