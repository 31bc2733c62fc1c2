import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { parseOptions } from "../../../src/cli/options.js";
import { arrivalRateOf, openModelSettingsOf } from "../../../src/cli/options-open-model.js";
import { ExitCode, UsageError } from "../../../src/shared/errors.js";

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseOptions({ argv, env, cwd: tmpdir() }, "0.0.0").options;
}

/** The one usage error `argv` gives: exit code 2 and a message matching `message`. */
function rejects(argv: string[], message: RegExp, env: Record<string, string> = {}): void {
  assert.throws(
    () => parse(argv, env),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.exitCode, ExitCode.usage);
      assert.match(error.message, message);
      assert.ok(error.hint, "with a hint");
      return true;
    },
  );
}

describe("--arrival-rate, --ramp, --max-users, --max-queue-time", () => {
  it("parse a rate, a ramp and the caps (defaults 1000 users, 1 s)", () => {
    assert.deepEqual(arrivalRateOf(parse(["--arrival-rate", "500"])), { from: 500, to: undefined });
    const ramp = parse([
      "--arrival-rate",
      "100:1000",
      "--ramp",
      "60s",
      "--max-users",
      "50",
      "--max-queue-time",
      "0.5s",
    ]);
    assert.deepEqual(arrivalRateOf(ramp), { from: 100, to: 1000 });
    assert.equal(ramp.ramp, 60_000);
    assert.deepEqual(openModelSettingsOf(ramp), { maxUsers: 50, maxQueueMs: 500 });
    assert.deepEqual(openModelSettingsOf(parse([])), { maxUsers: 1000, maxQueueMs: 1000 });
    assert.deepEqual(arrivalRateOf(parse(["--arrival-rate", "0:200", "--ramp", "10s"])), {
      from: 0,
      to: 200,
    });
    assert.equal(parse(["--max-queue-time", "0"]).maxQueueTime, 0);
    assert.equal(
      parse(["--max-queue-time", "500ms"]).maxQueueTime,
      500,
      "milliseconds, as the trial typed them",
    );
    assert.deepEqual(arrivalRateOf(parse([], { CICADA_ARRIVAL_RATE: "2.5" })), { from: 2.5, to: undefined });
  });

  it("reject a zero, negative or non-numeric rate", () => {
    rejects(["--arrival-rate", "0"], /--arrival-rate must be more than 0 iterations per second, got '0'/);
    rejects(["--arrival-rate=-5"], /--arrival-rate must be more than 0 iterations per second, got '-5'/);
    rejects(
      ["--arrival-rate", "fast"],
      /--arrival-rate must be a number of iterations per second such as 500/,
    );
    rejects(["--arrival-rate", "0:0", "--ramp", "5s"], /ramps from 0 to 0/);
    // Either end of a ramp may be 0 (not "more than 0"), neither negative.
    for (const ramp of ["-1:10", "10:-1"])
      rejects(
        ["--arrival-rate", ramp, "--ramp", "5s"],
        new RegExp(
          `--arrival-rate is a ramp with a negative end, got '${ramp}': each end of A:B is 0 or more`,
        ),
      );
    // 1e309 reads as Infinity: it passed, and the run then started nothing and exited 0.
    rejects(["--arrival-rate", "1e309"], /--arrival-rate is too large to be a rate, got '1e309'/);
    rejects(["--arrival-rate", "1:1e309", "--ramp", "1s"], /--arrival-rate is too large to be a rate/);
    // Finite but beyond 2^53 iterations in a few hours: 1e16 spun the scheduler until the watchdog.
    rejects(
      ["--arrival-rate", "1e16"],
      /--arrival-rate is too large to be a rate, got '1e16': give at most 1,000,000/,
    );
    assert.deepEqual(arrivalRateOf(parse(["--arrival-rate", "1000000"])), { from: 1_000_000, to: undefined });
    // The next flag taken as the rate: the rate is missing, not negative.
    rejects(
      ["--arrival-rate", "-t", "1s"],
      /--arrival-rate needs a number of iterations per second right after it.*got the option '-t'/,
    );
    rejects([], /--arrival-rate must be more than 0[\s\S]*CICADA_ARRIVAL_RATE/, { CICADA_ARRIVAL_RATE: "0" });
  });

  it("reject a ramp without a rate, a ramp of one rate, and A:B without --ramp", () => {
    rejects(["--ramp", "60s"], /--ramp needs --arrival-rate A:B/);
    rejects(
      ["--arrival-rate", "500", "--ramp", "60s"],
      /--ramp needs a ramp in --arrival-rate, A:B such as 0:500 \(from 0 up to 500\/s\), got --arrival-rate '500'/,
    );
    rejects(["--arrival-rate", "100:1000"], /give its duration with --ramp/);
    // A --ramp that cannot be read is one mistake, said once (not also "give --ramp").
    assert.throws(
      () => parse(["--arrival-rate", "50:60", "--ramp", "abc"]),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--ramp must be a time span .* got 'abc'/);
        assert.doesNotMatch(error.message, /give its duration with --ramp/);
        return true;
      },
    );
  });

  it("reject --arrival-rate with -u or -r, and --max-users below 1", () => {
    rejects(
      ["--arrival-rate", "500", "-u", "10"],
      /--arrival-rate and -u\/--users are two ways to make load/,
    );
    rejects(["--arrival-rate", "500", "-r", "10"], /--arrival-rate and -r\/--spawn-rate/);
    rejects(["--arrival-rate", "500"], /-u\/--users[\s\S]*CICADA_USERS/, { CICADA_USERS: "5" });
    // Where each side came from: a rate from the environment (or cicada.conf) beside -u.
    rejects(["-u", "2"], /two ways to make load[^\n]*\n {2}→ at CICADA_ARRIVAL_RATE and --users/, {
      CICADA_ARRIVAL_RATE: "50",
    });
    rejects(["--max-users", "0"], /--max-users must be a whole number ≥ 1/);
  });

  it("reject -i/--iterations with an arrival rate (it was silently ignored)", () => {
    rejects(["--arrival-rate", "10", "-i", "20"], /-i\/--iterations counts the tasks of users .*give -t/);
  });
});
