import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GeneratorMonitor, overloadNote } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { sleep } from "../../helpers/env.js";

/** Keeps the event loop busy for `ms` (the thing the monitor must notice). */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** A CPU clock that reports `percent` % of the wall time elapsed since it was made. */
function fakeCpu(percent: () => number): () => number {
  let micros = 0;
  let last = performance.now();
  return () => {
    const now = performance.now();
    micros += (now - last) * 1000 * (percent() / 100);
    last = now;
    return micros;
  };
}

/**
 * A monitor sampling every 100 ms. The lag threshold is raised above the default 50 ms so
 * that a busy test machine's scheduling delays are not mistaken for the blocks under test.
 */
function monitorWith(cpuUsageMicros: () => number, lagThresholdMs = 120) {
  const logs: LogRecord[] = [];
  const monitor = new GeneratorMonitor({
    cpuUsageMicros,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    intervalMs: 100,
    lagThresholdMs,
    calmIntervalsToRecover: 3,
  });
  return { monitor, logs };
}

describe("GeneratorMonitor", () => {
  it("notices a blocked event loop, warns once, and says once when it has recovered", async () => {
    const { monitor, logs } = monitorWith(fakeCpu(() => 5));
    const changes: boolean[] = [];
    monitor.changed.addListener((load) => {
      changes.push(load.overloaded);
    });
    monitor.start();
    await sleep(150);
    for (let i = 0; i < 3; i++) {
      blockFor(300); // far above the threshold
      await sleep(30);
    }
    assert.equal(monitor.state.overloaded, true);
    assert.ok(
      monitor.state.overloadedSeconds >= 2,
      `overloaded intervals: ${monitor.state.overloadedSeconds}`,
    );
    assert.ok(monitor.state.maxLagMs >= 250, `max lag ${monitor.state.maxLagMs} ms`);
    await sleep(1000); // calm intervals
    monitor.stop();
    assert.equal(monitor.state.overloaded, false);
    assert.equal(monitor.wasOverloaded, true);
    const warnings = logs.filter((r) => r.level === "WARNING");
    assert.equal(warnings.length, 1, logs.map((r) => r.message).join("\n"));
    assert.match(warnings[0]!.message, /overloaded .*event-loop lag \d+ ms.*waiting inside Cicada/);
    assert.equal(logs.filter((r) => /recovered/.test(r.message)).length, 1);
    assert.deepEqual(changes, [true, false]);
  });

  it("counts a generator above 90 % CPU as overloaded even when its event loop is on time", async () => {
    let percent = 97;
    const { monitor, logs } = monitorWith(
      fakeCpu(() => percent),
      1000,
    );
    monitor.start();
    await sleep(450);
    assert.equal(monitor.state.overloaded, true);
    assert.ok(monitor.state.last!.cpuPercent > 90, `cpu ${monitor.state.last!.cpuPercent}`);
    assert.ok(monitor.state.last!.lagMs < 50);
    percent = 20;
    await sleep(800);
    monitor.stop();
    assert.equal(monitor.state.overloaded, false);
    assert.equal(logs.filter((r) => r.level === "WARNING").length, 1);
  });

  it("stays quiet for a calm generator, and then adds no note to the summary", async () => {
    const { monitor, logs } = monitorWith(
      fakeCpu(() => 10),
      1000,
    );
    monitor.start();
    await sleep(450);
    monitor.stop();
    const state = monitor.state;
    assert.ok(state.sampledSeconds >= 3, `sampled ${state.sampledSeconds}`);
    assert.equal(state.overloadedSeconds, 0);
    assert.equal(logs.length, 0);
    assert.deepEqual(overloadNote(state), []);
  });

  it("measures the share of each interval spent collecting garbage", async () => {
    const { monitor } = monitorWith(
      fakeCpu(() => 10),
      1000,
    );
    monitor.start();
    let keep: number[][] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 200_000; i++) keep.push([i, i]); // garbage the collector must clear
      keep = [];
      await sleep(60);
    }
    await sleep(150);
    monitor.stop();
    assert.ok(monitor.state.maxGcPercent > 0, `max GC share ${monitor.state.maxGcPercent}`);
    assert.ok(monitor.state.maxGcPercent <= 100);
  });

  it("writes a note naming the overloaded share of the run and what it means", () => {
    const note = overloadNote({
      overloaded: false,
      overloadedSeconds: 7,
      sampledSeconds: 10,
      maxCpuPercent: 99.6,
      maxLagMs: 420.2,
      maxGcPercent: 3,
      last: null,
      cpuThresholdPercent: 90,
      lagThresholdMs: 50,
    }).join("\n");
    assert.match(
      note,
      /overloaded during 7 of 10 s \(CPU up to 100 % of a core, event-loop lag up to 420 ms\)/,
    );
    assert.match(note, /latencies include client-side queueing/);
  });
});
