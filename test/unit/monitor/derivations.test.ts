import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  counterIncrease,
  counterRate,
  deriveNodeResources,
  type Exposition,
  ExpositionError,
  isNodeExporter,
  nodeInfo,
  parseExposition,
} from "../../../src/monitor/index.js";
import { modes, type NodeState, nodeText } from "./fixtures.js";

const at = (timeMs: number, state: NodeState) => ({ timeMs, exposition: parseExposition(nodeText(state)) });

describe("counter rates", () => {
  it("a counter's increase over an interval, per second", () => {
    assert.equal(counterIncrease(100, 150), 50);
    assert.equal(counterRate(100, 150, 2), 25);
  });

  it("a counter that went down was reset: it restarted from zero, so its increase is its new value", () => {
    assert.equal(counterIncrease(1000, 30), 30);
    assert.equal(counterRate(1000, 30, 1), 30);
  });

  it("no rate without an interval or with a value that is not finite", () => {
    assert.equal(counterRate(1, 2, 0), null);
    assert.equal(counterRate(Number.NaN, 2, 1), null);
  });
});

describe("parseExposition (the library, with its quirks worked around)", () => {
  it("keeps the last sample when the text does not end with a newline", () => {
    const e = parseExposition("a 1\nb 2");
    assert.equal(e.get("b")?.[0]?.value, 2);
  });

  it("reads +Inf, -Inf and NaN, escaped label values and timestamps", () => {
    const e = parseExposition('x{a="q\\"uote",b="back\\\\slash"} +Inf 1700000000000\ny -Inf\nz NaN\n');
    assert.equal(e.get("x")?.[0]?.value, Number.POSITIVE_INFINITY);
    assert.deepEqual(e.get("x")?.[0]?.labels, { a: 'q"uote', b: "back\\slash" });
    assert.equal(e.get("y")?.[0]?.value, Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(e.get("z")?.[0]?.value));
  });

  it("keeps every labelled histogram series with its labels, as PromQL sees them (_bucket, _count, _sum)", () => {
    const text = [
      "# TYPE http_seconds histogram",
      'http_seconds_bucket{handler="/a",le="0.1"} 3',
      'http_seconds_bucket{handler="/a",le="+Inf"} 4',
      'http_seconds_sum{handler="/a"} 1.5',
      'http_seconds_count{handler="/a"} 4',
      'http_seconds_bucket{handler="/b",le="0.1"} 7',
      'http_seconds_bucket{handler="/b",le="+Inf"} 9',
      'http_seconds_sum{handler="/b"} 2',
      'http_seconds_count{handler="/b"} 9',
      "",
    ].join("\n");
    const e = parseExposition(text);
    assert.deepEqual(
      e.get("http_seconds_count")?.map((s) => [s.labels.handler, s.value]),
      [
        ["/a", 4],
        ["/b", 9],
      ],
    );
    assert.equal(e.get("http_seconds_bucket")?.length, 4);
  });

  it("an HTML page, JSON or an empty answer is not the text format", () => {
    assert.throws(() => parseExposition("<html>\n<body>Node Exporter</body>\n</html>\n"), ExpositionError);
    assert.throws(() => parseExposition('{"status":"ok"}'), ExpositionError);
    assert.throws(() => parseExposition(""), ExpositionError);
    assert.throws(() => parseExposition("metric_one twelve\n"), ExpositionError);
  });
});

describe("node_exporter's figures from two scrapes", () => {
  const before: NodeState = {
    cpu: [modes(100, 50, 800, 10), modes(200, 20, 700)],
    memTotal: 16e9,
    memAvailable: 4e9,
    swapTotal: 2e9,
    swapFree: 1.5e9,
    disks: { sda: { read: 1e6, written: 2e6, ioTime: 10 }, "dm-0": { read: 1e6, written: 2e6, ioTime: 10 } },
    net: { eth0: { rx: 5e6, tx: 1e6 }, lo: { rx: 9e9, tx: 9e9 }, veth1a2b: { rx: 1e6, tx: 1e6 } },
    load: [1.5, 1.2, 0.9],
    tcp: 120,
    pswp: [10, 20],
  };
  // Two seconds later: cpu0 did 1.0 s user + 0.2 s system, 0.6 s idle, 0.2 s iowait (60 % busy);
  // cpu1 1.9 s user, 0.1 s idle (95 % busy); sda read 4 MB and wrote 1 MB and was busy 1.5 s;
  // eth0 received 2 MB and sent 0.5 MB (lo and veth do not count).
  const after: NodeState = {
    cpu: [modes(101, 50.2, 800.6, 10.2), modes(201.9, 20, 700.1)],
    memTotal: 16e9,
    memAvailable: 2e9,
    swapTotal: 2e9,
    swapFree: 1e9,
    disks: {
      sda: { read: 5e6, written: 3e6, ioTime: 11.5 },
      "dm-0": { read: 5e6, written: 3e6, ioTime: 11 },
    },
    net: { eth0: { rx: 7e6, tx: 1.5e6 }, lo: { rx: 9.5e9, tx: 9.5e9 }, veth1a2b: { rx: 3e6, tx: 3e6 } },
    load: [2.5, 1.4, 1.0],
    tcp: 340,
    pswp: [14, 30],
  };

  it("derives every figure exactly", () => {
    const v = deriveNodeResources(at(1000, before), at(3000, after));
    const close = (actual: number | null | undefined, expected: number) =>
      assert.ok(actual != null && Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
    close(v.cpu, (100 * (1.2 + 1.9)) / 4); // busy seconds over all CPU seconds
    close(v.cpuMax, 95);
    close(v.memory, 87.5);
    close(v.swap, 50);
    close(v.swapIo, 7); // (4 + 10) pages in 2 s
    close(v.diskRead, 2e6); // sda only: dm-0 sits on top of it
    close(v.diskWrite, 0.5e6);
    close(v.diskBusy, 75);
    close(v.netRx, 1e6);
    close(v.netTx, 0.25e6);
    assert.deepEqual([v.load1, v.load5, v.load15, v.tcp], [2.5, 1.4, 1.0, 340]);
  });

  it("the first scrape has the gauges but no rate yet", () => {
    const v = deriveNodeResources(undefined, at(1000, before));
    assert.equal(v.memory, 75);
    assert.equal(v.load1, 1.5);
    for (const rate of ["cpu", "cpuMax", "diskRead", "diskBusy", "netRx", "netTx", "swapIo"])
      assert.equal(v[rate], null, rate);
  });

  it("a host that rebooted (counters back near zero) gives the increase since the reset, not a negative rate", () => {
    const rebooted: NodeState = {
      ...after,
      cpu: [modes(0.5, 0.1, 1.2, 0.2), modes(1.0, 0.2, 0.8)],
      disks: { sda: { read: 2e6, written: 0, ioTime: 0.5 } },
      net: { eth0: { rx: 1e6, tx: 0 } },
    };
    const v = deriveNodeResources(at(1000, after), at(3000, rebooted));
    assert.ok(Math.abs(v.cpu! - (100 * (0.6 + 1.2)) / 4) < 1e-9, String(v.cpu));
    assert.equal(v.diskRead, 1e6);
    assert.equal(v.diskBusy, 25);
    assert.equal(v.netRx, 0.5e6);
  });

  it("no swap configured gives no swap figure (not a misleading 0 %)", () => {
    const v = deriveNodeResources(undefined, at(0, { ...before, swapTotal: 0, swapFree: 0 }));
    assert.equal(v.swap, null);
  });

  it("recognises node_exporter and reads its CPUs and memory", () => {
    const e: Exposition = parseExposition(nodeText(before));
    assert.equal(isNodeExporter(e), true);
    assert.deepEqual(nodeInfo(e), { cpus: 2, memoryBytes: 16e9 });
    assert.equal(isNodeExporter(parseExposition("pg_up 1\n")), false);
  });
});
