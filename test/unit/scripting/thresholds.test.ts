import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  evaluateThresholds,
  formatThresholdSummary,
  parseThresholds,
  ThresholdAbortTracker,
  type ThresholdSource,
  ThresholdWindows,
} from "../../../src/reports/index.js";
import { type MetricDeclaration, RequestStats } from "../../../src/stats/index.js";

const T0 = 1_767_323_045_000;
const declared: MetricDeclaration[] = [
  { name: "coupons_issued", kind: "counter" },
  { name: "queue_depth", kind: "gauge", merge: "max" },
  { name: "login_ok", kind: "rate" },
  { name: "first_message", kind: "trend", unit: "ms" },
  { name: "payload", kind: "trend", unit: "bytes" },
];

const source = (stats: RequestStats, windows?: ThresholdWindows): ThresholdSource => ({
  total: stats.total,
  entries: () => stats.entries(),
  checks: stats.checks,
  metrics: stats.metrics,
  windows,
});

describe("thresholds on checks and custom metrics", () => {
  it('parse the fixed keys: checks, check:"name", and declared metrics with their own statistics', () => {
    const definitions = parseThresholds(
      {
        checks: ["rate>0.99"],
        'check:"has token"': ["rate>99.9%"],
        coupons_issued: ["count<=100"],
        queue_depth: ["max<50"],
        first_message: ["p(95)<0.5s"],
      },
      ['check:"has token":fails==0', "check:plain name:passes>1", "login_ok:rate>0.95"],
      undefined,
      declared,
    );
    assert.deepEqual(
      definitions.map((d) => [d.target, d.metric.kind, Number(d.limit.toPrecision(12))]),
      [
        [{ kind: "checks" }, "rate", 0.99],
        [{ kind: "check", name: "has token" }, "rate", 0.999],
        [{ kind: "metric", name: "coupons_issued", metricKind: "counter", unit: "" }, "count", 100],
        [{ kind: "metric", name: "queue_depth", metricKind: "gauge", unit: "" }, "max", 50],
        [{ kind: "metric", name: "first_message", metricKind: "trend", unit: "ms" }, "percentile", 500],
        [{ kind: "check", name: "has token" }, "fails", 0],
        [{ kind: "check", name: "plain name" }, "passes", 1],
        [{ kind: "metric", name: "login_ok", metricKind: "rate", unit: "" }, "rate", 0.95],
      ],
    );
  });

  it("refuse a statistic the metric's kind does not have, units that do not fit, windows on a gauge", () => {
    const refuse = (value: string, message: RegExp) =>
      assert.throws(() => parseThresholds(undefined, [value], undefined, declared), message);
    refuse("queue_depth:p95<10", /the Gauge queue_depth has no 'p95'.*use value, min, max/);
    refuse("coupons_issued:avg<1", /the Counter coupons_issued has no 'avg'.*use count, rate/);
    refuse("checks:p95<1", /checks has no 'p95'.*use rate, passes, fails/);
    refuse("payload:p95<1s", /'s' only applies to a Trend declared with \{ unit: "ms" \}/);
    refuse("coupons_issued:count<5%", /'%' only applies to a rate/);
    refuse("checks:rate>2", /the rate of checks is a ratio from 0 to 1, so 'rate>2' can never pass/);
    refuse("queue_depth:max[30s]<50", /a Gauge has no windows/);
    refuse("p95[0.5s]<300", /must be a time span of at least 1s/);
    refuse("dropped[30s]<1", /'dropped' counts the whole test's dropped iterations: it has no window/);
  });

  it("evaluate counters, gauges, rates, trends and checks; a declared counter at 0 passes rather than 'no data'", () => {
    const stats = new RequestStats({ nowMs: T0 });
    for (const d of declared) stats.metrics.declare(d);
    const definitions = parseThresholds(
      undefined,
      [
        "coupons_issued:count<=100",
        "checks:rate>0.99",
        "queue_depth:max<50",
        "login_ok:rate>0.5",
        "first_message:p(99)<100ms",
      ],
      undefined,
      declared,
    );
    const before = evaluateThresholds(definitions, source(stats), T0 + 1000);
    assert.deepEqual(
      before.map((r) => [r.passed, r.measured, r.reason]),
      [
        [true, 0, null],
        [false, null, "no data: no check ran"],
        [false, null, "no data: no value was recorded"],
        [false, null, "no data: no value was recorded"],
        [false, null, "no data: no value was recorded"],
      ],
    );
    stats.metrics.record(declared[0]!, 101);
    for (let i = 0; i < 99; i++) stats.checks.record("ok", true);
    stats.checks.record("ok", false);
    stats.metrics.record(declared[1]!, 60);
    stats.metrics.record(declared[1]!, 10);
    stats.metrics.record(declared[2]!, 1);
    for (let v = 1; v <= 100; v++) stats.metrics.record(declared[3]!, v);
    const after = evaluateThresholds(definitions, source(stats), T0 + 1000);
    // The trend's p99 of 1..100 is 99, to 3 significant digits (the HDR histogram's).
    assert.ok(Math.abs(after[4]!.measured! - 99) < 0.1, String(after[4]!.measured));
    assert.deepEqual(after.map((r) => [r.passed, r.measured]).slice(0, 4), [
      [false, 101],
      [false, 0.99],
      [false, 60],
      [true, 1],
    ]);
    const text = formatThresholdSummary(after).join("\n");
    assert.match(text, /✗ coupons_issued\s+count<=100\s+measured 101/);
    assert.match(text, /✗ checks\s+rate>0.99\s+measured 0.99 \(99.00%\)/);
    assert.match(text, /✓ first_message\s+p\(99\)<100ms\s+measured 98.98 ms/);
  });
});

describe("windowed thresholds", () => {
  /** 60 s of GET /a: 10 ms each second except 500 ms in seconds 40..49. */
  function soak(stats: RequestStats, windows: ThresholdWindows, upToS = 60): void {
    for (let second = 0; second < upToS; second++) {
      for (let i = 0; i < 10; i++) {
        const t = T0 + second * 1000 + i * 100;
        stats.record("GET", "/a", second >= 40 && second < 50 ? 500 : 10, 100, null, t);
        stats.checks.record("ok", second < 40 || second >= 50);
      }
      windows.tick(source(stats, windows), T0, T0 + (second + 1) * 1000);
    }
  }

  it("judge every window: a late collapse fails p95[20s] although the whole-run p95 passes", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const definitions = parseThresholds(undefined, [
      "p95<600",
      "p95[20s]<300",
      "checks:rate[20s]>=0.5",
      "count[20s]>=200",
    ]);
    const windows = new ThresholdWindows(definitions);
    soak(stats, windows);
    windows.finish(source(stats, windows), T0, T0 + 60_000);
    const results = evaluateThresholds(definitions, source(stats, windows), T0 + 60_000);
    assert.equal(results[0]!.passed, true, "the whole run's p95 (500 ms is 1/6 of it) passes");
    assert.equal(results[1]!.passed, false);
    const worst = results[1]!.window?.worst;
    assert.ok(worst && Math.abs(worst.value - 500) < 0.5, JSON.stringify(worst));
    assert.deepEqual(results[1]!.window, {
      lengthMs: 20_000,
      judged: 3,
      failed: 1,
      worst: { startMs: T0 + 40_000, endMs: T0 + 60_000, value: worst.value },
    });
    assert.equal(results[1]!.measured, worst.value);
    assert.deepEqual(
      [results[2]!.passed, results[2]!.measured, results[2]!.window?.failed],
      [true, 0.5, 0],
      "every check of 40-50 s failed, but each window is judged whole: 40-60 s passed half the time",
    );
    assert.deepEqual([results[3]!.passed, results[3]!.measured], [true, 200]);
    assert.match(
      formatThresholdSummary(results).join("\n"),
      /measured 500.1 ms \(worst of 3 windows of 20 s, 1 failed\)/,
    );
  });

  it("judge a last window of at least half the length, and not a shorter one", () => {
    const long = new RequestStats({ nowMs: T0 });
    const definitions = parseThresholds(undefined, ["count[20s]>=100"]);
    let windows = new ThresholdWindows(definitions);
    soak(long, windows, 50);
    windows.finish(source(long, windows), T0, T0 + 50_000);
    assert.equal(windows.summary(definitions[0]!)?.judged, 3, "2 whole windows and the last 10 s");
    const short = new RequestStats({ nowMs: T0 });
    windows = new ThresholdWindows(definitions);
    soak(short, windows, 49);
    windows.finish(source(short, windows), T0, T0 + 49_000 - 1);
    assert.equal(windows.summary(definitions[0]!)?.judged, 2, "9 s is less than half a window");
  });

  it("report no data before a window is complete, and abort on the first failing window after delayAbortEval", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const definitions = parseThresholds({
      "GET /a": [{ threshold: "p95[10s]<300", abortOnFail: true, delayAbortEval: "55s" }],
    });
    const windows = new ThresholdWindows(definitions);
    const tracker = new ThresholdAbortTracker(definitions);
    assert.equal(tracker.active, false, "a windowed threshold is not judged over the whole run every second");
    const first = evaluateThresholds(definitions, source(stats, windows), T0);
    assert.equal(first[0]!.reason, "no data: no window of 10 s with data was judged");
    let aborted: ReturnType<ThresholdAbortTracker["windowFailed"]>;
    for (let second = 0; second < 60 && aborted === undefined; second++) {
      for (let i = 0; i < 10; i++)
        stats.record("GET", "/a", second >= 40 ? 500 : 10, 1, null, T0 + second * 1000);
      const closed = windows.tick(source(stats, windows), T0, T0 + (second + 1) * 1000);
      aborted = tracker.windowFailed(closed, source(stats, windows), T0, T0 + (second + 1) * 1000);
      if (second === 49) assert.equal(aborted, undefined, "the window 40-50 s failed, within the 55 s delay");
    }
    assert.deepEqual(aborted?.window, { fromMs: 50_000, toMs: 60_000 }, "the next failing window aborts");
    assert.equal(aborted?.result.aborted, true);
  });
});
