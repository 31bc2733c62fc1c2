import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { MetricsCollector, renderExposition, wantsOpenMetrics } from "../../../src/metrics/index.js";
import { Environment, LocalRunner } from "../../../src/runner/index.js";
import { Logger } from "../../../src/shared/logger.js";
import { constant, task, User } from "../../../src/user/index.js";

class Idle extends User {
  override waitTime = constant(1);
  @task idle() {}
}

const runners: LocalRunner[] = [];
after(() => Promise.all(runners.map((r) => r.quitAndWait())));

/** A collector over a runner whose table has awkward names (quotes, backslashes, newlines). */
function collectorWithData(): MetricsCollector {
  const environment = new Environment({ userClasses: [Idle], logger: new Logger(() => {}, "ERROR") });
  const runner = new LocalRunner(environment);
  runners.push(runner);
  const now = Date.now();
  environment.stats.record("GET", "/item/[id]", 12.5, 100, null, now);
  environment.stats.record("GET", '/say "hi"\\ \nnow', 3, 1, "HTTP 500", now);
  environment.stats.record("WS", "connect", null, 0, "refused", now);
  return new MetricsCollector({ runner, distributed: false, version: "1.2.3", logger: environment.logger });
}

/** promtool (Debian's prometheus package) lints an exposition the way Prometheus reads it. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], {
    input: text,
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the /metrics exposition", () => {
  it("is Prometheus text that promtool accepts, labels escaped", async () => {
    const { contentType, body } = await renderExposition(collectorWithData().collect(), false);
    assert.equal(contentType, "text/plain; version=0.0.4; charset=utf-8");
    const lint = promtoolCheck(body);
    assert.equal(lint.status, 0, lint.output);
    assert.match(body, /^# TYPE cicada_requests_total counter$/m);
    assert.match(body, /^cicada_requests_total\{method="GET",name="\/item\/\[id\]"\} 1$/m);
    assert.match(body, /^cicada_requests_total\{method="GET",name="\/say \\"hi\\"\\\\ \\nnow"\} 1$/m);
    assert.match(
      body,
      /^cicada_response_time_seconds_bucket\{method="GET",name="\/item\/\[id\]",le="0.01"\} 0$/m,
    );
    assert.match(
      body,
      /^cicada_response_time_seconds_bucket\{method="GET",name="\/item\/\[id\]",le="0.015"\} 1$/m,
    );
    assert.match(body, /^cicada_response_time_seconds_bucket\{method="WS",name="connect",le="\+Inf"\} 0$/m);
    assert.match(body, /^cicada_response_time_seconds_sum\{method="GET",name="\/item\/\[id\]"\} 0.0125$/m);
    assert.match(body, /^cicada_info\{version="1.2.3"\} 1$/m);
    assert.match(body, /^cicada_users 0$/m);
  });

  it("is OpenMetrics when the scraper asks (counters as families with _total samples, # EOF)", async () => {
    const accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    assert.equal(wantsOpenMetrics(accept), true);
    assert.equal(wantsOpenMetrics("text/plain"), false);
    assert.equal(wantsOpenMetrics(undefined), false);
    const collector = collectorWithData();
    const { contentType, body } = await renderExposition(collector.collect(), true);
    assert.match(contentType, /^application\/openmetrics-text; version=1.0.0/);
    assert.match(body, /^# TYPE cicada_requests counter$/m);
    assert.match(body, /^cicada_requests_total\{method="WS",name="connect"\} 1$/m);
    assert.ok(!body.includes("_total_total"), body);
    assert.ok(body.endsWith("# EOF\n"));
    // A scrape in the other format afterwards is unaffected (a fresh registry each time).
    const again = await renderExposition(collector.collect(), false);
    assert.match(again.body, /^# TYPE cicada_requests_total counter$/m);
  });
});
