import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeWorkerMessage,
  encodeMessage,
  fromLocustEntry,
  fromLocustErrors,
  locustErrorKey,
  toLocustEntry,
  toLocustErrors,
  WorkerStatsReporter,
} from "../../../src/distributed/index.js";
import { Environment } from "../../../src/runner/index.js";
import { RequestStats, StatsEntry } from "../../../src/stats/index.js";

const T0 = 1_800_000_000_000;

function fire(env: Environment, name: string, ms: number, error?: string): void {
  env.events.request.fire({
    requestType: "GET",
    name,
    responseTimeMs: ms,
    responseLength: 10,
    exception: error ?? null,
  });
}

test("a Cicada row survives Locust's dict and comes back exactly (HDR histogram included)", () => {
  const entry = new StatsEntry("GET", "/a", T0);
  const times = [0.31, 1.5, 2.25, 44.5, 145, 999.7, 12_345.6];
  for (const [i, ms] of times.entries()) entry.log(ms, 100, T0 + i * 400);
  entry.logFailure(T0 + 10);
  const dict = toLocustEntry(entry, new Map([[1, 7]]));
  assert.equal(dict.min_response_time, 0.31);
  assert.equal(dict.start_time, T0 / 1000);
  assert.deepEqual(
    [...dict.num_reqs_per_sec],
    [
      [T0 / 1000, 3],
      [T0 / 1000 + 1, 2],
      [T0 / 1000 + 2, 2],
    ],
  );
  // Through the wire and back.
  const decoded = decodeWorkerMessage(
    encodeMessage("stats", { stats: [dict], stats_total: dict, errors: {}, user_count: 0 }, "vm_1"),
  );
  assert.ok(decoded.ok && decoded.message.type === "stats");
  const back = fromLocustEntry(decoded.message.data.stats[0]!);
  assert.equal(back.numRequests, entry.numRequests);
  assert.equal(back.numFailures, 1);
  assert.equal(back.totalResponseTimeMs, entry.totalResponseTimeMs);
  assert.equal(back.minResponseTimeMs, entry.minResponseTimeMs);
  assert.equal(back.maxResponseTimeMs, entry.maxResponseTimeMs);
  assert.deepEqual(back.percentiles([0.5, 0.9, 0.99, 1]), entry.percentiles([0.5, 0.9, 0.99, 1]));
  assert.equal(back.lastRequestTimeMs, entry.lastRequestTimeMs);
});

test("an empty row sends nil for min and last request (never 0)", () => {
  const dict = toLocustEntry(new StatsEntry("", "Aggregated", T0), new Map());
  assert.equal(dict.min_response_time, null);
  assert.equal(dict.last_request_timestamp, null);
  assert.equal(dict.max_response_time, 0);
});

test("a Python worker's row (Locust buckets only) merges with exact counts, min and max", () => {
  const back = fromLocustEntry({
    name: "/py",
    method: "GET",
    last_request_timestamp: T0 / 1000 + 2.5,
    start_time: T0 / 1000,
    num_requests: 6,
    num_none_requests: 0,
    num_failures: 2,
    total_response_time: 460.5,
    max_response_time: 152.4,
    min_response_time: 3.2,
    total_content_length: 60,
    response_times: new Map([
      [3, 1],
      [50, 3],
      [150, 2],
    ]),
    num_reqs_per_sec: new Map([[T0 / 1000, 6]]),
    num_fail_per_sec: new Map([[T0 / 1000, 2]]),
  });
  assert.equal(back.numRequests, 6);
  assert.equal(back.numFailures, 2);
  assert.equal(back.minResponseTimeMs, 3.2);
  assert.equal(back.maxResponseTimeMs, 152.4);
  assert.equal(back.percentile(1), 152.4);
  const median = back.percentile(0.5)!;
  assert.ok(Math.abs(median - 50) < 0.1, `median ${median}`);
  const stats = new RequestStats({ nowMs: T0 });
  stats.mergeEntry(back, T0 + 3000);
  assert.equal(stats.total.numRequests, 6);
});

test("error rows get Locust's keys and come back as Cicada rows", () => {
  const rows = [
    { method: "GET", name: "/a", error: "boom", occurrences: 2, firstSeenMs: T0, lastSeenMs: T0 + 500 },
    { method: "GET", name: "/b", error: "it's bad", occurrences: 1, firstSeenMs: T0, lastSeenMs: T0 },
  ];
  const dict = toLocustErrors(rows);
  assert.deepEqual(
    Object.keys(dict).sort(),
    [locustErrorKey("GET", "/a", "boom"), locustErrorKey("GET", "/b", "it's bad")].sort(),
  );
  assert.deepEqual(fromLocustErrors(dict, 0), rows);
  const withoutTimes = fromLocustErrors({ k: { method: "GET", name: "/c", error: "x", occurrences: 3 } }, 42);
  assert.deepEqual(withoutTimes, [
    { method: "GET", name: "/c", error: "x", occurrences: 3, firstSeenMs: 42, lastSeenMs: 42 },
  ]);
});

test("a worker reports deltas: each report holds only what happened since the previous one", () => {
  let now = T0;
  const env = new Environment({ userClasses: [], now: () => now });
  const reporter = new WorkerStatsReporter(env);
  fire(env, "/a", 145);
  fire(env, "/a", 155);
  fire(env, "/b", 2.5, "boom");
  now += 1000;
  const first = reporter.takeReport({ U: 2 });
  assert.deepEqual(
    first.stats.map((e) => [e.name, e.num_requests, e.num_failures]),
    [
      ["/a", 2, 0],
      ["/b", 1, 1],
    ],
  );
  // Locust's buckets with Python's rounding: 145 → 140, 155 → 160, 2.5 → 2.
  assert.deepEqual([...first.stats[0]!.response_times].sort(), [
    [140, 1],
    [160, 1],
  ]);
  assert.deepEqual(
    [...first.stats_total.response_times].sort((a, b) => a[0] - b[0]),
    [
      [2, 1],
      [140, 1],
      [160, 1],
    ],
  );
  assert.equal(first.stats_total.num_requests, 3);
  assert.deepEqual(Object.values(first.errors), [
    { method: "GET", name: "/b", error: "boom", occurrences: 1, first_seen: T0 / 1000, last_seen: T0 / 1000 },
  ]);
  assert.equal(first.user_count, 2);

  fire(env, "/a", 10);
  now += 1000;
  const second = reporter.takeReport({ U: 2 });
  assert.deepEqual(
    second.stats.map((e) => [e.name, e.num_requests]),
    [["/a", 1]],
  );
  assert.deepEqual([...second.stats[0]!.response_times], [[10, 1]]);
  assert.deepEqual(second.errors, {});
  assert.equal(second.stats_total.start_time, (T0 + 1000) / 1000);

  const third = reporter.takeReport({});
  assert.deepEqual(third.stats, []);
  assert.equal(third.stats_total.num_requests, 0);
  assert.equal(third.stats_total.min_response_time, null);
  assert.deepEqual(reporter.totals, { requests: 4, failures: 1 });
});
