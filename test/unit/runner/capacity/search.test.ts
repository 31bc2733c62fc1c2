/**
 * The capacity search against a simulated target of known capacity (simulated-target.ts),
 * on a fake clock: the answer, the steps, the outcomes and how the search ends.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CapacitySearch } from "../../../../src/runner/capacity/index.js";
import {
  CAPACITY_EXIT_CODES,
  type CapacityResult,
  type CapacitySettings,
  type CapacitySlo,
} from "../../../../src/shared/capacity.js";
import {
  SimulatedTarget,
  type SimulationSettings,
  simulatedSearch,
  simulatedSettings,
} from "./simulated-target.js";

const p95Below = (ms: number): CapacitySlo => ({
  expression: `p95<${ms}ms`,
  metric: { kind: "percentile", percentile: 95 },
  operator: "<",
  limit: ms,
});
const p95IntendedBelow = (ms: number): CapacitySlo => ({
  expression: `p95_intended<${ms}ms`,
  metric: { kind: "intendedPercentile", percentile: 95 },
  operator: "<",
  limit: ms,
});
const failRateBelow = (ratio: number): CapacitySlo => ({
  expression: `failRate<${ratio * 100}%`,
  metric: { kind: "failRate" },
  operator: "<",
  limit: ratio,
});

const settings = simulatedSettings;

/** Runs a whole search on the fake clock; returns its result and the simulation. */
async function search(
  simulation: SimulationSettings,
  overrides: Partial<CapacitySettings> = {},
  settleMs = 0,
): Promise<{ result: CapacityResult; target: SimulatedTarget; search: CapacitySearch }> {
  const run = await simulatedSearch(simulation, overrides, settleMs);
  assert.ok(run.result, "the search ended within its budget");
  return { ...run, result: run.result };
}

const within = (value: number | null, truth: number, share: number) =>
  value !== null && Math.abs(value - truth) <= share * truth;

describe("the capacity search against a simulated known-capacity target", () => {
  it("closed model: finds the users at which p95 crosses the SLO (K·T/S) within ±10 %, grows ×2 then refines", async () => {
    // K = 40 slots of 100 ms: U users take U·100/40 ms above 40, so p95 < 150 ms holds up to 60 users.
    const { result, target } = await search({ model: "users", slots: 40, serviceMs: 100, jitter: 0.02 });
    assert.equal(result.outcome, "found");
    assert.equal(result.ended, "complete");
    assert.ok(within(result.capacity, 60, 0.1), `capacity ${result.capacity}, expected 60 ± 10 %`);
    assert.deepEqual(target.loads.slice(0, 5), [5, 10, 20, 40, 80], "grows by x2 until a step breaks");
    const phases = result.steps.map((s) => s.phase);
    assert.equal(phases.indexOf("refine"), 5, "refinement starts after the first broken step");
    assert.ok(result.breaking && result.best);
    assert.ok(result.breaking.load > result.best.load);
    assert.ok(result.breaking.load - result.best.load <= Math.max(1, 0.05 * result.best.load));
    // The answer's figures: U·S/K ms responses, K / S = 400 req/s at saturation.
    assert.ok(
      within(result.best.p95Ms, (result.best.load * 100) / 40, 0.05),
      `best p95 ${result.best.p95Ms}`,
    );
    assert.ok(within(result.best.rps, 400, 0.05), `best rps ${result.best.rps}`);
    const broke = result.breaking.checks.find((c) => !c.passed);
    assert.equal(broke?.expression, "p95<150ms");
    assert.ok(within(broke?.measured ?? null, (result.breaking.load * 100) / 40, 0.05));
    assert.equal(result.saturation?.resource, "sim slots", "the probe is asked about the breaking step");
    assert.equal(CAPACITY_EXIT_CODES[result.outcome], 0);
  });

  it("closed model: a step after a broken one is held from the broken step's p99 on (its backlog at the target is answered by then)", async () => {
    // As a Runner's closed model: its load cannot be paused to let a backlog drain.
    const { result } = await search({
      model: "users",
      slots: 40,
      serviceMs: 100,
      jitter: 0.02,
      noPause: true,
    });
    const afterBreak = result.steps.filter((_step, i) => i > 0 && !result.steps[i - 1]!.passed);
    assert.ok(afterBreak.length >= 2, `steps after a break: ${afterBreak.length}`);
    for (const step of afterBreak) {
      const broken = result.steps[step.index - 2]!;
      const wait = step.holdStartMs! - step.startTimeMs;
      assert.ok(
        broken.p99Ms !== null && wait >= broken.p99Ms - 0.01 && wait <= broken.p99Ms + 2 * 100 + 1,
        `step ${step.index} held from ${wait} ms; the broken step's p99 is ${broken.p99Ms} ms`,
      );
    }
    const afterPass = result.steps.filter((_step, i) => i > 0 && result.steps[i - 1]!.passed);
    for (const step of afterPass) assert.ok(step.holdStartMs! - step.startTimeMs < 100, `step ${step.index}`);
  });

  it("three searches with different noise agree within ±10 % of each other", async () => {
    const answers: number[] = [];
    for (const seed of [3, 11, 29])
      answers.push(
        (await search({ model: "users", slots: 60, serviceMs: 80, jitter: 0.05, seed })).result.capacity!,
      );
    const low = Math.min(...answers);
    const high = Math.max(...answers);
    assert.ok(high - low <= 0.1 * low, `answers ${answers.join(", ")}`);
  });

  it("open model: finds K / S iterations per second, and lets the backlog of a broken step drain first", async () => {
    // K = 20 slots of 100 ms: 200 iterations/s; above it the queue grows without bound.
    const { result, target } = await search(
      { model: "arrival-rate", slots: 20, serviceMs: 100, jitter: 0.01 },
      { start: 10, slos: [p95Below(150)] },
    );
    assert.equal(result.outcome, "found");
    assert.ok(within(result.capacity, 200, 0.1), `capacity ${result.capacity}, expected 200 ± 10 %`);
    const firstBroken = result.steps.findIndex((s) => !s.passed);
    assert.ok(firstBroken > 0);
    // After a broken step the rate goes to 0 before the next load.
    const pauses = target.loads.filter((load) => load === 0).length;
    assert.equal(
      pauses,
      result.steps.filter((s) => !s.passed).length - (result.steps.at(-1)!.passed ? 0 : 1),
    );
    assert.ok(result.best?.intendedP95Ms !== null, "open-model steps carry the intended-start latency");
  });

  it("open model: a step the target did not keep up with (a queue growing) is not counted as met", async () => {
    // 200 iterations/s at most. Held 1 s to 3 s, p95 from the intended start < 300 ms: at
    // 213/s the queue grows 13/s, too slowly to cross 300 ms within the hold, so the SLO
    // alone answered 213/s while the target completed 200 req/s.
    const p95IntendedBelow300: CapacitySlo = {
      expression: "p95_intended<300ms",
      metric: { kind: "intendedPercentile", percentile: 95 },
      operator: "<",
      limit: 300,
    };
    for (const [minHoldMs, maxHoldMs] of [
      [1000, 3000],
      [2000, 4000],
    ] as const) {
      const { result } = await search(
        { model: "arrival-rate", slots: 20, serviceMs: 100 },
        { start: 50, slos: [p95IntendedBelow300], minHoldMs, maxHoldMs },
      );
      assert.equal(result.outcome, "found");
      assert.ok(
        result.capacity! <= 200 * 1.05,
        `capacity ${result.capacity}/s: at most 5 % above the 200/s the target completes`,
      );
      assert.ok(result.best!.rps >= result.capacity! * 0.95, "the answer's step kept up");
      const lagging = result.steps.filter((s) => !s.passed && s.reason.includes("keep-up"));
      assert.ok(lagging.length > 0);
      for (const step of lagging) {
        assert.match(
          step.reason,
          new RegExp(`keep-up: the target completed 200\\.0 req/s of ${step.load}/s asked, [\\d.]+ % short`),
        );
      }
    }
  });

  it("open model: one step's window a request or two long does not make iterations of one request ask for more (a trial's false keep-up break)", async () => {
    // A trial's target: 4 slots of 50 ms (80/s), answering out of order. Its first step,
    // 20/s held 1 s, read 21.0 req/s: taken as 1.05 requests per iteration, that used the
    // whole keep-up tolerance, and 72.5/s "completed 72.0 req/s of 76.1/s asked" (70/s
    // answered). Requests over iterations completed are exactly 1 here, whatever the window.
    const answers: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { result } = await search(
        { model: "arrival-rate", slots: 4, serviceMs: 50, unordered: true, seed },
        { start: 20, slos: [p95IntendedBelow(125)], minHoldMs: 1000, maxHoldMs: 3000, runTimeMs: 40_000 },
      );
      const inflated = result.steps.filter((s) => s.reason.includes("requests per iteration"));
      answers.push(
        `seed ${seed}: ${result.capacity}/s${inflated.map((s) => `; ${s.load}/s ${s.reason}`).join("")}`,
      );
      assert.ok(within(result.capacity, 80, 0.1) && inflated.length === 0, answers.at(-1));
    }
  });

  it("open model: iterations of two requests ask for two per iteration, and a target short of that still breaks keep-up", async () => {
    // 200 requests/s at most, 2 per iteration: 100 iterations/s. The SLO alone (p95 from the
    // intended start < 300 ms, steps held 1 s to 3 s) would pass steps a little above it.
    const { result } = await search(
      { model: "arrival-rate", slots: 20, serviceMs: 100, requestsPerIteration: 2, unordered: true },
      { start: 25, slos: [p95IntendedBelow(300)], minHoldMs: 1000, maxHoldMs: 3000 },
    );
    assert.equal(result.outcome, "found");
    assert.ok(
      result.capacity! >= 90 && result.capacity! <= 105,
      `capacity ${result.capacity}/s, expected 100/s, at most 5 % above`,
    );
    const lagging = result.steps.filter((s) => !s.passed && s.reason.includes("keep-up"));
    assert.ok(lagging.length > 0, "a step above 100/s broke keep-up");
    for (const step of lagging)
      assert.match(
        step.reason,
        /iterations\/s × 2\.0\d requests per iteration, (in that window|as at the earlier steps)\), [\d.]+ % short/,
      );
  });

  it("open model: a step that dropped any iteration broke, however few, and says so", async () => {
    // 200 iterations/s at most, but above 60/s half an iteration a second finds no free
    // user (under 1 % of the rate): the SLO alone would pass those steps.
    const { result } = await search(
      { model: "arrival-rate", slots: 20, serviceMs: 100, dropAbove: { load: 60, perSecond: 0.5 } },
      { start: 10, slos: [p95Below(150)] },
    );
    assert.equal(result.outcome, "found");
    assert.ok(
      result.capacity! <= 60,
      `capacity ${result.capacity}/s: no step that dropped iterations is met`,
    );
    const dropping = result.steps.filter((s) => (s.droppedIterations ?? 0) > 0);
    assert.ok(dropping.length > 0, "the steps above 60/s dropped iterations");
    for (const step of dropping) {
      assert.equal(step.passed, false, `${step.load}/s dropped ${step.droppedIterations} but passed`);
      assert.match(step.reason, new RegExp(`keep-up: dropped ${step.droppedIterations} iterations? \\(`));
    }
  });

  it("open model: without draining, the backlog of broken steps would sink the answer (the drain matters)", async () => {
    const { result } = await search(
      { model: "arrival-rate", slots: 20, serviceMs: 100, noPause: true },
      { start: 10 },
    );
    const drained = (await search({ model: "arrival-rate", slots: 20, serviceMs: 100 }, { start: 10 }))
      .result;
    assert.ok(drained.capacity !== null && result.capacity !== null);
    assert.ok(
      result.capacity < drained.capacity,
      `undrained ${result.capacity} < drained ${drained.capacity}`,
    );
  });

  it("open model on a master: the drain lasts until the workers' reports show the backlog answered", async () => {
    // A master's totals move once per report (3 s): between two reports they look quiet
    // even while the target still answers the backlog of the step that broke. A drain
    // ended on that left the backlog to the next step, which broke below the capacity.
    const { result } = await search(
      { model: "arrival-rate", slots: 20, serviceMs: 100, reportEveryMs: 3000 },
      { start: 60, minHoldMs: 6000, maxHoldMs: 6000, slos: [p95Below(250)] },
      3500,
    );
    assert.equal(result.outcome, "found");
    const below = result.steps.filter((s) => s.load <= 190 && !s.passed);
    assert.deepEqual(
      below.map((s) => `${s.load}/s: ${s.reason}`),
      [],
      "no step below the 200/s the target serves broke",
    );
    assert.ok(within(result.capacity, 200, 0.1), `capacity ${result.capacity}, expected 200 ± 10 %`);
  });

  it("a failRate SLO: the highest load before failures pass 1 %", async () => {
    const { result } = await search(
      { model: "users", slots: 1000, serviceMs: 50, failAbove: { load: 30, share: 0.05 } },
      { slos: [failRateBelow(0.01)] },
    );
    assert.equal(result.outcome, "found");
    assert.ok(
      result.capacity !== null && result.capacity >= 28 && result.capacity <= 30,
      `capacity ${result.capacity}`,
    );
    assert.match(result.breaking!.reason, /failRate<1%/);
  });

  it("sparse failures below the limit (0.3 %) do not break a step on one unlucky failure", async () => {
    // K = 40 slots of 100 ms: p95 < 150 ms holds up to 60 users. Without the rule, these seeds
    // broke failRate<1% at 10 users on 1 failure in 100 requests, and answered 8 or 9.
    for (const seed of [1, 5, 6]) {
      const { result } = await search(
        {
          model: "users",
          slots: 40,
          serviceMs: 100,
          jitter: 0.02,
          failAbove: { load: 0, share: 0.003 },
          seed,
        },
        { slos: [p95Below(150), failRateBelow(0.01)], minHoldMs: 1000, maxHoldMs: 4000 },
      );
      assert.ok(within(result.capacity, 60, 0.1), `seed ${seed}: capacity ${result.capacity}`);
      const onFailuresAlone = result.steps.filter(
        (s) => !s.passed && s.checks.every((c) => c.passed || c.expression.startsWith("failRate")),
      );
      assert.deepEqual(
        onFailuresAlone.map((s) => `${s.load}: ${s.reason}`),
        [],
        `seed ${seed}`,
      );
    }
  });

  it("even the first step breaking the SLOs is below-start (exit code 10)", async () => {
    const { result } = await search({ model: "users", slots: 4, serviceMs: 100 }, { start: 10 });
    assert.equal(result.outcome, "below-start");
    assert.equal(result.capacity, null);
    assert.equal(result.steps.length, 1);
    assert.equal(CAPACITY_EXIT_CODES[result.outcome], 10);
  });

  it("failed requests break a step though only latency SLOs were given (failRate<1% is added)", async () => {
    // Every request above 10 users fails, fast: p95 alone would have met the SLO at every step.
    const { result } = await search(
      { model: "users", slots: 100, serviceMs: 100, failAbove: { load: 10, share: 1 } },
      { max: 40 },
    );
    assert.equal(result.outcome, "found");
    assert.equal(result.capacity, 10);
    assert.match(result.breaking?.reason ?? "", /broke failRate<1%/);
    assert.deepEqual(result.settings.slos, ["p95<150ms", "failRate<1%"]);
  });

  it("reaching the upper bound without a break is at-least the bound (exit code 11), the bound itself tried", async () => {
    const { result, target } = await search({ model: "users", slots: 100, serviceMs: 100 }, { max: 30 });
    assert.equal(result.outcome, "at-least");
    assert.equal(result.capacity, 30);
    assert.deepEqual(target.loads, [5, 10, 20, 30]);
    assert.equal(CAPACITY_EXIT_CODES[result.outcome], 11);
  });

  it("a break measured on an overloaded generator is the generator's limit, not the target's (exit code 12)", async () => {
    // 2,500 µs of CPU per request: the generator is at 100 % of a core from 360 req/s.
    const { result } = await search({
      model: "users",
      slots: 40,
      serviceMs: 100,
      generatorMicrosPerRequest: 2500,
    });
    assert.equal(result.outcome, "generator-limit");
    assert.equal(result.generatorLimit?.overload, "cpu");
    assert.ok((result.generatorLimit?.cpuPercent ?? 0) > 90);
    assert.equal(CAPACITY_EXIT_CODES[result.outcome], 12);
  });

  it("a generator that is busy but not overloaded at the break leaves the answer to the target", async () => {
    const { result } = await search({
      model: "users",
      slots: 40,
      serviceMs: 100,
      generatorMicrosPerRequest: 1000,
    });
    assert.equal(result.outcome, "found");
    assert.equal(result.generatorLimit, null);
    assert.ok((result.breaking?.generator.cpuPercent ?? 0) > 30);
  });

  it("-t bounds the whole search: it ends with what it measured", async () => {
    const { result, target } = await search(
      { model: "users", slots: 40, serviceMs: 100 },
      { runTimeMs: 9_000 },
    );
    assert.equal(result.ended, "time-limit");
    assert.equal(result.outcome, "at-least");
    assert.ok(target.stopped, "the search stops the test");
    assert.ok(result.endTimeMs - result.startTimeMs <= 9_500);
    assert.ok(result.steps.length >= 2 && result.steps.every((s) => s.passed));
  });

  it("a stop from outside (Ctrl-C) ends the search with the steps judged so far", async () => {
    const target = new SimulatedTarget({ model: "users", slots: 40, serviceMs: 100 });
    const capacity = new CapacitySearch({ settings: settings(), probe: target, clock: target.clock });
    capacity.start();
    await target.run(5_000);
    assert.ok(capacity.running);
    assert.equal(capacity.progress().current?.index, capacity.progress().steps.length + 1);
    target.interrupt();
    assert.equal(capacity.running, false);
    assert.equal(capacity.result?.ended, "stopped");
    assert.equal(capacity.progress().result?.ended, "stopped");
  });

  it("a slow warm-up after each change: the step is held until steady, and judged on the settled part", async () => {
    // Responses 200 ms slower at each change, falling to nothing over 3 s: the SLO breaks during the minimum hold.
    const { result } = await search(
      { model: "users", slots: 40, serviceMs: 100, transient: { extraMs: 200, forMs: 3000 } },
      { minHoldMs: 2000, maxHoldMs: 10_000 },
    );
    assert.equal(result.outcome, "found");
    assert.ok(within(result.capacity, 60, 0.1), `capacity ${result.capacity}`);
    const good = result.steps.filter((s) => s.passed);
    assert.ok(good.length >= 4);
    assert.ok(
      good.every((s) => s.steady && s.windowFromMs >= s.startTimeMs + 2500),
      "measured once warm",
    );
    assert.ok(
      good.every((s) => s.endTimeMs - s.startTimeMs >= 4000),
      "held past the minimum until steady",
    );
  });

  it("progress reports the current step, the steps so far and the best load yet", async () => {
    const target = new SimulatedTarget({ model: "users", slots: 40, serviceMs: 100 });
    const capacity = new CapacitySearch({ settings: settings(), probe: target, clock: target.clock });
    capacity.start();
    await target.run(7_000);
    const progress = capacity.progress();
    assert.equal(progress.running, true);
    // The failure rate is always judged: failRate<1% is added when no SLO bounds it.
    assert.deepEqual(progress.slos, ["p95<150ms", "failRate<1%"]);
    assert.ok(progress.steps.length >= 2);
    assert.equal(progress.best?.load, progress.steps.at(-1)!.load);
    assert.equal(progress.current?.load, progress.steps.at(-1)!.load * 2);
    assert.equal(progress.result, null);
  });
});
