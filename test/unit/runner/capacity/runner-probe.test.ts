/**
 * The probe of a real runner: what a search reads from the statistics, the generator
 * monitor and the target monitor, and how it sets the load.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyLoadColumns } from "../../../../src/monitor/load-rate.js";
import type { MonitorData } from "../../../../src/monitor/types.js";
import { Environment, GeneratorMonitor, LocalRunner, runnerProbe } from "../../../../src/runner/index.js";
import type { CapacitySettings } from "../../../../src/shared/capacity.js";
import { constant, task, User } from "../../../../src/user/index.js";
import { waitFor } from "../../../helpers/env.js";

class Busy extends User {
  override waitTime = constant(0.01);
  @task work() {
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/",
      responseTimeMs: 5,
      responseLength: 0,
    });
  }
}

const SETTINGS: CapacitySettings = {
  model: "users",
  slos: [],
  start: 2,
  growth: { kind: "multiply", factor: 2 },
  max: 10,
  minHoldMs: 1000,
  maxHoldMs: 2000,
  precision: 0.05,
};

/** A generator monitor that samples every 50 ms with the CPU a fake clock says. */
function monitor(role: "generator" | "master", cpuPerSecondMicros: number): GeneratorMonitor {
  const started = performance.now();
  return new GeneratorMonitor({
    cpuUsageMicros: () => (performance.now() - started) * (cpuPerSecondMicros / 1000),
    intervalMs: 50,
    role,
  });
}

describe("runnerProbe", () => {
  it("sets the users, reads the Aggregated row and an overloaded generator's cause", async (t) => {
    const environment = new Environment({ userClasses: [Busy] });
    const runner = new LocalRunner(environment);
    t.after(() => runner.quitAndWait());
    environment.generatorMonitor = monitor("generator", 990_000);
    environment.generatorMonitor.start();
    t.after(() => environment.generatorMonitor?.stop());
    const probe = runnerProbe(runner, SETTINGS);
    await probe.setLoad(3, true);
    assert.equal(runner.userCount, 3);
    assert.equal(probe.testNumber(), 1);
    assert.ok(await waitFor(() => environment.stats.total.numRequests > 20, 3000));
    const sample = probe.sample();
    assert.equal(sample.users, 3);
    assert.equal(sample.requests, environment.stats.total.numRequests);
    assert.equal(sample.histogram.totalCount, sample.timedRequests);
    assert.equal(sample.intended, null);
    assert.ok(await waitFor(() => probe.sample().generator?.overloaded === true, 2000));
    assert.equal(probe.sample().generator?.cause, "cpu");
    assert.equal(sample.workerCpuPercent, null);
    let stopped = false;
    probe.onStopped(() => {
      stopped = true;
    });
    probe.stop();
    assert.ok(await waitFor(() => stopped, 2000));
  });

  it("records the search's -t as the test's run time (the search, not the runner, ends the test at it)", async (t) => {
    const environment = new Environment({ userClasses: [Busy] });
    const runner = new LocalRunner(environment);
    t.after(() => runner.quitAndWait());
    const probe = runnerProbe(runner, { ...SETTINGS, runTimeMs: 12_000 });
    await probe.setLoad(2, true);
    assert.equal(runner.tests.current?.runTimeMs, 12_000);
    await probe.setLoad(3, false);
    assert.equal(runner.tests.current?.runTimeMs, 12_000);
    const unlimited = runnerProbe(runner, SETTINGS);
    await unlimited.setLoad(2, false);
    assert.equal(runner.tests.current?.runTimeMs, 12_000, "a later step changes nothing");
  });

  it("a master's own overload is not the search's business (its workers' CPU is)", async (t) => {
    const environment = new Environment({ userClasses: [Busy] });
    const runner = new LocalRunner(environment);
    t.after(() => runner.quitAndWait());
    environment.generatorMonitor = monitor("master", 990_000);
    environment.generatorMonitor.start();
    t.after(() => environment.generatorMonitor?.stop());
    const probe = runnerProbe(runner, SETTINGS);
    await probe.setLoad(1, true);
    assert.ok(await waitFor(() => environment.generatorMonitor?.state.overloaded === true, 2000));
    assert.equal(probe.sample().generator, null);
  });

  it("asks the target monitor what saturated in a window, and names the resource", async (t) => {
    const environment = new Environment({ userClasses: [Busy] });
    // The load history (users, p95) is what the finding reads beside the target's series.
    const runner = new LocalRunner(environment, { historyIntervalMs: 50 });
    t.after(() => runner.quitAndWait());
    const probe = runnerProbe(runner, SETTINGS);
    assert.equal(probe.saturation?.(0, 1), null, "nothing monitored");
    await probe.setLoad(2, true);
    const t0 = Date.now();
    assert.ok(
      await waitFor(() => (environment.stats.history.toJSON().total.timeMs.at(-1) ?? 0) > t0 + 350, 3000),
    );
    const at = (offsetMs: number) => t0 + offsetMs;
    const data: MonitorData = {
      intervalMs: 1000,
      startTimeMs: t0,
      endTimeMs: null,
      series: [{ name: "cpu", label: "CPU busy", unit: "%", merge: "max", origin: "node" }],
      hosts: [
        {
          host: "web",
          source: "http://web:9100/metrics",
          kind: "exporter",
          info: null,
          stride: 1,
          timeMs: [at(-100), at(50), at(150), at(250)],
          values: { cpu: [40, 60, 95, 97] },
        },
      ],
      generator: { stride: 1, timeMs: [], cpuPercent: [], lagMs: [], workerCpuPercent: null },
      load: emptyLoadColumns(),
      endpoints: [],
      levels: [{ series: "cpu", level: 90 }],
    };
    const marks: number[] = [];
    environment.targetMonitor = {
      beginTest() {},
      endTest() {},
      markLoadChange: (timeMs) => marks.push(timeMs),
      data: () => data,
    };
    // Each load the search sets, and its stop, is a change of load the target's values are judged by.
    const beforeSet = Date.now();
    await probe.setLoad(3, false);
    probe.stop();
    assert.equal(marks.length, 2);
    assert.ok(marks.every((m) => m >= beforeSet && m <= Date.now()));
    const during = probe.saturation?.(at(100), at(300));
    assert.equal(during?.kind, "saturated");
    assert.equal(during?.resource, "web CPU busy");
    assert.match(during!.text, /^web CPU busy 95 % \(level 90 %\) at \d\d:\d\d:\d\d UTC\.$/);
    const before = probe.saturation?.(at(-200), at(100));
    assert.equal(before?.kind, "none", "before the break, nothing reached its level");
    assert.match(
      before!.text,
      /^nothing monitored reached its saturation level \(highest: web CPU busy 60 % \(level 90 %\)\): the bottleneck is elsewhere/,
    );
  });
});
