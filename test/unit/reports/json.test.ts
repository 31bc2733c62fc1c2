import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as hdr from "hdr-histogram-js";
import {
  decodeHistogramBase64,
  decodeJsonHistogram,
  encodeHistogramBase64,
  histogramPercentilesMs,
  mergeEntryHistograms,
} from "../../../src/reports/hdr-base64.js";
import { buildJsonReport } from "../../../src/reports/json.js";
import { type JsonReport, PERCENTILE_KEYS } from "../../../src/reports/json-schema.js";
import { assertJsonReport, validateJsonReport } from "../../../src/reports/json-validate.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import { Histogram, RequestStats } from "../../../src/stats/index.js";
import { sampleMeta, sampleStats, T0 } from "./fixtures.js";

function report(stats = sampleStats()): JsonReport {
  return buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
}

/** A report of `values` (ms) for GET /x, as one run would write it. */
function runOf(values: number[]): JsonReport {
  const stats = new RequestStats({ nowMs: T0 });
  for (const [i, v] of values.entries()) stats.record("GET", "/x", v, 10, null, T0 + i);
  return JSON.parse(JSON.stringify(buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + 5000))));
}

describe("JSON report", () => {
  it("round-trips through JSON text and validates against the schema", () => {
    const built = report();
    const parsed: unknown = JSON.parse(JSON.stringify(built));
    assert.deepEqual(validateJsonReport(parsed), []);
    assertJsonReport(parsed);
    assert.deepEqual(parsed, built);
    assert.equal(parsed.schemaVersion, 1);
    assert.equal(parsed.total.numRequests, 125);
    assert.equal(parsed.entries.length, 3);
    assert.deepEqual(Object.keys(parsed.total.percentiles), [...PERCENTILE_KEYS]);
    assert.equal(parsed.total.percentiles.p100, 200);
    assert.equal(parsed.failures.length, 2);
    assert.equal(parsed.exceptions[0]?.count, 1);
    assert.equal(parsed.history.total.timeMs.length, 10);
    assert.equal(parsed.history.entries.length, 3);
    assert.equal(parsed.meta.cicadaVersion, "0.0.0-test");
  });

  it("the validator finds missing, unknown and mistyped keys", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks a parsed document on purpose
    const value = JSON.parse(JSON.stringify(report())) as any;
    delete value.total.percentiles.p95;
    value.entries[0].extra = 1;
    value.meta.users = "five";
    value.history.total.rps[0] = null;
    value.thresholds.push({ key: "total" });
    const problems = validateJsonReport(value);
    assert.ok(problems.includes("$.total.percentiles: missing key 'p95'"), problems.join("\n"));
    assert.ok(problems.includes("$.entries[0]: unknown key 'extra'"));
    assert.ok(problems.includes("$.meta.users: expected a finite number, got string"));
    assert.ok(problems.includes("$.history.total.rps[0]: expected a finite number, got null"));
    assert.ok(problems.some((p) => p.startsWith("$.thresholds[0]: missing key")));
    assert.throws(() => assertJsonReport(value), /not a Cicada JSON report/);
    assert.deepEqual(validateJsonReport([]), ["$: expected an object, got array"]);
  });

  it("each entry's histogram decodes to the percentiles the report shows", () => {
    const built = report();
    for (const entry of [built.total, ...built.entries]) {
      assert.ok(entry.histogram, `${entry.name} has a histogram`);
      const histogram = decodeJsonHistogram(entry.histogram);
      assert.equal(histogram.totalCount, entry.numRequests - entry.numNoneRequests);
      const ps = [0.5, 0.95, 0.99, 1];
      const decoded = histogramPercentilesMs(histogram, ps);
      const shown = [
        entry.percentiles.p50,
        entry.percentiles.p95,
        entry.percentiles.p99,
        entry.percentiles.p100,
      ];
      decoded.forEach((value, i) => {
        assert.ok(Math.abs(value! - shown[i]!) <= 0.001, `${entry.name} p${ps[i]}: ${value} vs ${shown[i]}`);
      });
    }
  });

  it("histograms of two runs merge into the percentiles of all their requests", () => {
    const first = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.1); // 1..100.9 ms
    const second = Array.from({ length: 500 }, (_, i) => 500 + i); // 500..999 ms
    const merged = mergeEntryHistograms([runOf(first).entries[0]!, runOf(second).entries[0]!]);
    assert.equal(merged.totalCount, 1500);
    const all = [...first, ...second].sort((a, b) => a - b);
    for (const p of [0.5, 0.66, 0.9, 0.99]) {
      const exact = all[Math.ceil(p * all.length) - 1]!;
      const [value] = histogramPercentilesMs(merged, [p]);
      assert.ok(Math.abs(value! - exact) <= exact * 0.001, `p${p}: merged ${value} vs exact ${exact}`);
    }
    assert.equal(merged.maxValue, 999_000);
    assert.equal(merged.minValue, 1000);
  });

  it("uses the standard compressed V2 encoding: hdr-histogram-js reads ours and we read its", () => {
    const ours = new Histogram();
    for (let i = 1; i <= 5000; i++) ours.record(i * 37);
    const theirs = hdr.decodeFromCompressedBase64(encodeHistogramBase64(ours), 64);
    assert.equal(theirs.totalCount, 5000);
    for (const p of [50, 90, 99]) {
      const a = theirs.getValueAtPercentile(p);
      const b = ours.valueAtPercentile(p);
      assert.ok(Math.abs(a - b) <= b * 0.001, `hdr-histogram-js p${p}: ${a} vs ours ${b}`);
    }
    const back = decodeHistogramBase64(hdr.encodeIntoCompressedBase64(theirs));
    assert.equal(back.totalCount, 5000);
    for (const p of [50, 90, 99]) {
      const a = back.valueAtPercentile(p);
      const b = ours.valueAtPercentile(p);
      assert.ok(Math.abs(a - b) <= b * 0.001, `p${p}: ${a} vs ${b}`);
    }
    assert.throws(() => decodeHistogramBase64(Buffer.from("not a histogram").toString("base64")), /cookie/);
  });

  it("an entry without response times has null times and no histogram", () => {
    const stats = new RequestStats({ nowMs: T0 });
    stats.record("WS", "connect", null, 0, null, T0 + 10);
    const built = buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + 1000));
    const entry = built.entries[0]!;
    assert.equal(entry.numRequests, 1);
    assert.equal(entry.minResponseTimeMs, null);
    assert.equal(entry.avgResponseTimeMs, null);
    assert.equal(entry.percentiles.p50, null);
    assert.equal(entry.histogram, null);
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(built))), []);
  });
});
