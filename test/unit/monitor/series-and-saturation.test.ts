import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BoundedSeries,
  DEFAULT_SATURATION_LEVELS,
  describeSaturation,
  findSaturation,
  type HostColumns,
  type LoadColumns,
  type LoadSeries,
  loadColumns,
  NODE_SERIES,
} from "../../../src/monitor/index.js";
import { capacitySaturation } from "../../../src/runner/capacity/saturation-text.js";

describe("BoundedSeries", () => {
  it("keeps gaps as nulls, and a series first seen later is a gap before", () => {
    const s = new BoundedSeries(100, () => "mean");
    s.add(1000, { cpu: 10 });
    s.add(2000, {});
    s.add(3000, { cpu: 30, tcp: 5 });
    assert.deepEqual(s.snapshot(), {
      stride: 1,
      timeMs: [1000, 2000, 3000],
      values: { cpu: [10, null, 30], tcp: [null, null, 5] },
    });
    assert.deepEqual(s.snapshot(1500).timeMs, [2000, 3000]);
  });

  it("stays within its budget: levels keep their peaks (max), rates their mean; whole-run figures stay exact", () => {
    const s = new BoundedSeries(4, (name) => (name === "cpu" ? "max" : "mean"));
    const cpu = [10, 95, 20, 30, 40, 50, 60, 70];
    for (const [i, value] of cpu.entries()) s.add((i + 1) * 1000, { cpu: value, net: i * 10 });
    const snap = s.snapshot();
    assert.ok(snap.timeMs.length <= 4, String(snap.timeMs.length));
    assert.ok(snap.values.cpu!.includes(95), "the 95 % peak survives downsampling");
    const summary = s.summary("cpu")!;
    assert.deepEqual([summary.min, summary.max, summary.last, summary.count], [10, 95, 70, 8]);
    assert.equal(summary.mean, cpu.reduce((a, b) => a + b) / cpu.length);
    assert.equal(snap.values.net!.reduce((a, b) => a! + b!, 0)! / snap.timeMs.length, 35, "rates averaged");
  });

  it("a point merged only from gaps stays a gap", () => {
    const s = new BoundedSeries(4, () => "mean");
    s.add(1, { cpu: 5 });
    for (const t of [2, 3, 4]) s.add(t, {});
    s.add(5, { cpu: 1 });
    s.add(6, {});
    // Halved at 4 points: (1,2) → 5, (3,4) → gap; then (5,6) → 1.
    assert.deepEqual(s.snapshot(), { stride: 2, timeMs: [2, 4, 6], values: { cpu: [5, null, 1] } });
  });
});

/** A host's columns from `values` per second, starting at t=0 s. */
function host(name: string, columns: Record<string, Array<number | null>>): HostColumns {
  const length = Object.values(columns)[0]!.length;
  return {
    host: name,
    source: `http://${name}:9100/metrics`,
    kind: "exporter",
    info: null,
    stride: 1,
    timeMs: Array.from({ length }, (_, i) => i * 1000),
    values: columns,
  };
}

/** A ramp: users +10 per second, p95 given. */
function load(p95: Array<number | null>): LoadSeries {
  return {
    timeMs: p95.map((_, i) => i * 1000 + 300),
    userCount: p95.map((_, i) => (i + 1) * 10),
    p95,
  };
}

/** Request counts at every whole second from 0: `rates[i]` requests/s completed in the second before (i + 1) s. */
function counted(rates: number[]): LoadColumns {
  const requests = [0];
  for (const rate of rates) requests.push(requests.at(-1)! + rate);
  return loadColumns(
    1,
    requests.map((_, i) => i * 1000),
    requests,
    requests.map(() => 0),
  );
}

const input = (hosts: HostColumns[], p95: Array<number | null>) => ({
  hosts,
  series: NODE_SERIES,
  levels: DEFAULT_SATURATION_LEVELS,
  load: load(p95),
  // 8 requests/s per user of the ramp: 80 req/s completed in the first second, 400 in the fourth.
  requests: counted(p95.map((_, i) => (i + 2) * 80)),
});

describe("findSaturation (fake series)", () => {
  const p95 = [40, 45, 50, 45, 60, 300, 900, 930];

  it("names the first resource that reached its level, with the load and p95 at that moment", () => {
    const web = host("10.0.0.7", {
      cpu: [20, 40, 60, 85, 96, 99, 99, 99],
      memory: [30, 30, 31, 31, 31, 32, 32, 32],
    });
    const db = host("10.0.0.8", {
      cpu: [5, 5, 5, 5, 5, 5, 5, 5],
      diskBusy: [10, 20, 30, 50, 70, 91, 95, 99],
    });
    const finding = findSaturation(input([web, db], p95));
    assert.equal(finding.kind, "saturated");
    if (finding.kind !== "saturated") return;
    assert.deepEqual(
      [finding.host, finding.series, finding.value, finding.level, finding.timeMs],
      ["10.0.0.7", "cpu", 96, 90, 4000],
    );
    assert.deepEqual(finding.load, { timeMs: 4300, users: 50, rps: 400, p95Ms: 60 });
    assert.equal(finding.p95BeforeMs, 45, "the median p95 before that moment");
    assert.equal(
      describeSaturation(finding, 0),
      "10.0.0.7 CPU busy 96 % (level 90 %) at 00:00:04 UTC, 4s into the test (50 users, 400 req/s, p95 from 45 ms to 60 ms)",
    );
    // A rise that does not show at the precision printed is not worded as one.
    const tiny = { ...finding, p95BeforeMs: 0.18, load: { ...finding.load!, p95Ms: 0.21 } };
    assert.match(describeSaturation(tiny, 0), /\(50 users, 400 req\/s, p95 0\.2 ms\)$/);
  });

  it("a level the user set, and a window (a capacity search asks about one step)", () => {
    const web = host("web", { cpu: [20, 40, 60, 85, 96, 99, 99, 99] });
    const lowered = findSaturation({ ...input([web], p95), levels: [{ series: "cpu", level: 50 }] });
    assert.equal(lowered.kind === "saturated" && lowered.timeMs, 2000);
    const late = findSaturation({ ...input([web], p95), fromMs: 5000, toMs: 7000 });
    assert.equal(late.kind === "saturated" && late.timeMs, 5000);
    const early = findSaturation({ ...input([web], p95), toMs: 3000 });
    assert.equal(early.kind, "none");
  });

  it("a resource at its level from its first value is the test's doing unless a gauge read before the load says otherwise", () => {
    // The capacity search of the trial: 2 users without wait time on a 2-core cluster, CPU
    // 95 % from the first rate (which covers the first interval, under load). Nothing
    // measured before the load: the saturation is the test's.
    const busy = host("db", {
      cpu: [null, 95, 97, 99, 99, 99, 99, 99],
      load1: [0.3, 1, 1.3, 1.5, 1.6, 1.7, 1.8, 1.8],
    });
    busy.info = { cpus: 2, memoryBytes: 4e9 };
    const steady = {
      ...input([busy], p95),
      load: { ...load(p95), userCount: [2, 2, 2, 4, 4, 8, 8, 16] },
      testStartMs: 0,
    };
    const finding = findSaturation(steady);
    assert.equal(finding.kind === "saturated" && [finding.timeMs, finding.atStart].join(), "1000,false");
    assert.match(
      describeSaturation(finding, 0),
      /^db CPU busy 95 % \(level 90 %\) at 00:00:01 UTC, 1s into the test \(2 users/,
    );
    assert.doesNotMatch(describeSaturation(finding, 0), /already|besides this test/);
    assert.match(capacitySaturation(finding).text, /^db CPU busy 95 % \(level 90 %\) at 00:00:01 UTC\.$/);
    // A load average of 1.9 on 2 CPUs when the test began is no evidence: it counts tasks
    // waiting for a disk too, and on a VM it follows the CPU poorly (a trial saw 2.1 while
    // /proc/stat measured the CPU 17 % busy, and 1.6 while it was 95 % busy).
    const loaded = { ...busy, values: { ...busy.values, load1: [1.9, 2, 2, 2, 2, 2, 2, 2] } };
    const notClaimed = findSaturation({ ...steady, hosts: [loaded] });
    assert.equal(
      notClaimed.kind === "saturated" && [notClaimed.timeMs, notClaimed.atStart].join(),
      "1000,false",
    );
    assert.doesNotMatch(describeSaturation(notClaimed, 0), /already|besides this test/);
    // A gauge (memory) measured at its level by the scrape at the start is its own evidence.
    const memory = host("db", { memory: [93, 94, 94, 95, 95, 95, 95, 95] });
    const full = findSaturation({ ...input([memory], p95), testStartMs: 0 });
    assert.equal(full.kind === "saturated" && full.atStart, true);
    assert.match(
      describeSaturation(full, 0),
      /^db Memory used was already 93 % .*before any user ran it was 93 %: something besides/,
    );
    // The breaking step of a capacity search says the same, not a bare "Memory used 95 %".
    const step = findSaturation({ ...input([memory], p95), testStartMs: 0, fromMs: 3000, toMs: 6000 });
    assert.match(
      capacitySaturation(step).text,
      /^db Memory used 95 % \(level 90 %\) at 00:00:03 UTC; it was at its level before any user ran \(it was 93 % when the test began\): something besides this test/,
    );
    // Without the test's start, or with the scrape at the start lost, nothing says so.
    const noStart = findSaturation({ ...input([memory], p95), testStartMs: -1 });
    assert.equal(noStart.kind === "saturated" && noStart.atStart, false);
  });

  it("the load generator's own machine: Cicada's share of its CPU is said", () => {
    const times = [1000, 2000, 3000, 4000, 5000];
    const machine: HostColumns = {
      host: "this-machine",
      source: "http://127.0.0.1:9100/metrics",
      kind: "exporter",
      info: { cpus: 2, memoryBytes: 4e9 },
      stride: 1,
      timeMs: times,
      values: { cpu: [98.9, 99, 99, 98, 99] },
    };
    const demo = {
      hosts: [machine],
      series: NODE_SERIES,
      levels: DEFAULT_SATURATION_LEVELS,
      load: {
        timeMs: times,
        userCount: [10, 20, 30, 40, 40],
        rps: [12, 24, 36, 48, 48],
        p95: [58.6, 60, 61, 60, 62],
      },
      generator: {
        stride: 1,
        timeMs: times,
        cpuPercent: [15, 14, 13, 15, 14],
        lagMs: times.map(() => 2),
        workerCpuPercent: null,
      },
    };
    const finding = findSaturation(demo);
    assert.match(
      describeSaturation(finding, 0),
      /^this-machine CPU busy 98\.9 % \(level 90 %\) at .*\. this-machine is the load generator's own machine: Cicada's own CPU was 15 % of a core then, 7\.5 % of this machine's 2 CPUs\.$/,
    );
    const remote = findSaturation({
      ...demo,
      hosts: [{ ...machine, source: "http://10.0.0.7:9100/metrics" }],
    });
    assert.doesNotMatch(describeSaturation(remote, 0), /load generator's own machine/);
  });

  it("one value at the level that falls back at once (a start-up burst) is not saturation; a later sustained one is", () => {
    // The monitor-web screenshot's run: 96.8 % in the first second, 5-30 % after.
    const spike = host("web", { cpu: [96.8, 12, 20, 25, 30, 28, 22, 18] });
    const finding = findSaturation(input([spike], p95));
    assert.equal(finding.kind, "latency-rose");
    // The spike is not the "highest" either: "nothing reached its level (highest: 96.8 %)" would contradict itself.
    assert.equal(finding.kind === "latency-rose" && finding.highest?.value, 30);
    const later = findSaturation(input([host("web", { cpu: [96.8, 12, 20, 95, 30, 92, 97, 99] })], p95));
    assert.equal(later.kind === "saturated" && [later.timeMs, later.atStart].join(), "5000,false");
    // The test's last value is judged by the one before it: a spike at the end is no finding either.
    const flat = [10, 10, 10, 10, 10, 10, 10, 10];
    const last = findSaturation(input([host("web", { cpu: [60, 70, 80, 75, 60, 70, 80, 90.4] })], flat));
    assert.equal(last.kind, "none");
    assert.equal(last.kind === "none" && last.highest?.value, 80);
    // A window (a capacity step) ends before the test does: its last value is confirmed by the next one, or
    // refuted by its two neighbours (at one load: confirmation.ts).
    const ramp = host("web", { cpu: [20, 30, 40, 50, 60, 70, 95, 97] });
    const step = findSaturation({ ...input([ramp], flat), fromMs: 4000, toMs: 6000 });
    assert.equal(step.kind === "saturated" && step.timeMs, 6000);
    const dip = host("web", { cpu: [20, 30, 40, 50, 60, 70, 95, 40] });
    assert.equal(findSaturation({ ...input([dip], flat), fromMs: 4000, toMs: 6000 }).kind, "none");
    // A window with one value only: the same rule, the test's last value (confirmed by the one before) included.
    assert.equal(findSaturation({ ...input([ramp], flat), fromMs: 6000, toMs: 6000 }).kind, "saturated");
    const lastAlone = findSaturation({ ...input([ramp], flat), fromMs: 7000 });
    assert.equal(lastAlone.kind === "saturated" && lastAlone.value, 97);
  });

  it("a single-threaded target: the busiest core at its level while the CPU as a whole is not is the bottleneck", () => {
    // One Node process burning 2 ms per request on 2 cores: one core full, the CPU 54 %.
    const single = host("web", {
      cpu: [30, 45, 52, 54, 53, 54, 54, 54],
      cpuMax: [55, 85, 98, 99, 100, 99, 100, 99],
    });
    const finding = findSaturation(input([single], p95));
    assert.equal(
      finding.kind === "saturated" && [finding.series, finding.timeMs, finding.allCoresPercent].join(),
      "cpuMax,2000,52",
    );
    assert.match(
      describeSaturation(finding, 0),
      /^web Busiest core 98 % \(level 95 %\) at 00:00:02 UTC, 2s into the test \(.*\) while the CPU as a whole was 52 % busy: one core at its limit is the bottleneck, as a single-threaded process/,
    );
    assert.match(
      capacitySaturation(finding).text,
      /^web Busiest core 98 % \(level 95 %\) at .* while the CPU as a whole was 52 % busy: one core/,
    );
    // Multi-threaded: the busiest core reaches 95 % a second before all cores reach 90 %: the whole CPU is the answer.
    const multi = host("web", {
      cpu: [30, 60, 80, 92, 95, 96, 96, 96],
      cpuMax: [40, 70, 96, 97, 99, 99, 99, 99],
    });
    const whole = findSaturation(input([multi], p95));
    assert.equal(whole.kind === "saturated" && [whole.series, whole.timeMs].join(), "cpu,3000");
    assert.doesNotMatch(describeSaturation(whole, 0), /one core/);
    // The whole CPU's level set out of reach (--monitor-level cpu=101, all cores 100 % busy): the core
    // is named, beside the whole CPU, but it is no single core's limit.
    const full = host("web", {
      cpu: [30, 60, 100, 100, 100, 100, 100, 100],
      cpuMax: [40, 70, 100, 100, 100, 100, 100, 100],
    });
    const allBusy = findSaturation({
      ...input([full], p95),
      levels: [
        { series: "cpu", level: 101 },
        { series: "cpuMax", level: 95 },
      ],
    });
    assert.equal(allBusy.kind === "saturated" && allBusy.series, "cpuMax");
    assert.match(describeSaturation(allBusy, 0), /\) while the CPU as a whole was 100 % busy$/);
    assert.doesNotMatch(describeSaturation(allBusy, 0), /one core at its limit/);
  });

  it("a highest value just under its level is not printed as the level (99.996 % against 100 %)", () => {
    const web = host("web", { cpu: [20, 40, 99.996, 99.9, 60, 50, 40, 30] });
    const finding = findSaturation({
      ...input([web], [10, 10, 10, 10, 10, 10, 10, 10]),
      levels: [{ series: "cpu", level: 100 }],
    });
    assert.equal(finding.kind, "none");
    assert.match(describeSaturation(finding, 0), /highest: web CPU busy 99\.99 %, level 100 %/);
  });

  it("a gap is not a crossing", () => {
    const web = host("web", { cpu: [20, null, null, 50, 50, 50, 50, 50] });
    assert.equal(findSaturation(input([web], [10, 10, 10, 10, 10, 10, 10, 10])).kind, "none");
  });

  it("says so when latency rose while nothing on the target saturated: the bottleneck is elsewhere", () => {
    const web = host("web", { cpu: [20, 30, 35, 40, 45, 50, 55, 60] });
    const finding = findSaturation(input([web], [40, 42, 41, 45, 44, 120, 400, 900]));
    assert.equal(finding.kind, "latency-rose");
    if (finding.kind !== "latency-rose") return;
    assert.deepEqual([finding.timeMs, finding.p95BeforeMs, finding.p95PeakMs], [5300, 41, 900]);
    assert.equal(finding.highest?.value, 60);
    assert.match(
      describeSaturation(finding),
      /Nothing monitored on the target reached its saturation level \(highest: web CPU busy 60 %, level 90 %\), yet p95 rose from 41 ms to 120 ms .*bottleneck is elsewhere/,
    );
  });

  it("latency that rose while everything was measured below its level is the finding, not a resource that saturated later", () => {
    // A lock-bound server on a shared machine: p95 rises at 5.3 s, the CPU is 60 % at 6 s and 95 % only at 7 s.
    const p95Rising = [40, 42, 41, 45, 44, 120, 400, 900, 950];
    const web = host("web", { cpu: [20, 25, 30, 35, 40, 50, 60, 95, 97] });
    const finding = findSaturation(input([web], p95Rising));
    assert.equal(finding.kind, "latency-rose");
    if (finding.kind !== "latency-rose") return;
    assert.deepEqual(
      [finding.timeMs, finding.saturatedLater?.timeMs, finding.saturatedLater?.value],
      [5300, 7000, 95],
    );
    assert.match(
      describeSaturation(finding, 0),
      /^p95 rose from 41 ms to 120 ms at .* while everything monitored on the target was below its saturation level: the bottleneck is elsewhere.*A resource reached its level only later: web CPU busy 95 % \(level 90 %\) at 00:00:07 UTC, 7s into the test/,
    );
    assert.match(
      capacitySaturation(finding).text,
      /^p95 rose while everything monitored was below.*web CPU busy 95 % \(level 90 %\) only later/,
    );
    // Crossed with no measurement below its level after the rise (the sample before it was): it may be why.
    const sameMoment = findSaturation(
      input([host("web", { cpu: [20, 25, 30, 35, 40, 50, 95, 99, 99] })], p95Rising),
    );
    assert.equal(sameMoment.kind === "saturated" && sameMoment.timeMs, 6000);
  });

  it("small or slow drifts of latency are not a rise", () => {
    const web = host("web", { cpu: [20, 30, 35, 40, 45, 50, 55, 60] });
    assert.equal(findSaturation(input([web], [2, 2, 2, 3, 5, 6, 9, 12])).kind, "none", "5x but only +10 ms");
    assert.equal(
      findSaturation(input([web], [100, 110, 120, 130, 140, 150, 160, 180])).kind,
      "none",
      "+80 ms but < 2x",
    );
  });

  it("mentions the load generator when its own CPU was saturated at that moment", () => {
    const web = host("web", { cpu: [20, 30, 35, 40, 45, 50, 55, 60] });
    const times = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000];
    const generator = {
      stride: 1,
      timeMs: times,
      cpuPercent: [50, 60, 70, 80, 90, 99, 99, 99],
      lagMs: times.map(() => 5),
      workerCpuPercent: null,
    };
    const finding = findSaturation({ ...input([web], [40, 42, 41, 45, 44, 120, 400, 900]), generator });
    assert.match(describeSaturation(finding), /load generator's own CPU was at 99 %/);
  });

  it("no data: nothing to say about the target", () => {
    assert.deepEqual(findSaturation(input([], p95)), { kind: "no-data" });
  });
});
