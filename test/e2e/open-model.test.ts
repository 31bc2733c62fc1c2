/**
 * The open model through the real CLI: `--arrival-rate` against a target that counts what
 * it receives per second, the reports of an arrival-rate run, and bad input.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertJsonReport } from "../../src/reports/index.js";
import { fixtureDir, runCli, startTarget, type Target } from "../helpers/cli.js";

const ONE_REQUEST = `import { HttpUser, task } from "cicada-load";
export class Visitor extends HttpUser {
  @task async home() { await this.client.get("/"); }
}
`;

/** Per epoch second: requests the target received. */
const perSecond = new Map<number, number>();
let target: Target;

before(async () => {
  target = await startTarget((_req, res) => {
    const second = Math.floor(Date.now() / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    setTimeout(() => res.end("ok"), 5);
  });
});
after(() => target.close());

/** A user's mistake through the real CLI: exit 2, one message with a hint, no stack trace. */
function assertUsage(result: { code: number | null; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, message);
  assert.match(result.stderr, /^Hint: /m);
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
}

describe("--arrival-rate through the real CLI", () => {
  it("the target receives the rate every second; the reports carry both latencies and the iterations", async () => {
    const dir = fixtureDir({ "locustfile.ts": ONE_REQUEST });
    perSecond.clear();
    const result = await runCli(
      [
        "--headless",
        "--arrival-rate",
        "100",
        "-t",
        "3.5s",
        "-H",
        target.url,
        "--only-summary",
        "--json-file",
        "report",
        "--csv",
        "run",
        "--threshold",
        "dropped<1",
        "--threshold",
        "p99_intended<2000",
      ],
      { cwd: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    // Whole seconds inside the run: the target's own count is the rate, within 5 %.
    const seconds = [...perSecond.keys()].sort();
    const inside = seconds.slice(1, -1);
    assert.ok(inside.length >= 2, `seconds seen: ${seconds.join(", ")}`);
    for (const second of inside) {
      const count = perSecond.get(second)!;
      assert.ok(
        Math.abs(count - 100) <= 5,
        `second ${second}: the target received ${count}, expected 100 ± 5`,
      );
    }
    assert.match(result.stdout, /Response time percentiles from the intended start/);
    assert.match(result.stdout, /Iterations \(arrival rate\): target 100\/s, started \d+ .*, 0 dropped/);
    assert.match(result.stdout, /✓ total\s+dropped<1\s+measured 0/);

    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    assertJsonReport(report);
    const received = [...perSecond.values()].reduce((a, b) => a + b, 0);
    // The requests still in flight when the run time ended are interrupted, not counted (as Locust does).
    const counted = report.total.numRequests;
    assert.ok(
      counted <= received && received - counted <= 3,
      `counted ${counted}, the target received ${received}`,
    );
    // One request per iteration (one handed to a user as the run ended may not have sent it).
    const started = report.iterations!.started;
    assert.ok(started >= received && started - received <= 2, `${started} iterations, ${received} requests`);
    assert.equal(report.iterations!.dropped, report.iterations!.scheduled - report.iterations!.started);
    assert.ok(
      Math.abs(report.iterations!.started - 350) <= 3,
      `${report.iterations!.started} iterations in 3.5 s`,
    );
    assert.equal(report.meta.loadModel, "arrival-rate");
    assert.deepEqual(report.meta.arrivalRate, { from: 100, to: null, rampMs: null });
    assert.equal(report.total.intended!.count, counted);
    assert.ok(report.total.intended!.percentiles.p50! >= report.total.percentiles.p50!);
    const iterations = readFileSync(join(dir, "run_iterations.csv"), "utf8").trim().split("\r\n");
    assert.equal(
      iterations[0],
      "Timestamp,User Count,Target Rate,Iterations/s,Dropped/s,Total Scheduled,Total Started,Total Dropped,Waiting",
    );
    assert.ok(iterations.length >= 4, `${iterations.length} lines`);
    assert.match(readFileSync(join(dir, "run_stats.csv"), "utf8").split("\r\n")[0]!, /,Intended 99%,/);
  });

  it("bad input: one clear message, exit code 2, nothing runs", async () => {
    const dir = fixtureDir({ "locustfile.ts": ONE_REQUEST });
    const headless = ["--headless", "-H", target.url];
    assertUsage(
      await runCli([...headless, "--arrival-rate", "0"], { cwd: dir }),
      /--arrival-rate must be more than 0/,
    );
    assertUsage(
      await runCli([...headless, "--arrival-rate", "x"], { cwd: dir }),
      /--arrival-rate must be a number/,
    );
    assertUsage(
      await runCli([...headless, "--ramp", "10s"], { cwd: dir }),
      /--ramp needs --arrival-rate A:B/,
    );
    assertUsage(
      await runCli([...headless, "--arrival-rate", "10", "-u", "5"], { cwd: dir }),
      /--arrival-rate and -u\/--users are two ways to make load/,
    );
  });

  it("a load shape that mixes an arrival rate with users stops with exit code 2", async () => {
    const dir = fixtureDir({
      "locustfile.ts": `${ONE_REQUEST}
import { LoadTestShape } from "cicada-load";
export class Mixed extends LoadTestShape {
  tick() { return { arrivalRate: 10, users: 3, spawnRate: 1 } as never; }
}
`,
    });
    assertUsage(
      await runCli(["--headless", "-H", target.url], { cwd: dir }),
      /the load shape's tick\(\) mixed an arrival rate with users/,
    );
  });
});
