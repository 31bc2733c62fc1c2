import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildJsonReport,
  CHECKS_CSV_COLUMNS,
  checksCsv,
  formatFinalSummary,
  METRICS_CSV_COLUMNS,
  metricsCsv,
  renderHtmlReport,
  reportInputFromStats,
  validateJsonReport,
} from "../../../src/reports/index.js";
import type { RequestStats } from "../../../src/stats/index.js";
import { parseCsv, sampleMeta, sampleStats, T0 } from "../reports/fixtures.js";

/** The sample run, with checks, the four kinds of metric, and a transaction. */
function scriptedStats(): RequestStats {
  const stats = sampleStats();
  for (let i = 0; i < 99; i++) stats.checks.record("coupon or sold out", true);
  stats.checks.record("coupon or sold out", false);
  stats.checks.record('has, "quotes"', true);
  stats.metrics.record({ name: "coupons_issued", kind: "counter" }, 20);
  stats.metrics.record({ name: "queue_depth", kind: "gauge", merge: "max" }, 12);
  stats.metrics.record({ name: "queue_depth", kind: "gauge", merge: "max" }, 3);
  stats.metrics.record({ name: "login_ok", kind: "rate" }, 1);
  stats.metrics.record({ name: "login_ok", kind: "rate" }, 0);
  for (const v of [10, 20, 30]) stats.metrics.record({ name: "first_message", kind: "trend", unit: "ms" }, v);
  stats.metrics.declare({ name: "never", kind: "counter" });
  stats.record("TXN", "claim", 123, 456, null, T0 + 5000);
  return stats;
}

describe("checks and custom metrics in every report", () => {
  const stats = scriptedStats();
  const snapshot = stats.snapshot(T0 + 10_000);

  it("console: a checks table (with all checks) and a line per metric; the transaction row is not in Aggregated", () => {
    const text = formatFinalSummary(snapshot).join("\n");
    assert.match(
      text,
      /Checks\nName\s+passes\s+fails\s+pass rate\n-+\ncoupon or sold out\s+99\s+1\s+99\.00%/,
    );
    assert.match(text, /All checks\s+100\s+1\s+99\.01%/);
    assert.match(text, /Custom metrics\n {2}coupons_issued\s+counter\s+20 \(2\.00\/s\)/);
    assert.match(
      text,
      /first_message\s+trend\s+count 3, avg 20\.0, min 10\.0, med 20\.0, p90 30\.0, p95 30\.0, p99 30\.0, max 30\.0 ms/,
    );
    assert.match(text, /login_ok\s+rate\s+50\.00% \(1 of 2\)/);
    assert.match(text, /never\s+counter\s+0 \(0\.00\/s\)/);
    assert.match(text, /queue_depth\s+gauge\s+3 \(min 3, max 12; workers merged by max\)/);
    assert.match(text, /TXN\s+claim\s+1\s+0\(0\.00%\)/);
    assert.equal(snapshot.total.numRequests, 125, "the sample's 125 requests, not the transaction");
  });

  it("CSV: their own files, with their headers (a run without them writes none)", () => {
    const checks = parseCsv(checksCsv(snapshot));
    assert.deepEqual(checks[0], CHECKS_CSV_COLUMNS);
    assert.deepEqual(checks.slice(1), [
      ["coupon or sold out", "99", "1", "0.99"],
      ['has, "quotes"', "1", "0", "1.0"],
      ["All checks", "100", "1", String(100 / 101)],
    ]);
    const metrics = parseCsv(metricsCsv(snapshot));
    assert.deepEqual(metrics[0], METRICS_CSV_COLUMNS);
    const byName = Object.fromEntries(metrics.slice(1).map((row) => [row[0], row]));
    assert.deepEqual(byName.coupons_issued?.slice(0, 4), ["coupons_issued", "counter", "20.0", "2.0"]);
    assert.deepEqual(byName.queue_depth?.slice(4, 7), ["3.0", "3.0", "12.0"]);
    assert.deepEqual(byName.first_message?.slice(-1), ["ms"]);
    const plain = sampleStats().snapshot(T0 + 10_000);
    assert.equal(checksCsv(plain), "");
    assert.equal(metricsCsv(plain), "");
  });

  it("JSON: checks and metrics keys that validate (and old reports without them still do)", () => {
    const report = buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(report))), []);
    assert.deepEqual(report.checks?.[0], { name: "coupon or sold out", passes: 99, fails: 1, rate: 0.99 });
    const trend = report.metrics?.find((m) => m.name === "first_message");
    assert.equal(trend?.count, 3);
    assert.equal(trend?.unit, "ms");
    assert.equal(trend?.percentiles?.p100, 30);
    const counter = report.metrics?.find((m) => m.name === "coupons_issued");
    assert.deepEqual([counter?.count, counter?.value, counter?.percentiles], [20, null, null]);
    const old = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    delete old.checks;
    delete old.metrics;
    assert.deepEqual(validateJsonReport(old), []);
  });

  it("HTML: a checks table and a custom metrics table, escaped", () => {
    const html = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    assert.match(html, /<section id="checks"><h2>Checks<\/h2>/);
    assert.match(html, /has, &quot;quotes&quot;/);
    assert.match(html, /<section id="custom-metrics"><h2>Custom metrics<\/h2>/);
    assert.match(
      html,
      /<td class="name">coupons_issued<\/td><td class="l">counter<\/td><td class="l">20 \(2\.00\/s\)<\/td>/,
    );
    const plain = renderHtmlReport(reportInputFromStats(sampleStats(), sampleMeta(), T0 + 10_000));
    assert.doesNotMatch(plain, /id="checks"|id="custom-metrics"/);
  });
});
