import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { parseOptions } from "../../../src/cli/options.js";
import { capacitySettingsOf, checkCapacityShape } from "../../../src/cli/options-capacity.js";
import { ExitCode, UsageError } from "../../../src/shared/errors.js";

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseOptions({ argv, env, cwd: tmpdir() }, "0.0.0").options;
}

/** The one usage error `argv` gives: exit code 2, every message matching, with a hint. */
function rejects(argv: string[], ...messages: RegExp[]): void {
  assert.throws(
    () => parse(argv),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.exitCode, ExitCode.usage);
      for (const message of messages) assert.match(error.message, message);
      assert.ok(error.hint, "with a hint");
      return true;
    },
  );
}

describe("--find-capacity and --slo", () => {
  it("the short form works with defaults: users from 5, x2, held 10 s to 30 s, 5 %, up to 10,000", () => {
    const settings = capacitySettingsOf(
      parse(["--find-capacity", "--slo", "p95<300ms", "--slo", "failRate<1%"]),
    );
    assert.equal(settings.model, "users");
    assert.equal(settings.start, 5);
    assert.deepEqual(settings.growth, { kind: "multiply", factor: 2 });
    assert.equal(settings.max, 10_000);
    assert.equal(settings.minHoldMs, 10_000);
    assert.equal(settings.maxHoldMs, 30_000);
    assert.equal(settings.precision, 0.05);
    assert.deepEqual(
      settings.slos.map((s) => [s.expression, s.metric, s.operator, s.limit]),
      [
        ["p95<300ms", { kind: "percentile", percentile: 95 }, "<", 300],
        ["failRate<1%", { kind: "failRate" }, "<", 0.01],
      ],
    );
  });

  it("every setting, from flags, the environment and comma lists; -t bounds the search", () => {
    const settings = capacitySettingsOf(
      parse(
        [
          "--find-capacity",
          "--capacity-model",
          "arrival-rate",
          "--capacity-start",
          "50",
          "--capacity-growth",
          "+25",
          "--capacity-hold",
          "2s:8s",
          "--capacity-max",
          "400",
          "--capacity-precision",
          "10%",
          "-t",
          "5m",
        ],
        { CICADA_SLO: "p(99)_intended<1s, avg<=200" },
      ),
    );
    assert.equal(settings.model, "arrival-rate");
    assert.equal(settings.start, 50);
    assert.deepEqual(settings.growth, { kind: "add", step: 25 });
    assert.deepEqual([settings.minHoldMs, settings.maxHoldMs], [2000, 8000]);
    assert.equal(settings.max, 400);
    assert.equal(settings.precision, 0.1);
    assert.equal(settings.runTimeMs, 300_000);
    assert.deepEqual(
      settings.slos.map((s) => [s.metric.kind, s.operator, s.limit]),
      [
        ["intendedPercentile", "<", 1000],
        ["avg", "<=", 200],
      ],
    );
    assert.equal(
      capacitySettingsOf(parse(["--find-capacity", "--slo", "p95<1s", "--capacity-hold", "4s"])).maxHoldMs,
      30_000,
    );
  });

  it("an SLO that does not parse, or a metric that does not exist: one message naming the SLO metrics", () => {
    rejects(["--find-capacity", "--slo", "p95 under 300"], /--slo cannot parse 'p95 under 300'/);
    rejects(["--find-capacity", "--slo", "latency<300ms"], /unknown metric 'latency'.*SLO metrics: pN/);
    // Only the SLO metrics, the whole list replaced (its "p(N)" once cut the replacement short).
    rejects(
      ["--find-capacity", "--slo", "p59_intnded<500"],
      /unknown metric 'p59_intnded' in 'p59_intnded<500' \(SLO metrics: pN \(p95, p\(99\.9\)\), pN_intended, avg, med, min, max, failRate\)$/m,
    );
    rejects(["--find-capacity", "--slo", "rps<300"], /rps is not a service level a step can meet/);
    rejects(["--find-capacity", "--slo", "p95>300"], /an SLO is an upper bound, written with < or <=/);
    rejects(["--find-capacity", "--slo", "/api:p95<300"], /an SLO is about all requests/);
    rejects(["--find-capacity", "--slo", "failRate<1ms"], /'ms' only applies to response times/);
    rejects(["--find-capacity", "--slo", "p95_intended<300"], /only when the search raises the arrival rate/);
  });

  it("bad settings: an upper bound below the start, bad growth, hold, precision, model", () => {
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-start", "200", "--capacity-max", "100"],
      /the upper bound --capacity-max 100 is below the start --capacity-start 200/,
    );
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-start", "2.5"],
      /--capacity-start must be a whole number of users/,
    );
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-growth", "x1"],
      /a growth factor must be above 1/,
    );
    rejects(["--find-capacity", "--slo", "p95<300", "--capacity-growth", "double"], /expected x FACTOR/);
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-hold", "10s:5s"],
      /maximum hold \(5s\) is below the minimum/,
    );
    rejects(["--find-capacity", "--slo", "p95<300", "--capacity-precision", "60%"], /at most 50%/);
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-model", "rate"],
      /expected users or arrival-rate/,
    );
  });

  it("a bad setting beside a valid model: the SLOs are checked against that model, only the bad setting is said", () => {
    const messageOf = (argv: string[]) => {
      try {
        parse(argv);
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.exitCode, ExitCode.usage);
        return error.message;
      }
      assert.fail("no usage error");
    };
    const open = ["--find-capacity", "--capacity-model", "arrival-rate", "--slo", "p95_intended<125ms"];
    const growth = messageOf([...open, "--capacity-growth", "x0.5"]);
    assert.match(growth, /--capacity-growth: a growth factor must be above 1, got 'x0.5'/);
    assert.doesNotMatch(growth, /intended start|--slo/);
    assert.doesNotMatch(messageOf([...open, "--capacity-start", "abc"]), /intended start/);
    // A wrong model is the one problem said, not the SLO that needs another model, nor -r.
    const model = messageOf([...open.slice(0, 2), "rate", ...open.slice(3), "-r", "5"]);
    assert.match(model, /expected users or arrival-rate, got 'rate'/);
    assert.doesNotMatch(model, /intended start|no ramp of users/);
    // With the model given as arrival-rate, -r is still refused beside another bad setting.
    assert.match(messageOf([...open, "--capacity-growth", "x0.5", "-r", "5"]), /no ramp of users/);
  });

  it("conflicts: -u, --arrival-rate, -r with a rate, no --slo, settings without --find-capacity", () => {
    rejects(
      ["--find-capacity", "--slo", "p95<300", "-u", "10"],
      /searches the number of users itself: leave -u out/,
    );
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--arrival-rate", "10"],
      /use --capacity-model arrival-rate/,
    );
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-model", "arrival-rate", "-r", "5"],
      /an arrival-rate search has no ramp of users/,
    );
    rejects(["--find-capacity"], /needs at least one --slo/);
    // A trial's search judged no step and exited 11, "at least" of nothing.
    rejects(
      ["--find-capacity", "--slo", "p95<300", "--capacity-hold", "40s", "-t", "3s"],
      /-t 3s is shorter than one step's minimum hold \(40 s, --capacity-hold\): no step could be judged/,
    );
    assert.equal(
      capacitySettingsOf(parse(["--find-capacity", "--slo", "p95<300", "--capacity-hold", "1s", "-t", "1s"]))
        .runTimeMs,
      1000,
    );
    rejects(["--slo", "p95<300"], /--slo is for a capacity search: add --find-capacity/);
    rejects(["--capacity-max", "50"], /--capacity-max is for a capacity search/);
    // -r paces the users between steps of a users search.
    assert.equal(capacitySettingsOf(parse(["--find-capacity", "--slo", "p95<300", "-r", "7"])).spawnRate, 7);
  });

  it("a LoadTestShape: the search sets the load itself (usage error, exit 2)", () => {
    const options = parse(["--find-capacity", "--slo", "p95<300"]);
    assert.throws(
      () => checkCapacityShape(options, "Steps"),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === "CICADA_ERR_CAPACITY" &&
        /cannot follow the locustfile's LoadTestShape Steps/.test(error.message),
    );
    checkCapacityShape(options, undefined);
    checkCapacityShape(parse([]), "Steps");
  });
});
