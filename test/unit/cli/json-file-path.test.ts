// --json-file NAME writes NAME.json, as Locust's does, but a NAME that is written in place
// (standard output or error, a FIFO, a device) keeps its name: `--json-file /dev/stdout`
// used to create a regular file /dev/stdout.json (as root, in /dev), and
// `--json --json-file /dev/stdout` passed the clash check because the suffix hid the device.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { warnAboutJsonSuffix } from "../../../src/cli/locust-habits.js";
import { reportOptionsOf } from "../../../src/cli/options-reports.js";
import { checkOutputPaths, jsonFilePath, resolveOutputPaths } from "../../../src/cli/output-paths.js";
import { ExitCode, UsageError } from "../../../src/shared/errors.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-json-file-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const none = { users: undefined, spawnRate: undefined, runTimeMs: undefined };

/** The CICADA_ERR_OUTPUT_CLASH message of `checkOutputPaths`, or undefined when it passes. */
function clash(jsonFile: string, cwd: string, json: boolean, junit?: string): string | undefined {
  const paths = resolveOutputPaths(
    reportOptionsOf({ loglevel: "INFO", exitCodeOnError: 1, userClasses: [], jsonFile, junit }),
    cwd,
    none,
  );
  try {
    checkOutputPaths(paths, json);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, ExitCode.usage);
    assert.equal(error.code, "CICADA_ERR_OUTPUT_CLASH");
    return error.message;
  }
  return undefined;
}

describe("--json-file NAME", () => {
  it("adds .json to a regular path, as Locust does: new, existing, a link to a file, a folder", (t) => {
    const dir = scratch(t);
    assert.equal(jsonFilePath("out/r1", "/work"), "/work/out/r1.json");
    assert.equal(jsonFilePath("r1.json", dir), join(dir, "r1.json.json"));
    writeFileSync(join(dir, "existing"), "");
    assert.equal(jsonFilePath("existing", dir), join(dir, "existing.json"));
    symlinkSync("existing", join(dir, "link"));
    assert.equal(jsonFilePath("link", dir), join(dir, "link.json"));
    mkdirSync(join(dir, "folder"));
    assert.equal(jsonFilePath("folder", dir), join(dir, "folder.json"));
  });

  it("writes /dev/stdout, /dev/stderr, a link to them and a FIFO in place, without .json", (t) => {
    const dir = scratch(t);
    for (const stream of ["/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/2"]) {
      assert.equal(jsonFilePath(stream, dir), stream);
    }
    symlinkSync("/dev/stdout", join(dir, "out"));
    assert.equal(jsonFilePath("out", dir), join(dir, "out"));
    execFileSync("mkfifo", [join(dir, "pipe")]);
    assert.equal(jsonFilePath("pipe", dir), join(dir, "pipe"));
    assert.equal(jsonFilePath("/dev/null", dir), "/dev/null");
    const paths = resolveOutputPaths(
      reportOptionsOf({ loglevel: "INFO", exitCodeOnError: 1, userClasses: [], jsonFile: "/dev/stdout" }),
      dir,
      none,
    );
    assert.equal(paths.jsonFile, "/dev/stdout");
    assert.ok(!existsSync("/dev/stdout.json"));
  });

  it("on standard output, clashes with --json and with another report there (exit 2)", (t) => {
    const dir = scratch(t);
    assert.equal(clash("/dev/stdout", dir, true), "--json and --json-file would both write standard output");
    assert.equal(
      clash("/dev/stdout", dir, false, "/dev/fd/1"),
      "--json-file and --junit would both write standard output",
    );
    symlinkSync("/dev/stdout", join(dir, "out"));
    assert.equal(clash("out", dir, true), "--json and --json-file would both write standard output");
    assert.equal(clash("/dev/stdout", dir, false), undefined, "alone on standard output is fine");
    assert.equal(clash("/dev/stderr", dir, true), undefined, "--json prints on stdout, not stderr");
    assert.equal(
      clash("/dev/stderr", dir, false, "/dev/stderr"),
      "--json-file and --junit would both write standard error",
    );
    assert.equal(clash("report", dir, true), undefined, "a regular path gets .json");
  });

  it("a FIFO named r.json is not warned about: no .json is added to it", (t) => {
    const dir = scratch(t);
    execFileSync("mkfifo", [join(dir, "r.json")]);
    const logs: LogRecord[] = [];
    const logger = new Logger((r) => logs.push(r), "DEBUG");
    warnAboutJsonSuffix("r.json", logger, dir);
    assert.deepEqual(logs, []);
    warnAboutJsonSuffix("other.json", logger, dir);
    assert.equal(logs.length, 1, "a regular path ending in .json still gets the warning");
  });
});
