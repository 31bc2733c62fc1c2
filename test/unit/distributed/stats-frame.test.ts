/**
 * The direct stats reader (stats-frame.ts) against the general decoder (msgpackr and
 * protocol-fields.ts): for every frame it reads, it must give exactly what the general
 * decoder gives, and it must never take a frame the general decoder rejects.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { Packr } from "msgpackr";
import {
  decodeWorkerMessage,
  decodeWorkerMessageGenerally,
  encodeMessage,
  type LocustStatsEntry,
  type StatsReport,
  WorkerStatsReporter,
} from "../../../src/distributed/index.js";
import { readStatsFrame } from "../../../src/distributed/stats-frame.js";
import { Environment } from "../../../src/runner/index.js";
import { PYTHON } from "../../helpers/locust.js";
import { seededRandom } from "../stats/samples.js";

/** Plain, comparable data: bytes as arrays, Maps as entry lists, null-prototype objects as plain ones. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The direct reader's result must be the general decoder's, or it must leave the frame to it. */
function assertAgrees(bytes: Uint8Array, what: string): "direct" | "general" {
  const direct = readStatsFrame(bytes);
  const general = decodeWorkerMessageGenerally(bytes);
  if (direct === undefined) return "general";
  assert.ok(general.ok, `${what}: the direct reader took a frame the general decoder rejects`);
  assert.equal(general.message.type, "stats", what);
  assert.deepEqual(plain(direct.data), plain(general.message.data), what);
  assert.equal(direct.nodeId, general.message.nodeId, what);
  return "direct";
}

function workerFrames(count: number): Buffer[] {
  const environment = new Environment({ userClasses: [] });
  const reporter = new WorkerStatsReporter(environment);
  const random = seededRandom(11);
  const frames: Buffer[] = [];
  for (let f = 0; f < count; f++) {
    for (let i = 0; i < 300; i++) {
      environment.events.request.fire({
        requestType: i % 5 === 0 ? "POST" : "GET",
        name: `/api/ítem/${i % 17}`,
        responseTimeMs: 0.2 + random() * 3000,
        responseLength: Math.floor(random() * 5000),
        exception: i % 13 === 0 ? new Error(`boom ${i % 3}`) : null,
      });
    }
    frames.push(encodeMessage("stats", reporter.takeReport({ Alpha: 3, Beta: 1 }), `host_${f}`));
  }
  return frames;
}

test("a Cicada worker's reports are read directly, exactly as the general decoder reads them", () => {
  for (const [i, frame] of workerFrames(4).entries()) {
    assert.equal(assertAgrees(frame, `report ${i}`), "direct");
    const decoded = decodeWorkerMessage(frame);
    assert.ok(decoded.ok && decoded.message.type === "stats");
    const row = decoded.message.data.stats[0]!;
    assert.ok(row.cicada_hdr, "the HDR histogram is there");
    assert.equal(row.response_times.size, 0, "the buckets are skipped");
    assert.ok(Object.keys(decoded.message.data.errors).length > 0);
  }
});

test("a report built by Locust's own stats code (a Python worker) is read directly", (t) => {
  // What Locust's WorkerRunner sends: serialize_stats, the stripped total, serialize_errors.
  const code = [
    "import sys, msgpack",
    "from locust.stats import RequestStats",
    "s = RequestStats()",
    "for i in range(300):",
    "    s.log_request('GET' if i % 4 else None, '/py/%d' % (i % 7), 5 + (i * 37) % 900, 123)",
    "    if i % 9 == 0: s.log_error('GET', '/py/%d' % (i % 7), RuntimeError('boom %d' % (i % 2)))",
    "data = {'stats': s.serialize_stats(), 'stats_total': s.total.get_stripped_report(),",
    "        'errors': s.serialize_errors(), 'user_count': 3, 'user_classes_count': {'PyUser': 3}}",
    "sys.stdout.buffer.write(msgpack.packb(['stats', data, 'pyhost_0123'], use_bin_type=True))",
  ].join("\n");
  const result = spawnSync(PYTHON, ["-c", code]);
  if (result.error || /No module named/.test(result.stderr.toString())) {
    return t.skip("Locust (python3-locust) is not installed");
  }
  assert.equal(result.status, 0, result.stderr.toString());
  const frame = result.stdout;
  assert.equal(assertAgrees(frame, "Locust's report"), "direct");
  const decoded = decodeWorkerMessage(frame);
  assert.ok(decoded.ok && decoded.message.type === "stats");
  assert.equal(decoded.message.data.stats_total.num_requests, 300);
  assert.ok(decoded.message.data.stats.every((row) => row.response_times.size > 0 && !row.cicada_hdr));
});

/** A Python worker's row: Locust's fields only, with Python's nils. */
function pythonRow(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    method: null,
    last_request_timestamp: 1_800_000_000.5,
    start_time: 1_800_000_000,
    num_requests: 4,
    num_none_requests: 0,
    num_failures: 1,
    total_response_time: 12.75,
    max_response_time: 9,
    min_response_time: null,
    total_content_length: 5_000_000_000, // uint64 on the wire
    response_times: new Map([
      [1, 2],
      [9, 2],
    ]),
    num_reqs_per_sec: new Map([[1_800_000_000, 4]]),
    num_fail_per_sec: new Map(),
    ...extra,
  };
}

function statsFrame(data: Record<string, unknown>, packr = new Packr({ useRecords: false })): Buffer {
  return packr.pack(["stats", data, "py_worker"]);
}

const base = {
  stats: [pythonRow("/a")],
  stats_total: pythonRow("Aggregated"),
  errors: {},
  user_count: 4,
  user_classes_count: { PyUser: 4 },
};

test("Python-shaped and unusual frames: the same result, or left to the general decoder", () => {
  const long = "x".repeat(300);
  const frames: Array<[string, Buffer, "direct" | "general" | "either"]> = [
    ["a Python worker's report", pythonFrame(), "direct"],
    ["float32 numbers", statsFrame(base, new Packr({ useRecords: false, useFloat32: 1 })), "direct"],
    [
      // Keys of reportToMaster listeners: the general decoder keeps them for workerReport.
      "unknown keys with nested values",
      statsFrame({ ...base, extra: { a: [1, { b: null }], c: "x" } }),
      "general",
    ],
    [
      "a row with more than 15 keys (map16)",
      statsFrame({ ...base, stats: [pythonRow("/a", { x: 1, y: 2 })] }),
      "direct",
    ],
    [
      "long and non-ASCII names",
      statsFrame({ ...base, stats: [pythonRow(long), pythonRow("/é/日本")] }),
      "direct",
    ],
    [
      "nil errors and user classes",
      statsFrame({ ...base, errors: null, user_classes_count: null }),
      "direct",
    ],
    [
      "error rows with and without times",
      statsFrame({
        ...base,
        errors: {
          k1: { method: "GET", name: "/a", error: "boom", occurrences: 2 },
          k2: { method: null, name: "/b", error: "x", occurrences: 1, first_seen: 1.5, last_seen: 2.5 },
        },
      }),
      "direct",
    ],
    [
      "numeric-string bucket keys",
      statsFrame({ ...base, stats: [pythonRow("/a", { response_times: { "3": 1 } })] }),
      "general",
    ],
    [
      "a non-string error",
      statsFrame({ ...base, errors: { k: { name: "/a", error: 5, occurrences: 1 } } }),
      "general",
    ],
    [
      "a missing start_time",
      statsFrame({ ...base, stats: [pythonRow("/a", { start_time: undefined })] }),
      "general",
    ],
    ["a string count", statsFrame({ ...base, stats: [pythonRow("/a", { num_requests: "4" })] }), "general"],
    ["stats not an array", statsFrame({ ...base, stats: {} }), "general"],
    [
      "a NaN",
      statsFrame({ ...base, stats: [pythonRow("/a", { total_response_time: Number.NaN })] }),
      "general",
    ],
    ["trailing bytes", Buffer.concat([statsFrame(base), Buffer.from([0xc0])]), "general"],
    ["another message type", encodeMessage("heartbeat", { state: "running" }, "w"), "general"],
    [
      "a histogram whose bounds are not numbers",
      statsFrame({
        ...base,
        stats: [pythonRow("/a", { cicada_hdr: { histogram: new Uint8Array(40), min_us: "1", max_us: 2 } })],
      }),
      "general",
    ],
    [
      "cicada_hdr without bytes (ignored: the buckets count)",
      statsFrame({ ...base, stats: [pythonRow("/a", { cicada_hdr: { histogram: "no" } })] }),
      "direct",
    ],
    ["invalid UTF-8 in a name", invalidUtf8Frame(), "general"],
  ];
  for (const [what, frame, expected] of frames) {
    const taken = assertAgrees(frame, what);
    if (expected !== "either") assert.equal(taken, expected, what);
  }
  // The uint64 arrives as a number, from both decoders (as a BigInt it would drop the report).
  assert.ok(decodeWorkerMessageGenerally(pythonFrame()).ok);
  const decoded = decodeWorkerMessage(pythonFrame());
  assert.ok(decoded.ok && decoded.message.type === "stats");
  assert.equal(decoded.message.data.stats[0]!.total_content_length, 5_000_000_000);
  assert.deepEqual(
    [...decoded.message.data.stats[0]!.response_times],
    [
      [1, 2],
      [9, 2],
    ],
  );
});

/**
 * A Python worker's report as Python's msgpack writes it: msgpackr writes 5e9 as a
 * float64, Python as a uint64 (0xcf), so those 9 bytes are swapped in.
 */
function pythonFrame(): Buffer {
  const frame = statsFrame(base);
  const asFloat = Buffer.from("cb41f2a05f20000000", "hex");
  const asUint64 = Buffer.from("cf000000012a05f200", "hex");
  let swapped = 0;
  for (let at = frame.indexOf(asFloat); at >= 0; at = frame.indexOf(asFloat, at + 9)) {
    asUint64.copy(frame, at);
    swapped++;
  }
  assert.equal(swapped, 2, "both rows' total_content_length");
  return frame;
}

function invalidUtf8Frame(): Buffer {
  const frame = statsFrame({ ...base, stats: [pythonRow("/zz")] });
  const at = frame.indexOf(Buffer.from("/zz"));
  frame[at + 1] = 0xff;
  return frame;
}

test("mutated and truncated frames: the direct reader never disagrees with the general decoder", () => {
  const frames = [...workerFrames(2), pythonFrame()];
  const random = seededRandom(5);
  let direct = 0;
  for (let n = 0; n < 2500; n++) {
    const original = frames[n % frames.length]!;
    const frame = Buffer.from(original);
    const flips = 1 + Math.floor(random() * 3);
    for (let k = 0; k < flips; k++) frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256);
    if (assertAgrees(frame, `mutation ${n}`) === "direct") direct++;
    assert.doesNotThrow(() => decodeWorkerMessage(frame));
  }
  assert.ok(direct > 100, `only ${direct} mutated frames were read directly: the test checks little`);
  const frame = frames[2]!;
  for (let length = 0; length < frame.length; length++) {
    assert.equal(readStatsFrame(frame.subarray(0, length)), undefined, `truncated at ${length}`);
  }
});

test("the decoded report keeps the types the master relies on", () => {
  const frame = workerFrames(1)[0]!;
  const decoded = decodeWorkerMessage(frame);
  assert.ok(decoded.ok && decoded.message.type === "stats");
  const report: StatsReport = decoded.message.data;
  const row: LocustStatsEntry = report.stats[0]!;
  assert.equal(typeof row.name, "string");
  assert.ok(row.num_reqs_per_sec instanceof Map);
  assert.ok(row.cicada_hdr!.histogram instanceof Uint8Array);
  assert.equal(report.user_count, 4);
  assert.deepEqual({ ...report.user_classes_count }, { Alpha: 3, Beta: 1 });
});
