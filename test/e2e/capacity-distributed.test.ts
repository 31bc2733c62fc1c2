/**
 * The capacity search distributed (`--processes 2`) through the real CLI, against targets
 * of known capacity (bench/targets/capacity-server.mjs): the search runs on the master,
 * the two worker processes follow its user counts (or their share of its rate), and the
 * steps are judged on the merged statistics, which arrive every 3 s. So each step waits
 * 3.5 s and is held 6 s: the searches are narrow (three steps, two) and run at once.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type CapacityServer,
  startCapacityServer,
  trueCapacity,
} from "../../bench/targets/capacity-server.mjs";
import type { JsonReport } from "../../src/reports/index.js";
import { type CliResult, fixtureDir, runCli } from "../helpers/cli.js";
import { CAPACITY_LOCUSTFILE, jsonReport, SERVICE_MS, SLO_MS, SLOTS, within } from "./capacity-helpers.js";

interface Search {
  target: CapacityServer;
  result: CliResult;
  report: JsonReport;
}

describe("--find-capacity --processes 2 through the real CLI, against targets of known capacity", () => {
  const targets: CapacityServer[] = [];
  let closed: Search;
  let open: Search;
  after(() => Promise.all(targets.map((target) => target.close())));

  before(async () => {
    const dir = fixtureDir({ "locustfile.ts": CAPACITY_LOCUSTFILE });
    const search = async (name: string, args: string[]): Promise<Search> => {
      const target = await startCapacityServer({ slots: SLOTS, serviceMs: SERVICE_MS });
      targets.push(target);
      const result = await runCli(
        [
          ...["--headless", "-H", target.url, "--processes", "2", "--find-capacity", `--slo=p95<${SLO_MS}ms`],
          // Asked 1 s to 3 s: a distributed search holds each step at least 6 s anyway.
          ...["--capacity-hold=1s:3s", "--capacity-precision=20%", "--only-summary", `--json-file=${name}`],
          // Users taken away, between steps and at the end, finish their request: every one is counted.
          "--stop-timeout=2s",
          "--run-time=60s",
          ...args,
        ],
        { cwd: dir, timeoutMs: 90_000 },
      );
      assert.ok(
        existsSync(join(dir, `${name}.json`)),
        `no ${name}.json; exit ${result.code}:\n${result.stderr}`,
      );
      return { target, result, report: jsonReport(dir, name) };
    };
    // Both at once: the file's wall time is the longer search's (~32 s).
    [closed, open] = await Promise.all([
      // 40 met, 56 broke, 48 (the middle, 96 % of the limit) met: 56 / 48 is within 20 %. On a
      // busy machine 48 may break too (CI once read p95 305 ms there): 48 / 40 ends it as well.
      search("closed", ["--capacity-start=40", "--capacity-growth=+16"]),
      // 165/s (83 % of the capacity) meets; 195/s (98 %) meets on a quiet machine and may not
      // keep up on a busy one, whose target timers run late; 225/s breaks. Either way the
      // search ends within 20 %: 165 or 195.
      search("open", [
        "--capacity-model=arrival-rate",
        "--capacity-start=165",
        "--capacity-growth=+30",
        "--slo=failRate<1%",
      ]),
    ]);
  });

  it("closed model: the users at which p95 crosses the SLO (K·T/S = 50) within ±10 %, exit 0, every request counted", () => {
    const { result, report, target } = closed;
    assert.equal(result.code, 0, result.stderr);
    const truth = trueCapacity({ model: "users", slots: SLOTS, serviceMs: SERVICE_MS, p95LimitMs: SLO_MS });
    const capacity = report.capacity!;
    const steps = capacity.steps.map((s) => `${s.load}: ${s.reason}`).join("; ");
    assert.equal(capacity.outcome, "found", steps);
    const ran = JSON.stringify(capacity.steps.map((s) => [s.load, s.passed]));
    const quiet = JSON.stringify([
      [40, true],
      [56, false],
      [48, true],
    ]);
    const busy = JSON.stringify([
      [40, true],
      [56, false],
      [48, false],
    ]);
    assert.ok(ran === quiet || ran === busy, steps);
    // Within 10 % on a quiet machine (as the local search, capacity.test.ts, always is); 40 on a busy one.
    const tolerance = ran === quiet ? 0.1 : 0.2;
    assert.ok(
      within(capacity.capacity, truth.load, tolerance) && capacity.capacity! < truth.load,
      `found ${capacity.capacity} users, expected below 50, within ${tolerance * 100} %`,
    );
    // From 20 users on, the K slots are full: the target's throughput, counted across the workers.
    assert.ok(within(capacity.best!.rps, truth.rps, 0.1), `${capacity.best!.rps} req/s at the answer`);
    assert.ok(capacity.best!.p95Ms! < SLO_MS && capacity.breaking!.p95Ms! >= SLO_MS);
    assert.match(
      result.stdout,
      new RegExp(
        `Capacity: ${capacity.capacity} users \\(\\d+\\.\\d req\\/s\\) met every SLO; ${capacity.breaking!.load} users broke p95<250ms \\(measured \\d+ ms\\)\\.`,
      ),
    );
    // The merged statistics of a step are judged once every worker has reported it: 3.5 s after
    // its load is reached, then for at least 6 s (a report of each worker in each half).
    assert.equal(capacity.settings.minHoldMs, 6000);
    for (const step of capacity.steps) {
      assert.ok(step.holdStartMs! - step.startTimeMs >= 3500, `step ${step.index} waited for the reports`);
      assert.ok(step.windowToMs - step.windowFromMs >= 5900, `step ${step.index} judged on 6 s`);
    }
    // The master's total is the sum of the workers' reports, and it is exactly what the target received.
    assert.equal(
      report.total.numRequests,
      target.received(),
      "the master counted every request the target received",
    );
    assert.equal(report.total.numFailures, 0);
  });

  it("open model: the arrival rate the target serves (K/S = 200/s) within ±10 %, exit 0, every request counted", () => {
    const { result, report, target } = open;
    assert.equal(result.code, 0, result.stderr);
    const capacity = report.capacity!;
    const steps = capacity.steps.map((s) => `${s.load}: ${s.reason}`).join("; ");
    assert.equal(capacity.model, "arrival-rate");
    const quiet = [
      [165, true],
      [195, true],
      [225, false],
    ];
    const busy = [
      [165, true],
      [195, false],
    ];
    const ran = capacity.steps.map((s) => [s.load, s.passed]);
    assert.ok(
      JSON.stringify(ran) === JSON.stringify(quiet) || JSON.stringify(ran) === JSON.stringify(busy),
      steps,
    );
    const truth = trueCapacity({
      model: "arrival-rate",
      slots: SLOTS,
      serviceMs: SERVICE_MS,
      p95LimitMs: SLO_MS,
    });
    assert.ok(
      within(capacity.capacity, truth.load, 0.2) && capacity.capacity! < truth.load,
      `found ${capacity.capacity}/s, expected below 200/s, within 20 %`,
    );
    // The workers ran the whole rate between them: the answer's step kept up with its rate.
    assert.ok(
      within(capacity.best!.rps, capacity.capacity!, 0.05),
      `${capacity.best!.rps} req/s at ${capacity.capacity}/s`,
    );
    // Short of its rate: in completed requests, or (a busier machine) in iterations that
    // waited for a free user or were dropped; every one of them is a keep-up break.
    assert.match(capacity.breaking!.reason, /keep-up: /);
    assert.equal(
      report.total.numRequests,
      target.received(),
      "the master counted every request the target received",
    );
  });
});
