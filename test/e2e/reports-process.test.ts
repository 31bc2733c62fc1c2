// The real `cicada` process (bin/cicada.js, built by `npm run build`) and real signals:
// SIGTERM still writes every report; SIGKILL leaves CSV files at most a second old.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { assertJsonReport } from "../../src/reports/json-validate.js";
import { csvRecords } from "../unit/reports/fixtures.js";
import { locustfile, OK_AND_SLOW, runFlags, scratch, startTarget } from "./reports-helpers.js";

const root = join(import.meta.dirname, "..", "..");
// Locust's _stats.csv columns (locust/stats.py; the project's Locust reference, section 3).
const STATS_COLUMNS = [
  ...["Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time"],
  ...["Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s"],
  ...["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"],
];

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCicada(t: TestContext, args: string[], cwd: string): Cli {
  const child = spawn(process.execPath, [join(root, "bin", "cicada.js"), ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The Aggregated request count in PREFIX_stats.csv, or 0 while there is none. */
function csvTotal(dir: string): number {
  const path = join(dir, "out_stats.csv");
  if (!existsSync(path)) return 0;
  return Number(csvRecords(readFileSync(path, "utf8"), STATS_COLUMNS).at(-1)?.["Request Count"] ?? 0);
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return predicate();
}

describe("the cicada process and signals", () => {
  it("SIGTERM: the summary is printed and every report written", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const cli = startCicada(
      t,
      [
        "--headless",
        "-u",
        "3",
        "-r",
        "30",
        "-t",
        "60s",
        "-H",
        target.url,
        "--csv",
        "out",
        "--json-file",
        "out",
      ].concat(["--html", "report.html", "--threshold", "count>0", "--only-summary"]),
      dir,
    );
    assert.ok(await until(() => csvTotal(dir) > 0, 15_000), `the run started:\n${cli.stderr()}`);
    cli.child.kill("SIGTERM");
    const { code } = await cli.exit;
    assert.equal(code, 0, cli.stderr());
    assert.match(cli.stdout(), /Response time percentiles/);
    assert.match(cli.stdout(), /✓ total\s+count>0/);
    const json: unknown = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
    assertJsonReport(json);
    assert.deepEqual(runFlags(json), ["interrupted"]);
    assert.equal(csvTotal(dir), json.total.numRequests, "the final CSV matches the final JSON");
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /<\/html>\n$/);
  });

  it("SIGKILL: the CSV files are complete and current", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const cli = startCicada(
      t,
      ["--headless", "-u", "3", "-r", "30", "-t", "60s", "-H", target.url, "--csv", "out", "--only-summary"],
      dir,
    );
    assert.ok(await until(() => csvTotal(dir) > 0, 15_000), `the run started:\n${cli.stderr()}`);
    const seen = csvTotal(dir);
    // Let at least one more rewrite happen, then kill without warning.
    assert.ok(await until(() => csvTotal(dir) > seen, 5000), "the files are rewritten while the test runs");
    cli.child.kill("SIGKILL");
    const { signal } = await cli.exit;
    assert.equal(signal, "SIGKILL");
    const counted = csvTotal(dir);
    assert.ok(counted > seen, `${counted} requests in the file after the kill`);
    // Counted at most about a second (plus one rewrite) before the kill.
    assert.ok(counted >= target.total() * 0.3, `file ${counted} vs served ${target.total()}`);
    const history = readFileSync(join(dir, "out_stats_history.csv"), "utf8").split("\r\n").filter(Boolean);
    assert.ok(history.length >= 3, "a header and a row per second");
  });
});
