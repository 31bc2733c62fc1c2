// The whole CLI, in-process, against a real server on 127.0.0.1: the report files, the
// threshold verdicts and their exit codes, --json on stdout, and every bad input.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertJsonReport } from "../../src/reports/json-validate.js";
import { waitFor } from "../helpers/env.js";
import { csvRecords, unwritableFolder } from "../unit/reports/fixtures.js";
import {
  isCleanError,
  locustfile,
  OK_AND_SLOW,
  runCli,
  runFlags,
  scratch,
  startCli,
  startTarget,
} from "./reports-helpers.js";

const PERCENTILES = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"];
// Locust's columns (locust/stats.py; the project's Locust reference, section 3).
const LOCUST_STATS = [
  ...["Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time"],
  ...["Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s"],
  ...PERCENTILES,
];
const LOCUST_HISTORY = [
  ...["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"],
  ...PERCENTILES,
  ...[
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
  ],
  ...["Total Min Response Time", "Total Max Response Time", "Total Average Content Size"],
];

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const base = (host: string, time = "2s") => ["--headless", "-u", "4", "-r", "40", "-t", time, "-H", host];

describe("reports from a real run", () => {
  it("writes Locust's CSVs, the JSON, HTML and JUnit files; passing thresholds exit 0", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const result = await runCli(
      [
        ...base(target.url, "2.5s"),
        ...[
          "--csv",
          "out",
          "--json-file",
          "out",
          "--html",
          "report_{u}_{r}_{t}.html",
          "--junit",
          "junit.xml",
        ],
        ...["--threshold", "p95<5000", "--threshold", "GET /ok:failRate<0.01", "--only-summary"],
      ],
      dir,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Thresholds\n {2}✓ total\s+p95<5000\s+measured [\d.]+ ms\n {2}✓ GET \/ok/);
    assert.match(result.stdout, /All 2 thresholds passed/);

    const stats = csvRecords(read(dir, "out_stats.csv"), LOCUST_STATS);
    assert.deepEqual(
      stats.map((r) => `${r.Type} ${r.Name}`),
      ["GET /ok", "GET /slow", " Aggregated"],
    );
    const total = stats.at(-1)!;
    const served = target.total();
    const counted = Number(total["Request Count"]);
    // Users stopped mid-request were served but not counted: at most one per user.
    assert.ok(
      counted > 20 && counted <= served && counted >= served - 4,
      `counted ${counted}, served ${served}`,
    );
    assert.equal(Number(stats[0]!["Request Count"]) + Number(stats[1]!["Request Count"]), counted);
    assert.ok(Number(stats[1]!["Median Response Time"]) >= 25, "GET /slow takes about 30 ms");

    const history = csvRecords(read(dir, "out_stats_history.csv"), LOCUST_HISTORY);
    assert.ok(history.length >= 3, `a history row about every second: ${history.length}`);
    assert.ok(history.every((r) => r.Name === "Aggregated"));
    const stamps = history.map((r) => Number(r.Timestamp));
    assert.ok(stamps.every((s, i) => i === 0 || s >= stamps[i - 1]!));
    assert.equal(history.at(-1)!["Total Request Count"], String(counted));
    csvRecords(read(dir, "out_failures.csv"), [
      "Method",
      "Name",
      "Error",
      "Occurrences",
      "First Seen",
      "Last Seen",
    ]);
    csvRecords(read(dir, "out_exceptions.csv"), ["Count", "Message", "Traceback", "Nodes"]);

    const json: unknown = JSON.parse(read(dir, "out.json"));
    assertJsonReport(json);
    assert.equal(json.total.numRequests, counted);
    assert.equal(json.meta.users, 4);
    assert.equal(json.meta.host, target.url);
    assert.equal(json.meta.locustfile, "locustfile.ts");
    assert.deepEqual(
      json.thresholds.map((r) => [r.key, r.passed]),
      [
        ["total", true],
        ["GET /ok", true],
      ],
    );
    assert.ok(json.total.histogram !== null);

    assert.ok(existsSync(join(dir, "report_4_40_3.html")), readdirSync(dir).join(", "));
    const junit = read(dir, "junit.xml");
    assert.equal(junit.match(/<testcase /g)?.length, 2);
    assert.doesNotMatch(junit, /<failure/);
  });

  it("a crossed threshold exits 99, even when requests also failed; thresholds that pass leave Locust's rule", async (t) => {
    const target = await startTarget(t);
    const tasks = `  @task(3) async ok() { await this.client.get("/ok"); }
  @task async fail() { await this.client.get("/fail"); }`;
    const dir = scratch(
      t,
      locustfile(tasks, `export const thresholds = { "GET /fail": ["failRate < 0.5"] };`),
    );
    const failing = await runCli(
      [...base(target.url), "--junit", "junit.xml", "--threshold", "/typo:count>0", "--only-summary"],
      dir,
    );
    assert.equal(failing.code, 99, failing.stderr);
    assert.match(failing.stdout, /✗ GET \/fail\s+failRate < 0\.5\s+measured 1 \(100\.00%\)/);
    assert.match(failing.stdout, /✗ \/typo\s+count>0\s+no data: no request with this name/);
    assert.match(failing.stdout, /2 of 2 thresholds failed/);
    assert.match(
      read(dir, "junit.xml"),
      /<failure type="threshold" message="measured 1 \(100\.00%\), expected failRate &lt; 0\.5"/,
    );

    const passing = await runCli(
      [...base(target.url, "1s"), "--threshold", "/ok:count>0", "--only-summary"],
      dir,
    );
    assert.equal(passing.code, 99, "the locustfile's threshold still fails");
    const dir2 = scratch(t, locustfile(tasks));
    const onlyCli = await runCli(
      [...base(target.url, "1s"), "--threshold", "/ok:count>0", "--only-summary"],
      dir2,
    );
    assert.equal(onlyCli.code, 1, "thresholds passed, requests failed: --exit-code-on-error (1)");
  });

  it("abortOnFail stops the run once the threshold has failed for its delay", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(
      t,
      locustfile(
        OK_AND_SLOW,
        `export const thresholds = { "GET /slow": [{ threshold: "p(95) < 1", abortOnFail: true, delayAbortEval: "1s" }] };`,
      ),
    );
    const started = performance.now();
    const result = await runCli([...base(target.url, "60s"), "--json-file", "out", "--only-summary"], dir);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 99, result.stderr);
    assert.ok(seconds < 15, `stopped after ${seconds.toFixed(1)} s of a 60 s run`);
    assert.match(
      result.stderr,
      /threshold 'GET \/slow: p\(95\) < 1' failed .* aborting the run \(abortOnFail\)/,
    );
    assert.match(result.stdout, /✗ GET \/slow\s+p\(95\) < 1\s+measured [\d.]+ ms\s+\(aborted the run\)/);
    const json: unknown = JSON.parse(read(dir, "out.json"));
    assertJsonReport(json);
    assert.equal(json.thresholds[0]!.aborted, true);
    assert.deepEqual(runFlags(json), ["aborted-by-threshold"]);
  });

  it("--json prints only the JSON report on stdout; tables and summary go to stderr", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const result = await runCli([...base(target.url, "2.5s"), "--json", "--threshold", "count>0"], dir);
    assert.equal(result.code, 0, result.stderr);
    const json: unknown = JSON.parse(result.stdout);
    assertJsonReport(json);
    assert.ok(json.total.numRequests > 0);
    assert.match(result.stderr, /Type\s+Name\s+# reqs/, "the live table and the summary are on stderr");
    assert.match(result.stderr, /Response time percentiles/);
    assert.match(result.stderr, /✓ total\s+count>0/);
  });

  it("--json-file /dev/stdout writes the JSON on stdout, not /dev/stdout.json; with --json it is refused", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const existedBefore = existsSync("/dev/stdout.json");
    const result = await runCli(
      [...base(target.url, "1.5s"), "--json-file", "/dev/stdout", "--only-summary"],
      dir,
    );
    assert.equal(result.code, 0, result.stderr);
    const line = result.stdout.split("\n").find((text) => text.startsWith("{"));
    assert.ok(line !== undefined, `the JSON report on stdout:\n${result.stdout}`);
    const json: unknown = JSON.parse(line);
    assertJsonReport(json);
    assert.ok(json.total.numRequests > 0);
    assert.match(result.stderr, /JSON report written to \/dev\/stdout\n/);
    if (!existedBefore) assert.ok(!existsSync("/dev/stdout.json"), "no regular file /dev/stdout.json");

    const clash = await runCli([...base(target.url, "1s"), "--json", "--json-file", "/dev/stdout"], dir);
    assert.equal(clash.code, 2, clash.stderr);
    assert.match(clash.stderr, /--json and --json-file would both write standard output/);
    assert.equal(clash.stdout, "", "refused before the run: nothing on stdout");
    assert.ok(isCleanError(clash.stderr), clash.stderr);
  });

  it("an interrupted run (first Ctrl-C/SIGTERM) still writes every report", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    const running = startCli(
      [...base(target.url, "60s"), "--csv", "out", "--json-file", "out", "--html", "r.html"],
      dir,
    );
    // Signal once requests are answered, not after a fixed time: on a slow machine the CLI
    // may still be loading the locustfile after 1.5 s, and a run stopped before its first
    // answer has no requests to report. 4 users have at most 4 requests in flight.
    assert.ok(await waitFor(() => target.total() > 8, 15_000), "the test should send requests");
    running.signal("SIGTERM");
    const result = await running.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Aggregated/);
    const json: unknown = JSON.parse(read(dir, "out.json"));
    assertJsonReport(json);
    assert.ok(json.total.numRequests > 0);
    assert.deepEqual(runFlags(json), ["interrupted"]);
    assert.match(read(dir, "r.html"), /The run was interrupted/);
    const [total] = csvRecords(read(dir, "out_stats.csv"), LOCUST_STATS).slice(-1);
    assert.equal(total!["Request Count"], String(json.total.numRequests));
  });

  it("if the HTML cannot be written at the end, the CSV, JSON and summary still are (exit 4)", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(OK_AND_SLOW));
    mkdirSync(join(dir, "html"));
    const running = startCli(
      [
        ...base(target.url, "2s"),
        "--csv",
        "out",
        "--json-file",
        "out",
        "--html",
        "html/r.html",
        "--only-summary",
      ],
      dir,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(join(dir, "html"), { recursive: true }); // the folder disappears during the run
    const result = await running.done;
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /could not write the HTML report to .*html\/r\.html/);
    assert.match(result.stdout, /Aggregated/);
    const json: unknown = JSON.parse(read(dir, "out.json"));
    assertJsonReport(json);
    const [total] = csvRecords(read(dir, "out_stats.csv"), LOCUST_STATS).slice(-1);
    assert.equal(total!["Request Count"], String(json.total.numRequests));
  });
});

describe("bad report and threshold input is refused before the test starts", () => {
  const cases: Array<{
    name: string;
    args: (dir: string) => string[];
    exports?: string;
    code: number;
    message: RegExp;
  }> = [
    {
      name: "a threshold that does not parse",
      args: () => ["--threshold", "p95 300"],
      code: 2,
      message: /invalid threshold\(s\):\n✖ --threshold 'p95 300': cannot parse 'p95 300'/,
    },
    {
      name: "an unknown metric",
      args: () => ["--threshold", "/ok:latency<3"],
      code: 2,
      message:
        /unknown metric 'latency' in 'latency<3' \(metrics: p\(N\), pN, avg, min, max, med, rps, failRate, failures, count, pN_intended, p\(N\)_intended, dropped, interrupted\)/,
    },
    {
      name: "a bad threshold in the locustfile",
      args: () => [],
      exports: `export const thresholds = { "GET /ok": ["p(95) < 300", { threshold: "avg < 1", abortOnFail: "yes" }] };`,
      code: 2,
      message: /locustfile thresholds\["GET \/ok"\]\[1\]: 'abortOnFail' must be true or false/,
    },
    {
      name: "an HTML path in a folder that does not exist",
      args: () => ["--html", "missing/report.html"],
      code: 4,
      message: /✖ --html: cannot write .*missing\/report\.html: the folder .*missing does not exist/,
    },
    {
      name: "a CSV prefix in a folder that cannot be written",
      args: (dir) => ["--csv", join(unwritableFolder(dir), "run")],
      code: 4,
      message: /✖ --csv: cannot write .*run_stats\.csv: the folder .* is not writable/,
    },
    {
      name: "a JSON file name that is a folder",
      args: (dir) => ["--json-file", join(dir, "taken")],
      code: 4,
      message: /✖ --json-file: cannot write .*taken\.json: .*taken\.json is a folder/,
    },
    {
      name: "a JUnit path under a file",
      args: () => ["--junit", "locustfile.ts/junit.xml"],
      code: 4,
      message: /✖ --junit: cannot write .*: .*locustfile\.ts is not a folder/,
    },
  ];

  for (const c of cases) {
    it(c.name, async (t) => {
      const target = await startTarget(t);
      const dir = scratch(t, locustfile(OK_AND_SLOW, c.exports ?? ""));
      mkdirSync(join(dir, "taken.json"));
      const before = readdirSync(dir).sort();
      const result = await runCli([...base(target.url, "1s"), ...c.args(dir)], dir);
      assert.equal(result.code, c.code, result.stderr);
      assert.match(result.stderr, c.message);
      assert.match(result.stderr, /^Error: /m);
      assert.match(result.stderr, /^Hint: /m);
      assert.ok(isCleanError(result.stderr), `no stack trace:\n${result.stderr}`);
      assert.equal(target.total(), 0, "no request was sent");
      assert.doesNotMatch(result.stderr, /Starting Cicada/);
      assert.deepEqual(readdirSync(dir).sort(), before, "no file was written");
    });
  }
});
