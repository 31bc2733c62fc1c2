import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { Packr } from "msgpackr";
import {
  decodeMasterMessage,
  decodeWorkerMessage,
  encodeMessage,
  type LocustStatsEntry,
  type StatsReport,
} from "../../../src/distributed/index.js";
import { PYTHON } from "../../helpers/locust.js";

function entry(name: string): LocustStatsEntry {
  return {
    name,
    method: "GET",
    last_request_timestamp: 1_800_000_000.25,
    start_time: 1_800_000_000,
    num_requests: 3,
    num_none_requests: 0,
    num_failures: 1,
    total_response_time: 12.5,
    max_response_time: 7.25,
    min_response_time: null,
    total_content_length: 30,
    response_times: new Map([
      [2, 1],
      [150, 2],
    ]),
    num_reqs_per_sec: new Map([[1_800_000_000, 3]]),
    num_fail_per_sec: new Map([[1_800_000_000, 1]]),
    cicada_hdr: { histogram: new Uint8Array([1, 2, 3]), min_us: 1500, max_us: 7250 },
  };
}

const report: StatsReport = {
  stats: [entry("/a")],
  stats_total: entry("Aggregated"),
  errors: { abc: { method: "GET", name: "/a", error: "boom", occurrences: 1 } },
  user_count: 2,
  user_classes_count: { Alpha: 2 },
};

/** A row as a Python worker sends it: Locust's buckets, no HDR histogram. */
function pythonEntry(name: string): LocustStatsEntry {
  const { cicada_hdr: _, ...row } = entry(name);
  return row;
}

test("a stats message round-trips with integer histogram keys and nil kept as null", () => {
  const python = { ...report, stats: [pythonEntry("/a"), entry("/b")] };
  const decoded = decodeWorkerMessage(encodeMessage("stats", python, "vm_1"));
  assert.ok(decoded.ok);
  assert.equal(decoded.message.type, "stats");
  if (decoded.message.type !== "stats") return;
  const [got, cicada] = decoded.message.data.stats;
  assert.deepEqual(
    [...got!.response_times],
    [
      [2, 1],
      [150, 2],
    ],
  );
  assert.equal(got!.min_response_time, null);
  assert.equal(got!.cicada_hdr, undefined);
  assert.deepEqual([...got!.num_reqs_per_sec], [[1_800_000_000, 3]]);
  // A row with Cicada's histogram: the buckets are skipped (the exact histogram replaces them).
  assert.deepEqual([...cicada!.cicada_hdr!.histogram], [1, 2, 3]);
  assert.equal(cicada!.cicada_hdr!.min_us, 1500);
  assert.equal(cicada!.response_times.size, 0);
  assert.deepEqual([...cicada!.num_fail_per_sec], [[1_800_000_000, 1]]);
  assert.equal(decoded.message.data.user_classes_count.Alpha, 2);
  assert.equal(decoded.message.nodeId, "vm_1");
});

test("stats rows are read from the decoded maps: numeric-string keys become numbers, __proto__ stays data", () => {
  const packr = new Packr({ useRecords: false });
  const row = {
    ...pythonEntry("/a"),
    response_times: { "2": 1, "150": 2 },
    num_reqs_per_sec: new Map([[1_800_000_000, 3]]),
  };
  const errors = JSON.parse('{"__proto__": {"method": "GET", "name": "/a", "error": "x", "occurrences": 2}}');
  const decoded = decodeWorkerMessage(
    packr.pack(["stats", { ...report, stats: [row], errors, user_classes_count: undefined }, "vm_1"]),
  );
  assert.ok(decoded.ok && decoded.message.type === "stats");
  const got = decoded.message.data;
  assert.deepEqual(
    [...got.stats[0]!.response_times],
    [
      [2, 1],
      [150, 2],
    ],
  );
  assert.deepEqual([...got.stats[0]!.num_reqs_per_sec], [[1_800_000_000, 3]]);
  assert.deepEqual(Object.values(got.errors), [{ method: "GET", name: "/a", error: "x", occurrences: 2 }]);
  assert.equal(({} as Record<string, unknown>).occurrences, undefined);
  assert.equal(got.user_count, 2, "user_count as sent");
  assert.deepEqual({ ...got.user_classes_count }, {});
});

test("Python's msgpack (as Locust decodes) sees int histogram keys, None, and a 3-tuple", (t) => {
  const payload = encodeMessage("stats", report, "vm_1");
  const code = [
    "import sys, msgpack",
    "t, d, n = msgpack.loads(sys.stdin.buffer.read(), raw=False, strict_map_key=False)",
    "e = d['stats'][0]",
    "assert t == 'stats' and n == 'vm_1', (t, n)",
    "assert all(isinstance(k, int) for k in e['response_times']), e['response_times']",
    "assert all(isinstance(k, int) for k in e['num_reqs_per_sec'])",
    "assert e['min_response_time'] is None",
    "assert isinstance(e['cicada_hdr']['histogram'], bytes)",
    "assert d['user_classes_count'] == {'Alpha': 2}",
    "print('ok')",
  ].join("\n");
  const result = spawnSync(PYTHON, ["-c", code], { input: payload, encoding: "utf8" });
  if (result.error || /No module named 'msgpack'/.test(result.stderr))
    return t.skip("Python msgpack is not installed");
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), "ok");
});

test("a spawn message from a Python master (floats, nil host, options) decodes", () => {
  const packr = new Packr({ useRecords: false });
  const bytes = packr.pack([
    "spawn",
    {
      timestamp: 1_800_000_000.123,
      user_classes_count: { Alpha: 3, Beta: 0 },
      host: null,
      stop_timeout: null,
      parsed_options: { tags: null, custom: "x" },
    },
    "vm_1",
  ]);
  const decoded = decodeMasterMessage(bytes);
  assert.ok(decoded.ok);
  // Decoded maps have no prototype (a "__proto__" key stays a plain key); compare as JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(decoded.message)), {
    type: "spawn",
    data: {
      timestamp: 1_800_000_000.123,
      user_classes_count: { Alpha: 3, Beta: 0 },
      host: null,
      stop_timeout: null,
      parsed_options: { tags: null, custom: "x" },
    },
    nodeId: "vm_1",
  });
});

test("a Cicada master's spawn carries the hosts the web form set per user class", () => {
  const bytes = encodeMessage(
    "spawn",
    {
      timestamp: 1,
      user_classes_count: { Alpha: 1 },
      host: null,
      stop_timeout: null,
      parsed_options: {},
      cicada_user_class_hosts: { Alpha: "http://127.0.0.1:9", Beta: null, Gamma: 5 },
    },
    "vm_1",
  );
  const decoded = decodeMasterMessage(bytes);
  assert.ok(decoded.ok && decoded.message.type === "spawn");
  // A value that is neither a URL string nor null is dropped, not applied.
  assert.deepEqual(
    { ...decoded.message.data.cicada_user_class_hosts },
    { Alpha: "http://127.0.0.1:9", Beta: null },
  );
});

test("client_ready carries a string, -1 or Debian's empty string", () => {
  for (const version of ["cicada-0.1.0", -1, ""]) {
    const decoded = decodeWorkerMessage(encodeMessage("client_ready", version, "vm_1"));
    assert.ok(decoded.ok);
    assert.equal(decoded.message.data, version);
  }
});

test("unknown types are reported as unknown, malformed frames as malformed, never thrown", () => {
  const packr = new Packr({ useRecords: false });
  const unknown = decodeWorkerMessage(encodeMessage("custom_thing", { a: 1 }, "vm_1"));
  assert.ok(!unknown.ok && unknown.kind === "unknown");
  assert.deepEqual([unknown.type, unknown.nodeId], ["custom_thing", "vm_1"]);
  // A custom message's data, for its registerMessage listener.
  assert.deepEqual({ ...(unknown.data as object) }, { a: 1 });
  const cases: Array<[string, Uint8Array]> = [
    ["random bytes", new Uint8Array([0xc1, 0xff, 0x00])],
    ["a bare string", packr.pack("hello")],
    ["a 2-array", packr.pack(["stats", {}])],
    ["a non-string type", packr.pack([1, null, "vm"])],
    ["stats without entries", encodeMessage("stats", { stats_total: {} }, "vm")],
    [
      "stats with a string count",
      encodeMessage("stats", { ...report, stats: [{ ...entry("/a"), num_requests: "3" }] }, "vm"),
    ],
    [
      "stats with a non-numeric bucket",
      encodeMessage(
        "stats",
        { ...report, stats: [{ ...pythonEntry("/a"), response_times: { x: 1 } }] },
        "vm",
      ),
    ],
    ["heartbeat without a state", encodeMessage("heartbeat", {}, "vm")],
  ];
  for (const [what, bytes] of cases) {
    const decoded = decodeWorkerMessage(bytes);
    assert.equal(decoded.ok, false, what);
    if (!decoded.ok) assert.equal(decoded.kind, "malformed", what);
  }
});

test("a __proto__ key is data, not a prototype", () => {
  const packr = new Packr({ useRecords: false });
  const bad = packr.pack(["spawn", JSON.parse('{"__proto__": {"polluted": 1}, "timestamp": "x"}'), "vm"]);
  const decoded = decodeMasterMessage(bad);
  assert.equal(decoded.ok, false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const good = packr.pack(["spawn", JSON.parse('{"__proto__": {"polluted": 1}, "timestamp": 5}'), "vm"]);
  const ok = decodeMasterMessage(good);
  assert.ok(ok.ok);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("random frames never throw from either decoder", () => {
  for (let i = 0; i < 3000; i++) {
    const bytes = randomBytes(1 + (i % 64));
    assert.doesNotThrow(() => decodeWorkerMessage(bytes));
    assert.doesNotThrow(() => decodeMasterMessage(bytes));
  }
});
