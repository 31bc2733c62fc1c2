import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  countsIndexOfValue,
  highestEquivalentValue,
  lowestEquivalentValue,
} from "../../../src/stats/hdr-layout.js";
import { Histogram } from "../../../src/stats/histogram.js";
import { BASIS_POINTS, exactPercentile, lognormalSamples, seededRandom, sortedCopy } from "./samples.js";

function histogramOf(samples: readonly number[]): Histogram {
  const histogram = new Histogram();
  for (const value of samples) histogram.record(value);
  return histogram;
}

/** Every reported percentile within 0.1 % of the exact nearest-rank value; p0/p100 exact. */
function assertPercentilesTrue(samples: readonly number[]): void {
  const histogram = histogramOf(samples);
  const sorted = sortedCopy(samples);
  assert.equal(histogram.totalCount, samples.length);
  assert.equal(histogram.minValue, sorted[0]);
  assert.equal(histogram.maxValue, sorted[sorted.length - 1]);
  assert.equal(histogram.valueAtPercentile(100), sorted[sorted.length - 1]);
  assert.equal(histogram.valueAtPercentile(0), sorted[0]);
  for (const bp of BASIS_POINTS) {
    const exact = exactPercentile(sorted, bp);
    const got = histogram.valueAtPercentile(bp / 100);
    assert.ok(
      Math.abs(got - exact) <= exact * 0.001,
      `p${bp / 100}: got ${got}, exact ${exact} (n=${samples.length})`,
    );
    assert.ok(got >= histogram.minValue && got <= histogram.maxValue, `p${bp / 100} outside [min, max]`);
  }
}

function bucketsOf(histogram: Histogram): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  histogram.forEachBucket((low, high, count) => out.push([low, high, count]));
  return out;
}

describe("Histogram layout", () => {
  it("uses HdrHistogram's counts index for 3 significant digits", () => {
    assert.equal(countsIndexOfValue(0), 0);
    assert.equal(countsIndexOfValue(2047), 2047);
    // bucket 1 starts at 2048 with sub-bucket 1024: index (1 + 1) * 1024 + 0
    assert.equal(countsIndexOfValue(2048), 2048);
    assert.equal(countsIndexOfValue(2049), 2048);
    assert.equal(countsIndexOfValue(4095), 3071);
    assert.equal(countsIndexOfValue(4096), 3072);
    // beyond 2^31 and 2^32, where 32-bit bit operators would break
    for (const value of [2 ** 31, 2 ** 31 + 12345, 2 ** 32, 3.6e9, 2 ** 40, 2 ** 40 + 2 ** 35, 2 ** 53 - 1]) {
      const index = countsIndexOfValue(value);
      assert.ok(lowestEquivalentValue(index) <= value && value <= highestEquivalentValue(index), `${value}`);
      assert.ok(highestEquivalentValue(index) - lowestEquivalentValue(index) + 1 <= value / 1024);
    }
  });

  it("is monotonic and contiguous across bucket boundaries", () => {
    let previous = -1;
    for (let index = 0; index < 20 * 1024; index++) {
      const low = lowestEquivalentValue(index);
      if (index > 0) assert.equal(low, previous + 1, `gap before index ${index}`);
      assert.equal(countsIndexOfValue(low), index);
      previous = highestEquivalentValue(index);
    }
  });
});

describe("Histogram percentiles against exact nearest rank", () => {
  it("uniform 1..1,000,000", () => {
    const random = seededRandom(1);
    assertPercentilesTrue(Array.from({ length: 50_000 }, () => 1 + Math.floor(random() * 1_000_000)));
  });

  it("lognormal, 150k samples from 50 µs to 60 s", () => {
    assertPercentilesTrue(lognormalSamples(150_000, 2, 20_000, 1.6, 50, 60_000_000));
  });

  it("bimodal (fast cache hits and slow misses)", () => {
    const fast = lognormalSamples(40_000, 3, 800, 0.3, 50, 60_000_000);
    const slow = lognormalSamples(10_000, 4, 900_000, 0.4, 50, 60_000_000);
    assertPercentilesTrue([...fast, ...slow]);
  });

  it("a single value, two values, all equal", () => {
    assertPercentilesTrue([123_457]);
    assertPercentilesTrue([10, 1_000_001]);
    assertPercentilesTrue(Array.from({ length: 1000 }, () => 987_654));
  });

  it("values spanning 1 µs to 1 hour (and up to 2^40)", () => {
    const random = seededRandom(5);
    const hour = 3.6e9;
    const samples = Array.from({ length: 30_000 }, () => Math.round(Math.exp(random() * Math.log(hour))));
    assertPercentilesTrue([...samples, 1, hour]);
    assertPercentilesTrue([1, 2 ** 40, 2 ** 40 - 1, 2 ** 33 + 7]);
  });

  it("returns 0 when empty, clamps negatives to 0 and rounds", () => {
    const histogram = new Histogram();
    assert.equal(histogram.valueAtPercentile(50), 0);
    assert.equal(histogram.minValue, 0);
    assert.equal(histogram.maxValue, 0);
    histogram.record(-5);
    histogram.record(2.6);
    assert.equal(histogram.minValue, 0);
    assert.equal(histogram.maxValue, 3);
    assert.throws(() => histogram.record(Number.NaN), RangeError);
  });
});

describe("Histogram storage", () => {
  it("allocates chunks lazily, only for buckets that saw values", () => {
    const histogram = new Histogram();
    for (let ms = 1; ms <= 50; ms++) histogram.record(ms * 1000, 3);
    // 1–50 ms spans 2^9.97..2^15.6 µs: bucket 0 and buckets up to 5; each chunk is 1024 (bucket 0: 2048) slots
    const chunks = (histogram as unknown as { chunks: Array<Float64Array | undefined> }).chunks;
    const allocated = chunks.filter((chunk) => chunk !== undefined);
    assert.ok(allocated.length <= 6, `${allocated.length} chunks`);
    assert.ok(allocated.reduce((sum, chunk) => sum + chunk!.byteLength, 0) <= 7 * 2048 * 8);
  });

  it("reset clears in place and keeps chunks", () => {
    const histogram = histogramOf([5, 5000, 5_000_000]);
    const chunks = (histogram as unknown as { chunks: Array<Float64Array | undefined> }).chunks;
    const before = chunks.filter((chunk) => chunk !== undefined);
    histogram.reset();
    assert.equal(histogram.totalCount, 0);
    assert.deepEqual(bucketsOf(histogram), []);
    const after = chunks.filter((chunk) => chunk !== undefined);
    assert.equal(after.length, before.length);
    assert.ok(after.every((chunk, i) => chunk === before[i]));
    histogram.record(42);
    assert.deepEqual(bucketsOf(histogram), [[42, 42, 1]]);
  });
});

describe("Histogram merge and encoding", () => {
  const samples = lognormalSamples(60_000, 7, 30_000, 1.2, 1, 3.6e9);

  it("merging three parts equals the histogram of all samples exactly", () => {
    const whole = histogramOf(samples);
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    samples.forEach((value, i) => {
      parts[i % 3]!.record(value);
    });
    const merged = new Histogram();
    for (const part of parts) merged.add(part);
    assert.deepEqual(bucketsOf(merged), bucketsOf(whole));
    assert.equal(merged.totalCount, whole.totalCount);
    assert.equal(merged.minValue, whole.minValue);
    assert.equal(merged.maxValue, whole.maxValue);
    for (const bp of BASIS_POINTS)
      assert.equal(merged.valueAtPercentile(bp / 100), whole.valueAtPercentile(bp / 100));
    const clone = whole.clone();
    assert.deepEqual(bucketsOf(clone), bucketsOf(whole));
    clone.record(1);
    assert.notEqual(clone.totalCount, whole.totalCount);
  });

  it("encode/decode round-trips every count; min/max exact when carried", () => {
    const histogram = histogramOf([...samples, 0, 2 ** 40]);
    const bytes = histogram.encode();
    const decoded = Histogram.decode(bytes);
    assert.deepEqual(bucketsOf(decoded), bucketsOf(histogram));
    assert.equal(decoded.totalCount, histogram.totalCount);
    assert.equal(decoded.minValue, 0);
    assert.ok(decoded.maxValue >= histogram.maxValue && decoded.maxValue <= histogram.maxValue * 1.001);
    const exact = Histogram.decode(bytes, { min: histogram.minValue, max: histogram.maxValue });
    for (const p of [0, 50, 99, 99.99, 100])
      assert.equal(exact.valueAtPercentile(p), histogram.valueAtPercentile(p));
    assert.deepEqual(Histogram.decode(new Histogram().encode()).totalCount, 0);
  });

  it("rejects what is not a V2 uncompressed histogram", () => {
    assert.throws(() => Histogram.decode(new Uint8Array(10)), /shorter than the header/);
    const bytes = new Histogram().encode();
    new DataView(bytes.buffer).setInt32(0, 0x1c849314);
    assert.throws(() => Histogram.decode(bytes), /compressed/);
    new DataView(bytes.buffer).setInt32(0, 0x12345678);
    assert.throws(() => Histogram.decode(bytes), /cookie/);
  });
});
