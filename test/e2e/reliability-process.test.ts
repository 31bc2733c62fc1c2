// The real `cicada` process against mistakes in the locustfile's own code and against
// signals (docs/reliability.md): an error nothing awaited, a closed terminal.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertJsonReport } from "../../src/reports/json-validate.js";
import { alive, cicadaPid, startCicada } from "./distributed-helpers.js";
import { locustfile, OK_AND_SLOW, runFlags, scratch, startTarget } from "./reports-helpers.js";

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
      ["--headless", "-u", "2", "-r", "10", "-t", "1s", "-H", target.url, ...REPORTS],
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
    assert.deepEqual(runFlags(json), ["interrupted"]);
    assert.ok(json.total.numRequests > 0);
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /<\/html>\n$/);
  });
});

/** A user whose third task never yields: a synchronous loop (it says so first, on stdout). */
const SPINNER = `  @task async work() {
    await this.client.get("/ok");
    if (++(globalThis as { runs?: number }).runs! > 2) spin();
  }`;
const SPIN_FUNCTION = `(globalThis as { runs?: number }).runs = 0;
function spin(): void {
  console.log("spinning now");
  for (;;) {}
}`;

/** Waits `ms`. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the watchdog: CPU-bound task code cannot make Cicada unstoppable", () => {
  it("-t passes while a task loops: the run ends, every report written, the loop's place named, exit 6", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(SPINNER, SPIN_FUNCTION));
    const cli = startCicada(
      t,
      ["--headless", "-u", "1", "-r", "10", "-t", "1s", "-H", target.url, ...REPORTS],
      {
        cwd: dir,
        timeoutMs: 20_000,
      },
    );
    assert.equal(await cli.exited, 6, cli.output());
    const json = jsonReport(dir);
    assert.deepEqual(runFlags(json), ["stalled"]);
    const stall = json.exceptions.find((row) => row.message.startsWith("Stalled: the run time was over"));
    assert.ok(stall, JSON.stringify(json.exceptions));
    assert.match(
      stall.traceback,
      /at spin \(.*locustfile\.ts:\d+/,
      "where the loop was, in the TypeScript source",
    );
    assert.ok(json.total.numRequests >= 3);
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /<\/html>\n$/);
    assert.match(cli.output(), /ending the run and writing the reports/);
    assert.doesNotMatch(cli.output(), /Waiting for the debugger/);
  });

  it("--stall-timeout 1s ends a run whose event loop is blocked, before its run time", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(SPINNER, SPIN_FUNCTION));
    const cli = startCicada(
      t,
      [
        "--headless",
        "-u",
        "1",
        "-r",
        "10",
        "-t",
        "60s",
        "--stall-timeout",
        "1s",
        "-H",
        target.url,
        ...REPORTS,
      ],
      { cwd: dir, timeoutMs: 20_000 },
    );
    assert.equal(await cli.exited, 6, cli.output());
    assert.match(cli.output(), /the event loop was blocked for 1\.\d s \(--stall-timeout 1 s\)/);
    assert.ok(jsonReport(dir).total.numRequests >= 3);
  });

  it("a second Ctrl-C that goes unanswered ends the run with its reports", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(SPINNER, SPIN_FUNCTION));
    const args = ["--headless", "-u", "1", "-r", "10", "-t", "60s", "-H", target.url, ...REPORTS];
    const cli = startCicada(t, args, { cwd: dir, timeoutMs: 20_000 });
    await cli.waitFor(/spinning now/);
    await pause(1200); // the loop has not answered for over a second
    cli.child.kill("SIGINT");
    await pause(300); // two key presses (signals sent at once would merge into one)
    cli.child.kill("SIGINT");
    assert.equal(await cli.exited, 6, cli.output());
    assert.match(cli.output(), /SIGINT went unanswered twice/);
    assert.ok(jsonReport(dir).total.numRequests >= 3);
  });

  it("kill -9 of the launcher while a task loops: the child does not outlive it", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(SPINNER, SPIN_FUNCTION));
    const cli = startCicada(t, ["--headless", "-u", "1", "-r", "10", "-t", "60s", "-H", target.url], {
      cwd: dir,
      timeoutMs: 20_000,
    });
    await cli.waitFor(/spinning now/);
    const child = cicadaPid(cli);
    assert.notEqual(child, cli.child.pid, "a launcher and its child");
    t.after(() => {
      if (alive(child)) process.kill(child, "SIGKILL");
    });
    cli.child.kill("SIGKILL");
    const started = performance.now();
    while (alive(child) && performance.now() - started < 8000) await pause(100);
    assert.ok(!alive(child), "the child ended with its launcher");
  });
});
