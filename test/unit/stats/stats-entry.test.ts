import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { pack, unpack } from "msgpackr";
import { PERCENTILES_TO_REPORT } from "../../../src/stats/percentiles.js";
import { type SerializedStatsEntry, StatsEntry } from "../../../src/stats/stats-entry.js";
import { lognormalSamples, seededRandom, sortedCopy } from "./samples.js";

/** 100 requests in each of seconds 0..14 (response time (s + 1) · 10 ms), 10 failures in seconds 5..9. */
function fifteenBusySeconds(lagSeconds?: number): StatsEntry {
  const entry = new StatsEntry("GET", "/a", 0, { currentWindowLagSeconds: lagSeconds });
  for (let second = 0; second <= 14; second++) {
    for (let k = 0; k < 100; k++) {
      const nowMs = second * 1000 + k * 10;
      entry.log((second + 1) * 10, 100, nowMs);
      if (second >= 5 && second <= 9 && k < 10) entry.logFailure(nowMs);
    }
  }
  return entry;
}

const near = (actual: number | null, expected: number, what: string): void => {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= expected * 0.001,
    `${what}: ${actual} vs ${expected}`,
  );
};

describe("StatsEntry basics", () => {
  it("logs requests, none-requests, failures, sums and exact extremes as Locust does", () => {
    const entry = new StatsEntry("GET", "/x", 1000);
    assert.equal(entry.minResponseTimeMs, null);
    assert.equal(entry.lastRequestTimeMs, null);
    assert.equal(entry.medianResponseTimeMs, null);
    assert.equal(entry.percentile(0.95), null);
    entry.log(12.5, 100, 1500);
    entry.log(null, 50, 1600);
    entry.log(3.25, 0, 2500);
    entry.logFailure(2500);
    assert.equal(entry.numRequests, 3);
    assert.equal(entry.numNoneRequests, 1);
    assert.equal(entry.numFailures, 1);
    assert.equal(entry.totalResponseTimeMs, 15.75);
    assert.equal(entry.minResponseTimeMs, 3.25);
    assert.equal(entry.maxResponseTimeMs, 12.5);
    assert.equal(entry.avgResponseTimeMs, 15.75 / 2);
    assert.equal(entry.avgContentLength, 50);
    assert.equal(entry.totalContentLength, 150);
    assert.equal(entry.lastRequestTimeMs, 2500);
    assert.equal(entry.failRatio, 1 / 3);
    assert.equal(entry.histogram.totalCount, 2);
    // 3 requests over 1.5 s, but never less than 1 s
    assert.equal(entry.totalRps(), 3 / 1.5);
    assert.equal(entry.totalFailPerSec(), 1 / 1.5);
    assert.equal(entry.totalRps(11_000), 3 / 10);
    const quick = new StatsEntry("GET", "/q", 0);
    quick.log(1, 0, 200);
    assert.equal(quick.totalRps(), 1);
  });

  it("percentiles are within 0.1 % of exact, p100 is the exact max, the median stays in [min, max]", () => {
    const micros = lognormalSamples(100_000, 21, 25_000, 1.4, 50, 60_000_000);
    const entry = new StatsEntry("GET", "/p", 0);
    for (const us of micros) entry.log(us / 1000, 0, 0);
    const sorted = sortedCopy(micros);
    for (const p of PERCENTILES_TO_REPORT) {
      const exact =
        sorted[Math.max(1, Math.ceil((Math.round(p * 10000) * sorted.length) / 10000)) - 1]! / 1000;
      near(entry.percentile(p), exact, `p${p}`);
    }
    assert.equal(entry.percentile(1), entry.maxResponseTimeMs);
    assert.equal(entry.maxResponseTimeMs, sorted[sorted.length - 1]! / 1000);
    const single = new StatsEntry("GET", "/one", 0);
    single.log(0.0004, 0, 0); // rounds to 0 µs, yet the median must equal the exact min and max
    assert.equal(single.medianResponseTimeMs, 0.0004);
    single.log(0.0006, 0, 0);
    const median = single.medianResponseTimeMs!;
    assert.ok(median >= 0.0004 && median <= 0.0006);
  });

  it("reset clears everything and restarts at nowMs", () => {
    const entry = fifteenBusySeconds();
    entry.reset(50_000);
    assert.equal(entry.numRequests, 0);
    assert.equal(entry.numFailures, 0);
    assert.equal(entry.minResponseTimeMs, null);
    assert.equal(entry.histogram.totalCount, 0);
    assert.equal(entry.startTimeMs, 50_000);
    assert.equal(entry.currentRps(52_000), 0);
    assert.equal(entry.currentPercentile(0.5, 52_000), null);
  });
});

describe("StatsEntry current values (explicit times)", () => {
  it("current RPS averages the 10 whole seconds before the lag, starting no earlier than the start", () => {
    const entry = fifteenBusySeconds();
    assert.equal(entry.currentRps(500), 0); // window ends at second -1: nothing yet
    assert.equal(entry.currentRps(1000), 100); // second 0 only
    assert.equal(entry.currentRps(5999), 100); // seconds 0..4
    assert.equal(entry.currentRps(12_000), 100); // seconds 1..10
    assert.equal(entry.currentRps(20_000), 50); // seconds 10..19: 5 busy
    assert.equal(entry.currentRps(24_999), 10); // seconds 14..23: 1 busy
    assert.equal(entry.currentRps(25_000), 0);
    assert.equal(entry.currentFailPerSec(8000), 30 / 8); // seconds 0..7: failures in 5, 6, 7
    assert.equal(entry.currentFailPerSec(15_000), 5); // seconds 5..14: 50 failures
  });

  it("honours the lag (a master uses 3)", () => {
    assert.equal(fifteenBusySeconds(1).currentRps(17_500), 80); // seconds 7..16
    assert.equal(fifteenBusySeconds(3).currentRps(17_500), 100); // seconds 5..14
    assert.equal(fifteenBusySeconds(3).currentRps(20_000), 70); // seconds 8..17
    assert.throws(() => new StatsEntry("GET", "/", 0, { currentWindowLagSeconds: 0 }), RangeError);
  });

  it("never includes the current, incomplete second", () => {
    const entry = fifteenBusySeconds();
    for (let k = 0; k < 1000; k++) entry.log(999, 0, 15_000 + k / 2);
    assert.equal(entry.currentRps(15_600), 100); // seconds 5..14
    near(entry.currentPercentile(0.99, 15_600), 150, "p99 excludes second 15");
    assert.equal(entry.currentRps(16_000), 190); // seconds 6..15
  });

  it("current percentiles cover the same window, exact to 3 digits", () => {
    const entry = fifteenBusySeconds();
    // window seconds 0..4: 100 each of 10, 20, 30, 40, 50 ms
    near(entry.currentPercentile(0.5, 5500), 30, "p50 at 5.5 s");
    near(entry.currentPercentile(0.95, 5500), 50, "p95 at 5.5 s");
    // window seconds 10..19: 100 each of 110..150 ms
    const [p50, p95, p99] = entry.currentPercentiles([0.5, 0.95, 0.99], 20_000);
    near(p50 ?? null, 130, "p50 at 20 s");
    near(p95 ?? null, 150, "p95 at 20 s");
    near(p99 ?? null, 150, "p99 at 20 s");
    assert.equal(entry.currentPercentile(0.5, 25_000), null);
    // the cumulative median is untouched by the window
    near(entry.medianResponseTimeMs, 80, "cumulative median");
  });

  it("current percentiles match a brute-force computation on random traffic", () => {
    const random = seededRandom(99);
    const entry = new StatsEntry("GET", "/r", 0);
    const logged: Array<[second: number, ms: number]> = [];
    for (let i = 0; i < 30_000; i++) {
      const nowMs = Math.floor((i / 30_000) * 40_000);
      const ms = Math.round(1000 * Math.exp(3 + 1.5 * random())) / 1000;
      entry.log(ms, 0, nowMs);
      logged.push([Math.floor(nowMs / 1000), ms]);
    }
    for (const nowMs of [41_000, 45_500]) {
      const last = Math.floor(nowMs / 1000) - 1;
      const inWindow = logged.filter(([s]) => s >= last - 9 && s <= last).map(([, ms]) => ms);
      const sorted = sortedCopy(inWindow);
      for (const p of [0.5, 0.9, 0.99]) {
        near(
          entry.currentPercentile(p, nowMs),
          sorted[Math.ceil(p * sorted.length) - 1]!,
          `p${p} at ${nowMs}`,
        );
      }
    }
  });
});

describe("StatsEntry merge and serialization", () => {
  const micros = lognormalSamples(30_000, 31, 15_000, 1.3, 50, 60_000_000);

  function logAll(entries: StatsEntry[]): void {
    micros.forEach((us, i) => {
      const nowMs = 1000 + Math.floor(i / 3);
      entries[i % entries.length]!.log(us / 1000, i % 7, nowMs);
      if (i % 11 === 0) entries[i % entries.length]!.logFailure(nowMs);
    });
  }

  function buckets(entry: StatsEntry): number[][] {
    const out: number[][] = [];
    entry.histogram.forEachBucket((low, high, count) => out.push([low, high, count]));
    return out;
  }

  it("merging three entries equals one entry that saw everything", () => {
    const whole = new StatsEntry("GET", "/m", 1000);
    logAll([whole]);
    const parts = [0, 1, 2].map(() => new StatsEntry("GET", "/m", 1000));
    logAll(parts);
    const merged = new StatsEntry("GET", "/m", 5000);
    for (const part of parts) merged.merge(part, 11_500);
    assert.equal(merged.numRequests, whole.numRequests);
    assert.equal(merged.numFailures, whole.numFailures);
    assert.equal(merged.totalContentLength, whole.totalContentLength);
    assert.ok(
      Math.abs(merged.totalResponseTimeMs - whole.totalResponseTimeMs) <= whole.totalResponseTimeMs * 1e-12,
    );
    assert.equal(merged.minResponseTimeMs, whole.minResponseTimeMs);
    assert.equal(merged.maxResponseTimeMs, whole.maxResponseTimeMs);
    assert.equal(merged.startTimeMs, 1000);
    assert.equal(merged.lastRequestTimeMs, whole.lastRequestTimeMs);
    assert.deepEqual(buckets(merged), buckets(whole));
    for (const p of PERCENTILES_TO_REPORT) assert.equal(merged.percentile(p), whole.percentile(p));
    assert.equal(merged.currentRps(11_500), whole.currentRps(11_500));
    assert.equal(merged.currentFailPerSec(11_500), whole.currentFailPerSec(11_500));
    // merged response times sit in second 11, so the window at 12.5 s holds them all
    assert.equal(merged.currentPercentile(0.99, 12_500), whole.percentile(0.99));
  });

  it("serialize/deserialize round-trips exactly, through msgpack too", () => {
    const entry = new StatsEntry("POST", "/s", 1000, { currentWindowLagSeconds: 3 });
    logAll([entry]);
    entry.log(null, 10, 11_200);
    const serialized = entry.serialize();
    const copies = [
      StatsEntry.deserialize(serialized),
      StatsEntry.deserialize(unpack(pack(serialized)) as SerializedStatsEntry),
      StatsEntry.deserialize(
        JSON.parse(JSON.stringify({ ...serialized, histogram: [] }), (key, value) =>
          key === "histogram" ? serialized.histogram : value,
        ) as SerializedStatsEntry,
      ),
    ];
    for (const copy of copies) {
      const again = copy.serialize();
      assert.deepEqual({ ...again, histogram: null }, { ...serialized, histogram: null });
      assert.deepEqual(Buffer.from(again.histogram), Buffer.from(serialized.histogram));
      assert.deepEqual(buckets(copy), buckets(entry));
      for (const p of PERCENTILES_TO_REPORT) assert.equal(copy.percentile(p), entry.percentile(p));
      for (const nowMs of [9000, 12_000, 14_000]) {
        assert.equal(copy.currentRps(nowMs), entry.currentRps(nowMs));
        assert.deepEqual(
          copy.currentPercentiles([0.5, 0.99], nowMs),
          entry.currentPercentiles([0.5, 0.99], nowMs),
        );
      }
    }
    const lean = entry.serialize({ window: false });
    assert.equal(lean.window, undefined);
    assert.equal(StatsEntry.deserialize(lean).numRequests, entry.numRequests);
  });
});

/**
 * Bytes allocated on the JS heap while `work` runs: growth of the used heap plus what every
 * garbage collection during it freed (GCProfiler reports the heap before and after each).
 */
function allocatedBytes(work: () => void): number {
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  work();
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics)
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return getHeapStatistics().used_heap_size - before + freed;
}

describe("StatsEntry allocation", () => {
  it("recording 1M values allocates (almost) nothing", () => {
    const entry = new StatsEntry("GET", "/alloc", 0);
    // Small-integer arguments: a double argument is boxed by the *caller* when the call is
    // not inlined, which would measure V8's calling convention rather than our code.
    const values = Int32Array.from(lognormalSamples(4096, 41, 20, 1, 1, 10_000), Math.round);
    const run = (count: number, offsetMs: number): void => {
      for (let i = 0; i < count; i++) entry.log(values[i & 4095]!, 100, offsetMs + (i >> 6));
    };
    run(300_000, 0); // warm up: chunks, touched lists and sealed arrays reach their size; the JIT settles
    let sink: object | null = null;
    const baseline = allocatedBytes(() => {
      for (let i = 0; i < 1_000_000; i++) sink = { i, next: sink === null ? null : i };
    });
    assert.ok(sink !== null);
    if (baseline < 8_000_000) return; // the instrument cannot see a known 16+ MB of garbage: nothing to learn
    const allocated = allocatedBytes(() => run(1_000_000, 10_000));
    assert.ok(allocated < 4_000_000, `${allocated} bytes for 1M logs (an object per iteration: ${baseline})`);
    assert.equal(entry.numRequests, 1_300_000);
  });
});
