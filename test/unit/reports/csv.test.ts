import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  exceptionsCsv,
  failuresCsv,
  statsCsv,
  statsHistoryCsvHeader,
  statsHistoryCsvRows,
} from "../../../src/reports/csv.js";
import { RequestStats } from "../../../src/stats/index.js";
import { csvRecords, parseCsv, sampleStats, T0 } from "./fixtures.js";

// Locust's column lists, as written in locust/stats.py (StatsCSV, StatsCSVFileWriter) and
// recorded in the project's Locust reference, section 3. Kept literal on purpose: the
// writer's own constants must not be the thing they are checked against.
const PERCENTILES = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"];
const LOCUST_STATS = [
  "Type",
  "Name",
  "Request Count",
  "Failure Count",
  "Median Response Time",
  "Average Response Time",
  "Min Response Time",
  "Max Response Time",
  "Average Content Size",
  "Requests/s",
  "Failures/s",
  ...PERCENTILES,
];
const LOCUST_HISTORY = [
  "Timestamp",
  "User Count",
  "Type",
  "Name",
  "Requests/s",
  "Failures/s",
  ...PERCENTILES,
  "Total Request Count",
  "Total Failure Count",
  "Total Median Response Time",
  "Total Average Response Time",
  "Total Min Response Time",
  "Total Max Response Time",
  "Total Average Content Size",
];
const LOCUST_FAILURES = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"];
const LOCUST_EXCEPTIONS = ["Count", "Message", "Traceback", "Nodes"];

describe("Locust CSV files", () => {
  const stats = sampleStats();
  const snapshot = stats.snapshot(T0 + 10_000);

  it("_stats.csv has Locust's columns, a row per name sorted, then Aggregated, and counts that match", () => {
    const text = statsCsv(snapshot);
    assert.ok(text.endsWith("\r\n") && !/[^\r]\n/.test(text), "CRLF line ends, as Python's csv module");
    const rows = csvRecords(text, LOCUST_STATS);
    assert.deepEqual(
      rows.map((r) => `${r.Type} ${r.Name}`),
      ["GET /a", "POST /a", 'GET /b?x="y",z', " Aggregated"],
    );
    const getA = rows[0]!;
    assert.equal(getA["Request Count"], "100");
    assert.equal(getA["Failure Count"], "10");
    assert.equal(getA["Median Response Time"], "50");
    assert.equal(getA["Average Response Time"], "50.5");
    assert.equal(getA["Min Response Time"], "1.0", "floats keep Python's '.0'");
    assert.equal(getA["Max Response Time"], "100.0");
    assert.equal(getA["Average Content Size"], "100.0");
    assert.equal(getA["95%"], "95");
    assert.equal(getA["100%"], "100");
    const total = rows.at(-1)!;
    assert.equal(total["Request Count"], String(100 + 5 + 20));
    assert.equal(total["Failure Count"], "10");
    const sum = rows.slice(0, -1).reduce((n, r) => n + Number(r["Request Count"]), 0);
    assert.equal(sum, 125);
    for (const row of rows) {
      for (const column of LOCUST_STATS.slice(2))
        assert.ok(Number.isFinite(Number(row[column])), `${column}: ${row[column]}`);
    }
  });

  it("quotes fields the way Python's csv.writer does", () => {
    assert.match(statsCsv(snapshot), /\r\nGET,"\/b\?x=""y"",z",20,/);
  });

  it("writes N/A percentiles and Locust's int zeros for a row without requests", () => {
    const empty = new RequestStats({ nowMs: T0 }).snapshot(T0 + 1000);
    const [row] = csvRecords(statsCsv(empty), LOCUST_STATS);
    assert.deepEqual(
      LOCUST_STATS.slice(2).map((c) => row![c]),
      ["0", "0", "0", "0.0", "0", "0", "0", "0.0", "0.0", ...PERCENTILES.map(() => "N/A")],
    );
  });

  it("_stats_history.csv: header once, then the Aggregated row with cumulative percentiles", () => {
    const text = statsHistoryCsvHeader() + statsHistoryCsvRows(snapshot, 5, false);
    const rows = csvRecords(text, LOCUST_HISTORY);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row.Timestamp, String(Math.floor((T0 + 10_000) / 1000)));
    assert.equal(row["User Count"], "5");
    assert.equal(row.Type, "");
    assert.equal(row.Name, "Aggregated");
    assert.match(row["Requests/s"]!, /^\d+\.\d{6}$/, "Locust's f'{x:2f}' has 6 decimals");
    assert.equal(row["Total Request Count"], "125");
    assert.equal(row["100%"], "200");
  });

  it("--csv-full-history adds a row per name with current-window percentiles", () => {
    // 14 s in, the 10 s current window no longer holds the first seconds (the fastest GET /a).
    const full = stats.snapshot(T0 + 14_000, { allCurrentPercentiles: true });
    const rows = csvRecords(statsHistoryCsvHeader() + statsHistoryCsvRows(full, 5, true), LOCUST_HISTORY);
    assert.deepEqual(
      rows.map((r) => r.Name),
      ["/a", "/a", '/b?x="y",z', "Aggregated"],
    );
    const getA = rows[0]!;
    assert.ok(Number(getA["50%"]) >= 60, `current median ${getA["50%"]} is above the cumulative 50`);
    assert.equal(getA["Total Median Response Time"], "50");
  });

  it("_failures.csv lists every failure group with ISO first and last seen", () => {
    const rows = csvRecords(failuresCsv(snapshot), LOCUST_FAILURES);
    assert.deepEqual(
      rows.map((r) => [r.Method, r.Name, r.Error, r.Occurrences]),
      [
        ["GET", "/a", "HTTP 500 for 10", "5"],
        ["GET", "/a", "HTTP 500 for 0", "5"],
      ],
    );
    assert.match(rows[0]!["First Seen"]!, /^2026-01-02T03:04:05Z$/);
    assert.match(rows[0]!["Last Seen"]!, /^2026-01-02T03:04:1\dZ$/);
  });

  it("_exceptions.csv keeps multi-line tracebacks in one quoted field", () => {
    const rows = csvRecords(exceptionsCsv(snapshot), LOCUST_EXCEPTIONS);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.Count, "1");
    assert.match(rows[0]!.Traceback!, /\n {4}at Api\.run/);
    assert.equal(rows[0]!.Nodes, "local");
  });

  it("parses back to the same number of rows however the fields are quoted", () => {
    const rows = parseCsv(statsCsv(snapshot));
    assert.equal(rows.length, 1 + 3 + 1);
    assert.ok(rows.every((r) => r.length === LOCUST_STATS.length));
  });

  it("names, errors and tracebacks that a spreadsheet would run as formulas get a leading ' (OWASP)", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tlead", "\rlead"];
    for (const name of [...hostile, "/safe", "a=b"]) stats.record("GET", name, 5, 10, null, T0);
    stats.record("=cmd", "/x", 5, 0, "=2+5 failed", T0);
    stats.recordException("-boom", "+trace\n  at x", T0, "@node");
    const snap = stats.snapshot(T0 + 1000);
    const names = csvRecords(statsCsv(snap), LOCUST_STATS).map((row) => row.Name);
    for (const name of hostile) assert.ok(names.includes(`'${name}`), `${JSON.stringify(name)} in ${names}`);
    assert.ok(names.includes("/safe") && names.includes("a=b"), "other names are untouched");
    const failure = csvRecords(failuresCsv(snap), LOCUST_FAILURES)[0]!;
    assert.deepEqual([failure.Method, failure.Error], ["'=cmd", "'=2+5 failed"]);
    const exception = csvRecords(exceptionsCsv(snap), LOCUST_EXCEPTIONS)[0]!;
    assert.deepEqual(
      [exception.Message, exception.Traceback, exception.Nodes],
      ["'-boom", "'+trace\n  at x", "'@node"],
    );
    const history = statsHistoryCsvRows(stats.snapshot(T0 + 1000, { allCurrentPercentiles: true }), 1, true);
    assert.match(history, /,GET,"'=HYPERLINK/);
  });
});
