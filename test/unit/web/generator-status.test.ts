import assert from "node:assert/strict";
import { it } from "node:test";
import { generatorFlags } from "../../../src/cli/outputs.js";
import { GeneratorMonitor } from "../../../src/runner/index.js";
import { constant, task, User } from "../../../src/user/index.js";
import { runStatus } from "../../../src/web/rows.js";
import { makeRun, waitFor } from "../../helpers/env.js";

class Idle extends User {
  override waitTime = constant(1);
  @task idle() {}
}

it("an overloaded generator shows in the UI status and as a report flag", async () => {
  const { runner, environment } = makeRun([Idle]);
  assert.equal(runStatus(runner, false).generatorOverloaded, false);
  assert.deepEqual(generatorFlags(environment), []);
  // A CPU clock that always reads a full core busy.
  let cpuMicros = 0;
  let last = performance.now();
  const busyCpu = () => {
    const now = performance.now();
    cpuMicros += (now - last) * 1000;
    last = now;
    return cpuMicros;
  };
  environment.generatorMonitor = new GeneratorMonitor({ cpuUsageMicros: busyCpu, intervalMs: 50 });
  environment.generatorMonitor.start();
  try {
    assert.ok(await waitFor(() => environment.generatorMonitor!.state.overloaded, 3000));
    assert.equal(runStatus(runner, false).generatorOverloaded, true);
    const [flag] = generatorFlags(environment);
    assert.equal(flag?.code, "generator-overloaded");
    assert.match(flag.message, /latencies include client-side queueing/);
  } finally {
    environment.generatorMonitor.stop();
    await runner.quitAndWait();
  }
});

it("the request table's notes (requests sent twice, aborted by the stop) are in the UI status, as in the console", async () => {
  const { runner, environment } = makeRun([Idle]);
  try {
    assert.deepEqual(runStatus(runner, false).requestNotes, []);
    environment.stats.countResentRequest();
    environment.stats.countAbortedRequests(3, 2);
    const [resent, aborted, unsent, ...more] = runStatus(runner, false).requestNotes ?? [];
    assert.match(resent ?? "", /^1 request was sent twice: the server closed a keep-alive connection/);
    assert.match(
      aborted ?? "",
      /^3 requests were in flight when their users stopped: they are in no statistic/,
    );
    assert.match(
      unsent ?? "",
      /^⚠ 2 requests were still waiting for a connection .* when their users stopped/,
    );
    assert.deepEqual(more, []);
  } finally {
    await runner.quitAndWait();
  }
});

it("with a stop timeout, the aborted requests' note says it ran out", async () => {
  const { runner, environment } = makeRun([Idle], { stopTimeoutMs: 1500 });
  try {
    environment.stats.countAbortedRequests(1);
    assert.deepEqual(runStatus(runner, false).requestNotes, [
      "1 request was in flight when its user stopped: it is in no statistic (the server may have answered it); " +
        "the stop timeout (-s/--stop-timeout, 1.5 s) ran out before its task ended",
    ]);
  } finally {
    await runner.quitAndWait();
  }
});
