import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startCouponService } from "../../examples/coupon-service/service.js";
import { closedPort, fixtureDir, ROOT, runCli, startCli, startTarget } from "../helpers/cli.js";

const OK_FILE = `import { HttpUser, task, constant } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.05);
  @task(3) async home() { await this.client.get("/"); }
  @task async item() { await this.client.get("/item/" + Math.floor(Math.random() * 100), { name: "/item/[id]" }); }
}
`;

/** Parses the final Aggregated row of the summary: "Aggregated  <reqs>  <fails>(x%)". */
function aggregated(stdout: string): { requests: number; failures: number } {
  const rows = stdout.split("\n").filter((l) => /^\s+Aggregated\s+\d+/.test(l));
  const last = rows.at(-2) ?? rows.at(-1); // final stats block, before the percentile block's row
  const match = /Aggregated\s+(\d+)\s+(\d+)\(/.exec(last ?? "");
  assert.ok(match, `no Aggregated row in:\n${stdout}`);
  return { requests: Number(match[1]), failures: Number(match[2]) };
}

describe("headless runs of the real CLI", () => {
  it("runs for -t, prints the live table and Locust's final blocks, exits 0", async () => {
    const target = await startTarget((req, res) => res.end(req.url === "/" ? "home" : "item"));
    try {
      const dir = fixtureDir({ "locustfile.ts": OK_FILE });
      const result = await runCli(["--headless", "-u", "5", "-r", "10", "-t", "3s", "-H", target.url], {
        cwd: dir,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.durationMs > 2800 && result.durationMs < 9000, `took ${result.durationMs} ms`);
      assert.match(
        result.stdout,
        /Type\s+Name\s+# reqs\s+# fails \|\s+Avg\s+Min\s+Max\s+Med \|\s+req\/s\s+failures\/s/,
      );
      assert.match(result.stdout, /GET\s+\/item\/\[id\]/);
      assert.match(result.stdout, /Response time percentiles/);
      assert.match(
        result.stdout,
        /50%\s+66%\s+75%\s+80%\s+90%\s+95%\s+98%\s+99%\s+99\.9%\s+99\.99%\s+100%\s+# reqs/,
      );
      // The live table (every 2 s) appears before the final one.
      assert.ok(result.stdout.split("Type     Name").length >= 3, "live table printed during the run");
      const { requests, failures } = aggregated(result.stdout);
      assert.equal(failures, 0);
      assert.ok(requests > 50, `${requests} requests`);
      assert.ok(
        Math.abs(target.requests - requests) <= 5,
        `server saw ${target.requests}, summary ${requests}`,
      );
      assert.match(result.stderr, /All users spawned: \{"Visitor":5\}/);
    } finally {
      await target.close();
    }
  });

  it("counts failures and exits with --exit-code-on-error (default 1)", async () => {
    const target = await startTarget((req, res) => {
      res.statusCode = req.url === "/" ? 200 : 500;
      res.end("x");
    });
    try {
      const dir = fixtureDir({ "locustfile.ts": OK_FILE });
      const args = ["--headless", "-u", "2", "-r", "10", "-t", "2s", "-H", target.url, "--only-summary"];
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /Error report/);
      assert.match(result.stdout, /GET \/item\/\[id\]: HTTPError: 500 Internal Server Error/);
      assert.equal(
        result.stdout.split("Type     Name").length,
        3,
        "--only-summary prints only the final blocks",
      );
      const custom = await runCli([...args, "--exit-code-on-error", "7"], { cwd: dir });
      assert.equal(custom.code, 7);
    } finally {
      await target.close();
    }
  });

  it("an unreachable target is not a usage error: failures are counted with status 0 and the run goes on", async () => {
    const port = await closedPort();
    const dir = fixtureDir({ "locustfile.ts": OK_FILE });
    const result = await runCli(
      ["--headless", "-u", "2", "-r", "10", "-t", "2s", "-H", `http://127.0.0.1:${port}`],
      {
        cwd: dir,
      },
    );
    assert.equal(result.code, 1);
    const { requests, failures } = aggregated(result.stdout);
    assert.ok(requests > 10 && failures === requests, `${failures}/${requests}`);
    assert.match(result.stdout, /ConnectionRefusedError/);
  });

  it("counts task exceptions (exit 1) and shows where they were thrown", async () => {
    const target = await startTarget((_req, res) => res.end("ok"));
    try {
      const dir = fixtureDir({
        "locustfile.ts": `import { HttpUser, task, constant } from "cicada-load";
export class Buggy extends HttpUser {
  waitTime = constant(0.05);
  @task async parse() {
    const res = await this.client.get("/");
    JSON.parse(res.text());
  }
}
`,
      });
      const result = await runCli(["--headless", "-u", "1", "-t", "1s", "-H", target.url], { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /Exceptions[\s\S]*SyntaxError: Unexpected token[\s\S]*locustfile\.ts:6/);
    } finally {
      await target.close();
    }
  });

  it("runner.quit() from a task ends the test at the first non-200 (the breaking-point seed)", async () => {
    let served = 0;
    const target = await startTarget((_req, res) => {
      served++;
      res.statusCode = served > 30 ? 503 : 200;
      res.end("x");
    });
    try {
      const dir = fixtureDir({
        "locustfile.ts": `import { HttpUser, task, constant } from "cicada-load";
export class Prober extends HttpUser {
  waitTime = constant(0.01);
  @task async probe() {
    const res = await this.client.get("/");
    if (res.status !== 200) this.environment.runner?.quit();
  }
}
`,
      });
      const result = await runCli(["--headless", "-u", "3", "-r", "10", "-t", "60s", "-H", target.url], {
        cwd: dir,
      });
      assert.ok(result.durationMs < 20_000, `quit took ${result.durationMs} ms`);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /HTTPError: 503/);
    } finally {
      await target.close();
    }
  });

  it("SIGINT stops the users, prints the summary and exits with the usual code", async () => {
    const target = await startTarget((_req, res) => res.end("ok"));
    try {
      const dir = fixtureDir({ "locustfile.ts": OK_FILE });
      const run = startCli(["--headless", "-u", "3", "-r", "10", "-t", "60s", "-H", target.url], {
        cwd: dir,
      });
      await run.waitForOutput("All users spawned");
      await new Promise((resolve) => setTimeout(resolve, 800));
      run.child.kill("SIGINT");
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /SIGINT received/);
      assert.match(result.stdout, /Response time percentiles/);
      assert.ok(aggregated(result.stdout).requests > 0);
      // The summary itself says so (the log line may be in --logfile, or below -L).
      assert.match(
        result.stdout,
        /⚠ The run was interrupted by SIGINT; the statistics cover the time until then\./,
      );
    } finally {
      await target.close();
    }
  });

  it("takes options from cicada.conf < CICADA_* env < flags", async () => {
    const target = await startTarget((_req, res) => res.end("ok"));
    try {
      const dir = fixtureDir({
        "locustfile.ts": OK_FILE,
        "cicada.conf": "users = 2\nspawn-rate = 100\nrun_time = 1s\nheadless = true\n",
      });
      const fromFile = await runCli(["-H", target.url], { cwd: dir });
      assert.match(fromFile.stderr, /All users spawned: \{"Visitor":2\}/);
      const fromEnv = await runCli(["-H", target.url], { cwd: dir, env: { CICADA_USERS: "3" } });
      assert.match(fromEnv.stderr, /All users spawned: \{"Visitor":3\}/);
      const fromFlag = await runCli(["-H", target.url, "-u", "4"], { cwd: dir, env: { CICADA_USERS: "3" } });
      assert.match(fromFlag.stderr, /All users spawned: \{"Visitor":4\}/);
    } finally {
      await target.close();
    }
  });

  it("-l lists user classes and tasks; --help and -V print and exit 0", async () => {
    const dir = fixtureDir({ "locustfile.ts": OK_FILE });
    const list = await runCli(["-l"], { cwd: dir });
    assert.equal(list.code, 0);
    assert.match(list.stdout, /Visitor \(weight 1\)\n\s+home \(weight 3\)\n\s+item \(weight 1\)/);
    const help = await runCli(["--help"], { cwd: dir });
    assert.equal(help.code, 0);
    for (const flag of [
      "--locustfile",
      "--host",
      "--users",
      "--spawn-rate",
      "--run-time",
      "--headless",
      "--tags",
      "--exit-code-on-error",
    ]) {
      assert.ok(help.stdout.includes(flag), `--help mentions ${flag}`);
    }
    const version = await runCli(["-V"], { cwd: dir });
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  it("--logfile and -L send logs to a file at the chosen level", async () => {
    const target = await startTarget((_req, res) => res.end("ok"));
    try {
      const dir = fixtureDir({ "locustfile.ts": OK_FILE });
      const args = ["--headless", "-u", "1", "-t", "1s", "-H", target.url, "--only-summary"];
      const toFile = await runCli([...args, "--logfile", "run.log", "-L", "debug"], { cwd: dir });
      assert.equal(toFile.code, 0);
      assert.doesNotMatch(toFile.stderr, /Starting Cicada/);
      const log = readFileSync(join(dir, "run.log"), "utf8");
      assert.match(log, /INFO\/cicada: Starting Cicada/);
      const quiet = await runCli([...args, "-L", "WARNING"], { cwd: dir });
      assert.doesNotMatch(quiet.stderr, /INFO/);
    } finally {
      await target.close();
    }
  });

  it("runs the ported Locust 0.x TaskSequence example in order against the coupon service", async () => {
    const service = await startCouponService({ port: 0 });
    try {
      const result = await runCli(
        [
          "-f",
          "examples/task-sequence/locustfile.ts",
          "--headless",
          "-u",
          "4",
          "-r",
          "10",
          "-t",
          "4s",
          "--only-summary",
          "-H",
          service.url,
        ],
        { cwd: ROOT },
      );
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const count = (name: RegExp) =>
        Number(new RegExp(`${name.source}\\s+(\\d+)`).exec(result.stdout)?.[1] ?? "0");
      const posts = count(/POST\s+\/coupons\/1\/issue/);
      const lists = count(/GET\s+\/coupons\?page=\[n\]/);
      assert.ok(posts > 0, result.stdout);
      // In a fixed order, every list is followed by a form post (at most one behind per user).
      assert.ok(lists - posts >= 0 && lists - posts <= 4, `lists ${lists}, posts ${posts}`);
    } finally {
      await service.close();
    }
  });
});
