import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type HistogramFamily,
  LATENCY_BUCKETS_SECONDS,
  type MetricFamily,
} from "../../../src/metrics/index.js";
import { RequestSeries } from "../../../src/metrics/request-series.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { OTHER_NAME, RequestStats } from "../../../src/stats/index.js";

const T0 = 1_700_000_000_000;

function setup(maxNames?: number) {
  const logs: LogRecord[] = [];
  const stats = new RequestStats({ nowMs: T0, ...(maxNames ? { maxNames } : {}) });
  const series = new RequestSeries(stats, new Logger((r) => logs.push(r), "DEBUG"));
  return { stats, series, logs };
}

function family<K extends MetricFamily["kind"]>(families: MetricFamily[], name: string, kind: K) {
  const found = families.find((f) => f.name === name);
  assert.ok(found && found.kind === kind, `no ${kind} ${name}`);
  return found as Extract<MetricFamily, { kind: K }>;
}

function counterValue(
  families: MetricFamily[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const f = family(families, name, "counter");
  return f.samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
}

function histogramOf(families: MetricFamily[], labels: Record<string, string>) {
  const f: HistogramFamily = family(families, "cicada_response_time_seconds", "histogram");
  return f.samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels));
}

/** Observations ≤ each bound, counted directly from the values. */
function exactCumulative(valuesMs: number[]): number[] {
  return LATENCY_BUCKETS_SECONDS.map((bound) => valuesMs.filter((ms) => ms / 1000 <= bound + 1e-12).length);
}

describe("request series", () => {
  it("counts requests, failures, bytes and an exact histogram on known data", () => {
    const { stats, series } = setup();
    // Values on bucket bounds (2.5 ms, 7.5 ms, 1 s) count in that bucket (le = less or equal).
    const times = [0.4, 1, 1.0005, 2.5, 7.5, 7.51, 42, 100, 999, 1000, 2500, 45_000, 70_000];
    times.forEach((ms, i) => {
      stats.record("GET", "/a", ms, 10, i % 4 === 0 ? "HTTP 500" : null, T0 + i);
    });
    stats.record("GET", "/a", null, 0, "ConnectionRefused", T0 + 50);
    stats.record("POST", "/b", 3, 7, null, T0 + 60);

    const families = series.collect();
    const a = { method: "GET", name: "/a" };
    assert.equal(counterValue(families, "cicada_requests_total", a), times.length + 1);
    assert.equal(counterValue(families, "cicada_request_failures_total", a), 5);
    assert.equal(counterValue(families, "cicada_response_bytes_total", a), times.length * 10);
    assert.equal(counterValue(families, "cicada_requests_total", { method: "POST", name: "/b" }), 1);
    const h = histogramOf(families, a)!;
    // No value lies within 0.1 % above a bound (an HDR slot): the counts are exact.
    assert.deepEqual(h.cumulativeCounts, exactCumulative(times));
    assert.equal(h.count, times.length, "a request without a response time is not observed");
    assert.ok(Math.abs(h.sum - times.reduce((s, ms) => s + ms, 0) / 1000) < 1e-9);
    assert.equal(h.min, 0.0004);
    assert.equal(h.max, 70);
  });

  it("is off only by values within 0.1 % above a bound on random data", () => {
    const { stats, series } = setup();
    const values: number[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.round(10 ** (random() * 5 - 0.5) * 1000) / 1000; // 0.3 ms to 30 s, µs steps
      values.push(ms);
      stats.record("GET", "/r", ms, 0, null, T0);
    }
    const h = histogramOf(series.collect(), { method: "GET", name: "/r" })!;
    const exact = exactCumulative(values);
    LATENCY_BUCKETS_SECONDS.forEach((bound, i) => {
      const nearAbove = values.filter((ms) => ms / 1000 > bound && ms / 1000 <= bound * 1.001).length;
      const diff = h.cumulativeCounts[i]! - exact[i]!;
      assert.ok(diff >= 0 && diff <= nearAbove, `le=${bound}: ${h.cumulativeCounts[i]} vs exact ${exact[i]}`);
    });
  });

  it("keeps counters monotonic across stats resets (new tests, Reset stats)", () => {
    const { stats, series } = setup();
    for (let i = 0; i < 5; i++) stats.record("GET", "/a", 2, 1, null, T0);
    stats.record("GET", "/gone", 3, 1, "boom", T0);
    series.collect();
    // A row that changed since the last collect is counted again (its buckets are cached per count).
    stats.record("GET", "/a", 2, 1, null, T0);
    const before = series.collect();
    assert.equal(histogramOf(before, { method: "GET", name: "/a" })!.cumulativeCounts.at(-1), 6);
    stats.reset(T0 + 1000);
    for (let i = 0; i < 3; i++) stats.record("GET", "/a", 20, 1, "HTTP 503", T0 + 1000);
    const after = series.collect();
    const a = { method: "GET", name: "/a" };
    assert.equal(counterValue(before, "cicada_requests_total", a), 6);
    assert.equal(counterValue(after, "cicada_requests_total", a), 9);
    assert.equal(counterValue(after, "cicada_request_failures_total", a), 3);
    assert.equal(counterValue(after, "cicada_requests_total", { method: "GET", name: "/gone" }), 1);
    const h = histogramOf(after, a)!;
    assert.equal(h.count, 9);
    assert.equal(h.cumulativeCounts[LATENCY_BUCKETS_SECONDS.indexOf(0.0025)], 6);
    assert.equal(h.cumulativeCounts[LATENCY_BUCKETS_SECONDS.indexOf(0.02)], 9);
    assert.equal(h.min, 0.002);
    assert.equal(h.max, 0.02);
    // The table itself restarted: only the exported series remember.
    assert.equal(stats.get("GET", "/a")!.numRequests, 3);
    series.close();
  });

  it("caps series at the table's name limit across tests, with one warning", () => {
    const { stats, series, logs } = setup(3);
    for (const name of ["/1", "/2", "/3"]) stats.record("GET", name, 1, 0, null, T0);
    stats.reset(T0 + 1);
    for (const name of ["/4", "/5", "/1"]) stats.record("GET", name, 1, 0, null, T0 + 1);
    series.collect();
    stats.reset(T0 + 2);
    stats.record("GET", "/6", 1, 0, null, T0 + 2);
    const families = series.collect();
    const names = family(families, "cicada_requests_total", "counter").samples.map((s) => s.labels.name);
    assert.deepEqual(names.sort(), ["(other)", "/1", "/2", "/3"].sort());
    assert.equal(counterValue(families, "cicada_requests_total", { method: "GET", name: OTHER_NAME }), 3);
    assert.equal(counterValue(families, "cicada_requests_total", { method: "GET", name: "/1" }), 2);
    const warnings = logs.filter((r) => r.level === "WARNING" && r.message.includes("exported metrics"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /More than 3 distinct request names/);
  });
});
