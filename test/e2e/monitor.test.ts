/**
 * Target monitoring end to end, with the real components users have: Debian's
 * node_exporter and Prometheus (scraping it), and the real CLI. One node_exporter and one
 * Prometheus serve the whole file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseExposition } from "../../src/monitor/index.js";
import { type JsonReport, validateJsonReport } from "../../src/reports/index.js";
import { closedPort, fixtureDir, runCli, startTarget, type Target } from "../helpers/cli.js";
import {
  eventually,
  PACED_LOCUSTFILE,
  type Program,
  promInstant,
  startNodeExporter,
  startPrometheus,
} from "./monitor-helpers.js";

/** Edge cases of the text format, served next to a real node_exporter scrape for the differential test. */
const EDGE_CASES = `# HELP esc_test Escapes: a backslash \\\\ and a newline \\n in help.
# TYPE esc_test gauge
esc_test{path="C:\\\\DIR\\\\FILE.TXT",msg="say \\"hi\\"\\nbye"} 1.5
# TYPE weird_values gauge
weird_values{kind="inf"} +Inf
weird_values{kind="neginf"} -Inf
weird_values{kind="nan"} NaN
weird_values{kind="exp"} 1.5e-7
weird_values{kind="neg"} -42
colon:metric:name 7
# TYPE req_seconds histogram
req_seconds_bucket{handler="/a",le="0.1"} 3
req_seconds_bucket{handler="/a",le="+Inf"} 4
req_seconds_sum{handler="/a"} 1.25
req_seconds_count{handler="/a"} 4
req_seconds_bucket{handler="/b",le="0.1"} 7
req_seconds_bucket{handler="/b",le="+Inf"} 9
req_seconds_sum{handler="/b"} 2.5
req_seconds_count{handler="/b"} 9
# TYPE rpc_duration summary
rpc_duration{service="x",quantile="0.5"} 0.01
rpc_duration{service="x",quantile="0.99"} 0.2
rpc_duration_sum{service="x"} 17
rpc_duration_count{service="x"} 1000
untyped_thing{a="1"} 3
untyped_thing{a="2",} 4
empty_labels{} 5
`;

let nodeExporter: Program;
let prometheus: Program;
let load: Target;
let staticText = "";
let exporters: Target[] = [];
let hung: Target;
let garbage: Target;
let counting: Target;
/** When the load target answered each request (its own clock, the same as Cicada's here). */
const served: number[] = [];

before(async () => {
  nodeExporter = await startNodeExporter();
  // A real node_exporter scrape, served unchanged (plus the edge cases) by a static endpoint.
  staticText = `${await (await fetch(`${nodeExporter.url}/metrics`)).text()}${EDGE_CASES}`;
  const staticServer = await startTarget((_req, res) =>
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(staticText),
  );
  hung = await startTarget(() => {}); // accepts, never answers
  garbage = await startTarget((_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html" })
      .end("<!DOCTYPE html><html><body>Node Exporter</body></html>"),
  );
  counting = await startTarget((_req, res) => res.end("up_things 1\n"));
  load = await startTarget((_req, res) => res.end("ok", () => served.push(Date.now())));
  exporters = [staticServer, hung, garbage, counting, load];
  // Ready at once, but it scrapes about 5 s later: the tests that do not need its data run first.
  prometheus = await startPrometheus({ node: nodeExporter.url.slice(7), static: staticServer.url.slice(7) });
});

after(async () => {
  await prometheus?.stop();
  await nodeExporter?.stop();
  await Promise.all(exporters.map((t) => t.close()));
});

/**
 * The time-weighted mean of a rate series from its first to its last value: each value
 * covers the interval since the scrape before it (the host's scrapes must all succeed).
 */
function weightedMean(
  timeMs: number[],
  values: Array<number | null>,
): { mean: number; fromMs: number; toMs: number } {
  let sum = 0;
  let weight = 0;
  for (let i = 1; i < timeMs.length; i++) {
    const dt = timeMs[i]! - timeMs[i - 1]!;
    sum += values[i]! * dt;
    weight += dt;
  }
  return { mean: sum / weight, fromMs: timeMs[0]!, toMs: timeMs.at(-1)! };
}

/** The target's own count of the requests it answered in (fromMs, toMs]. */
const servedIn = (fromMs: number, toMs: number) => served.filter((t) => t > fromMs && t <= toMs).length;

/**
 * The load beside the target is what the target served then: a master's whole seconds of
 * the JSON's `monitor.load` against the target's own count in each (a request answered at a
 * second's edge may be logged by its worker in the next: a few on a loaded machine, whose
 * stalls push more over the edge; CI saw 28 against 31), and each CSV row's Requests/s
 * against the target's count in the scrape's interval. A second that lacked a worker's
 * report would read about half.
 */
function assertLoadMatchesTarget(report: JsonReport, csvText: string): void {
  const load = report.monitor!.load!;
  const last = load.timeMs.length - 1;
  assert.equal(load.requests[0], 0);
  assert.equal(load.timeMs[0], report.monitor!.startTimeMs, "counted from the test's start");
  assert.equal(load.requests[last], report.total.numRequests, "the final reports are in the last count");
  assert.ok(last >= 3, `whole seconds on a master: ${load.timeMs.map((t) => t - load.timeMs[0]!)}`);
  // Every interval but the last (requests aborted by the stop are the target's, not the stats').
  for (let i = 1; i < last; i++) {
    const mine = load.requests[i]! - load.requests[i - 1]!;
    const theirs = servedIn(load.timeMs[i - 1]!, load.timeMs[i]!);
    assert.ok(
      Math.abs(mine - theirs) <= Math.max(3, 0.15 * theirs),
      `interval ${i}: ${mine} requests counted, the target served ${theirs}`,
    );
  }
  const [header, ...rows] = csvText
    .trimEnd()
    .split("\r\n")
    .map((line) => line.split(","));
  const time = header!.indexOf("Time");
  const rps = header!.indexOf("Requests/s");
  const intervalMs = report.monitor!.intervalMs;
  for (const row of rows.slice(1, -1)) {
    const t = Date.parse(row[time]!);
    const theirs = servedIn(t - intervalMs, t) / (intervalMs / 1000);
    assert.ok(
      Math.abs(Number(row[rps]) - theirs) <= Math.max(3 / (intervalMs / 1000), 0.15 * theirs),
      `row at ${row[time]}: ${row[rps]} req/s, the target served ${theirs}/s`,
    );
  }
}

describe("target monitoring with the real node_exporter and Prometheus", () => {
  it("a distributed run scrapes each endpoint once per interval from the master, whatever the number of workers", async () => {
    const dir = fixtureDir({ "locustfile.ts": PACED_LOCUSTFILE });
    const before = counting.requests;
    const result = await runCli(
      [
        "-f",
        "locustfile.ts",
        "--headless",
        "-u",
        "4",
        "-r",
        "100",
        "-t",
        "3s",
        "-H",
        load.url,
        "--only-summary",
        "--processes",
        "2",
        "--monitor",
        `exporter=${counting.url}/metrics`,
        "--monitor-metric",
        "things=up_things",
        "--monitor-interval",
        "0.5s",
        "--json-file",
        "out",
        "--csv",
        "out",
      ],
      { cwd: dir, timeoutMs: 40_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as JsonReport;
    assertLoadMatchesTarget(report, readFileSync(join(dir, "out_monitor.csv"), "utf8"));
    const scrapes = counting.requests - before;
    // Every scrape came from the master: the report counts what the endpoint received, less
    // one scrape at most, the one a tick sent just before the test ended (cut short: neither
    // failed nor succeeded, so not counted; the endpoint may have seen it already).
    const counted = report.monitor!.endpoints[0]!.scrapes;
    assert.ok(
      scrapes - counted >= 0 && scrapes - counted <= 1,
      `the report counts ${counted} scrapes, the endpoint received ${scrapes}`,
    );
    assert.ok(scrapes >= 5 && scrapes <= 9, `3 s at 0.5 s: ${scrapes} scrapes, not one per worker`);
    assert.ok(
      report.monitor!.generator.workerCpuPercent?.some((v) => v !== null),
      "the workers' CPU is shown beside the target's",
    );
  });

  it("a query Prometheus refuses stops the run before the test, naming it (exit 2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": PACED_LOCUSTFILE });
    const result = await runCli(
      [
        "-f",
        "locustfile.ts",
        "--headless",
        "-t",
        "5s",
        "-H",
        load.url,
        "--prometheus",
        prometheus.url,
        "--monitor-query",
        "bad=rate(node_load1[5",
      ],
      { cwd: dir, timeoutMs: 20_000 },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /CICADA_ERR_PROMQL|Prometheus refused a query/);
    assert.match(result.stderr, /--monitor-query 'bad=rate\(node_load1\[5': .*parse error/);
    assert.doesNotMatch(result.stderr, /Ramping/);
  });
  it("records node_exporter's figures, which agree with Prometheus's for the same window; Prometheus's queries over the test's range; faulty endpoints leave gaps and change nothing in the load", async () => {
    // Prometheus scrapes its first targets about 5 s after it starts (its discovery batches updates).
    await eventually(
      async () => (await promInstant(prometheus.url, 'up{job="node"}')).some(([, v]) => v === 1),
      15_000,
      "Prometheus to scrape node_exporter",
    );
    const dir = fixtureDir({ "locustfile.ts": PACED_LOCUSTFILE });
    const down = await closedPort();
    const common = [
      "-f",
      "locustfile.ts",
      "--headless",
      "-u",
      "10",
      "-r",
      "100",
      "-t",
      "4s",
      "-H",
      load.url,
      "--only-summary",
    ];
    const cpuQuery =
      'promcpu=100 * (1 - sum by (instance) (rate(node_cpu_seconds_total{mode=~"idle|iowait"}[2s])) / sum by (instance) (rate(node_cpu_seconds_total[2s])))';
    const monitored = runCli(
      [
        ...common,
        "--monitor",
        `node=${nodeExporter.url}/metrics`,
        "--monitor",
        `hung=${hung.url}/metrics`,
        "--monitor",
        `garbage=${garbage.url}/metrics`,
        "--monitor",
        `down=127.0.0.1:${down}`,
        "--monitor-interval",
        "0.5s",
        "--monitor-metric",
        "goroutines=go_goroutines",
        "--monitor-metric",
        "typo=node_load_1",
        "--prometheus",
        prometheus.url,
        "--monitor-query",
        cpuQuery,
        "--monitor-query",
        "prommem=100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
        "--monitor-query",
        "nothing=node_load_one",
        "--csv",
        "out",
        "--json-file",
        "out",
        "--html",
        "out.html",
        "--threshold",
        "host:node:memory<100%",
        "--threshold",
        "host:node:cpu<0",
      ],
      { cwd: dir, timeoutMs: 40_000 },
    );
    // The same load at the same moment without monitoring: the yardstick for "changes nothing".
    const baseline = runCli([...common, "--json-file", "baseline"], { cwd: dir, timeoutMs: 40_000 });
    const [result, base] = await Promise.all([monitored, baseline]);
    assert.equal(result.code, 99, result.stderr); // host:node:cpu<0 fails
    assert.equal(base.code, 0, base.stderr);

    const report = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as JsonReport;
    assert.deepEqual(validateJsonReport(report), []);
    const monitor = report.monitor!;
    const node = monitor.hosts.find((h) => h.host === "node")!;
    // A local run counts its requests at each scrape's own moment, up to the test's end.
    const counts = monitor.load!;
    assert.ok(
      node.timeMs.every((t) => counts.timeMs.includes(t)),
      "a load count at every scrape",
    );
    assert.equal(counts.requests.at(-1), report.total.numRequests);
    assert.ok(node.info && node.info.cpus >= 1 && node.info.memoryBytes > 0, JSON.stringify(node.info));
    for (const series of ["cpu", "cpuMax", "load1", "memory", "diskWrite", "netRx", "tcp", "goroutines"]) {
      assert.ok(
        node.values[series]?.some((v) => v !== null),
        `${series}: ${JSON.stringify(node.values[series])}`,
      );
    }

    // Agreement with Prometheus over the same window (its own scrapes, its own rate()).
    const cpu = weightedMean(node.timeMs, node.values.cpu!);
    const windowMs = cpu.toMs - cpu.fromMs;
    const cpuAnswer = await promInstant(
      prometheus.url,
      `100 * (1 - sum(increase(node_cpu_seconds_total{job="node",mode=~"idle|iowait"}[${windowMs}ms])) / sum(increase(node_cpu_seconds_total{job="node"}[${windowMs}ms])))`,
      cpu.toMs / 1000,
    );
    const promCpu = cpuAnswer[0]?.[1] ?? Number.NaN;
    assert.ok(
      Math.abs(cpu.mean - promCpu) <= CPU_TOLERANCE_POINTS,
      `CPU busy: Cicada ${cpu.mean.toFixed(2)} %, Prometheus ${promCpu.toFixed(2)} % over ${windowMs} ms`,
    );
    let worstMemory = 0;
    for (let i = 0; i < node.timeMs.length; i++) {
      const mine = node.values.memory![i];
      if (mine == null) continue;
      const [[, theirs] = [{}, Number.NaN]] = await promInstant(
        prometheus.url,
        '100 * (1 - node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"})',
        node.timeMs[i]! / 1000,
      );
      worstMemory = Math.max(worstMemory, Math.abs(mine - theirs));
    }
    assert.ok(
      worstMemory <= MEMORY_TOLERANCE_POINTS,
      `memory used differs by up to ${worstMemory.toFixed(2)} points`,
    );

    // The PromQL path: one host per instance, its points from the range query on the step grid.
    const instance = nodeExporter.url.slice("http://".length);
    const fromProm = monitor.hosts.find((h) => h.host === instance && h.kind === "prometheus")!;
    assert.ok(fromProm, monitor.hosts.map((h) => h.host).join(", "));
    assert.ok(
      fromProm.values.promcpu!.some((v) => v !== null) && fromProm.values.prommem!.some((v) => v !== null),
    );
    assert.ok(
      fromProm.timeMs.every((t) => (t - monitor.startTimeMs!) % 500 === 0),
      `range points: ${fromProm.timeMs.map((t) => t - monitor.startTimeMs!)}`,
    );

    // Faulty endpoints: one warning each, counted by kind, shown as gaps; the test went on.
    const byLabel = new Map(monitor.endpoints.map((e) => [e.label, e]));
    assert.ok(byLabel.get("hung")!.byKind.slow >= 5, JSON.stringify(byLabel.get("hung")));
    assert.ok(byLabel.get("garbage")!.byKind.garbage >= 5);
    assert.ok(byLabel.get("down")!.byKind.unreachable >= 5);
    assert.equal(byLabel.get("node")!.failures, 0);
    // A scrape cut short by the end of the test is not counted: these never answered, all failed.
    for (const label of ["hung", "garbage", "down"]) {
      const endpoint = byLabel.get(label)!;
      assert.equal(endpoint.failures, endpoint.scrapes, JSON.stringify(endpoint));
    }
    const warnings = result.stderr.split("\n").filter((l) => l.includes("WARNING"));
    for (const [label, kind] of [
      ["hung", "answers slower than the monitoring interval"],
      ["garbage", "does not answer in the Prometheus format"],
      ["down", "cannot be reached"],
    ]) {
      assert.equal(warnings.filter((w) => w.includes(`(${label}) ${kind}`)).length, 1, warnings.join("\n"));
    }
    assert.match(
      result.stderr,
      /--monitor-metric 'typo': no monitored endpoint has a metric named 'node_load_1' \(closest: node_load1/,
    );
    assert.match(
      result.stderr,
      /--monitor-query 'nothing' returned no data: 'node_load_one' is not a metric Prometheus has \(closest: [^)]*node_load1/,
    );
    assert.match(
      result.stdout,
      /✗ http:\/\/127\.0\.0\.1:\d+\/metrics \(hung\): \d+ of \d+ scrapes failed \(slow \d+\)/,
    );
    assert.match(result.stdout, /Saturat/);
    assert.match(result.stdout, /✓ host:node\s+memory<100%\s+measured [\d.]+ %/);

    // A hung exporter and the other faults change nothing in the load: same requests as the baseline run.
    const baseReport = JSON.parse(readFileSync(join(dir, "baseline.json"), "utf8")) as JsonReport;
    const ratio = report.total.numRequests / baseReport.total.numRequests;
    assert.ok(
      Math.abs(1 - ratio) <= 0.03,
      `requests: ${report.total.numRequests} monitored vs ${baseReport.total.numRequests} baseline`,
    );
    assert.ok(
      report.total.numRequests >= 300,
      `a paced load of 100 req/s for 4 s: ${report.total.numRequests}`,
    );

    // The CSV: a row per scrape and host, the figures in their columns, gaps with their error.
    const csv = readFileSync(join(dir, "out_monitor.csv"), "utf8")
      .trimEnd()
      .split("\r\n")
      .map((line) => line.split(","));
    const header = csv[0]!;
    const rows = csv.slice(1);
    const hostColumn = header.indexOf("Host");
    const cpuColumn = header.indexOf("CPU busy %");
    assert.ok(rows.filter((r) => r[hostColumn] === "node" && r[cpuColumn] !== "").length >= 5);
    assert.ok(
      rows
        .filter((r) => r[hostColumn] === "hung")
        .every((r) => r.at(-1)!.includes("no answer within the 500 ms interval")),
    );

    // The HTML report has the Target section.
    const html = readFileSync(join(dir, "out.html"), "utf8");
    assert.match(html, /<section id="target"/);
    assert.match(html, /chart-target-cpu/);
  });

  it("reads the text format as Prometheus itself does (differential test on a real node_exporter scrape and edge cases)", async () => {
    await eventually(
      async () => (await promInstant(prometheus.url, 'up{job="static"}')).some(([, v]) => v === 1),
      10_000,
      "Prometheus to scrape the static endpoint",
    );
    const theirs = await promInstant(prometheus.url, '{job="static",__name__!~"up|scrape_.*"}');
    const key = (name: string, labels: Record<string, string>) =>
      `${name}${JSON.stringify(
        Object.fromEntries(
          Object.entries(labels)
            .filter(([k]) => k !== "job" && k !== "instance" && k !== "__name__")
            .sort(),
        ),
      )}`;
    const expected = new Map<string, number>();
    for (const [labels, value] of theirs) expected.set(key(labels.__name__!, labels), value);
    const mine = new Map<string, number>();
    for (const [name, samples] of parseExposition(staticText))
      for (const s of samples) mine.set(key(name, s.labels), s.value);
    assert.ok(expected.size > 200, `Prometheus has ${expected.size} series`);
    const missing = [...expected.keys()].filter((k) => !mine.has(k));
    const extra = [...mine.keys()].filter((k) => !expected.has(k));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    for (const [k, value] of expected) {
      const own = mine.get(k)!;
      assert.ok(
        Object.is(own, value) || own === value || (Number.isNaN(own) && Number.isNaN(value)),
        `${k}: ${own} vs ${value}`,
      );
    }
  });
});

/**
 * How far Cicada's CPU busy % may be from Prometheus's over the same window: both read the
 * same counters, but each scrapes at its own moments (Prometheus every 200 ms), so the
 * windows' edges differ by up to 200 ms out of about 3.5 s on a machine whose load moves.
 */
const CPU_TOLERANCE_POINTS = 5;
/** Memory used % at the same moment (Prometheus's sample is at most 200 ms older). */
const MEMORY_TOLERANCE_POINTS = 1;
