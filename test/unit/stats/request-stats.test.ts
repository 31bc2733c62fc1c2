import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PERCENTILES_TO_REPORT, percentileLabel } from "../../../src/stats/percentiles.js";
import { AGGREGATED_NAME, OTHER_NAME, RequestStats } from "../../../src/stats/request-stats.js";

describe("RequestStats rows", () => {
  it("keeps one row per (method, name) plus the Aggregated total, sorted by name then method", () => {
    const stats = new RequestStats({ nowMs: 0 });
    stats.record("POST", "/b", 20, 10, null, 100);
    stats.record("GET", "/b", 10, 10, null, 200);
    stats.record("GET", "/a", 30, 10, null, 300);
    stats.record("GET", "/a", 50, 10, "HTTP 500", 400);
    assert.deepEqual(
      stats.entries().map((e) => `${e.method} ${e.name}`),
      ["GET /a", "GET /b", "POST /b"],
    );
    assert.equal(stats.total.method, "");
    assert.equal(stats.total.name, AGGREGATED_NAME);
    assert.equal(stats.total.numRequests, 4);
    assert.equal(stats.total.numFailures, 1);
    assert.equal(stats.get("GET", "/a")?.numRequests, 2);
    assert.equal(stats.get("GET", "/a")?.numFailures, 1);
    assert.equal(stats.get("DELETE", "/a"), undefined);
  });

  it("keeps transactions' and Web Vitals' rows out of the Aggregated row, recorded or merged", () => {
    // The Aggregated row counts what the target received: a transaction's requests are
    // counted already, and a Web Vital (FCP, LCP, CLS, TTFB) measures a page, not a request.
    const stats = new RequestStats({ nowMs: 0 });
    stats.record("GET", "/", 12, 100, null, 100);
    stats.record("TXN", "checkout", 40, 100, null, 200);
    stats.record("VITAL", "LCP /", 900, 0, null, 300);
    stats.record("VITAL", "CLS /", 0.05, 0, null, 300);
    assert.equal(stats.entries().length, 4, "each still has its own row");
    assert.equal(stats.total.numRequests, 1);
    assert.equal(stats.total.maxResponseTimeMs, 12);
    const master = new RequestStats({ nowMs: 0 });
    for (const entry of stats.entries()) master.mergeEntry(entry, 400);
    assert.equal(master.total.numRequests, 1);
    assert.equal(master.get("VITAL", "LCP /")?.numRequests, 1);
  });

  it("measures every row's requests/s over the whole test, as Locust's table does", () => {
    // 20 sign-ins in the first second of a 10 s test, and 1 request a second on /poll:
    // Locust's StatsEntry.total_rps divides each row by the test's span (its total's start
    // and last request), so /signin reads 20 / 10 s = 2/s, not 20/s.
    const stats = new RequestStats({ nowMs: 0 });
    for (let i = 0; i < 20; i++) stats.record("POST", "/signin", 5, 0, i < 2 ? "boom" : null, 100 + i * 10);
    for (let t = 1000; t <= 10_000; t += 1000) stats.record("GET", "/poll", 5, 0, null, t);
    const snapshot = stats.snapshot(10_000);
    const signin = snapshot.entries.find((e) => e.name === "/signin")!;
    assert.equal(signin.totalRps, 20 / 10);
    assert.equal(signin.totalFailPerSec, 2 / 10);
    assert.equal(snapshot.entries.find((e) => e.name === "/poll")!.totalRps, 10 / 10);
    assert.equal(snapshot.total.totalRps, 30 / 10);
  });

  it("snapshot is plain data with Locust's percentile columns", () => {
    const stats = new RequestStats({ nowMs: 0 });
    for (let i = 1; i <= 100; i++) stats.record("GET", "/s", i, 1000, i % 10 === 0 ? "boom" : null, i * 20);
    stats.record("GET", "/empty", null, 0, null, 1000);
    const snapshot = stats.snapshot(2500);
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
    assert.equal(snapshot.timeMs, 2500);
    assert.equal(snapshot.startTimeMs, 0);
    const row = snapshot.entries.find((e) => e.name === "/s")!;
    assert.equal(row.numRequests, 100);
    assert.equal(row.numFailures, 10);
    assert.equal(row.failRatio, 0.1);
    assert.equal(row.minResponseTimeMs, 1);
    assert.equal(row.maxResponseTimeMs, 100);
    assert.equal(row.avgContentLength, 1000);
    assert.deepEqual(
      row.percentiles.map(([p]) => p),
      [...PERCENTILES_TO_REPORT],
    );
    assert.equal(row.percentiles.at(-1)![1], 100);
    assert.ok(Math.abs(row.medianResponseTimeMs! - 50) <= 0.05);
    assert.equal(row.currentRps, 49.5); // seconds 0..1 hold 49 + 50 (the one at 2.0 s is in the open second)
    for (const [key, exact] of [
      ["p50", 50],
      ["p95", 95],
      ["p99", 99],
    ] as const) {
      const value = row.currentPercentiles[key]!;
      assert.ok(Math.abs(value - exact) <= exact * 0.001, `${key}: ${value}`);
    }
    const empty = snapshot.entries.find((e) => e.name === "/empty")!;
    assert.equal(empty.numNoneRequests, 1);
    assert.equal(empty.medianResponseTimeMs, null);
    assert.ok(empty.percentiles.every(([, value]) => value === null));
    assert.equal(snapshot.total.numRequests, 101);
    assert.deepEqual(PERCENTILES_TO_REPORT.map(percentileLabel), [
      "50%",
      "66%",
      "75%",
      "80%",
      "90%",
      "95%",
      "98%",
      "99%",
      "99.9%",
      "99.99%",
      "100%",
    ]);
  });

  it("collapses names beyond maxNames into (other), warning once", () => {
    const warnings: string[] = [];
    const stats = new RequestStats({ nowMs: 0, maxNames: 5, onWarning: (message) => warnings.push(message) });
    for (let i = 0; i < 20; i++) stats.record("GET", `/item/${i}`, 1, 0, i >= 10 ? "x" : null, i);
    stats.record("GET", "/item/0", 1, 0, null, 50);
    stats.record("POST", "/new", 1, 0, null, 60);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /5 distinct request names/);
    assert.match(warnings[0]!, /name option/);
    const names = stats.entries().map((e) => `${e.method} ${e.name}`);
    assert.equal(names.length, 7);
    assert.ok(names.includes(`GET ${OTHER_NAME}`) && names.includes(`POST ${OTHER_NAME}`));
    assert.equal(stats.get("GET", OTHER_NAME)?.numRequests, 15);
    assert.equal(stats.get("GET", "/item/0")?.numRequests, 2);
    assert.equal(stats.total.numRequests, 22);
    const snapshot = stats.snapshot(100);
    assert.equal(snapshot.collapsedNames, true);
    assert.deepEqual(
      snapshot.errors.map((e) => [e.name, e.occurrences]),
      [[OTHER_NAME, 10]],
    );
  });
});

describe("RequestStats failures and exceptions", () => {
  it("groups failures by (method, name, error) with occurrences and first/last seen", () => {
    const stats = new RequestStats({ nowMs: 0 });
    for (let i = 0; i < 5; i++) stats.record("GET", "/a", 5, 0, "timeout", 1000 + i);
    stats.record("GET", "/a", 5, 0, "HTTP 500", 2000);
    stats.record("POST", "/a", 5, 0, "timeout", 3000);
    const errors = stats.snapshot(4000).errors;
    assert.deepEqual(errors[0], {
      method: "GET",
      name: "/a",
      error: "timeout",
      occurrences: 5,
      firstSeenMs: 1000,
      lastSeenMs: 1004,
    });
    assert.equal(errors.length, 3);
  });

  it("stays bounded with 100,000 distinct errors and counts what it drops", () => {
    const stats = new RequestStats({ nowMs: 0, maxErrors: 1000 });
    for (let i = 0; i < 100_000; i++)
      stats.record("GET", "/x", 1, 0, `error #${i} ${"detail ".repeat(20)}`, i);
    stats.record("GET", "/x", 1, 0, `error #7 ${"detail ".repeat(20)}`, 100_001); // a kept group still counts
    const snapshot = stats.snapshot(200_000);
    assert.equal(snapshot.errors.length, 1000);
    assert.equal(snapshot.droppedErrors, 99_000);
    const kept = snapshot.errors.reduce((sum, e) => sum + e.occurrences, 0);
    assert.equal(kept + snapshot.droppedErrors, 100_001);
    assert.equal(snapshot.total.numFailures, 100_001);
  });

  it("cuts huge error messages so one message cannot hold megabytes", () => {
    const stats = new RequestStats({ nowMs: 0 });
    stats.record("GET", "/x", 1, 0, "x".repeat(1_000_000), 0);
    assert.ok(stats.snapshot(0).errors[0]!.error.length <= 2000);
  });

  it("groups exceptions by traceback with their nodes, capped with a counter", () => {
    const stats = new RequestStats({ nowMs: 0, maxExceptions: 2 });
    stats.recordException("boom", "at task (a.ts:1)", 0, "worker-1");
    stats.recordException("boom", "at task (a.ts:1)", 0, "worker-2");
    stats.recordException("boom again", "at task (a.ts:1)", 0, "worker-1");
    stats.recordException("other", "at other (b.ts:2)", 0);
    stats.recordException("third", "at third (c.ts:3)", 0);
    const snapshot = stats.snapshot(0);
    assert.deepEqual(snapshot.exceptions, [
      { count: 3, message: "boom", traceback: "at task (a.ts:1)", nodes: ["worker-1", "worker-2"] },
      { count: 1, message: "other", traceback: "at other (b.ts:2)", nodes: [] },
    ]);
    assert.equal(snapshot.droppedExceptions, 1);
  });

  it("merges rows from another node", () => {
    const stats = new RequestStats({ nowMs: 0 });
    stats.record("GET", "/a", 5, 0, "timeout", 1000);
    stats.mergeErrors([
      { method: "GET", name: "/a", error: "timeout", occurrences: 4, firstSeenMs: 500, lastSeenMs: 2000 },
    ]);
    stats.mergeExceptions([{ count: 2, message: "m", traceback: "t", nodes: ["w"] }]);
    const snapshot = stats.snapshot(3000);
    assert.deepEqual(
      snapshot.errors.map((e) => [e.occurrences, e.firstSeenMs, e.lastSeenMs]),
      [[5, 500, 2000]],
    );
    assert.equal(snapshot.exceptions[0]?.count, 2);
  });

  it("reset clears rows, total, errors, exceptions and history", () => {
    const stats = new RequestStats({ nowMs: 0, maxNames: 1 });
    stats.record("GET", "/a", 5, 0, "e", 100);
    stats.record("GET", "/b", 5, 0, "e", 100);
    stats.recordException("m", "t", 100);
    stats.history.sample(stats, 1000, 3);
    stats.reset(5000);
    const snapshot = stats.snapshot(5000);
    assert.deepEqual(snapshot.entries, []);
    assert.equal(snapshot.total.numRequests, 0);
    assert.equal(snapshot.total.startTimeMs, 5000);
    assert.equal(snapshot.startTimeMs, 5000);
    assert.deepEqual(snapshot.errors, []);
    assert.deepEqual(snapshot.exceptions, []);
    assert.equal(snapshot.collapsedNames, false);
    assert.deepEqual(stats.history.totalSeries(), []);
    stats.record("GET", "/c", 5, 0, null, 5100);
    assert.equal(stats.get("GET", "/c")?.startTimeMs, 5100);
  });
});

describe("RequestStats current rates", () => {
  it("a row first seen after the start reads its current req/s over the same window as the Aggregated row, as Locust", () => {
    const stats = new RequestStats({ nowMs: 0 });
    // One name, 20 requests a second from 5.0 s: every row must read what Aggregated reads.
    for (let i = 0; i < 60; i++) stats.record("POST", "/coupon", 10, 5, null, 5000 + i * 50);
    const row = stats.get("POST", "/coupon")!;
    assert.equal(stats.total.currentRps(8000), row.currentRps(8000));
    assert.equal(stats.total.currentFailPerSec(8000), row.currentFailPerSec(8000));
    // Seconds 0..7 since the start (7 is the last whole one at 8.0 s): 60 requests, in 5, 6 and 7.
    assert.equal(row.currentRps(8000), 60 / 8);
  });
});

describe("RequestStats merge of a worker's entries", () => {
  it("adds a worker's delta into its row and the total", () => {
    const master = new RequestStats({ nowMs: 0, currentWindowLagSeconds: 3 });
    const worker = new RequestStats({ nowMs: 0 });
    for (let i = 0; i < 300; i++) worker.record("GET", "/w", 10 + (i % 7), 5, null, i * 10);
    for (const entry of worker.entries()) master.mergeEntry(entry, 3000);
    assert.equal(master.get("GET", "/w")?.numRequests, 300);
    assert.equal(master.total.numRequests, 300);
    assert.equal(master.total.percentile(1), 16);
    assert.equal(master.get("GET", "/w")?.currentRps(5000), 100); // seconds 0..2 of a 3 s window
  });
});
