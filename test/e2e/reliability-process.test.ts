// The real `cicada` process against mistakes in the locustfile's own code and against
// signals (docs/reliability.md): an error nothing awaited, a closed terminal.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertJsonReport } from "../../src/reports/json-validate.js";
import { startCicada } from "./distributed-helpers.js";
import { locustfile, OK_AND_SLOW, scratch, startTarget } from "./reports-helpers.js";

const REPORTS = ["--csv", "out", "--json-file", "out", "--html", "report.html", "--only-summary"];

/** The JSON report of a finished run in `dir`, checked against the schema. */
function jsonReport(dir: string) {
  const json: unknown = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
  assertJsonReport(json);
  return json;
}

describe("errors outside any task", () => {
  it("a forgotten await and a throwing timer are recorded with their stack; the run goes on; exit 5", async (t) => {
    const target = await startTarget(t);
    const tasks = `  @task async careless() {
    Promise.reject(new Error("forgotten await")); // nothing awaits it
    setTimeout(() => { throw new TypeError("thrown from a timer"); }, 0);
    await this.client.get("/ok");
  }`;
    const dir = scratch(t, locustfile(tasks));
    const cli = startCicada(
      t,
      ["--headless", "-u", "2", "-r", "10", "-t", "2s", "-H", target.url, ...REPORTS],
      {
        cwd: dir,
      },
    );
    assert.equal(await cli.exited, 5, cli.output());
    const json = jsonReport(dir);
    assert.ok(json.total.numRequests >= 20, `the users carried on: ${json.total.numRequests} requests`);
    const messages = json.exceptions.map((row) => row.message).sort();
    assert.deepEqual(messages, [
      "Uncaught exception: TypeError: thrown from a timer",
      "Unhandled promise rejection: forgotten await",
    ]);
    for (const row of json.exceptions) {
      assert.match(row.traceback, /locustfile\.ts:\d+/, "the stack points into the locustfile");
      assert.ok(row.count >= 10, `${row.message}: ${row.count}`);
    }
    assert.match(readFileSync(join(dir, "out_exceptions.csv"), "utf8"), /forgotten await/);
    assert.ok(existsSync(join(dir, "report.html")));
    assert.match(cli.output(), /failed outside any task/);
    assert.doesNotMatch(cli.output(), /node:internal/, "no raw Node stack");
  });
});

describe("signals", () => {
  it("SIGHUP (a closed terminal) ends the run like SIGTERM: every report written", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const cli = startCicada(
      t,
      ["--headless", "-u", "2", "-r", "10", "-t", "60s", "-H", target.url, ...REPORTS],
      {
        cwd: dir,
      },
    );
    await cli.waitFor(/All users spawned/);
    cli.child.kill("SIGHUP");
    assert.equal(await cli.exited, 0, cli.output());
    const json = jsonReport(dir);
    assert.deepEqual(
      json.meta.flags.map((flag) => flag.code),
      ["interrupted"],
    );
    assert.ok(json.total.numRequests > 0);
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /<\/html>\n$/);
  });
});
