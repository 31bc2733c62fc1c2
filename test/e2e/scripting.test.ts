import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { startCouponService } from "../../examples/coupon-service/service.js";
import type { JsonReport } from "../../src/reports/json-schema.js";
import { fixtureDir, ROOT, runCli, startTarget } from "../helpers/cli.js";
import { LOCUST } from "../helpers/locust.js";
import { freePort, startCicada, startProcess } from "./distributed-helpers.js";

const EXAMPLE = join(ROOT, "examples", "coupon-claim", "locustfile.ts");

/** The bundled coupon service with one coupon of `stock`, and what it says it did. */
async function couponService(t: TestContext, stock: number) {
  const service = await startCouponService({ port: 0, coupons: 1, stock, deals: 0 });
  t.after(() => service.close());
  const get = async <T>(path: string) => (await (await fetch(`${service.url}${path}`)).json()) as T;
  return {
    url: service.url,
    signins: () => get<{ total: number; distinct: number; repeated: string[] }>("/signins"),
    coupon: () => get<{ issued: number; distinctUsers: number; overIssued: boolean }>("/coupons/1/stats"),
  };
}

describe("the coupon-claim example: distinct accounts, a claim transaction, checks, a counter and its threshold", () => {
  it("one process: every output has the checks and the counter, which agrees with the service's own count", async (t) => {
    const service = await couponService(t, 20);
    const dir = fixtureDir({});
    const result = await runCli(
      [
        "-f",
        EXAMPLE,
        "--headless",
        "-u",
        "30",
        "-r",
        "30",
        "-t",
        "2s",
        "-H",
        service.url,
        "--only-summary",
        "--csv",
        join(dir, "run"),
        "--json-file",
        join(dir, "run"),
        "--threshold",
        "/coupons/[id]:p95[1s]<1000",
      ],
      { env: { COUPON_STOCK: "20" } },
    );
    const out = result.stdout;
    assert.equal(result.code, 0, `${out}\n${result.stderr}`);
    assert.match(out, /TXN\s+claim\s+30\s+0\(0\.00%\)/);
    assert.match(out, /a coupon or sold out\s+30\s+0\s+100\.00%/);
    assert.match(out, /Custom metrics\n {2}coupons_issued\s+counter\s+20 /);
    assert.match(out, /✓ coupons_issued\s+count<=20\s+measured 20/);
    assert.match(
      out,
      /✓ \/coupons\/\[id\]\s+p95\[1s\]<1000\s+measured [\d.]+ ms \(worst of [1-3] windows? of 1 s\)/,
    );
    // The service's own count: 30 accounts, each signed in once, 20 coupons to 20 of them.
    assert.deepEqual(await service.signins(), { total: 30, distinct: 30, repeated: [] });
    const coupon = await service.coupon();
    assert.deepEqual([coupon.issued, coupon.distinctUsers, coupon.overIssued], [20, 20, false]);
    const checksCsv = readFileSync(join(dir, "run_checks.csv"), "utf8");
    assert.match(checksCsv, /^Name,Passes,Fails,Pass Rate\r\n/);
    assert.match(checksCsv, /All checks,60,0,1\.0\r\n$/);
    assert.match(readFileSync(join(dir, "run_metrics.csv"), "utf8"), /\r\ncoupons_issued,counter,20\.0,/);
    const report = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as JsonReport;
    assert.equal(report.metrics?.find((m) => m.name === "coupons_issued")?.count, 20);
    assert.equal(report.entries.find((e) => e.method === "TXN")?.numRequests, 30);
    assert.equal(
      report.total.numRequests,
      report.entries.filter((e) => e.method !== "TXN").reduce((s, e) => s + e.numRequests, 0),
    );
  });

  it("master + 2 workers: no account handed out twice, the counter added up, the threshold failing on it", async (t) => {
    const service = await couponService(t, 20);
    // The locustfile believes the stock is 5: the merged counter (20) must fail its threshold.
    const master = startCicada(
      t,
      [
        "-f",
        EXAMPLE,
        "--headless",
        "-u",
        "30",
        "-r",
        "30",
        "-t",
        "2s",
        "-H",
        service.url,
        "--processes",
        "2",
        "--only-summary",
      ],
      { env: { COUPON_STOCK: "5" } },
    );
    const code = await master.exited;
    const out = master.output();
    assert.equal(code, 99, out);
    assert.match(out, /✗ coupons_issued\s+count<=5\s+measured 20/);
    assert.match(out, /All checks\s+60\s+0\s+100\.00%/, "both workers' checks, merged");
    assert.deepEqual(await service.signins(), { total: 30, distinct: 30, repeated: [] });
    assert.equal((await service.coupon()).issued, 20);
  });
});

describe("bad input of the scripting API: one clear message, a documented exit code", () => {
  const USER = `import { HttpUser, task, data, Counter, Gauge } from "cicada-load";
export class Visitor extends HttpUser {
  @task async home() { await this.client.get("/"); }
}
`;

  it("a CSV that does not parse (3, with line and column) and a metric name clash (3)", async () => {
    const dir = fixtureDir({
      "users.csv": 'user,pass\nann,"x\nbob,y"z\n',
      "csv.ts": `${USER}const users = data.csv("users.csv");\n`,
      "clash.ts": `${USER}new Counter("issued");\nnew Gauge("issued");\n`,
    });
    const csv = await runCli(["-f", "csv.ts", "--headless", "-H", "http://127.0.0.1:1"], { cwd: dir });
    assert.equal(csv.code, 3, csv.stderr);
    assert.match(
      csv.stderr,
      /Error: the data file users\.csv does not parse: line 3, column 7: text after the closing quote/,
    );
    assert.doesNotMatch(csv.stderr, /^\s+at /m);
    const clash = await runCli(["-f", "clash.ts", "--headless", "-H", "http://127.0.0.1:1"], { cwd: dir });
    assert.equal(clash.code, 3, clash.stderr);
    assert.match(clash.stderr, /Error: the metric "issued" is already a Counter: it cannot also be a Gauge/);
    assert.match(clash.stderr, /^Hint: /m);
  });

  it("a data file missing on a worker whose master does not have it: the worker ends with exit 3", async (t) => {
    const dir = fixtureDir({
      "master.ts": USER,
      "worker.ts": `${USER}const users = data.csv("only-here.csv", { mode: "unique" });\n`,
    });
    const port = await freePort();
    const master = startCicada(
      t,
      [
        "-f",
        "master.ts",
        "--master",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        String(port),
        "-H",
        "http://127.0.0.1:1",
      ],
      { cwd: dir },
    );
    await master.waitFor(/Master listening/);
    const worker = startCicada(t, ["-f", "worker.ts", "--worker", "--master-port", String(port)], {
      cwd: dir,
    });
    assert.equal(await worker.exited, 3, worker.output());
    assert.match(
      worker.output(),
      /Error: the data file only-here\.csv is not found \(looked for .*only-here\.csv\)/,
    );
    master.child.kill("SIGTERM");
  });

  it("a transaction never awaited (1: a task error, named) and a failing window that aborts the run (99)", async (t) => {
    const target = await startTarget((_req, res) => res.end("ok"));
    t.after(() => target.close());
    const dir = fixtureDir({
      "forgot.ts": `import { HttpUser, task, constant } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.2);
  @task async home() {
    this.transaction("claim", async () => { await this.client.get("/"); await new Promise((r) => setTimeout(r, 50)); });
  }
}
`,
      "abort.ts": `import { HttpUser, task, constant, type Thresholds } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.1);
  @task async home() { await this.client.get("/"); }
}
export const thresholds: Thresholds = { total: [{ threshold: "count[1s]>100000", abortOnFail: true }] };
`,
    });
    const forgot = await runCli(["-f", "forgot.ts", "--headless", "-u", "1", "-t", "1s", "-H", target.url], {
      cwd: dir,
    });
    assert.equal(forgot.code, 1, forgot.stderr);
    assert.match(
      forgot.stdout,
      /TransactionNotAwaited: the transaction "claim" was not awaited: its task ended while it was still running/,
    );
    assert.match(forgot.stdout, /TXN\s+claim\s+\d+\s+\d+\(100\.00%\)/, "each recorded once, as failed");
    const aborted = await runCli(["-f", "abort.ts", "--headless", "-u", "2", "-t", "30s", "-H", target.url], {
      cwd: dir,
    });
    assert.equal(aborted.code, 99, aborted.stderr);
    assert.ok(aborted.durationMs < 15_000, `aborted after ${aborted.durationMs} ms, not 30 s`);
    assert.match(
      aborted.stderr,
      /threshold 'total: count\[1s\]>100000' failed \(measured \d+\) in the window from 0s to 1s of the test: aborting the run \(abortOnFail\)/,
    );
  });
});

it("a Cicada worker under a Locust master reads its own copy of the data, and says what that means for unique rows", {
  skip: LOCUST === undefined ? "Locust is not installed (apt-get install python3-locust)" : false,
}, async (t) => {
  const paths: string[] = [];
  const target = await startTarget((req, res) => {
    paths.push(req.url ?? "");
    res.end("ok");
  });
  t.after(() => target.close());
  const dir = fixtureDir({
    "users.csv": "username\nann\nbob\n",
    "locustfile.ts": `import { HttpUser, task, constant, data } from "cicada-load";
const users = data.csv<{ username: string }>("users.csv", { mode: "unique" });
export class Visitor extends HttpUser {
  waitTime = constant(0.2);
  private name = "";
  async onStart() { this.name = (await users.next()).username; }
  @task async home() { await this.client.get("/as/" + this.name); }
}
`,
  });
  const stub = startCicada(t, ["-f", "locustfile.ts", "--locust-stub"], { cwd: dir });
  assert.equal(await stub.exited, 0, stub.output());
  writeFileSync(join(dir, "stub.py"), stub.output());
  const port = await freePort();
  const master = startProcess(
    t,
    LOCUST!,
    [
      "-f",
      "stub.py",
      "--master",
      "--master-bind-host",
      "127.0.0.1",
      "--master-bind-port",
      String(port),
    ].concat([
      "--headless",
      "--expect-workers",
      "1",
      "-u",
      "2",
      "-r",
      "2",
      "-t",
      "3s",
      "-H",
      target.url,
      "--only-summary",
    ]),
    { cwd: dir },
  );
  const worker = startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], {
    cwd: dir,
  });
  await master.exited;
  assert.equal(await worker.exited, 0, worker.output());
  assert.match(
    worker.output(),
    /WARNING.*data users\.csv \(unique\): the master is a Locust master, which cannot hand out rows, so this worker reads its own copy: its rows are unique within this worker only/,
  );
  assert.deepEqual([...new Set(paths)].sort(), ["/as/ann", "/as/bob"]);
});
