import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { checkPrometheusQueries } from "../../../src/cli/monitor-output.js";
import type { MonitorConfig } from "../../../src/monitor/index.js";
import {
  findSaturation,
  parseEndpoints,
  parseLevels,
  parseMetrics,
  TargetMonitor,
} from "../../../src/monitor/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { waitFor } from "../../helpers/env.js";
import { bareMonitorConfig, modes, nodeText } from "./fixtures.js";
import { closedPortUrl, serve, type TestServer } from "./servers.js";

/**
 * A node_exporter whose counters advance by a fixed amount at every request: 0.5 s busy
 * and 0.5 s idle per CPU, 1000 bytes received. Every third request answers 500 (it still
 * counts), so its series has gaps and the rates after a gap span two intervals.
 */
function flakyNode(n: number): { status: number; body: string } {
  if (n % 3 === 0) return { status: 500, body: "overloaded" };
  const body = nodeText({
    cpu: [modes(0.5 * n, 0, 0.5 * n), modes(0.5 * n, 0, 0.5 * n)],
    memTotal: 1000,
    memAvailable: 250,
    net: { eth0: { rx: 1000 * n, tx: 0 } },
    load: [0.5, 0.4, 0.3],
  });
  return { status: 200, body };
}

/** Each faulty endpoint and the words of its warning. */
const KINDS = [
  ["hung", "answers slower than the monitoring interval"],
  ["garbage", "does not answer in the Prometheus format"],
  ["down", "cannot be reached"],
] as const;

const servers: TestServer[] = [];
let good: TestServer;
let hung: TestServer;
let garbage: TestServer;
let plain: TestServer;
let down: string;

before(async () => {
  good = await serve((_req, res, n) => {
    const { status, body } = flakyNode(n);
    res.writeHead(status, { "content-type": "text/plain" }).end(body);
  });
  hung = await serve(() => {}); // accepts, never answers
  garbage = await serve((_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Node Exporter</body></html>"),
  );
  plain = await serve((_req, res) => res.end("pg_up 1\npg_connections 4\n"));
  down = await closedPortUrl();
  servers.push(good, hung, garbage, plain);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function monitorOf(config: Partial<MonitorConfig>, logs: LogRecord[], clock: () => number) {
  return new TargetMonitor({
    config: bareMonitorConfig({ intervalMs: 100, ...config }),
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    now: clock,
    generator: () => ({ cpuPercent: 12, lagMs: 3 }),
  });
}

describe("TargetMonitor against real HTTP endpoints", () => {
  it("derives rates per interval, leaves a gap for a failed scrape, and computes the next rate across it", async () => {
    const logs: LogRecord[] = [];
    let t = 1_000_000;
    // The runner's clock: one second per interval, so the expected rates are exact.
    const monitor = monitorOf(
      { endpoints: parseEndpoints([`web=${good.url}`]), intervalMs: 200 },
      logs,
      () => (t += 1000),
    );
    const start = good.requests;
    monitor.beginTest(t);
    await waitFor(() => good.requests - start >= 7, 5000);
    monitor.endTest(t);
    const host = monitor.data().hosts.find((h) => h.host === "web")!;
    const cpu = host.values.cpu!;
    const gaps = cpu.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
    assert.ok(gaps.length >= 2, `gaps at ${gaps}`);
    // The first scrape has no rate; every other value is exactly 50 % busy and 1000 B/s, gaps or not.
    for (let i = 1; i < cpu.length; i++) {
      if (cpu[i] === null) continue;
      assert.equal(cpu[i], 50, `cpu at ${i}: ${cpu}`);
      assert.equal(host.values.netRx![i], 1000, `netRx at ${i}`);
      assert.equal(host.values.memory![i], 75);
    }
    // Every third answer is a 500 (on a busy machine a scrape may also be cut off as slow:
    // the server counted it, so the rates stay exact).
    const health = monitor.data().endpoints[0]!;
    assert.ok(health.byKind.http >= 2, JSON.stringify(health));
    assert.equal(
      logs.filter((l) => l.level === "WARNING" && l.message.includes("answers with an error status")).length,
      1,
      "one warning for the endpoint's kind of failure, not one per failure",
    );
    assert.equal(
      monitor.data().generator.cpuPercent[0],
      12,
      "the generator's CPU is sampled with the target",
    );
    // What a capacity search asks about a window: the monitor's data as it is, with the load.
    const load = { timeMs: [t], userCount: [10], rps: [100], p95: [5] };
    const finding = findSaturation({ ...monitor.data(), load, levels: [{ series: "cpu", level: 50 }] });
    assert.equal(finding.kind === "saturated" && finding.series, "cpu");
  });

  it("an unreachable, hung or garbage endpoint: one warning each, its failures counted by kind, the others unaffected", async () => {
    const logs: LogRecord[] = [];
    const monitor = monitorOf(
      {
        endpoints: parseEndpoints([
          `web=${good.url}`,
          `hung=${hung.url}`,
          `garbage=${garbage.url}`,
          `down=${down}`,
        ]),
      },
      logs,
      Date.now,
    );
    monitor.beginTest(Date.now());
    const startedAt = performance.now();
    await waitFor(() => monitor.data().endpoints.every((e) => e.failures >= 3), 5000);
    monitor.endTest(Date.now());
    const byLabel = new Map(monitor.data().endpoints.map((e) => [e.label, e]));
    assert.ok(byLabel.get("hung")!.byKind.slow >= 3, JSON.stringify(byLabel.get("hung")));
    assert.ok(byLabel.get("garbage")!.byKind.garbage >= 3);
    assert.ok(byLabel.get("down")!.byKind.unreachable >= 3);
    assert.match(byLabel.get("hung")!.lastError!, /no answer within the 100 ms interval/);
    // A scrape cut short by the end of the test (the hung one always is) is not counted:
    // an endpoint that never gave a value reads as all failed.
    for (const label of ["hung", "garbage", "down"]) {
      const endpoint = byLabel.get(label)!;
      assert.equal(endpoint.failures, endpoint.scrapes, `${label}: ${JSON.stringify(endpoint)}`);
    }
    const warnings = logs.filter((l) => l.level === "WARNING").map((l) => l.message);
    assert.ok(
      warnings.some((w) =>
        w.includes("(garbage) does not answer in the Prometheus format: not the Prometheus text format"),
      ),
    );
    // One warning per endpoint and kind of failure (a busy machine may add a "slow" one to any).
    for (const [label, kind] of KINDS) {
      assert.equal(
        warnings.filter((w) => w.includes(`(${label}) ${kind}`)).length,
        1,
        `${label}: ${warnings.join("\n")}`,
      );
    }
    // A hung exporter holds nothing up: scrapes of the others went on at the same pace.
    const elapsedTicks = (performance.now() - startedAt) / 100;
    const hungHost = monitor.data().hosts.find((h) => h.host === "hung")!;
    assert.ok(
      hungHost.timeMs.length >= 3 && Object.keys(hungHost.values).length === 0,
      "a hung host is all gaps",
    );
    assert.ok(monitor.data().endpoints[0]!.scrapes >= Math.min(3, elapsedTicks - 2));
  });

  it("warns once about a --monitor-metric name no endpoint has, naming the closest ones", async () => {
    const logs: LogRecord[] = [];
    const monitor = monitorOf(
      {
        endpoints: parseEndpoints([`web=${good.url}`, `db=${plain.url}`]),
        metrics: parseMetrics(["conns=pg_connections", "typo=node_load_1", "tps=rate(pg_xact_total)"]),
      },
      logs,
      Date.now,
    );
    monitor.beginTest(Date.now());
    await waitFor(() => monitor.data().hosts.find((h) => h.host === "db")?.timeMs.length === 3, 5000);
    monitor.endTest(Date.now());
    const warnings = logs.filter((l) => l.level === "WARNING").map((l) => l.message);
    assert.equal(warnings.filter((w) => w.includes("'typo'")).length, 1, warnings.join("\n"));
    assert.match(
      warnings.find((w) => w.includes("'typo'"))!,
      /no monitored endpoint has a metric named 'node_load_1' \(closest: node_load1, node_load15, node_load5\)/,
    );
    assert.match(warnings.find((w) => w.includes("'tps'"))!, /'pg_xact_total'/);
    assert.deepEqual(monitor.data().hosts.find((h) => h.host === "db")!.values.conns, [4, 4, 4]);
  });

  it("an exporter that is neither node_exporter nor matched by a metric: one warning saying so", async () => {
    const logs: LogRecord[] = [];
    const monitor = monitorOf({ endpoints: parseEndpoints([`db=${plain.url}`]) }, logs, Date.now);
    monitor.beginTest(Date.now());
    await waitFor(() => (monitor.data().endpoints[0]?.scrapes ?? 0) >= 3, 5000);
    monitor.endTest(Date.now());
    const warnings = logs.filter((l) => l.level === "WARNING").map((l) => l.message);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /is not node_exporter and no --monitor-metric names one of its 2 metrics/);
  });

  it("a new test starts afresh; after endTest nothing more is recorded", async () => {
    const logs: LogRecord[] = [];
    const monitor = monitorOf({ endpoints: parseEndpoints([`web=${good.url}`]) }, logs, Date.now);
    monitor.markLoadChange(1);
    monitor.beginTest(Date.now());
    monitor.markLoadChange(2);
    await waitFor(() => (monitor.data().hosts[0]?.timeMs.length ?? 0) >= 2, 5000);
    monitor.endTest(Date.now());
    monitor.markLoadChange(3);
    // The load changes (a capacity search's steps) are the test's: none before it, none after.
    assert.deepEqual(monitor.data().loadChangesMs, [2]);
    const points = monitor.data().hosts[0]!.timeMs.length;
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(monitor.data().hosts[0]!.timeMs.length, points);
    assert.equal(monitor.running, false);
    monitor.beginTest(Date.now());
    assert.ok((monitor.data().hosts[0]?.timeMs.length ?? 0) <= 1);
    assert.deepEqual(monitor.data().loadChangesMs, []);
    monitor.endTest(Date.now());
  });
});

describe("an unreachable Prometheus server", () => {
  it("is said once: not before the test, not again when the range query at the end fails the same way", async () => {
    const logs: LogRecord[] = [];
    const logger = new Logger((r) => logs.push(r), "DEBUG");
    const config: MonitorConfig = {
      endpoints: [],
      metrics: [],
      prometheus: down,
      queries: [{ name: "up_count", query: "count(up)" }],
      levels: parseLevels([]),
      intervalMs: 100,
    };
    await checkPrometheusQueries(config, Date.now());
    const monitor = new TargetMonitor({ config, logger, now: Date.now });
    monitor.beginTest(Date.now());
    await waitFor(() => (monitor.data().endpoints[0]?.failures ?? 0) >= 3, 5000);
    monitor.endTest(Date.now());
    await monitor.settled();
    const warnings = logs.filter((l) => l.level === "WARNING").map((l) => l.message);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /\(prometheus\) cannot be reached: connection refused\. The test goes on/);
  });
});
