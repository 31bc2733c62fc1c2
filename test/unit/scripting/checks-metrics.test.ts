import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Environment } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { CheckStats, CustomMetrics, RequestStats } from "../../../src/stats/index.js";
import { CheckError, Events, MetricError, scriptingApiFor } from "../../../src/user/index.js";

/** An Environment (no runner: nothing to stop) and its log. */
function makeRun(_classes: [], options: { events: Events }) {
  const logs: LogRecord[] = [];
  const environment = new Environment({
    userClasses: [],
    events: options.events,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
  });
  return { environment, logs };
}

describe("check()", () => {
  it("counts each named check and returns whether all passed, without a request failing", () => {
    const events = new Events();
    const { check } = scriptingApiFor(events);
    const { environment } = makeRun([], { events });
    const res = { status: 200, body: "sold out" };
    assert.equal(check(res, { "status is 200": (r) => r.status === 200 }), true);
    assert.equal(
      check(res, { "status is 200": (r) => r.status === 200, "has token": (r) => r.body.includes("token") }),
      false,
    );
    assert.deepEqual(environment.stats.checks.snapshot(), [
      { name: "has token", passes: 0, fails: 1, rate: 0 },
      { name: "status is 200", passes: 2, fails: 0, rate: 1 },
    ]);
    assert.equal(environment.stats.total.numRequests, 0);
    assert.equal(environment.stats.total.numFailures, 0);
  });

  it("counts a check that throws as failed and logs it once", () => {
    const events = new Events();
    const { check } = scriptingApiFor(events);
    const { environment, logs } = makeRun([], { events });
    const notJson = { json: () => JSON.parse("sold out") as { token?: string } };
    for (let i = 0; i < 3; i++) assert.equal(check(notJson, { "has token": (r) => r.json().token }), false);
    assert.deepEqual(environment.stats.checks.get("has token"), {
      name: "has token",
      passes: 0,
      fails: 3,
      rate: 0,
    });
    assert.equal(logs.filter((l) => l.message.includes('check "has token" threw SyntaxError')).length, 1);
  });

  it("refuses what is not a check: a non-function, a promise, an empty name", () => {
    const { check } = scriptingApiFor(new Events());
    assert.throws(() => check(1, { x: 3 as never }), CheckError);
    assert.throws(() => check(1, { x: async () => true }), /returned a promise/);
    assert.throws(() => check(1, { "": () => true }), /needs a name/);
    assert.throws(() => check(1, [] as never), /object of named functions/);
  });
});

describe("custom metrics", () => {
  it("records counters, gauges, rates and trends through the metric event", () => {
    const events = new Events();
    const { Counter, Gauge, Rate, Trend } = scriptingApiFor(events);
    const issued = new Counter("coupons_issued");
    const depth = new Gauge("queue_depth");
    const ok = new Rate("login_ok");
    const ttfm = new Trend("first_message", { unit: "ms" });
    const { environment } = makeRun([], { events });
    issued.add();
    issued.add(2);
    depth.set(7);
    depth.set(3);
    ok.add(true);
    ok.add(false);
    ok.add(1);
    ok.add(0);
    for (const v of [10, 20, 30, 40]) ttfm.add(v);
    const byName = Object.fromEntries(
      environment.stats.metrics.snapshot(environment.now()).map((m) => [m.name, m]),
    );
    assert.equal(byName.coupons_issued?.kind === "counter" && byName.coupons_issued.count, 3);
    assert.deepEqual(
      byName.queue_depth?.kind === "gauge" && [
        byName.queue_depth.value,
        byName.queue_depth.min,
        byName.queue_depth.max,
      ],
      [3, 3, 7],
    );
    assert.deepEqual(
      byName.login_ok?.kind === "rate" && [byName.login_ok.trues, byName.login_ok.total],
      [2, 4],
    );
    const trend = byName.first_message;
    assert.ok(trend?.kind === "trend");
    assert.equal(trend.count, 4);
    assert.equal(trend.avg, 25);
    assert.equal(trend.min, 10);
    assert.equal(trend.max, 40);
    // HDR: 3 significant digits (the middle of the value's slot), as for response times.
    assert.ok(trend.med !== null && Math.abs(trend.med - 20) <= 0.02, String(trend.med));
    assert.equal(trend.unit, "ms");
  });

  it("shows a declared counter that never counted as 0, also after a reset", () => {
    const events = new Events();
    const { Counter } = scriptingApiFor(events);
    new Counter("coupons_issued");
    const { environment } = makeRun([], { events });
    environment.stats.reset(environment.now());
    assert.deepEqual(
      environment.stats.metrics.snapshot(environment.now()).map((m) => m.kind === "counter" && m.count),
      [0],
    );
  });

  it("refuses a name used for two kinds, a reserved or malformed name, and values of the wrong type", () => {
    const { Counter, Gauge, Rate, Trend } = scriptingApiFor(new Events());
    new Counter("issued");
    new Counter("issued"); // the same kind again is the same metric
    assert.throws(() => new Gauge("issued"), /already a Counter: it cannot also be a Gauge/);
    assert.throws(() => new Counter("checks"), /Cicada's thresholds already use/);
    assert.throws(() => new Counter("coupons issued"), MetricError);
    new Gauge("depth", { merge: "sum" });
    assert.throws(() => new Gauge("depth", { merge: "max" }), /merged by sum, not max/);
    const counter = new Counter("c");
    assert.throws(() => counter.add(-1), /add\(\) takes a number ≥ 0, got -1/);
    assert.throws(() => counter.add("1" as never), /got the string "1"/);
    assert.throws(() => new Trend("t").add(Number.NaN), MetricError);
    assert.throws(() => new Rate("r").add("yes" as never), /true, false or a number/);
  });

  it("merges workers: counters and rates add, trends merge exactly, gauges keep each worker's last value", () => {
    const master = new CustomMetrics(0);
    const workers = [new CustomMetrics(0), new CustomMetrics(0)];
    const gaugeMax = { name: "depth", kind: "gauge" as const, merge: "max" as const };
    const gaugeSum = { name: "sockets", kind: "gauge" as const, merge: "sum" as const };
    workers[0]!.record({ name: "issued", kind: "counter" }, 2);
    workers[1]!.record({ name: "issued", kind: "counter" }, 3);
    workers[0]!.record({ name: "t", kind: "trend" }, 1);
    workers[1]!.record({ name: "t", kind: "trend" }, 3);
    workers[0]!.record(gaugeMax, 9);
    workers[0]!.record(gaugeMax, 4);
    workers[1]!.record(gaugeMax, 6);
    workers[0]!.record(gaugeSum, 10);
    workers[1]!.record(gaugeSum, 5);
    for (const [i, w] of workers.entries()) assert.deepEqual(master.merge(`w${i}`, w.serializeUpdated()), []);
    const get = (name: string) => master.get(name, 1000);
    assert.deepEqual(get("issued"), { kind: "counter", name: "issued", count: 5, ratePerSec: 5 });
    const t = get("t");
    assert.ok(t?.kind === "trend");
    assert.deepEqual([t.count, t.min, t.max, t.avg], [2, 1, 3, 2]);
    const depth = get("depth");
    assert.ok(depth?.kind === "gauge");
    assert.deepEqual([depth.value, depth.max], [6, 9]);
    const sockets = get("sockets");
    assert.ok(sockets?.kind === "gauge");
    assert.equal(sockets.value, 15);
    // A worker that reports again replaces its own last value, never adds to it.
    const later = new CustomMetrics(0);
    later.record(gaugeSum, 1);
    master.merge("w0", later.serializeUpdated());
    assert.equal((master.get("sockets", 1000) as { value: number }).value, 6);
    // A kind clash from a worker is refused, not merged.
    const odd = new CustomMetrics(0);
    odd.record({ name: "issued", kind: "gauge" }, 1);
    assert.match(master.merge("w2", odd.serializeUpdated())[0] ?? "", /is a Counter, not a Gauge/);
  });
});

describe("the checks table", () => {
  it("merges workers' counts and collapses names beyond the limit into (other)", () => {
    const warnings: string[] = [];
    const table = new CheckStats(2, (w) => warnings.push(w));
    table.merge([["a", 3, 1]]);
    table.merge([
      ["a", 1, 0],
      ["b", 0, 2],
      ["c", 1, 1],
    ]);
    assert.deepEqual(table.snapshot(), [
      { name: "(other)", passes: 1, fails: 1, rate: 0.5 },
      { name: "a", passes: 4, fails: 1, rate: 0.8 },
      { name: "b", passes: 0, fails: 2, rate: 0 },
    ]);
    assert.deepEqual([table.passes, table.fails], [5, 4]);
    assert.equal(warnings.length, 1);
  });

  it("is part of the stats snapshot only when a check ran", () => {
    const stats = new RequestStats({ nowMs: 0 });
    assert.equal(stats.snapshot(0).checks, undefined);
    stats.checks.record("x", true);
    assert.deepEqual(stats.snapshot(0).checks, [{ name: "x", passes: 1, fails: 0, rate: 1 }]);
    stats.reset(1);
    assert.equal(stats.snapshot(1).checks, undefined);
  });
});
