import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderHtmlReport } from "../../../src/reports/html.js";
import { buildJsonReport } from "../../../src/reports/json.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import { evaluateThresholds } from "../../../src/reports/threshold-eval.js";
import { parseThresholds } from "../../../src/reports/thresholds.js";
import { RequestStats } from "../../../src/stats/index.js";
import { sampleMeta, sampleStats, T0 } from "./fixtures.js";

const HOUR_MS = 3_600_000;

/**
 * A synthetic 1-hour run: 100 names with a request each per second, 100,000 distinct
 * error messages of ~230 characters, history sampled every 3 s (1200 samples, so every
 * series has been downsampled).
 */
function hourLongRun(): RequestStats {
  const stats = new RequestStats({ nowMs: T0 });
  let errors = 0;
  for (let second = 0; second < 3600; second++) {
    const now = T0 + second * 1000;
    for (let n = 0; n < 100; n++) {
      stats.record(
        n % 2 ? "GET" : "POST",
        `/api/items/${n}`,
        5 + ((second * 7 + n * 13) % 300),
        512,
        null,
        now + n,
      );
    }
    for (let k = 0; k < 28 && errors < 100_000; k++, errors++) {
      stats.record(
        errors % 2 ? "GET" : "POST",
        `/api/items/${errors % 100}`,
        50,
        0,
        `HTTP 500 #${errors}: ${"x".repeat(220)}`,
        now + 500,
      );
    }
    if (second % 3 === 2) stats.history.sample(stats, now + 999, 100);
  }
  return stats;
}

describe("HTML report", () => {
  it("is one self-contained page with every section", () => {
    const stats = sampleStats();
    const thresholds = evaluateThresholds(
      parseThresholds({ "GET /a": ["p(95) < 96", "avg < 1"] }),
      stats,
      T0 + 10_000,
    );
    const html = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000, thresholds));
    assert.match(html, /^<!DOCTYPE html>/);
    for (const id of [
      "thresholds",
      "request-stats",
      "response-times",
      "charts",
      "failures",
      "exceptions",
      "task-ratio",
    ]) {
      assert.match(html, new RegExp(`<section id="${id}"`), id);
    }
    assert.match(html, /<dt>Start<\/dt><dd>2026-01-02 03:04:05 UTC<\/dd>/);
    assert.match(html, /<dt>Duration<\/dt><dd>10\.0s<\/dd>/);
    assert.match(html, /<dt>Spawn rate<\/dt><dd>5 users\/s<\/dd>/);
    assert.match(html, /class="pass">✓<\/td>[\s\S]*class="fail">✗<\/td>/);
    assert.match(html, /75\.0% read/);
    assert.match(html, /var data = JSON\.parse/);
    assert.match(html, /uPlot/);
    // Nothing may be fetched: no external script, style, image or font.
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|<img|url\(\s*["']?https?:|@import/i);
  });

  it("escapes everything that comes from the run", () => {
    const stats = new RequestStats({ nowMs: T0 });
    const evil = '</script><script>alert("x")</script>';
    stats.record("GET", evil, 10, 0, `<b>${evil}</b>`, T0 + 10);
    stats.history.sample(stats, T0 + 1000, 1);
    const html = renderHtmlReport(reportInputFromStats(stats, sampleMeta({ host: evil }), T0 + 1000));
    assert.equal(html.split("<script>alert").length, 1, "no injected script element");
    assert.match(html, /&lt;\/script&gt;&lt;script&gt;alert\(&quot;x&quot;\)/);
  });

  it("caps failures and exceptions with 'and N more'", () => {
    const stats = new RequestStats({ nowMs: T0, maxErrors: 500 });
    for (let i = 0; i < 600; i++) stats.record("GET", "/x", 1, 0, `error ${i}`, T0 + i);
    for (let i = 0; i < 30; i++) stats.recordException(`boom ${i}`, `boom ${i}\n    at f${i}`, T0, "local");
    const html = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 1000), { maxFailures: 50 });
    assert.equal(html.match(/<pre>error \d+<\/pre>/g)?.length, 50);
    assert.match(html, /… and 450 more failure groups \(450 occurrences\) not shown here/);
    assert.match(html, /… and 100 more occurrences of other errors, not grouped/);
    assert.match(html, /… and 10 more exceptions not shown here/);
  });

  it("stays small for a 1-hour run with 100 names and 100,000 distinct errors", () => {
    const stats = hourLongRun();
    const input = reportInputFromStats(
      stats,
      sampleMeta({ durationMs: HOUR_MS, endTimeMs: T0 + HOUR_MS }),
      T0 + HOUR_MS,
    );
    assert.equal(input.snapshot.entries.length, 100);
    assert.ok(input.snapshot.droppedErrors > 90_000, "most distinct errors were beyond the table's limit");
    const started = performance.now();
    const html = renderHtmlReport(input);
    const renderMs = performance.now() - started;
    const bytes = Buffer.byteLength(html);
    assert.ok(bytes < 3 * 1024 * 1024, `HTML report is ${bytes} bytes`);
    assert.ok(input.history.total.timeMs.length <= 1000, "the charted series is bounded");
    assert.match(html, /… and [\d,]+ more failure groups/);
    assert.ok(renderMs < 5000, `rendering took ${renderMs} ms`);
    const json = JSON.stringify(buildJsonReport(input));
    assert.ok(Buffer.byteLength(json) < 16 * 1024 * 1024, `JSON report is ${Buffer.byteLength(json)} bytes`);
  });
});

describe("HTML report: requests the table does not count once", () => {
  it("says under the request table how many were sent twice or aborted by the stop, as the console does", () => {
    const stats = sampleStats();
    const plain = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    assert.doesNotMatch(plain, /data-resent|data-aborted/, "nothing to reconcile: no note");
    stats.countResentRequest();
    stats.countResentRequest();
    stats.countAbortedRequests(3, 1);
    const html = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    const section = html.slice(
      html.indexOf('<section id="request-stats">'),
      html.indexOf("</section>", html.indexOf('<section id="request-stats">')),
    );
    assert.match(section, /<p class="more" data-resent="2">2 requests were sent twice: /);
    // The note's own text, compared whole (matching the page, megabytes, would make a failure slow to print).
    const abortedNote = (page: string) => /<p class="more" data-aborted="3">([^<]*)<\/p>/.exec(page)?.[1];
    assert.equal(
      abortedNote(section),
      "3 requests were in flight when their users stopped: they are in no statistic (the server may have answered them); " +
        "-s/--stop-timeout lets tasks finish",
    );
    // With a stop timeout, it ran out: pointing to -s would tell the user to do what they did.
    const withTimeout = renderHtmlReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      stopTimeoutMs: 3000,
    });
    assert.equal(
      abortedNote(withTimeout),
      "3 requests were in flight when their users stopped: they are in no statistic (the server may have answered them); " +
        "the stop timeout (-s/--stop-timeout, 3 s) ran out before their tasks ended",
    );
    assert.match(
      section,
      /<p class="more" data-aborted-unsent="1">⚠ 1 request was still waiting for a connection \(connect, TLS handshake, or a busy connection\) when its user stopped: the target never received it, it is in no statistic\. /,
    );
  });
});
