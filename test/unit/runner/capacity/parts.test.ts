/**
 * The capacity search's parts, each on exact data: the window's figures from two
 * cumulative histograms, the plan's loads, and the judge's verdicts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CapacityPlan,
  type CumulativeSample,
  failRateLowerBound,
  histogramSince,
  judgeStep,
  RequestsPerIteration,
  reportedRate,
  roundLoad,
  wholeIfClose,
  windowFigures,
} from "../../../../src/runner/capacity/index.js";
import type { CapacitySlo } from "../../../../src/shared/capacity.js";
import { Histogram } from "../../../../src/stats/index.js";

const FAIL_1: CapacitySlo = {
  expression: "failRate<1%",
  metric: { kind: "failRate" },
  operator: "<",
  limit: 0.01,
};

/** Thirty response times of about 100 ms (a tick's worth of a steady 120 requests/s). */
const THIRTY = Array.from({ length: 30 }, (_, i) => 100 + (i % 3));

const P95_150: CapacitySlo = {
  expression: "p95<150ms",
  metric: { kind: "percentile", percentile: 95 },
  operator: "<",
  limit: 150,
};

/** Cumulative samples every 250 ms, each adding `perTick(i)` response times (ms), `failing(i)` of them failed. */
function samples(
  ticks: number,
  perTick: (i: number) => number[],
  waiting: (i: number) => number = () => 0,
  failing: (i: number) => number = () => 0,
): CumulativeSample[] {
  const histogram = new Histogram();
  let requests = 0;
  let failures = 0;
  let sum = 0;
  const out: CumulativeSample[] = [];
  for (let i = 0; i <= ticks; i++) {
    if (i > 0) {
      for (const ms of perTick(i)) {
        histogram.record(ms * 1000);
        requests++;
        sum += ms;
      }
      failures += failing(i);
    }
    out.push({
      timeMs: 1_000_000 + i * 250,
      requests,
      failures,
      timedRequests: requests,
      responseTimeSumMs: sum,
      histogram: histogram.clone(),
      intended: null,
      dropped: 0,
      iterationsCompleted: requests,
      inFlight: 0,
      waiting: waiting(i),
      users: 10,
      generator: null,
      workerCpuPercent: null,
    });
  }
  return out;
}

describe("the window between two cumulative samples", () => {
  it("has exactly the percentiles of the values recorded in between", () => {
    const earlier = new Histogram();
    const later = new Histogram();
    const direct = new Histogram();
    for (let v = 1; v <= 5000; v++) {
      const us = v * 37;
      later.record(us);
      if (v <= 2000) earlier.record(us);
      else direct.record(us);
    }
    const window = histogramSince(later, earlier);
    assert.equal(window.totalCount, 3000);
    for (const p of [1, 50, 95, 99, 99.9]) {
      // The same slots: the same value, within the slot's 0.05 % (min and max are slot edges).
      const a = window.valueAtPercentile(p);
      const b = direct.valueAtPercentile(p);
      assert.ok(Math.abs(a - b) <= b * 0.0005, `p${p}: ${a} vs ${b}`);
    }
  });

  it("gives throughput, mean, failure rate and percentiles of the window only", () => {
    const s = samples(8, (i) => (i <= 4 ? [100, 100, 100, 100] : [200, 200, 200, 200]));
    const second = windowFigures(s[4]!, s[8]!);
    assert.equal(second.requests, 16);
    assert.equal(second.rps, 16);
    assert.equal(second.avgMs, 200);
    assert.ok(Math.abs(second.p95Ms! - 200) < 0.2);
    const whole = windowFigures(s[0]!, s[8]!);
    assert.equal(whole.avgMs, 150);
    assert.ok(Math.abs(whole.p50Ms! - 100) < 0.1);
  });
});

describe("a master's window: each worker's rate between its own reports", () => {
  /** A sample at `timeMs` with each worker's last two reports ([requests so far, at ms]). */
  const at = (timeMs: number, workers: Record<string, Array<[number, number]>>): CumulativeSample => {
    const reports = Object.entries(workers).map(([id, marks]) => ({
      id,
      live: true,
      last: { requests: marks.at(-1)![0], atMs: marks.at(-1)![1] },
      previous: marks.length > 1 ? { requests: marks.at(-2)![0], atMs: marks.at(-2)![1] } : null,
    }));
    return {
      ...samples(0, () => [])[0]!,
      timeMs,
      requests: reports.reduce((sum, w) => sum + w.last.requests, 0),
      workerReports: reports,
    };
  };

  it("two workers at 100 req/s, one of whose reports fell twice into a 3 s window: 200 req/s, not 300", () => {
    // A reports at .5 s, 3.5 s; B (1 ms early each time) at 0, 3.0005 s and 5.9995 s.
    const a = at(3000, { A: [[300, 500]], B: [[300, 0]] });
    const b = at(6000, {
      A: [
        [300, 500],
        [600, 3500],
      ],
      B: [
        [600, 3000.5],
        [900, 5999.5],
      ],
    });
    const figures = windowFigures(a, b);
    assert.equal(figures.requests, 900, "the requests merged in the window");
    assert.ok(Math.abs(figures.rps - 200) < 0.1, `rps ${figures.rps}`);
    assert.equal(900 / 3, 300, "what requests over the master's clock said");
    // No report of A in the window: its rate is that of its last two reports.
    const c = at(7000, {
      A: [
        [300, 500],
        [600, 3500],
      ],
      B: [
        [900, 5999.5],
        [1200, 6999],
      ],
    });
    assert.ok(Math.abs(reportedRate(b, c)! - (100 + 300 / 0.9995)) < 0.1);
    assert.equal(reportedRate(samples(1, () => [1])[0]!, samples(1, () => [1])[1]!), null, "a local run");
  });
});

describe("the plan", () => {
  const plan = (overrides = {}) =>
    new CapacityPlan({
      model: "users",
      start: 10,
      growth: { kind: "multiply", factor: 2 },
      max: 1000,
      precision: 0.05,
      ...overrides,
    });

  it("grows by a factor until a break, then halves the gap to within the precision", () => {
    const p = plan();
    const capacity = 57;
    const loads = [p.first()];
    for (;;) {
      const next = p.next(loads.at(-1)!, loads.at(-1)! <= capacity);
      if (next === null) break;
      loads.push(next);
    }
    assert.deepEqual(loads, [10, 20, 40, 80, 60, 50, 55, 58, 57]);
    assert.equal(p.end, "found");
    assert.equal(p.good, 57);
    assert.equal(p.bad, 58);
  });

  it("adds a step; the upper bound is tried and ends as at-least; a first break is below-start", () => {
    const add = plan({ growth: { kind: "add", step: 25 }, max: 60 });
    assert.deepEqual(
      [add.first(), add.next(10, true), add.next(35, true), add.next(60, true)],
      [10, 35, 60, null],
    );
    assert.equal(add.end, "at-least");
    const low = plan();
    assert.equal(low.next(10, false), null);
    assert.equal(low.end, "below-start");
  });

  it("rounds rates to 3 significant digits and users to whole ones", () => {
    assert.equal(roundLoad("arrival-rate", 212.5), 213);
    assert.equal(roundLoad("arrival-rate", 1234.5), 1230);
    assert.equal(roundLoad("users", 0.4), 1);
    const rate = plan({ model: "arrival-rate", start: 100 });
    assert.equal(rate.next(100, true), 200);
    assert.equal(rate.next(200, false), 150);
  });
});

describe("the judge", () => {
  const settings = { slos: [P95_150], minHoldMs: 1000, maxHoldMs: 3000, halfTicks: 2 };
  const hold = 1_000_000;

  it("waits for the minimum hold, then judges a steady step over both halves", () => {
    const s = samples(4, () => [100, 101, 102]);
    assert.equal(judgeStep(s.slice(0, 4), hold, hold + 750, settings).done, false);
    const verdict = judgeStep(s, hold, hold + 1000, settings);
    assert.ok(verdict.done && verdict.passed && verdict.steady);
    assert.equal(verdict.figures.requests, 12);
  });

  it("a step broken in both halves with a latency that is not falling breaks at once", () => {
    const s = samples(4, (i) => [150 + 40 * i, 160 + 40 * i]);
    const verdict = judgeStep(s, hold, hold + 1000, settings);
    assert.ok(verdict.done && !verdict.passed && !verdict.steady);
    assert.match(verdict.reason, /in both halves of the hold: broke p95<150ms/);
  });

  it("a falling latency (a warm-up) is given time; at the maximum hold a rising one breaks", () => {
    const warming = samples(4, (i) => [400 - 60 * i]);
    assert.equal(judgeStep(warming, hold, hold + 1000, settings).done, false);
    const rising = samples(12, (i) => [15 * i - 50]);
    const atMax = judgeStep(rising.slice(-5), hold, hold + 3000, settings);
    assert.ok(atMax.done && !atMax.passed);
    assert.match(atMax.reason, /latency still rising at the end of the hold \(\d+ → \d+ ms\)/);
    const unsteady = samples(12, (i) => [i <= 10 ? 130 : 95]);
    const meets = judgeStep(unsteady.slice(-5), hold, hold + 3000, settings);
    assert.ok(meets.done && meets.passed && !meets.steady);
  });

  it("a percentile that moved no more than its samples explain is not 'still rising'", () => {
    // One steady load, 15 responses a tick: 20 ms, and now and then 70 ms (1 of the 30 in
    // the first half, 3 of the 30 in the second: chance, at a rate of 2 in 30). The p95 of
    // each half rests on its 2 slowest: 20 → 70 ms, a "rise" of 3.5× the tolerance allows.
    const slowAt: Record<number, number> = { 3: 1, 9: 1, 11: 2, 12: 1 };
    const outliers = (i: number) => Array.from({ length: 15 }, (_, k) => (k < (slowAt[i] ?? 0) ? 70 : 20));
    const steadyLoad = samples(12, outliers);
    const window = steadyLoad.slice(-5);
    assert.ok(Math.abs(windowFigures(window[0]!, window[2]!).p95Ms! - 20) < 0.1);
    assert.ok(Math.abs(windowFigures(window[2]!, window[4]!).p95Ms! - 70) < 0.1);
    const verdict = judgeStep(window, hold, hold + 3000, settings);
    assert.ok(verdict.done && verdict.passed && !verdict.steady, verdict.done ? verdict.reason : "pending");
    // With ten times the responses, 3 of 300 slow against 30 of 300 is no longer chance:
    // the step broke.
    const manySlowAt: Record<number, number> = { 9: 2, 10: 1, 11: 15, 12: 15 };
    const many = samples(12, (i) =>
      Array.from({ length: 150 }, (_, k) => (k < (manySlowAt[i] ?? 0) ? 70 : 20)),
    );
    const rising = judgeStep(many.slice(-5), hold, hold + 3000, settings);
    assert.ok(rising.done && !rising.passed, rising.done ? rising.reason : "pending");
    assert.match(rising.reason, /latency still rising at the end of the hold \(20 → 70 ms\)/);
  });

  describe("a failure rate is judged on enough failures", () => {
    const failSettings = { ...settings, slos: [P95_150, FAIL_1] };
    /** 20 requests of 100 ms a tick (80 a second), `failing(i)` of them failed. */
    const steadyWith = (failing: (i: number) => number) =>
      samples(
        12,
        () => Array(20).fill(100),
        () => 0,
        failing,
      );

    it("the Wilson lower bound: 1 of 78 could be a 1 % rate; 10 of 80 could not", () => {
      assert.ok(failRateLowerBound(1, 78) < 0.01);
      assert.ok(failRateLowerBound(10, 80) > 0.05, String(failRateLowerBound(10, 80)));
      assert.equal(failRateLowerBound(0, 100), 0);
      // Against SciPy 1.17: binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson").low
      // (a two-sided 90 % interval's low end is the one-sided 95 % bound).
      const scipy: Array<[number, number, number]> = [
        [5, 100, 0.024547363425804138],
        [1, 78, 0.0028653723916200087],
        [3, 240, 0.005006359991938858],
      ];
      for (const [k, n, low] of scipy) {
        assert.ok(
          Math.abs(failRateLowerBound(k, n) - low) < 1e-12,
          `${k} of ${n}: ${failRateLowerBound(k, n)}`,
        );
      }
    });

    it("one failure in 80 requests (1.25 %) does not break a step: it is held on, and passes at the maximum hold on 1 of 240", () => {
      const s = steadyWith((i) => (i === 2 ? 1 : 0));
      const first = judgeStep(s.slice(0, 5), hold, hold + 1000, failSettings);
      assert.equal(first.done, false);
      assert.equal(
        first.done === false && first.failuresFrom,
        s[0],
        "failures are counted from the judged window's start",
      );
      // Held on: no verdict before the maximum hold, even once the failure has left the last two halves.
      assert.equal(judgeStep(s.slice(4, 9), hold, hold + 2000, failSettings, null, s[0]!).done, false);
      const atMax = judgeStep(s.slice(8), hold, hold + 3000, failSettings, null, s[0]!);
      assert.ok(atMax.done && atMax.passed, atMax.done ? atMax.reason : "pending");
      assert.equal(atMax.figures.requests, 240);
      assert.equal(atMax.figures.failures, 1);
      assert.match(
        atMax.reason,
        /^over the last 3\.0 s of the hold \(held on to count failures\): met every SLO$/,
      );
    });

    it("enough failures break at once, the count in the reason", () => {
      const verdict = judgeStep(steadyWith(() => 2).slice(0, 5), hold, hold + 1000, failSettings);
      assert.ok(verdict.done && !verdict.passed && !verdict.unsure);
      assert.equal(verdict.reason, "steady: broke failRate<1% (10.00 %: 8 of 80 requests)");
    });

    it("held on, a step breaks as soon as its failures are enough", () => {
      const s = steadyWith((i) => (i === 2 ? 1 : i >= 5 ? 5 : 0));
      assert.equal(judgeStep(s.slice(0, 5), hold, hold + 1000, failSettings).done, false);
      const verdict = judgeStep(s.slice(2, 7), hold, hold + 1500, failSettings, null, s[0]!);
      assert.ok(verdict.done && !verdict.passed);
      assert.equal(
        verdict.reason,
        "over the last 1.5 s of the hold (held on to count failures): broke failRate<1% (9.17 %: 11 of 120 requests)",
      );
    });

    it("failures above the limit but still too few to be sure at the maximum hold: met, and the reason says what was measured", () => {
      const s = steadyWith((i) => (i % 4 === 2 ? 1 : 0));
      const atMax = judgeStep(s.slice(8), hold, hold + 3000, failSettings, null, s[0]!);
      assert.ok(atMax.done && atMax.passed && atMax.unsure);
      assert.equal(
        atMax.reason,
        "over the last 3.0 s of the hold (held on to count failures): met every SLO " +
          "(failRate<1% measured 1.25 %, but 3 of 240 requests are too few failures to say it broke)",
      );
      assert.ok(atMax.checks.every((check) => check.passed));
    });
  });

  it("open model: a step whose target completes less than the rate asked (more than 5 % short) breaks, whatever the SLOs", () => {
    // 120 requests/s of 100 ms, each ending its iteration: every SLO met, steady.
    const s = samples(4, () => THIRTY);
    const judge = (askedRate: number, requestsPerIteration: number | null, window = s) =>
      judgeStep(window, hold, hold + 1000, settings, { askedRate, requestsPerIteration });
    const keptUp = judge(125, 1);
    assert.ok(keptUp.done && keptUp.passed, "4 % short is within the tolerance");
    const lagging = judge(130, 1);
    assert.ok(lagging.done && !lagging.passed && lagging.steady);
    assert.deepEqual(
      lagging.checks.map((c) => c.passed),
      [true],
    );
    assert.match(
      lagging.reason,
      /^steady: broke keep-up: the target completed 120\.0 req\/s of 130\/s asked, 7\.7 % short \(more than 5 %\): a queue was growing$/,
    );
    // The first step too: the window's own iterations say what one asks.
    const first = judge(130, null);
    assert.ok(first.done && !first.passed);
    // An earlier figure of 1.05 (a trial's noisy first step) does not count where the window can say.
    const trial = judge(120, 1.05);
    assert.ok(trial.done && trial.passed);
  });

  it("open model: the requests per iteration are the window's own (requests over iterations completed), else the earlier steps'", () => {
    const s = samples(4, () => THIRTY);
    /** The same 120 requests/s, of `per` requests an iteration, with `inFlight` iterations running. */
    const of = (per: number, inFlight = 0) =>
      s.map((sample) => ({ ...sample, iterationsCompleted: sample.requests / per, inFlight }));
    const judge = (window: typeof s, askedRate: number, requestsPerIteration: number | null) =>
      judgeStep(window, hold, hold + 1000, settings, { askedRate, requestsPerIteration });
    // Two requests an iteration: 65 iterations/s ask for 130 req/s, 7.7 % more than completed.
    const two = judge(of(2), 65, null);
    assert.ok(two.done && !two.passed);
    assert.match(
      two.reason,
      /completed 120\.0 req\/s of 130\/s asked \(65 iterations\/s × 2\.00 requests per iteration, in that window\), 7\.7 % short/,
    );
    const keptUp = judge(of(2), 60, null);
    assert.ok(keptUp.done && keptUp.passed);
    // A mix (weighted tasks of 1 or 3 requests) that drew 1.5 in this window, 2 over the
    // earlier steps: 80 iterations/s completed of 80 asked kept up (2 would ask for 160 req/s).
    const mix = judge(of(1.5), 80, 2);
    assert.ok(mix.done && mix.passed, mix.done ? mix.reason : "pending");
    // Fewer iterations completed than in flight (iterations longer than the window, or a
    // backlog): its requests include unfinished iterations' own, so the earlier figure counts.
    const long = judge(of(2, 70), 65, 2);
    assert.ok(long.done && !long.passed);
    assert.match(long.reason, /× 2\.00 requests per iteration, as at the earlier steps\), 7\.7 % short/);
    const noFigure = judge(of(2, 70), 65, null);
    assert.ok(
      noFigure.done && noFigure.passed,
      "no figure at all: only a backlog of waiting iterations is judged",
    );
  });

  it("open model: a window of few iterations is not short by the count's own jitter (two iterations)", () => {
    // 12 requests/s, 6 in each half of 0.5 s, each ending its iteration.
    const s = samples(4, () => [100, 101, 102]);
    const judge = (askedRate: number) =>
      judgeStep(s, hold, hold + 1000, settings, { askedRate, requestsPerIteration: null });
    const withinJitter = judge(15.5);
    assert.ok(withinJitter.done && withinJitter.passed, "6 of 7.75 asked: 1.75 iterations short");
    const short = judge(16.5);
    assert.ok(short.done && !short.passed);
    assert.match(
      short.reason,
      /completed 12\.0 req\/s of 16\.5\/s asked, 27\.3 % short \(more than 2 iterations in 0\.5 s\): a queue was growing$/,
    );
  });

  it("open model: iterations waiting for a free user that keep growing break the step", () => {
    const growing = samples(
      4,
      () => [100, 101, 102],
      (i) => i,
    );
    const verdict = judgeStep(growing, hold, hold + 1000, settings, {
      askedRate: 12,
      requestsPerIteration: 1,
    });
    assert.ok(verdict.done && !verdict.passed);
    assert.match(verdict.reason, /keep-up: the iterations waiting for a free user grew by 2 in 0\.5 s/);
    const closed = judgeStep(growing, hold, hold + 1000, settings);
    assert.ok(closed.done && closed.passed, "the closed model is not judged on iterations");
  });

  it("no request completed in the last half breaks the step", () => {
    const s = samples(4, (i) => (i <= 2 ? [100] : []));
    const verdict = judgeStep(s, hold, hold + 1000, settings);
    assert.ok(verdict.done && !verdict.passed);
    assert.match(verdict.reason, /no request completed in the last 0.5 s/);
  });

  it("a master whose workers sent no report in the last half waits: that is no news, not 'no request completed'", () => {
    // One worker reporting at ticks 1 and 2 only; requests move with its reports.
    const s = samples(4, (i) => (i <= 2 ? [100, 100] : [])).map((sample, i) => ({
      ...sample,
      workerReports: [
        {
          id: "w",
          live: true,
          last: { requests: sample.requests, atMs: 1_000_000 + Math.min(i, 2) * 250 },
          previous: i >= 2 ? { requests: 2, atMs: 1_000_250 } : null,
        },
      ],
    }));
    assert.equal(judgeStep(s, hold, hold + 1000, settings).done, false, "pending until a report comes");
    const atMax = judgeStep(s, hold, hold + 3000, settings);
    assert.ok(atMax.done && atMax.passed, "the whole hold, at its end");
    assert.match(atMax.reason, /at the end of the hold/);
    // A report that came with no request in it is news: the step broke.
    s[4] = {
      ...s[4]!,
      workerReports: [{ ...s[4]!.workerReports[0]!, last: { requests: 4, atMs: 1_000_900 } }],
    };
    const broke = judgeStep(s, hold, hold + 1000, settings);
    assert.ok(broke.done && !broke.passed);
    assert.match(broke.reason, /no request completed/);
  });
});

describe("requests per iteration (the keep-up check's): requests over iterations completed, pooled over the good steps", () => {
  /** Cumulative samples 250 ms apart, from [requests, iterations completed] added at each tick. */
  const counted = (adds: Array<[number, number]>): CumulativeSample[] => {
    let requests = 0;
    let iterations = 0;
    const base = samples(0, () => [])[0]!;
    return [[0, 0] as [number, number], ...adds].map(([r, i], tick) => {
      requests += r;
      iterations += i;
      return { ...base, timeMs: 1_000_000 + tick * 250, requests, iterationsCompleted: iterations };
    });
  };

  it("iterations of one request: exactly 1, where a first step's window of 21 requests at 20/s read 1.05", () => {
    const estimate = new RequestsPerIteration();
    assert.equal(estimate.value(), null, "no good step yet: no figure (only a backlog is judged)");
    // 20/s held 1 s (4 ticks, halves of 2): 21 requests completed in the window, each ending its iteration.
    estimate.addStep(
      counted([
        [5, 5],
        [5, 5],
        [6, 6],
        [5, 5],
      ]),
      2,
    );
    assert.equal(estimate.value(), 1);
  });

  it("a mix of 1 and 3 requests: the mean over every iteration completed at the good steps, not the highest step's", () => {
    const estimate = new RequestsPerIteration();
    // Last halves: 62 requests of 30 iterations (2.07), then 118 of 60 (1.97): 180 of 90 = 2.
    estimate.addStep(
      counted([
        [1, 1],
        [1, 1],
        [31, 15],
        [31, 15],
      ]),
      2,
    );
    assert.equal(estimate.value(), wholeIfClose(62 / 30));
    assert.equal(62 / 30 > 2.04, true, "the first step alone is more than 2 % above 2");
    estimate.addStep(
      counted([
        [1, 1],
        [1, 1],
        [59, 30],
        [59, 30],
      ]),
      2,
    );
    assert.equal(estimate.value(), 2);
    const odd = new RequestsPerIteration();
    odd.addStep(
      counted([
        [0, 0],
        [0, 0],
        [75, 50],
        [75, 50],
      ]),
      2,
    );
    assert.equal(odd.value(), 1.5, "not rounded when no whole number is within 2 %");
  });

  it("counts the step's last half: iterations of three requests begun at the new rate are not counted on the earlier rate's completions", () => {
    const estimate = new RequestsPerIteration();
    // First half: the rate just doubled, the new iterations' first requests complete before
    // any of them does (12 requests, 2 iterations); the last half is steady (30 of 10).
    estimate.addStep(
      counted([
        [6, 1],
        [6, 1],
        [15, 5],
        [15, 5],
      ]),
      2,
    );
    assert.equal(estimate.value(), 3);
  });

  it("a half without a completed iteration (a master's half without a report) counts the whole step; a reset counts nothing", () => {
    const estimate = new RequestsPerIteration();
    estimate.addStep(
      counted([
        [20, 10],
        [20, 10],
        [0, 0],
        [0, 0],
      ]),
      2,
    );
    assert.equal(estimate.value(), 2);
    // The statistics reset inside the step: totals went down.
    const reset = counted([
      [20, 20],
      [20, 20],
    ]);
    reset.push({ ...reset.at(-1)!, requests: 3, iterationsCompleted: 1 });
    const untouched = new RequestsPerIteration();
    untouched.addStep(reset, 1);
    assert.equal(untouched.value(), null);
  });
});

describe("wholeIfClose (requests per iteration near a whole number)", () => {
  it("is the whole number within 2 % of one (1.01 is 1), and the measured ratio otherwise", () => {
    assert.equal(wholeIfClose(1.01), 1);
    assert.equal(wholeIfClose(0.985), 1);
    assert.equal(wholeIfClose(3.05), 3);
    assert.equal(wholeIfClose(1.5), 1.5);
    assert.equal(wholeIfClose(1.03), 1.03);
    assert.equal(wholeIfClose(0.4), 0.4);
  });
});
