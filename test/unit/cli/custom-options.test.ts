import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkCustomArguments } from "../../../src/cli/custom-options.js";
import { parseOptions } from "../../../src/cli/options.js";
import { CicadaError, ExitCode } from "../../../src/shared/errors.js";
import { ArgumentParser } from "../../../src/user/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const parser = new ArgumentParser();
parser.addArgument("--my-argument", { default: "", envVar: "LOCUST_MY_ARGUMENT", help: "It's working" });
parser.addArgument("--env", { choices: ["dev", "staging"], default: "dev" });
parser.addArgument("--regions", { choices: ["eu", "us"], isMultiple: true });
parser.addArgument("--api-key", { isRequired: true, isSecret: true });
parser.addArgument("-n, --think-time", { type: "number", default: 1 });
parser.addArgument("--trace", { type: "boolean" });
const customArguments = parser.arguments;

function parse(argv: string[], env: Record<string, string> = {}, cwd = tmpdir()) {
  return parseOptions({ argv, env, cwd }, "0.0.0", { customArguments });
}

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CicadaError, String(error));
    assert.equal(error.exitCode, ExitCode.usage);
    return error.message;
  }
  assert.fail("expected a usage error");
}

describe("custom arguments on the command line", () => {
  it("start at their defaults, under the camelCase key and Locust's dest", () => {
    const { options } = parse([]);
    assert.equal(options.myArgument, "");
    assert.equal(options.my_argument, "");
    assert.equal(options.env, "dev");
    assert.deepEqual(options.regions, []);
    assert.equal(options.thinkTime, 1);
    assert.equal(options.think_time, 1);
    assert.equal(options.trace, false);
    assert.equal(options.apiKey, undefined);
  });

  it("come from cicada.conf < CICADA_<FLAG> < their own envVar < the flag", () => {
    const dir = tempDir("cicada-custom-");
    writeFileSync(join(dir, "cicada.conf"), "my_argument = from-conf\nregions = eu, us\nthink-time = 3\n");
    assert.equal(parse([], {}, dir).options.myArgument, "from-conf");
    assert.deepEqual(parse([], {}, dir).options.regions, ["eu", "us"]);
    assert.equal(parse([], { CICADA_MY_ARGUMENT: "cicada-env" }, dir).options.myArgument, "cicada-env");
    const env = { CICADA_MY_ARGUMENT: "cicada-env", LOCUST_MY_ARGUMENT: "own-env" };
    assert.equal(parse([], env, dir).options.my_argument, "own-env");
    const { options } = parse(["--my-argument", "flag", "-n", "0.5", "--trace", "--regions", "us"], env, dir);
    assert.equal(options.myArgument, "flag");
    assert.equal(options.thinkTime, 0.5);
    assert.equal(options.trace, true);
    assert.deepEqual(options.regions, ["us"]);
  });

  it("a bad choice or number is a usage error naming the flag and where it came from", () => {
    const message = usageMessage(() =>
      parse(["--env", "prod", "--think-time", "soon"], { CICADA_REGIONS: "mars" }),
    );
    assert.match(message, /--env must be one of 'dev', 'staging', got 'prod'\n {2}→ at --env/);
    assert.match(message, /--think-time must be a number, got 'soon'/);
    assert.match(message, /--regions must be among 'eu', 'us', got 'mars'\n {2}→ at CICADA_REGIONS/);
  });

  it("a required one is needed when the run starts at once, not for the web form or a worker", () => {
    const message = usageMessage(() => parse(["--headless"]));
    assert.match(message, /--api-key is required/);
    assert.match(message, /--api-key <value>, CICADA_API_KEY/);
    usageMessage(() => parse(["--autostart"]));
    assert.equal(parse(["--headless", "--api-key", "k"]).options.apiKey, "k");
    assert.equal(parse([]).options.apiKey, undefined);
    assert.equal(parse(["--worker"]).options.apiKey, undefined);
    assert.equal(parse(["--headless", "--list"]).options.list, true);
  });

  it("an unknown flag is still a usage error, with a suggestion", () => {
    assert.match(
      usageMessage(() => parse(["--my-argumen", "x"])),
      /unknown option '--my-argumen'/,
    );
    const early = parseOptions({ argv: ["--my-argument", "x", "-f", "a.ts"], env: {}, cwd: tmpdir() }, "0", {
      early: true,
    });
    assert.equal(early.options.locustfile, "a.ts");
  });

  it("--help lists them in a group of their own", () => {
    const { printed } = parse(["--help"]);
    assert.ok(printed);
    const group = printed.slice(printed.indexOf("Custom arguments (from the locustfile)"));
    assert.match(group, /--my-argument <value> +It's working/);
    assert.match(group, /--env <value> +\(one of: dev, staging\) \(default: dev\)/);
    assert.match(group, /--api-key <value> +\(required\)/);
    assert.match(group, /-n, --think-time <value>/);
    assert.match(group, /LOCUST_MY_ARGUMENT/);
  });

  it("a flag of Cicada's own cannot be redefined", () => {
    const clash = new ArgumentParser();
    clash.addArgument("--users");
    clash.addArgument("-u, --unique");
    assert.throws(
      () => checkCustomArguments(clash.arguments, ['addArgument("x"): bad']),
      (error: CicadaError) =>
        error.code === "CICADA_ERR_CUSTOM_ARGUMENT" &&
        error.exitCode === ExitCode.locustfile &&
        /--users is one of Cicada's own options/.test(error.message) &&
        /-u \(of --unique\) is one of Cicada's own short flags/.test(error.message) &&
        /addArgument\("x"\): bad/.test(error.message),
    );
  });
});
