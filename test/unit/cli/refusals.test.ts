// What the CLI refuses before a test starts, with one message, a documented exit code and
// no stack trace: a --logfile in a missing folder (was exit 70, a crash at the first log
// line) and more users than the process's memory can hold (was a V8 out-of-memory death).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { checkUserMemory } from "../../../src/cli/user-memory.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { runInProcess } from "../../helpers/in-process-cli.js";

function project(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-refusals-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "locustfile.ts"),
    'import { HttpUser, task } from "cicada-load";\nexport class U extends HttpUser { @task async a() { await this.client.get("/"); } }\n',
  );
  return dir;
}

const cli = runInProcess;

const HEADLESS = ["--headless", "-H", "http://127.0.0.1:1", "-t", "1s"];

describe("refused before the test starts", () => {
  it('an empty value of a repeatable option (--monitor "", --slo ""): exit 2, where it was ignored', async (t) => {
    const dir = project(t);
    for (const [flag, expected] of [
      ["--monitor", "<url>"],
      ["--threshold", "<expr>"],
    ] as const) {
      const { code, output } = await cli([...HEADLESS, flag, " "], dir);
      assert.equal(code, 2, output);
      assert.match(output, new RegExp(`${flag} was given an empty value: expected ${expected}`));
      assert.doesNotMatch(output, /Starting Cicada/);
    }
  });

  it("--logfile in a folder that does not exist: exit 4", async (t) => {
    const dir = project(t);
    const { code, output } = await cli([...HEADLESS, "--logfile", "missing/cicada.log"], dir);
    assert.equal(code, 4, output);
    assert.match(
      output,
      /^Error: cannot write the log file .*missing\/cicada\.log: the folder .*missing does not exist/m,
    );
    assert.match(output, /^Hint: /m);
    assert.doesNotMatch(output, /^\s+at /m, "no stack trace");
    assert.doesNotMatch(output, /Starting Cicada/);
  });

  it("-u 5000000: more users than this process's memory can hold, exit 4", async (t) => {
    const dir = project(t);
    const { code, output } = await cli([...HEADLESS, "-u", "5000000", "-r", "5000000"], dir);
    assert.equal(code, 4, output);
    assert.match(output, /5000000 users need at least 11\.9 GB of memory .*it would run out of memory/);
    assert.match(output, /^Hint: .*--processes/m);
    assert.doesNotMatch(output, /^\s+at /m);
  });

  it("a number that probably does not fit is a warning", () => {
    const logs: LogRecord[] = [];
    const logger = new Logger((record) => logs.push(record));
    checkUserMemory(100_000, logger, 1024 ** 3); // 1 GB: 244 MB at least, 1.9 GB typical
    assert.equal(logs.length, 1);
    assert.match(logs[0]!.message, /100000 users with HTTP connections usually take about 1\.9 GB/);
    checkUserMemory(1000, logger, 1024 ** 3);
    assert.equal(logs.length, 1, "no warning when they fit");
  });
});

describe("said, not refused", () => {
  it("--max-users and --max-queue-time with users (the closed model): a warning that they do nothing", async (t) => {
    const dir = project(t);
    const { code, output } = await cli(
      [
        "--headless",
        "-H",
        "http://127.0.0.1:1",
        "-t",
        "5s",
        "-i",
        "1",
        "-u",
        "1",
        "--max-users",
        "50",
        "--max-queue-time",
        "2s",
      ],
      dir,
    );
    assert.equal(code, 1, output); // the one request fails: nothing listens on port 1
    assert.match(
      output,
      /WARNING.*--max-users and --max-queue-time apply to an arrival rate \(--arrival-rate\): this test runs 1 user, so they do nothing/,
    );
  });
});
