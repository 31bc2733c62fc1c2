import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GeneratorMonitor, overloadNote } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { sleep, waitFor } from "../../helpers/env.js";

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
    // The blocks are this process's own work: its CPU is busy while its loop is late.
    const { monitor, logs } = monitorWith(fakeCpu(() => 60));
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
    // Three calm intervals in a row, waited for: a fixed second could hold a late one on a busy machine.
    assert.ok(await waitFor(() => !monitor.state.overloaded, 5000), "recovered once calm");
    monitor.stop();
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
    assert.ok(await waitFor(() => monitor.state.overloaded, 5000), "overloaded by its CPU");
    assert.ok(monitor.state.last!.cpuPercent > 90, `cpu ${monitor.state.last!.cpuPercent}`);
    // Under the lag threshold (1000 ms): the CPU alone made it overloaded. (A loop "on time"
    // to the millisecond is more than a shared test machine promises.)
    assert.ok(monitor.state.last!.lagMs < 1000, `lag ${monitor.state.last!.lagMs} ms`);
    percent = 20;
    assert.ok(await waitFor(() => !monitor.state.overloaded, 5000), "recovered once calm");
    monitor.stop();
    assert.equal(logs.filter((r) => r.level === "WARNING").length, 1);
  });

  it("stays quiet for a calm generator, and then adds no note to the summary", async () => {
    const { monitor, logs } = monitorWith(
      fakeCpu(() => 10),
      1000,
    );
    monitor.start();
    // Three samples, waited for: a busy machine may fire a 100 ms timer late and skip one.
    assert.ok(await waitFor(() => monitor.state.sampledSeconds >= 3, 5000), "sampled three intervals");
    monitor.stop();
    const state = monitor.state;
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
      role: "generator",
      cause: "cpu",
      overloadedSeconds: 7,
      sampledSeconds: 10,
      maxCpuPercent: 99.6,
      maxLagMs: 420.2,
    }).join("\n");
    assert.match(
      note,
      /overloaded during 7 of 10 s of the test \(CPU up to 100 % of a core, event-loop lag up to 420 ms\)/,
    );
    assert.match(note, /latencies include client-side queueing/);
  });

  it("words a late event loop with an idle process as a delay from outside, not as too many users", async () => {
    const { monitor, logs } = monitorWith(fakeCpu(() => 3));
    monitor.start();
    await sleep(150);
    for (let i = 0; i < 3; i++) {
      blockFor(300);
      await sleep(30);
    }
    monitor.stop();
    assert.equal(monitor.state.cause, "outside");
    const [warning] = logs.filter((r) => r.level === "WARNING");
    assert.match(warning!.message, /event loop is late .* nearly idle: something outside it takes the CPU/);
    assert.doesNotMatch(warning!.message, /fewer users per process/i);
    assert.match(overloadNote(monitor.state).join(" "), /delayed from outside during \d+ of \d+ s/);
  });
});

/** A monitor driven by hand: explicit CPU per interval, no timers, no event-loop probe. */
function scripted(options: { role?: "generator" | "master"; active?: () => boolean } = {}) {
  let nowMs = 0;
  let cpuMicros = 0;
  const logs: LogRecord[] = [];
  const monitor = new GeneratorMonitor({
    cpuUsageMicros: () => cpuMicros,
    monotonicMs: () => nowMs,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    role: options.role,
    isActive: options.active,
  });
  /** One second at `cpuPercent` of a core. */
  const second = (cpuPercent: number) => {
    nowMs += 1000;
    cpuMicros += cpuPercent * 10_000;
    return monitor.sample();
  };
  return { monitor, logs, second };
}

describe("GeneratorMonitor's counting and wording", () => {
  it("counts only seconds in which users ran all along: start-up and idle time are not the test's", () => {
    let active = false;
    const { monitor, logs, second } = scripted({ active: () => active });
    for (let i = 0; i < 5; i++) second(100); // start-up, then idle with a busy CPU
    assert.equal(monitor.state.overloaded, false);
    assert.equal(monitor.state.sampledSeconds, 0);
    active = true;
    second(100); // the test began during this second: not counted
    assert.equal(monitor.state.sampledSeconds, 0);
    second(10);
    second(10);
    assert.equal(monitor.state.sampledSeconds, 2);
    assert.equal(monitor.state.overloadedSeconds, 0);
    assert.equal(logs.length, 0, logs.map((r) => r.message).join("\n"));
  });

  it("needs two overloaded seconds in a row to warn, and three calm ones below lower thresholds to recover", () => {
    const { monitor, logs, second } = scripted();
    second(10); // the first second after start() holds the start-up: never counted
    for (let i = 0; i < 6; i++) second(i % 2 === 0 ? 95 : 20); // flapping around the threshold
    assert.equal(monitor.state.overloaded, false, "one busy second at a time is no overload");
    assert.equal(monitor.state.overloadedSeconds, 0);
    second(95);
    second(95);
    assert.equal(monitor.state.overloaded, true);
    assert.equal(monitor.state.overloadedSeconds, 2);
    // 85 % is under the 90 % threshold but not calm (80 %): the overload goes on.
    for (let i = 0; i < 4; i++) second(85);
    assert.equal(monitor.state.overloaded, true);
    assert.equal(monitor.state.overloadedSeconds, 6);
    second(20);
    second(20);
    assert.equal(monitor.state.overloaded, true);
    second(20);
    assert.equal(monitor.state.overloaded, false);
    assert.equal(logs.filter((r) => r.level === "WARNING").length, 1);
    assert.equal(monitor.state.cause, "cpu");
  });

  it("starts each test's counts from zero", () => {
    const { monitor, second } = scripted();
    second(10);
    for (let i = 0; i < 4; i++) second(99);
    assert.equal(monitor.state.overloadedSeconds, 4);
    for (let i = 0; i < 3; i++) second(5);
    monitor.beginTest();
    second(5);
    assert.deepEqual([monitor.state.overloadedSeconds, monitor.state.sampledSeconds], [0, 1]);
    assert.deepEqual(overloadNote(monitor.state), []);
  });

  it("tells a master, which runs no users, that its overload does not touch the latencies", () => {
    const { monitor, logs, second } = scripted({ role: "master" });
    second(10);
    second(99);
    second(99);
    const [warning] = logs.filter((r) => r.level === "WARNING");
    assert.match(warning!.message, /^The master is overloaded/);
    assert.match(warning!.message, /workers measure the response times, so they are not affected/);
    const note = overloadNote(monitor.state).join(" ");
    assert.match(note, /master was overloaded during 2 of 2 s/);
    for (const text of [warning!.message, note]) {
      assert.doesNotMatch(text, /client-side queueing|fewer users per process|waiting inside Cicada/i);
    }
  });
});
