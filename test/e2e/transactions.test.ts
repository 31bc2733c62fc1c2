/**
 * Transactions through the real CLI: a transaction fails exactly when the request inside
 * is recorded as failed, with or without catchResponse, whenever the verdict comes (none:
 * the status decides at the task's end; failure() or success() after the block).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import type { JsonReport } from "../../src/reports/json-schema.js";
import { fixtureDir, runCli, startTarget } from "../helpers/cli.js";

const LOCUSTFILE = `import { HttpUser, task } from "cicada-load";
export class Trial extends HttpUser {
  @task async catch404() {
    await this.transaction("catch404", () => this.client.get("/nope-a", { catchResponse: true }));
  }
  @task async plain404() {
    await this.transaction("plain404", () => this.client.get("/nope-b"));
  }
  @task async failedInBlock() {
    await this.transaction("failedInBlock", async () => {
      const res = await this.client.get("/ok-a", { catchResponse: true });
      await new Promise((resolve) => setTimeout(resolve, 1));
      res.failure("bad");
    });
  }
  @task async failedAfterBlock() {
    const res = await this.transaction("failedAfterBlock", () => this.client.get("/ok-b", { catchResponse: true }));
    res.failure("checked after the block");
  }
  @task async excusedAfterBlock() {
    const res = await this.transaction("excusedAfterBlock", () => this.client.get("/nope-c", { catchResponse: true }));
    if (res.status === 404) res.success();
  }
}
`;

/** Each transaction: the path of its request, and whether that request must fail. */
const EXPECTED: Record<string, { path: string; fails: boolean }> = {
  catch404: { path: "/nope-a", fails: true },
  plain404: { path: "/nope-b", fails: true },
  failedInBlock: { path: "/ok-a", fails: true },
  failedAfterBlock: { path: "/ok-b", fails: true },
  excusedAfterBlock: { path: "/nope-c", fails: false },
};

it("a transaction's failures are its request's failures, and the target's count, whatever the verdict", async (t) => {
  const received = new Map<string, number>();
  const target = await startTarget((req, res) => {
    received.set(req.url!, (received.get(req.url!) ?? 0) + 1);
    res.writeHead(req.url!.startsWith("/nope") ? 404 : 200).end("body");
  });
  t.after(() => target.close());
  const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
  const args = "-f locustfile.ts --headless -u 4 -r 4 -i 400 -t 20s --json-file run --only-summary".split(
    " ",
  );
  const result = await runCli([...args, "-H", target.url], { cwd: dir });
  assert.equal(result.code, 1, `failures make exit 1\n${result.stdout}\n${result.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as JsonReport;
  const entry = (method: string, name: string) =>
    report.entries.find((e) => e.method === method && e.name === name);
  let transactions = 0;
  for (const [name, { path, fails }] of Object.entries(EXPECTED)) {
    const txn = entry("TXN", name);
    const request = entry("GET", path);
    assert.ok(txn && request, `rows for ${name} and ${path}`);
    assert.ok(txn.numRequests > 0);
    // The target's own count, the request row's and the transaction row's agree...
    assert.equal(request.numRequests, received.get(path), path);
    assert.equal(txn.numRequests, request.numRequests, name);
    // ...and so do their failures: all of them, or none.
    assert.equal(request.numFailures, fails ? request.numRequests : 0, path);
    assert.equal(txn.numFailures, request.numFailures, `TXN ${name} fails with its request`);
    const row = new RegExp(
      `TXN\\s+${name}\\s+${txn.numRequests}\\s+${txn.numFailures}\\(${fails ? "100" : "0"}\\.00%\\)`,
    );
    assert.match(result.stdout, row);
    transactions += txn.numRequests;
  }
  assert.equal(transactions, 400, "every task ran its transaction once");
  // The failures table names each transaction's cause.
  const causes = report.failures
    .filter((f) => f.method === "TXN")
    .map((f) => `${f.name}: ${f.error}`)
    .sort();
  assert.deepEqual(causes, [
    "catch404: GET /nope-a: HTTPError: 404 Not Found",
    "failedAfterBlock: GET /ok-b: checked after the block",
    "failedInBlock: GET /ok-a: bad",
    "plain404: GET /nope-b: HTTPError: 404 Not Found",
  ]);
});
