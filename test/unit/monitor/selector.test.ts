import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  evaluateSelector,
  parseEndpoints,
  parseExposition,
  parseLevels,
  parseMetrics,
  parseQueries,
  parseSelector,
} from "../../../src/monitor/index.js";

const before = parseExposition(
  [
    'pg_xact_commit_total{datname="app"} 1000',
    'pg_xact_commit_total{datname="other"} 50',
    'pg_xact_commit_total{datname="template0"} 0',
    'pg_connections{state="active"} 7',
    'pg_connections{state="idle"} 13',
  ].join("\n"),
);
const after = parseExposition(
  [
    'pg_xact_commit_total{datname="app"} 1600',
    'pg_xact_commit_total{datname="other"} 70',
    'pg_xact_commit_total{datname="template0"} 0',
    'pg_connections{state="active"} 9',
    'pg_connections{state="idle"} 11',
  ].join("\n"),
);

describe("--monitor-metric expressions", () => {
  it("a gauge by name and label matcher", () => {
    const s = parseSelector('pg_connections{state="active"}');
    assert.equal(evaluateSelector(s, after, before, 2), 9);
  });

  it("a gauge over several series is their sum, or max/min/avg when asked", () => {
    assert.equal(evaluateSelector(parseSelector("pg_connections"), after, before, 2), 20);
    assert.equal(evaluateSelector(parseSelector("max(pg_connections)"), after, before, 2), 11);
    assert.equal(evaluateSelector(parseSelector("min(pg_connections)"), after, before, 2), 9);
    assert.equal(evaluateSelector(parseSelector("avg(pg_connections)"), after, before, 2), 10);
  });

  it("a counter as a rate per second, with =, !=, =~ and !~ matchers", () => {
    assert.equal(
      evaluateSelector(parseSelector('rate(pg_xact_commit_total{datname="app"})'), after, before, 2),
      300,
    );
    assert.equal(
      evaluateSelector(parseSelector('rate(pg_xact_commit_total{datname!="app"})'), after, before, 2),
      10,
    );
    assert.equal(
      evaluateSelector(parseSelector('rate(pg_xact_commit_total{datname=~"app|oth.*"})'), after, before, 2),
      310,
    );
    assert.equal(
      evaluateSelector(
        parseSelector('sum(rate(pg_xact_commit_total{datname!~"template.*"}))'),
        after,
        before,
        2,
      ),
      310,
    );
  });

  it("a rate has no value on the first scrape, a matcher that matches nothing has none either", () => {
    assert.equal(evaluateSelector(parseSelector("rate(pg_xact_commit_total)"), after, undefined, 0), null);
    assert.equal(evaluateSelector(parseSelector('pg_connections{state="gone"}'), after, before, 2), null);
  });

  it("says what was expected where", () => {
    assert.throws(() => parseSelector("rate(pg_x"), /expected '\)' at the end/);
    assert.throws(() => parseSelector('pg_x{a="1" b="2"}'), /expected ',' or '\}'/);
    assert.throws(() => parseSelector('pg_x{a~"1"}'), /expected =, !=, =~ or !~/);
    assert.throws(() => parseSelector('pg_x{a=~"("}'), /not a regular expression/);
    assert.throws(() => parseSelector("9lives"), /expected a metric name/);
    assert.throws(() => parseSelector("pg_x extra"), /unexpected 'e'/);
  });
});

describe("monitoring options", () => {
  it("--monitor: a URL, LABEL=URL, or host:port (http:// and /metrics added); labels default to the host name", () => {
    assert.deepEqual(parseEndpoints(["http://10.0.0.7:9100/metrics", "db=10.0.0.8:9187"]), [
      { label: "10.0.0.7", url: "http://10.0.0.7:9100/metrics" },
      { label: "db", url: "http://10.0.0.8:9187/metrics" },
    ]);
  });

  it("--monitor: a bare host means node_exporter's port 9100; a scheme or a port given is kept", () => {
    assert.deepEqual(
      parseEndpoints(["10.0.0.7", "db=db.internal/node", "[::1]", "http://10.0.0.9", "10.0.0.8:80"]).map(
        (e) => e.url,
      ),
      [
        "http://10.0.0.7:9100/metrics",
        "http://db.internal:9100/node",
        "http://[::1]:9100/metrics",
        "http://10.0.0.9/metrics",
        "http://10.0.0.8/metrics",
      ],
    );
  });

  it("--monitor: two exporters on one host are told apart by their port", () => {
    assert.deepEqual(
      parseEndpoints(["127.0.0.1:9100", "127.0.0.1:9187"]).map((e) => e.label),
      ["127.0.0.1:9100", "127.0.0.1:9187"],
    );
    assert.throws(() => parseEndpoints(["a=127.0.0.1:1", "a=127.0.0.1:2"]), /labelled 'a'/);
    assert.throws(() => parseEndpoints(["ftp://x/metrics"]), /http\(s\)/);
  });

  it("--monitor-metric and --monitor-query: NAME=..., names unique and not node_exporter's", () => {
    const [metric] = parseMetrics(["tps=rate(pg_xact_commit_total)"]);
    assert.equal(metric?.selector.rate, true);
    assert.throws(() => parseMetrics(["cpu=node_load1"]), /node_exporter's figures/);
    assert.throws(() => parseMetrics(["tps"]), /NAME=/);
    const taken = new Set<string>();
    parseMetrics(["tps=pg_x"], taken);
    assert.throws(() => parseQueries(["tps=up"], taken), /used twice/);
    assert.deepEqual(parseQueries(['up_count=count(up{job="node"})']), [
      { name: "up_count", query: 'count(up{job="node"})' },
    ]);
  });

  it("--monitor-level replaces a default level and adds new ones", () => {
    assert.deepEqual(parseLevels(["cpu=80%", "tps=5000"]), [
      { series: "cpu", level: 80 },
      { series: "cpuMax", level: 95 },
      { series: "memory", level: 90 },
      { series: "diskBusy", level: 90 },
      { series: "tps", level: 5000 },
    ]);
    assert.throws(() => parseLevels(["cpu=high"]), /must be a number/);
  });
});
