import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { warnAboutJsonSuffix, warnAboutLocustSettings } from "../../../src/cli/locust-habits.js";
import { resolveLocustfilePaths } from "../../../src/cli/locustfile.js";
import { parseOptions } from "../../../src/cli/options.js";
import { UsageError } from "../../../src/shared/errors.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { tempDir } from "../../helpers/temp-dir.js";

/** The UsageError parseOptions throws for `argv`. */
function refusal(argv: string[]): UsageError {
  try {
    parseOptions({ argv, env: {}, cwd: "/" }, "0");
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error;
  }
  assert.fail(`${argv.join(" ")} was accepted`);
}

describe("a Locust user's habits", () => {
  it("Locust's old or Locust-only flags are refused with Cicada's way of doing the same", () => {
    const hatch = refusal(["--hatch-rate", "5"]);
    assert.match(hatch.message, /unknown option '--hatch-rate'/);
    assert.equal(hatch.hint, "Locust renamed --hatch-rate to --spawn-rate in 1.0: use -r / --spawn-rate");
    assert.match(refusal(["-c", "10"]).hint ?? "", /use -u \/ --users/);
    assert.match(refusal(["--no-web"]).hint ?? "", /use --headless/);
    assert.match(refusal(["--step-load"]).hint ?? "", /LoadTestShape/);
    assert.equal(
      refusal(["--web-auth", "a:b"]).hint,
      "Cicada's name for --web-auth is --web-login: use --web-login user:password",
    );
    assert.match(refusal(["--tls-cert", "c.pem"]).hint ?? "", /plain HTTP: put a TLS reverse proxy/);
    assert.match(refusal(["--equal-weights"]).hint ?? "", /same weight/);
    // Locust's opt-in is Cicada's default: commander would suggest the opposite flag.
    const rebalance = refusal(["--enable-rebalancing"]).hint ?? "";
    assert.match(rebalance, /by default .* leave it out/);
    assert.doesNotMatch(rebalance, /Did you mean/);
    // Any other unknown flag keeps commander's suggestion.
    assert.match(refusal(["--headles"]).hint ?? "", /Did you mean --headless\?/);
  });

  it("a folder that holds only Locust's locustfile.py: the message says what Cicada makes of it", () => {
    const dir = tempDir("cicada-locust-py-");
    writeFileSync(join(dir, "locustfile.py"), "from locust import HttpUser\n");
    assert.throws(
      () => resolveLocustfilePaths(undefined, dir),
      (error: UsageError) =>
        /locustfile\.py is a Python locustfile/.test(error.message) && /Port it/.test(error.hint ?? ""),
    );
    // Given as -f, the folder says the same of its Python file.
    assert.throws(() => resolveLocustfilePaths(dir, "/"), /locustfile\.py is a Python locustfile/);
    writeFileSync(join(dir, "locustfile.ts"), "export {};\n");
    assert.deepEqual(resolveLocustfilePaths(undefined, dir), [join(dir, "locustfile.ts")]);
    assert.throws(
      () => resolveLocustfilePaths(dir, "/"),
      (error: Error & { hint?: string }) =>
        /is a folder, not a locustfile/.test(error.message) &&
        error.hint === `Give the file: -f ${join(dir, "locustfile.ts").slice(1)}`,
    );
  });

  it("the same keys in a config file get the same hints", () => {
    const dir = tempDir("cicada-locust-keys-");
    const refusedKey = (line: string) => {
      writeFileSync(join(dir, "cicada.conf"), `${line}\n`);
      try {
        parseOptions({ argv: [], env: {}, cwd: dir }, "0");
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        return error;
      }
      return assert.fail(`${line} was accepted`);
    };
    const hatch = refusedKey("hatch-rate = 4");
    assert.equal(hatch.message, "cicada.conf:1: unknown option 'hatch-rate'");
    assert.equal(
      hatch.hint,
      "Locust renamed --hatch-rate to --spawn-rate in 1.0: write 'spawn-rate = ...' in the config file",
    );
    assert.equal(
      refusedKey("no_web = true").hint,
      "Locust renamed --no-web to --headless in 1.0: write 'headless = ...' in the config file",
    );
    assert.match(refusedKey("step-load = true").hint ?? "", /LoadTestShape/);
    assert.equal(refusedKey("usrs = 3").hint, "Did you mean 'users'?");
  });

  it("LOCUST_* variables and a lone locust.conf are named as ignored, once each", () => {
    const dir = tempDir("cicada-locust-habits-");
    const logs: LogRecord[] = [];
    const logger = new Logger((r) => logs.push(r), "DEBUG");
    writeFileSync(join(dir, "locust.conf"), "headless = true\n");
    warnAboutLocustSettings(
      { LOCUST_HEADLESS: "true", LOCUST_UNKNOWN_THING: "1", LOCUST_WEB_AUTH: "u:p", PATH: "/bin" },
      dir,
      logger,
    );
    assert.deepEqual(
      logs.map((r) => [r.level, r.message]),
      [
        [
          "WARNING",
          "LOCUST_HEADLESS is set, but Cicada reads CICADA_HEADLESS (--headless), not LOCUST_* variables: it is ignored",
        ],
        // A Locust-only setting has no CICADA_ twin: its hint says Cicada's way (a UI believed protected is not).
        [
          "WARNING",
          "LOCUST_WEB_AUTH is set, but Cicada reads no LOCUST_* variables: Cicada's name for --web-auth is --web-login: use --web-login user:password",
        ],
        ["WARNING", "locust.conf is here, but Cicada reads cicada.conf (the same keys): it is ignored"],
      ],
    );
    logs.length = 0;
    // Given with --config (or CICADA_CONFIG), it is read: no warning.
    for (const given of ["locust.conf", "./locust.conf", join(dir, "locust.conf")]) {
      warnAboutLocustSettings({}, dir, logger, given);
      assert.deepEqual(logs, [], `--config ${given}`);
    }
    warnAboutLocustSettings({}, dir, logger, "other.conf");
    assert.equal(logs.length, 1, "another file given: locust.conf is still not read");
    logs.length = 0;
    writeFileSync(join(dir, "cicada.conf"), "headless = true\n");
    warnAboutLocustSettings({}, dir, logger);
    assert.deepEqual(logs, [], "beside a cicada.conf, locust.conf is someone else's");
  });

  it("--json-file NAME.json is warned about: NAME.json.json is what it writes, as in Locust", () => {
    const logs: LogRecord[] = [];
    const logger = new Logger((r) => logs.push(r), "DEBUG");
    warnAboutJsonSuffix("out/r1.json", logger, "/work");
    warnAboutJsonSuffix("out/r1", logger, "/work");
    warnAboutJsonSuffix(undefined, logger, "/work");
    assert.deepEqual(
      logs.map((r) => [r.level, r.message]),
      [
        [
          "WARNING",
          "--json-file out/r1.json writes out/r1.json.json: the .json is added, as Locust adds it (--json-file out/r1 writes out/r1.json)",
        ],
      ],
    );
  });
});
