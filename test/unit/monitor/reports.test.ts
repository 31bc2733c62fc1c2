import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monitorConfigOf } from "../../../src/cli/options-monitor.js";
import { loadColumns, type MonitorData, NODE_SERIES, parseLevels } from "../../../src/monitor/index.js";
import { loadSince as loadSinceOf } from "../../../src/monitor/load-rate.js";
import {
  buildJsonReport,
  evaluateThresholds,
  formatMonitorSummary,
  formatThresholdSummary,
  monitorCsvHeader,
  monitorCsvRow,
  monitorReportOf,
  parseThresholds,
  renderHtmlReport,
  reportInputFromStats,
  saturationJson,
  ThresholdAbortTracker,
  validateJsonReport,
} from "../../../src/reports/index.js";
import { UsageError } from "../../../src/shared/errors.js";
import { monitorResponse } from "../../../src/web/monitor-route.js";
import { parseCsv, sampleMeta, sampleStats, T0 } from "../reports/fixtures.js";

/**
 * Ten seconds of a host whose CPU climbs to 96 % at T0+5 s, a generator at 40 %, and a load
 * that completes 10 requests/s for 4 s, then 80/s (one failure a second from then).
 */
function sampleData(): MonitorData {
  const times = Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * 1000);
  const requests = [0, 10, 20, 30, 40, 120, 200, 280, 360, 440, 520];
  const failures = requests.map((_, i) => Math.max(0, i - 4));
  return {
    intervalMs: 1000,
    startTimeMs: T0,
    endTimeMs: T0 + 10_000,
    series: [...NODE_SERIES, { name: "tps", label: "tps", unit: "/s", merge: "mean", origin: "metric" }],
    hosts: [
      {
        host: "10.0.0.7",
        source: "http://10.0.0.7:9100/metrics",
        kind: "exporter",
        info: { cpus: 4, memoryBytes: 16e9 },
        stride: 1,
        timeMs: times,
        values: {
          cpu: [10, 20, 30, 50, 96, 99, null, 99, 98, 97],
          memory: [40, 40, 41, 41, 42, 42, null, 43, 43, 44],
          netTx: [1e6, 2e6, 3e6, 4e6, 5e6, 6e6, null, 6e6, 6e6, 6e6],
          tps: [100, 200, 300, 400, 500, 510, null, 505, 500, 499],
        },
      },
    ],
    generator: {
      stride: 1,
      timeMs: times,
      cpuPercent: times.map(() => 40),
      lagMs: times.map(() => 2),
      workerCpuPercent: null,
    },
    load: loadColumns(1, [T0, ...times], requests, failures),
    endpoints: [
      {
        label: "10.0.0.7",
        url: "http://10.0.0.7:9100/metrics",
        kind: "exporter",
        scrapes: 10,
        failures: 1,
        byKind: { unreachable: 0, slow: 1, http: 0, garbage: 0 },
        lastError: "no answer within the 1000 ms interval",
        lastErrorAtMs: T0 + 7000,
      },
    ],
    levels: parseLevels([]),
  };
}

/** A monitor as thresholds read it: exact figures from the columns above. */
function sampleSource(data = sampleData()) {
  return {
    hostNames: () => data.hosts.map((h) => h.host),
    unitOf: (series: string) => data.series.find((s) => s.name === series)?.unit,
    summary: (host: string, series: string) => {
      const values = (data.hosts.find((h) => h.host === host)?.values[series] ?? []).filter(
        (v): v is number => v !== null,
      );
      if (values.length === 0) return undefined;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return {
        count: values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        mean,
        last: values.at(-1)!,
        lastTimeMs: 0,
      };
    },
  };
}

const context = { series: sampleData().series, hosts: ["10.0.0.7"] };

describe("thresholds on monitored series (host:LABEL:EXPR)", () => {
  it("parses the issue's syntax, aggregates and units", () => {
    const [a, b, c] = parseThresholds(
      undefined,
      ["host:10.0.0.7:cpu<80%", "host:10.0.0.7:avg(memory) <= 50 %", "host:10.0.0.7:netTx<5MB/s"],
      context,
    );
    assert.deepEqual(
      [a!.target, a!.metric, a!.operator, a!.limit],
      [{ kind: "host", host: "10.0.0.7" }, { kind: "monitor", series: "cpu", aggregate: "max" }, "<", 80],
    );
    assert.deepEqual([b!.metric, b!.limit], [{ kind: "monitor", series: "memory", aggregate: "avg" }, 50]);
    assert.equal(c!.limit, 5e6);
    const { locustfileOne } = {
      locustfileOne: parseThresholds({ "host:10.0.0.7": ["last(tps) > 100"] }, [], context)[0]!,
    };
    assert.deepEqual(locustfileOne.metric, { kind: "monitor", series: "tps", aggregate: "last" });
  });

  it("refuses, before the test, an unknown series, an unknown host, a unit that does not fit, or no monitoring at all", () => {
    const message = (values: string[], ctx: typeof context | undefined = context) => {
      try {
        parseThresholds(undefined, values, ctx);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        return error.message;
      }
      return assert.fail("expected a UsageError");
    };
    assert.match(message(["host:10.0.0.7:cpux<80"]), /'cpux' is not a monitored series/);
    assert.match(
      message(["host:10.0.0.9:cpu<80"]),
      /no monitored host is labelled '10.0.0.9' \(hosts: 10.0.0.7\)/,
    );
    assert.match(message(["host:10.0.0.7:tps<80%"]), /'%' only applies to a series in %/);
    assert.match(message(["host:10.0.0.7:cpu<5MB"]), /only applies to a series in bytes per second/);
    assert.throws(
      () => parseThresholds(undefined, ["host:10.0.0.7:cpu<80"]),
      /nothing is monitored: add --monitor URL/,
    );
    // The hint is about the form of what failed, with a host that is monitored as its example.
    const hintOf = (values: string[]) => {
      try {
        parseThresholds(undefined, values, context);
      } catch (error) {
        return (error as UsageError).hint ?? "";
      }
      return assert.fail("expected a UsageError");
    };
    assert.match(
      hintOf(["host:10.0.0.9:cpu<80"]),
      /^Write a monitored host's threshold as 'host:LABEL:<series> <operator> <number>\[unit\]', e\.g\. 'host:10\.0\.0\.7:cpu < 80%'; see docs\/thresholds\.md#monitored-hosts$/,
    );
    assert.match(
      hintOf(["p99<<3"]),
      /^Write thresholds as '<metric> <operator> <number>'.*see docs\/thresholds\.md$/,
    );
    assert.match(hintOf(["p99<<3", "host:x:cpu<3"]), /'rps > 100'; write a monitored host's threshold as/);
    // 'host:cpu<80' forgot the label: said so, not "unknown metric 'cpu'" of a request named 'host'.
    assert.match(message(["host:cpu<80"]), /'host:' names no host: write host:LABEL/);
    assert.match(hintOf(["host:cpu<80"]), /^Write a monitored host's threshold/);
    // With Prometheus, hosts are its series' instances, known only during the test.
    assert.equal(
      parseThresholds(undefined, ["host:10.1.1.1:9100:cpu<80"], { ...context, hosts: null }).length,
      1,
    );
  });

  /** The results of `expressions` on the sample host. */
  function evaluateOnSample(expressions: string[]) {
    const stats = sampleStats();
    const definitions = parseThresholds(undefined, expressions, context);
    const source = { total: stats.total, entries: () => stats.entries(), monitor: sampleSource() };
    return { stats, results: evaluateThresholds(definitions, source, T0 + 10_000) };
  }

  it("measures the exact figure over the test; a host or series without values is 'no data'", () => {
    const { results } = evaluateOnSample([
      "host:10.0.0.7:cpu<80%",
      "host:10.0.0.7:avg(memory)<50%",
      "host:10.0.0.7:min(tps)>=100",
      "host:10.0.0.7:diskBusy<50",
    ]);
    assert.deepEqual(
      results.map((r) => [r.metric, r.measured, r.passed, r.reason]),
      [
        ["max(cpu)", 99, false, null],
        ["avg(memory)", 376 / 9, true, null],
        ["min(tps)", 100, true, null],
        ["max(diskBusy)", null, false, "no data: host 10.0.0.7 has no diskBusy"],
      ],
    );
  });

  it("prints each measured value in its series' unit: %, bytes per second, per second", () => {
    const { stats, results } = evaluateOnSample([
      "host:10.0.0.7:avg(cpu)<80%",
      "host:10.0.0.7:netTx<50MB/s",
      "host:10.0.0.7:min(tps)>=100",
      "host:10.0.0.7:diskBusy<50",
    ]);
    assert.deepEqual(
      results.map((r) => r.unit),
      ["%", "B/s", "/s", undefined],
    );
    const lines = formatThresholdSummary(results);
    assert.match(lines[1]!, /host:10\.0\.0\.7\s+avg\(cpu\)<80%\s+measured 66\.6 %$/);
    assert.match(lines[2]!, /netTx<50MB\/s\s+measured 6\.0 MB\/s$/);
    assert.match(lines[3]!, /min\(tps\)>=100\s+measured 100 \/s$/);
    assert.match(lines[4]!, /no data: host 10\.0\.0\.7 has no diskBusy/);
    const html = renderHtmlReport({ ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000, results) });
    assert.match(html, /<td class="l">66\.6 %<\/td>/);
  });

  it("abortOnFail works on a monitored series", () => {
    const [definition] = parseThresholds(
      { "host:10.0.0.7": [{ threshold: "cpu < 90%", abortOnFail: true }] },
      [],
      context,
    );
    const stats = sampleStats();
    const decision = new ThresholdAbortTracker([definition!]).check(
      { total: stats.total, entries: () => stats.entries(), monitor: sampleSource() },
      T0,
    );
    assert.equal(decision?.result.measured, 99);
  });
});

describe("the target in the reports", () => {
  const stats = sampleStats();
  const report = monitorReportOf(sampleData(), stats.history.toJSON().total);

  it("JSON: the monitor key validates against the schema, with the saturation finding", () => {
    const json = buildJsonReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      monitor: report,
    });
    assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(json))), []);
    assert.equal(json.monitor?.saturation.kind, "saturated");
    assert.deepEqual(json.monitor?.saturation.resource, {
      host: "10.0.0.7",
      series: "cpu",
      label: "CPU busy",
      unit: "%",
      value: 96,
      level: 90,
    });
    assert.equal(json.monitor?.saturation.load?.users, 5);
    // The load beside the saturation: 80 requests completed in the second the CPU reached
    // 96 %, not a 10 s average that still holds the 10/s before it.
    assert.equal(json.monitor?.saturation.load?.rps, 80);
    assert.deepEqual(json.monitor?.load?.rps, [null, 10, 10, 10, 10, 80, 80, 80, 80, 80, 80]);
    assert.deepEqual(json.monitor?.load?.failPerSec, [null, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    assert.equal(json.monitor?.hosts[0]?.values.cpu?.[6], null, "a gap stays null");
    const broken = JSON.parse(JSON.stringify(json));
    broken.monitor.hosts[0].values.cpu[0] = "high";
    assert.match(
      validateJsonReport(broken).join("\n"),
      /\$\.monitor\.hosts\[0\]\.values\["cpu"\]\[0\]: expected a finite number/,
    );
    const without = buildJsonReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    assert.equal(without.monitor, null);
    // A report written before monitoring existed has no such key, and still validates.
    const older = JSON.parse(JSON.stringify(without));
    delete older.monitor;
    assert.deepEqual(validateJsonReport(older), []);
    // Nor does one from before the load's counts, or one whose saturation came before the rate was known.
    const noLoad = JSON.parse(JSON.stringify(json));
    delete noLoad.monitor.load;
    noLoad.monitor.saturation.load.rps = null;
    assert.deepEqual(validateJsonReport(noLoad), []);
  });

  it("JSON: the evidence behind the finding (before the load, one core, the generator's machine, a later saturation)", () => {
    const jsonOf = (data: MonitorData) => {
      const json = buildJsonReport({
        ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
        monitor: monitorReportOf(data, stats.history.toJSON().total),
      });
      assert.deepEqual(validateJsonReport(JSON.parse(JSON.stringify(json))), []);
      return json.monitor!.saturation;
    };
    // Memory at its level in the scrape taken as the test began (T0), before any user ran.
    const busyBefore = sampleData();
    const host = busyBefore.hosts[0]!;
    host.timeMs = [T0, ...host.timeMs.slice(1)];
    host.values = { memory: host.timeMs.map(() => 95.25), cpu: host.timeMs.map(() => 10) };
    const before = jsonOf(busyBefore);
    assert.equal(before.resource?.series, "memory");
    assert.equal(before.atStart, true);
    assert.deepEqual(before.beforeLoad, { series: "memory", value: 95.25 });
    assert.deepEqual([before.singleCore, before.allCoresPercent], [false, null]);

    // One core at 99 % while the CPU as a whole is near 55 %, on the generator's own machine.
    const oneCore = sampleData();
    const local = oneCore.hosts[0]!;
    local.host = "127.0.0.1";
    local.source = "http://127.0.0.1:9100/metrics";
    local.values = {
      cpu: [20, 30, 40, 55, 55.5, 55, 56, 55, 55, 55],
      cpuMax: [40, 60, 80, 99, 99, 99, 99, 99, 99, 99],
    };
    const core = jsonOf(oneCore);
    assert.equal(core.resource?.series, "cpuMax");
    assert.equal(core.singleCore, true);
    assert.equal(core.allCoresPercent, 55);
    assert.deepEqual(core.generatorMachine, { cpus: 4 });
    assert.equal(core.beforeLoad, null);

    // "latency-rose": the resource that reached its level after the p95 had risen.
    const rose = saturationJson(
      {
        kind: "latency-rose",
        timeMs: T0 + 3000,
        load: { timeMs: T0 + 3000, users: 3, rps: 30, p95Ms: 400 },
        p95BeforeMs: 40,
        p95PeakMs: 900,
        highest: { host: "db", series: "cpu", label: "CPU busy", unit: "%", value: 93.1234, level: 90 },
        saturatedLater: {
          host: "db",
          series: "cpu",
          label: "CPU busy",
          unit: "%",
          value: 93.1234,
          level: 90,
          timeMs: T0 + 6000,
        },
        generatorCpuPercent: 20,
      },
      "the p95 rose",
    );
    assert.deepEqual(rose.saturatedLater, {
      host: "db",
      series: "cpu",
      label: "CPU busy",
      unit: "%",
      value: 93.123,
      level: 90,
      timeMs: T0 + 6000,
    });
  });

  it("HTML: a Target section with the finding, the highest values, the endpoints and the chart data", () => {
    const html = renderHtmlReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      monitor: report,
    });
    assert.match(html, /<section id="target"/);
    assert.match(
      html,
      /10\.0\.0\.7 CPU busy 96 % \(level 90 %\) at 03:04:10 UTC, 5s into the test \(5 users, 80 req\/s/,
    );
    assert.match(html, /slow 1/);
    assert.match(html, /id="cicada-monitor-data"/);
    assert.match(html, /"range":\[/, "the load charts get the shared time range");
    assert.match(
      html,
      /id="chart-target-requests"/,
      "the requests completed per interval, among the target's charts",
    );
    assert.doesNotMatch(
      renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000)),
      /id="target"/,
    );
  });

  it("CSV: one wide row per scrape and host, the load beside it, an empty cell for a gap", () => {
    const definitions = sampleData().series;
    const header = parseCsv(monitorCsvHeader(definitions))[0]!;
    assert.deepEqual(header.slice(0, 9), [
      "Timestamp",
      "Time",
      "Host",
      "User Count",
      "Requests/s",
      "95%",
      "Cicada CPU %",
      "CPU busy %",
      "Busiest core %",
    ]);
    assert.equal(header.at(-2), "tps /s");
    assert.equal(header.at(-1), "Error");
    const load = { userCount: 40, rps: 812.5, p95Ms: 930.25, generatorCpuPercent: 55.5 };
    const row = parseCsv(
      monitorCsvRow(
        definitions,
        { host: "10.0.0.7", timeMs: T0, values: { cpu: 96.1234, tps: 5 }, error: null },
        load,
      ),
    )[0]!;
    assert.deepEqual(row.slice(0, 9), [
      String(T0 / 1000),
      "2026-01-02T03:04:05.000Z",
      "10.0.0.7",
      "40",
      "812.5",
      "930.25",
      "55.5",
      "96.123",
      "",
    ]);
    assert.equal(row.at(-2), "5");
    const gap = parseCsv(
      monitorCsvRow(definitions, { host: "db", timeMs: T0, values: {}, error: "connection refused" }, load),
    )[0]!;
    assert.equal(gap.at(-1), "connection refused");
    assert.equal(gap[7], "");
  });

  it("console: the highest values per host, the generator, what saturated first and the failing endpoints", () => {
    const text = formatMonitorSummary(report).join("\n");
    assert.match(
      text,
      /10\.0\.0\.7 \(4 CPUs, 16 GB memory\), highest values:\n {4}CPU busy 99 %, Memory used 44 %, Network sent 6\.0 MB\/s, tps 510 \/s\n/,
    );
    assert.match(text, /load generator: Cicada's CPU up to 40 % of a core/);
    assert.match(text, /Saturated first: 10\.0\.0\.7 CPU busy 96 %/);
    assert.match(
      text,
      /✗ http:\/\/10\.0\.0\.7:9100\/metrics \(10\.0\.0\.7\): 1 of 10 scrapes failed \(slow 1\)/,
    );
  });

  it("/api/monitor: the chart layout and finding of the whole test, the points after `since` (and the load's after `loadSince`) only", () => {
    const data = sampleData();
    const source = {
      running: true,
      data: (since?: number, loadSince?: number) => ({
        ...data,
        hosts: data.hosts.map((h) => ({ ...h, timeMs: h.timeMs.filter((t) => t > (since ?? -1)) })),
        load: loadSince === undefined ? data.load : loadSinceOf(data.load, loadSince),
      }),
    };
    const response = monitorResponse(source, () => stats.history.toJSON().total, T0 + 8000, T0 + 9000);
    assert.equal(response.configured, true);
    assert.deepEqual(response.hosts[0]!.timeMs, [T0 + 9000, T0 + 10_000]);
    assert.equal(response.lastTimeMs, T0 + 10_000);
    // The load's points after its own cursor, each with the rate of the interval before it.
    assert.deepEqual([response.load.timeMs, response.load.rps], [[T0 + 10_000], [80]]);
    assert.equal(response.lastLoadTimeMs, T0 + 10_000);
    assert.deepEqual(
      response.charts.map((c) => c.id),
      ["requests", "cpu", "generator-cpu", "memory", "network", "series-tps"],
    );
    assert.deepEqual(
      response.charts[0]!.lines.map((l) => [l.source, l.series, l.label]),
      [
        ["load", "rps", "Requests/s"],
        ["load", "failPerSec", "Failures/s"],
      ],
    );
    assert.equal(response.finding?.kind, "saturated");
    assert.equal(monitorResponse(undefined, () => stats.history.toJSON().total).configured, false);
  });
});

describe("monitoring options", () => {
  const usage = (options: Record<string, unknown>) => {
    try {
      monitorConfigOf({ loglevel: "INFO", exitCodeOnError: 1, userClasses: [], ...options });
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.equal(error.code, "CICADA_ERR_MONITOR");
      return error.message;
    }
    return assert.fail("expected a UsageError");
  };

  it("nothing given: nothing monitored; given: parsed, with the default interval", () => {
    assert.equal(monitorConfigOf({ loglevel: "INFO", exitCodeOnError: 1, userClasses: [] }), undefined);
    const config = monitorConfigOf({
      loglevel: "INFO",
      exitCodeOnError: 1,
      userClasses: [],
      monitor: ["10.0.0.7:9100"],
      monitorMetric: ['conns=pg_connections{state="active",db="app"}'],
    });
    assert.equal(config?.intervalMs, 1000);
    assert.equal(
      config?.metrics[0]?.selector.matchers.length,
      2,
      "the comma inside the matchers is not a list separator",
    );
  });

  it("lists every problem at once", () => {
    const message = usage({
      monitor: ["ftp://x"],
      monitorQuery: ["up=up"],
      monitorInterval: 50,
      monitorLevel: ["nope=5"],
    });
    assert.match(message, /--monitor: 'ftp:\/\/x' must be an http\(s\) URL/);
    assert.match(message, /--monitor-query needs --prometheus URL/);
    assert.match(message, /--monitor-interval must be at least 0.1 s/);
    assert.match(message, /--monitor-level: 'nope' is not a monitored series/);
    assert.match(
      usage({ prometheus: "http://127.0.0.1:9090" }),
      /--prometheus needs at least one --monitor-query/,
    );
    assert.match(usage({ monitorMetric: ["x=y"] }), /--monitor-metric needs --monitor URL/);
    // One message for one mistake: the query's own says what is missing.
    const queryAlone = usage({ monitorQuery: ["x=up"] });
    assert.deepEqual(
      queryAlone.split("\n").filter((line) => line.startsWith("✖")),
      ["✖ --monitor-query needs --prometheus URL (the server to query)"],
    );
    assert.match(
      usage({ monitorLevel: ["cpu=80"] }),
      /nothing to monitor: add --monitor URL or --prometheus URL/,
    );
    // The hint's example is of the way being used: a query's mistake gets a query's example.
    const hintOf = (options: Record<string, unknown>) => {
      try {
        monitorConfigOf({ loglevel: "INFO", exitCodeOnError: 1, userClasses: [], ...options });
      } catch (error) {
        return (error as UsageError).hint ?? "";
      }
      return assert.fail("expected a UsageError");
    };
    assert.match(
      hintOf({ monitorQuery: ["x=up"] }),
      /^e\.g\. --prometheus http:\/\/\S+ --monitor-query 'cpu_busy=/,
    );
    assert.match(hintOf({ monitorMetric: ["x=y"] }), /^e\.g\. --monitor 10\.0\.0\.7:9100 --monitor-metric/);
  });

  it("a Prometheus server alone: the default levels of node_exporter's figures (the busiest core's too) are no mistake", () => {
    const config = monitorConfigOf({
      loglevel: "INFO",
      exitCodeOnError: 1,
      userClasses: [],
      prometheus: "http://127.0.0.1:9090",
      monitorQuery: ["up_count=count(up)"],
    });
    assert.deepEqual(
      config?.levels.map((l) => `${l.series}=${l.level}`),
      ["cpu=90", "cpuMax=95", "memory=90", "diskBusy=90"],
    );
  });
});
