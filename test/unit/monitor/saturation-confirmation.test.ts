/**
 * When a value at its level counts as saturation (findSaturation's confirmation), on the
 * exact series of two capacity searches where it did not: the breaking step was the last
 * step, and a broken step followed by the open model's pause. And that a capacity step's
 * finding and the whole test's (the Target tab, the reports) judge the same values alike.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_SATURATION_LEVELS,
  findSaturation,
  type HostColumns,
  NODE_SERIES,
  type SaturationInput,
} from "../../../src/monitor/index.js";
import { capacitySaturation } from "../../../src/runner/capacity/saturation-text.js";

const flatLoad = (times: number[]) => ({
  timeMs: times,
  userCount: times.map(() => 10),
  rps: times.map(() => 80),
  p95: times.map(() => 50),
});

function machine(host: string, timeMs: number[], values: HostColumns["values"]): HostColumns {
  return { host, source: `http://${host}/metrics`, kind: "exporter", info: null, stride: 1, timeMs, values };
}

describe("findSaturation: which values at the level count", () => {
  // A users search of a target of 4 slots (its gauge app_busy_slots, level 4): steps of 2, 4,
  // 8, 16, 12, 10, 9 users; 9 broke and was the last step. Times from the test's start.
  const scrapes = [0, 1001, 2002, 3001, 4002, 5002, 6002, 7002, 8003, 9003];
  const stepStarts = [0, 1290, 2548, 4051, 5302, 6802, 8054];
  const slots: SaturationInput = {
    hosts: [
      machine("127.0.0.1:9100", scrapes, { cpuMax: [null, 6, 7, 7.9, 7.1, 6.5, 7, 6.8, 7.2, 7] }),
      machine("app", scrapes, { busy: [1, 1, 2, 4, 4, 4, 4, 4, 4, 4] }),
    ],
    series: [...NODE_SERIES, { name: "busy", label: "busy", unit: "", merge: "max", origin: "metric" }],
    levels: [...DEFAULT_SATURATION_LEVELS, { series: "busy", level: 4 }],
    load: flatLoad(scrapes),
    testStartMs: 0,
    loadChangesMs: stepStarts,
  };

  it("the breaking step was the search's last: its one value, the test's last, counts", () => {
    const step = findSaturation({ ...slots, fromMs: 8054, toMs: 9305 });
    assert.equal(
      step.kind === "saturated" && `${step.host} ${step.series} ${step.value} ${step.timeMs}`,
      "app busy 4 9003",
    );
    assert.match(capacitySaturation(step).text, /^app busy 4 \(level 4\) at /);
    // The same without knowing the steps: the value before it, at the level too, confirms it.
    const unmarked = findSaturation({ ...slots, loadChangesMs: undefined, fromMs: 8054, toMs: 9305 });
    assert.equal(unmarked.kind === "saturated" && unmarked.timeMs, 9003);
  });

  it("a broken step followed by the open model's pause: the scrape taken in the pause does not refute it", () => {
    // An arrival-rate search of a single-threaded target on one core: step 3 (200/s, 2794 to
    // 4044 ms) broke, the rate was 0 until 4548 ms, then 150/s. Its only scrape wholly in the
    // step read the busiest core at 100 %; the one before measured mostly the step before,
    // the one after mostly the pause.
    const times = [0, 1000, 2002, 3003, 4003, 5002, 6003, 7003];
    const target: SaturationInput = {
      hosts: [
        machine("127.0.0.1", times, {
          cpu: [null, 47.3, 29.9, 61.5, 80.4, 51, 72.9, 65.8],
          cpuMax: [null, 51.1, 45.5, 70.6, 100, 58, 87.1, 87.5],
        }),
      ],
      series: NODE_SERIES,
      levels: DEFAULT_SATURATION_LEVELS,
      load: flatLoad(times),
      testStartMs: 0,
      loadChangesMs: [0, 1539, 2794, 4044, 4548, 6550],
    };
    const step = findSaturation({ ...target, fromMs: 2794, toMs: 4044 });
    assert.equal(
      step.kind === "saturated" && `${step.series} ${step.value} ${step.timeMs} ${step.singleCore}`,
      "cpuMax 100 4003 true",
    );
    // The whole test (the Target tab, the reports) names the same value: they cannot disagree.
    const whole = findSaturation(target);
    assert.equal(whole.kind === "saturated" && `${whole.series} ${whole.timeMs}`, "cpuMax 4003");
    // The trial's figures: 95.05 in the step, 79.8 in the pause after it.
    const trial = structuredClone(target);
    trial.hosts[0]!.values.cpuMax![4] = 95.05;
    trial.hosts[0]!.values.cpuMax![5] = 79.8;
    const trialStep = findSaturation({ ...trial, fromMs: 2794, toMs: 4044 });
    assert.equal(trialStep.kind === "saturated" && trialStep.value, 95.05);
  });

  it("a single value at the level among values below, under the same load, is still a spike", () => {
    const times = [0, 1000, 2000, 3000, 4000, 5000];
    const spiky: SaturationInput = {
      hosts: [machine("web", times, { cpu: [null, 30, 96, 35, 40, 38] })],
      series: NODE_SERIES,
      levels: DEFAULT_SATURATION_LEVELS,
      load: flatLoad(times),
      loadChangesMs: [0, 4500],
    };
    const whole = findSaturation(spiky);
    assert.equal(whole.kind, "none");
    // "highest" is what was judged: not the spike.
    assert.equal(whole.kind === "none" && whole.highest?.value, 40);
    assert.equal(findSaturation({ ...spiky, fromMs: 1500, toMs: 2500 }).kind, "none");
    // The last value of the test, below-level before it under the same load: a spike at the end.
    const endSpike = structuredClone(spiky);
    endSpike.hosts[0]!.values.cpu = [null, 30, 35, 40, 38, 97];
    endSpike.loadChangesMs = [0];
    assert.equal(findSaturation(endSpike).kind, "none");
    // Alone under its load (a step of one scrape), nothing measured under that load contradicts it.
    endSpike.loadChangesMs = [0, 4500];
    assert.equal(findSaturation(endSpike).kind, "saturated");
  });

  it("the scrape taken as the test began measured no load: it neither confirms nor refutes", () => {
    // A search whose first step broke at once, the test's only step: the gauge read 0 before
    // any user ran, then the target's 4 slots busy, the test's last value.
    const times = [0, 1000];
    const single: SaturationInput = {
      ...slots,
      hosts: [machine("app", times, { busy: [0, 4] })],
      load: flatLoad(times),
    };
    assert.equal(findSaturation(single).kind, "saturated");
    assert.equal(
      findSaturation({ ...single, testStartMs: undefined, loadChangesMs: [] }).kind,
      "none",
      "without the start, 0 was under load",
    );
    // A start-up burst is still one: the rate's first value, then values below.
    const burst: SaturationInput = {
      ...slots,
      hosts: [machine("web", [0, 1000, 2000, 3000], { cpu: [null, 96.8, 12, 20] })],
      loadChangesMs: [],
    };
    assert.equal(findSaturation(burst).kind, "none");
  });

  it("every window agrees with the whole test about each value (the capacity answer and the Target tab)", () => {
    for (const input of [slots, { ...slots, loadChangesMs: undefined }]) {
      const whole = findSaturation(input);
      assert.equal(whole.kind === "saturated" && whole.timeMs, 3001);
      for (const [i, from] of stepStarts.entries()) {
        const to = stepStarts[i + 1] ?? 9305;
        const step = findSaturation({ ...input, fromMs: from, toMs: to });
        const atLevel = scrapes.some((t, j) => t >= from && t <= to && slots.hosts[1]!.values.busy![j]! >= 4);
        assert.equal(step.kind === "saturated", atLevel, `step from ${from} ms`);
      }
    }
  });
});
