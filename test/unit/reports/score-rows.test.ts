/**
 * A page's CLS (`VITAL CLS /path`) is a unitless score in a row's "ms" columns: every report
 * must keep its decimals, and a threshold's measured value must never be rounded so that
 * it reads as passing when it failed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPercentileTable, formatStatsTable } from "../../../src/reports/console.js";
import { statsCsv, statsHistoryCsvHeader, statsHistoryCsvRows } from "../../../src/reports/csv.js";
import {
  percentilesSection,
  requestStatsSection,
  thresholdsSection,
} from "../../../src/reports/html-sections.js";
import { renderJunitXml } from "../../../src/reports/junit.js";
import {
  evaluateThresholds,
  formatMeasured,
  formatThresholdSummary,
} from "../../../src/reports/threshold-eval.js";
import { parseThresholds } from "../../../src/reports/thresholds.js";
import { RequestStats } from "../../../src/stats/index.js";
import { RowBuilder } from "../../../src/web/rows.js";
import { parseCsv, sampleMeta, T0 } from "./fixtures.js";

/** Seven CLS samples of 0.1536 (web.dev: "needs improvement"), a page load, a 0.03 ms WS time. */
function vitalStats(): RequestStats {
  const stats = new RequestStats({ nowMs: T0 });
  for (let i = 0; i < 7; i++) stats.record("VITAL", "CLS /shift", 0.1536, 0, null, T0 + i * 100);
  stats.record("NAV", "/shift", 312.4, 900, null, T0 + 800);
  stats.record("WS", "hello", 0.03, 5, null, T0 + 900);
  stats.history.sample(stats, T0 + 1000, 1);
  return stats;
}

const close = (text: string | undefined) => Math.abs(Number(text) - 0.1536) < 0.0005;

describe("a CLS row keeps its decimals in every report", () => {
  it("_stats.csv and _stats_history.csv: median and percentiles are the score, not whole ms", () => {
    const snapshot = vitalStats().snapshot(T0 + 1000);
    const [header, ...rows] = parseCsv(statsCsv(snapshot));
    const cls = rows.find((r) => r[1] === "CLS /shift")!;
    for (const column of ["Median Response Time", "50%", "75%", "95%", "100%"]) {
      const cell = cls[header!.indexOf(column)];
      assert.ok(close(cell), `${column}: ${cell}`);
    }
    // A time row keeps Locust's whole milliseconds.
    const nav = rows.find((r) => r[1] === "/shift")!;
    assert.equal(nav[header!.indexOf("Median Response Time")], "312");
    const history = parseCsv(statsHistoryCsvRows(snapshot, 1, true));
    const clsHistory = history.find((r) => r[3] === "CLS /shift")!;
    const historyColumns = parseCsv(statsHistoryCsvHeader())[0]!;
    for (const column of ["Total Median Response Time"]) {
      const cell = clsHistory[historyColumns.indexOf(column)];
      assert.ok(close(cell), `history ${column}: ${cell}`);
    }
  });

  it("console, HTML and the web UI's rows show 0.154, not 0.15 or 0.2", () => {
    const stats = vitalStats();
    const snapshot = stats.snapshot(T0 + 1000);
    const console = [...formatStatsTable(snapshot, false), ...formatPercentileTable(snapshot)].join("\n");
    assert.match(console, /CLS \/shift\s+7\s+0\(0\.00%\)\s+\|\s+0\.154\s+0\.154\s+0\.154\s+0\.154 \|/);
    assert.match(requestStatsSection(snapshot) + percentilesSection(snapshot), /<td>0\.154<\/td>/);
    const entry = stats.entries().find((e) => e.name === "CLS /shift")!;
    const row = new RowBuilder().row(entry, T0 + 1000);
    assert.ok(close(String(row.medianMs)) && row.medianMs !== 0.15, `web median ${row.medianMs}`);
    assert.ok(close(String(row.avgMs)) && row.avgMs !== 0.15, `web avg ${row.avgMs}`);
  });
});

describe("a threshold's measured value reads as its verdict", () => {
  const results = () =>
    evaluateThresholds(
      parseThresholds({ "VITAL CLS /shift": ["p75 < 0.1"], "WS hello": ["avg < 0.0001"] }),
      vitalStats(),
      T0 + 1000,
    );

  it("a CLS threshold is unitless with three significant digits; 0.03 ms is not 0 ms", () => {
    const [cls, ws] = results();
    assert.equal(cls!.unit, "");
    assert.equal(cls!.passed, false);
    assert.equal(formatMeasured(cls!), "0.154");
    assert.equal(formatMeasured(ws!), "0.03 ms");
    const summary = formatThresholdSummary(results()).join("\n");
    assert.match(summary, /✗ VITAL CLS \/shift\s+p75 < 0\.1\s+measured 0\.154\n/);
    assert.match(summary, /✗ WS hello\s+avg < 0\.0001\s+measured 0\.03 ms/);
    assert.match(thresholdsSection(results()), /<td class="l">0\.154<\/td>/);
    assert.match(
      renderJunitXml(results(), sampleMeta()),
      /message="measured 0\.154, expected p\(75\) &lt; 0\.1"/,
    );
  });

  it("more digits where rounding would flip the verdict", () => {
    const cls = { metric: "p(75)", unit: "", operator: "<=", limit: 0.1 } as const;
    assert.equal(formatMeasured({ ...cls, measured: 0.10004 }), "0.10004");
    assert.equal(formatMeasured({ ...cls, measured: 0.14 }), "0.14");
    const time = { metric: "p(95)", operator: "<=", limit: 300 } as const;
    assert.equal(formatMeasured({ ...time, measured: 300.04 }), "300.04 ms");
    assert.equal(formatMeasured({ ...time, operator: "<", measured: 300.04 }), "300 ms"); // fails either way
    assert.equal(formatMeasured({ ...time, measured: 512.34 }), "512.3 ms");
  });
});
