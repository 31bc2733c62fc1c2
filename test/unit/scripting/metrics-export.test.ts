import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, it } from "node:test";
import { MetricsCollector, renderExposition } from "../../../src/metrics/index.js";
import { Environment, LocalRunner } from "../../../src/runner/index.js";
import { Logger } from "../../../src/shared/logger.js";
import { constant, Events, scriptingApiFor, task, User } from "../../../src/user/index.js";

class Idle extends User {
  override waitTime = constant(1);
  @task idle() {}
}

const runners: LocalRunner[] = [];
after(() => Promise.all(runners.map((r) => r.quitAndWait())));

it("exports checks and each custom metric, counts monotonic across a new test, in text promtool accepts", async () => {
  const events = new Events();
  const { check, Counter, Gauge, Rate, Trend } = scriptingApiFor(events);
  const issued = new Counter("coupons_issued");
  const depth = new Gauge("queue_depth");
  const ok = new Rate("login_ok");
  const wait = new Trend("first_message", { unit: "ms" });
  const environment = new Environment({ userClasses: [Idle], events, logger: new Logger(() => {}, "ERROR") });
  const runner = new LocalRunner(environment);
  runners.push(runner);
  const collector = new MetricsCollector({
    runner,
    distributed: false,
    version: "1.2.3",
    logger: environment.logger,
  });
  check(1, { "is one": (v) => v === 1, 'say "two"': (v) => v === 2 });
  issued.add(3);
  depth.set(7);
  ok.add(true);
  ok.add(false);
  wait.add(12);
  environment.stats.reset(Date.now()); // a new test: the table restarts, the exported counts do not
  check(1, { "is one": (v) => v === 1 });
  issued.add(2);
  environment.stats.record("GET", "/cart", 12, 10, null, Date.now());
  environment.stats.record("TXN", "claim", 30, 10, null, Date.now());
  const { body } = await renderExposition(collector.collect(), false);
  const lint = spawnSync("promtool", ["check", "metrics"], {
    input: body,
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
  assert.match(body, /^cicada_checks_total\{check="is one",result="pass"\} 2$/m);
  assert.match(body, /^cicada_checks_total\{check="say \\"two\\"",result="fail"\} 1$/m);
  assert.match(body, /^cicada_custom_coupons_issued_total 5$/m);
  assert.match(body, /^cicada_custom_login_ok_total\{value="true"\} 1$/m);
  assert.match(body, /^cicada_custom_first_message_values_total 1$/m);
  // A transaction has its own series: summing the requests does not count its requests twice.
  assert.match(body, /^cicada_requests_total\{method="GET",name="\/cart"\} 1$/m);
  assert.doesNotMatch(body, /cicada_requests_total\{method="TXN"/);
  assert.match(body, /^cicada_transactions_total\{name="claim"\} 1$/m);
  assert.match(body, /^cicada_transaction_duration_seconds_bucket\{name="claim",le="0.03"\} 1$/m);
  // The gauge was not set since the new test began: no made-up value.
  assert.doesNotMatch(body, /^cicada_custom_queue_depth /m);
  collector.close();
});
