import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Histogram, SPARSE_LIMIT } from "../../../src/stats/histogram.js";
import { RequestStats } from "../../../src/stats/index.js";
import { StatsEntry } from "../../../src/stats/stats-entry.js";
import { lognormalSamples } from "./samples.js";

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

function histogramOf(samples: readonly number[]): Histogram {
  const histogram = new Histogram();
  for (const value of samples) histogram.record(value);
  return histogram;
}

/** Everything observable about a histogram, to compare the sparse and chunked forms. */
function describeHistogram(h: Histogram) {
  const pairs: Array<[number, number]> = [];
  h.forEachIndex((index, count) => pairs.push([index, count]));
  return {
    total: h.totalCount,
    min: h.minValue,
    max: h.maxValue,
    pairs,
    encoded: Buffer.from(h.encode()).toString("hex"),
    percentiles: h.valuesAtPercentiles(PERCENTILES),
  };
}

/** A decoded copy (which is held sparsely when small), with its exact range. */
function decoded(h: Histogram): Histogram {
  return Histogram.decode(h.encode(), { min: h.minValue, max: h.maxValue });
}

describe("Histogram sparse form (decoded worker reports)", () => {
  const small = lognormalSamples(40, 7, 120_000, 0.6, 1, 5_000_000);
  const other = lognormalSamples(60, 8, 90_000, 0.8, 1, 5_000_000);
  const big = lognormalSamples(20_000, 9, 50_000, 1.2, 1, 60_000_000);

  it("decodes to the same histogram whether small (sparse) or large (chunks)", () => {
    for (const samples of [small, big]) {
      const original = histogramOf(samples);
      assert.deepEqual(describeHistogram(decoded(original)), describeHistogram(original));
    }
  });

  it("keeps a large decoded histogram sparse on request, with the same counts and merges", () => {
    const original = histogramOf(big);
    const bytes = original.encode();
    const range = { min: original.minValue, max: original.maxValue };
    const sparse = Histogram.decode(bytes, range, { keepSparse: true });
    let pairs = 0;
    sparse.forEachIndex(() => pairs++);
    assert.ok(pairs > SPARSE_LIMIT, `${pairs} pairs`);
    const into = (h: Histogram) => {
      const target = histogramOf(other);
      target.add(h);
      return describeHistogram(target);
    };
    assert.deepEqual(into(sparse), into(Histogram.decode(bytes, range)));
    assert.deepEqual(describeHistogram(sparse), describeHistogram(original));
  });

  it("merges sparse into empty, sparse and chunked histograms exactly like chunked ones", () => {
    const reference = histogramOf([...small, ...other, ...big]);
    // empty + sparse + sparse (stays sparse) + chunked
    const merged = new Histogram();
    merged.add(decoded(histogramOf(small)));
    merged.add(decoded(histogramOf(other)));
    merged.add(histogramOf(big));
    assert.deepEqual(describeHistogram(merged), describeHistogram(reference));
    // chunked + sparse, and sparse + chunked, in the other order
    const chunkedFirst = histogramOf(big);
    chunkedFirst.add(decoded(histogramOf(other)));
    chunkedFirst.add(decoded(histogramOf(small)));
    assert.deepEqual(describeHistogram(chunkedFirst), describeHistogram(reference));
  });

  it("switches to chunks past the sparse limit, and for recording, without losing a count", () => {
    const merged = new Histogram();
    const all: number[] = [];
    for (let seed = 0; seed < 12; seed++) {
      const part = lognormalSamples(SPARSE_LIMIT / 4, 100 + seed, 100_000, 1, 1, 10_000_000);
      all.push(...part);
      merged.add(decoded(histogramOf(part)));
    }
    merged.record(123_456, 3);
    all.push(123_456, 123_456, 123_456);
    assert.deepEqual(describeHistogram(merged), describeHistogram(histogramOf(all)));
    const clone = decoded(histogramOf(small)).clone();
    assert.deepEqual(describeHistogram(clone), describeHistogram(histogramOf(small)));
  });

  it("gives a master the same rows and total as merging the workers' chunked entries", () => {
    const now = 1_700_000_000_000;
    const worker = (samples: readonly number[]) => {
      const entry = new StatsEntry("GET", "/x", now - 2000);
      for (const us of samples) entry.log(us / 1000, 10, now - 1000);
      return entry;
    };
    const viaWire = new RequestStats({ nowMs: now });
    const direct = new RequestStats({ nowMs: now });
    for (const samples of [small, other, big]) {
      const entry = worker(samples);
      viaWire.mergeEntry(StatsEntry.deserialize(entry.serialize()), now);
      direct.mergeEntry(entry, now);
    }
    const snapshot = (stats: RequestStats) => JSON.stringify(stats.snapshot(now + 3000));
    assert.equal(snapshot(viaWire), snapshot(direct));
  });
});
