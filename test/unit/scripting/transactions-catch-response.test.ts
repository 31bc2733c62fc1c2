/**
 * A transaction fails exactly when a request inside is recorded as failed, also when that
 * request used `catchResponse` and its outcome came later than the response: from
 * `failure()`/`success()` after an await or after the block, or from its status when the
 * task ended (no verdict given).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { HttpResponse } from "../../../src/http/index.js";
import type { Environment } from "../../../src/runner/index.js";
import { StopUser } from "../../../src/shared/control-flow.js";
import { FastHttpUser, HttpUser, task, type UserClass } from "../../../src/user/index.js";
import { runUntilStopped, sleep, statsRow } from "../../helpers/env.js";

let server: Server;
let host: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/missing") res.writeHead(404).end("none");
    else if (req.url === "/broken") res.writeHead(500).end("no");
    else res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const runOnce = (cls: UserClass) => runUntilStopped(cls, { host });

/** [failures, requests] of the row. */
function counts(environment: Environment, method: string, name: string): [number, number] | undefined {
  const row = statsRow(environment, method, name);
  return row === undefined ? undefined : [row.numFailures, row.numRequests];
}

/** The failures table's TXN lines, as "name: error". */
function transactionFailures(environment: Environment): string[] {
  const errors = environment.stats.snapshot(environment.now()).errors;
  return errors
    .filter((e) => e.method === "TXN")
    .map((e) => `${e.name}: ${e.error}`)
    .sort();
}

describe("transactions with catchResponse requests", () => {
  for (const base of [HttpUser, FastHttpUser]) {
    it(`${base.name}: fail when a request with no verdict fails by its status (at the task's end)`, async () => {
      class Trial extends base {
        @task async visit() {
          await this.transaction("catch404", () => this.client.get("/missing", { catchResponse: true }));
          await this.transaction("catch500", async () => {
            await this.client.get("/broken", { catchResponse: true });
            await this.client.get("/fine");
          });
          await this.transaction("catch200", () => this.client.get("/fine", { catchResponse: true }));
          throw new StopUser();
        }
      }
      const { environment } = await runOnce(Trial);
      assert.deepEqual(counts(environment, "GET", "/missing"), [1, 1]);
      assert.deepEqual(counts(environment, "TXN", "catch404"), [1, 1]);
      assert.deepEqual(counts(environment, "TXN", "catch500"), [1, 1]);
      assert.deepEqual(counts(environment, "TXN", "catch200"), [0, 1]);
      // The failure names its cause, as for a request without catchResponse.
      assert.deepEqual(transactionFailures(environment), [
        "catch404: GET /missing: HTTPError: 404 Not Found",
        "catch500: GET /broken: HTTPError: 500 Internal Server Error",
      ]);
      // The requests' own failures are counted once in the Aggregated row.
      assert.equal(environment.stats.total.numFailures, 2);
    });
  }

  it("follow the verdict given after an await, in the block or after it", async () => {
    class Trial extends HttpUser {
      @task async visit() {
        await this.transaction("failedAfterAwait", async () => {
          const res = await this.client.get("/fine", { catchResponse: true });
          await sleep(5);
          res.failure("no coupon in the answer");
        });
        const late = await this.transaction("failedAfterBlock", () =>
          this.client.get("/fine", { catchResponse: true }),
        );
        await sleep(30);
        late.failure(new Error("checked too late"));
        const excused = await this.transaction("successAfterBlock", () =>
          this.client.get("/missing", { catchResponse: true }),
        );
        await sleep(5);
        excused.success();
        await this.transaction("successInBlock", async () => {
          const res = await this.client.get("/broken", { catchResponse: true });
          if (res.status === 500) res.success();
        });
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Trial);
    assert.deepEqual(counts(environment, "TXN", "failedAfterAwait"), [1, 1]);
    assert.deepEqual(counts(environment, "TXN", "failedAfterBlock"), [1, 1]);
    assert.deepEqual(counts(environment, "TXN", "successAfterBlock"), [0, 1], "success() excuses the 404");
    assert.deepEqual(counts(environment, "TXN", "successInBlock"), [0, 1]);
    assert.deepEqual(transactionFailures(environment), [
      "failedAfterAwait: GET /fine: no coupon in the answer",
      "failedAfterBlock: GET /fine: checked too late",
    ]);
    // The row waited for the verdict, but its time is the block's: not the 30 ms after it.
    const late = statsRow(environment, "TXN", "failedAfterBlock")!;
    assert.ok(late.maxResponseTimeMs < 30, `the block's own time, got ${late.maxResponseTimeMs} ms`);
    assert.equal(late.totalContentLength, 2, "the bytes of the request inside");
  });

  it("count a request in the transactions open when it completed, never in a later one", async () => {
    const order: string[] = [];
    class Trial extends HttpUser {
      override onStart() {
        this.environment.events.request.addListener((e) => {
          order.push(`${e.requestType} ${e.name}`);
        });
      }
      @task async visit() {
        const early = await this.transaction(
          "outer",
          async () => {
            await this.transaction("inner", async () => this.client.get("/missing", { catchResponse: true }));
            return this.client.get("/fine", { catchResponse: true });
          },
          { tagRequests: true },
        );
        await this.transaction("later", async () => {
          // A verdict given here belongs to the request, which belongs to "outer".
          early.failure("rejected later");
          await this.client.get("/fine");
        });
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Trial);
    assert.deepEqual(counts(environment, "TXN", "later"), [0, 1], "the earlier request is not its own");
    assert.deepEqual(counts(environment, "TXN", "outer"), [1, 1]);
    assert.deepEqual(counts(environment, "TXN", "outer::inner"), [1, 1]);
    // Tagged as they would have been without catchResponse.
    assert.deepEqual(counts(environment, "GET", "outer::/fine"), [1, 1]);
    assert.deepEqual(counts(environment, "GET", "outer::inner::/missing"), [1, 1]);
    assert.deepEqual(transactionFailures(environment), [
      "outer: GET outer::/fine: rejected later",
      "outer::inner: GET outer::inner::/missing: HTTPError: 404 Not Found",
    ]);
    assert.equal(statsRow(environment, "TXN", "outer")?.totalContentLength, 6, "each request's bytes once");
    // Each request before the transactions holding it (the /missing one at the task's end); inner rows first.
    assert.deepEqual(order, [
      "GET outer::/fine",
      "GET /fine",
      "TXN later",
      "GET outer::inner::/missing",
      "TXN outer::inner",
      "TXN outer",
    ]);
  });

  it("a nested row that waits for a verdict fails its parent when its block threw, and no transaction open later", async () => {
    class Trial extends HttpUser {
      @task async visit() {
        let early: HttpResponse | undefined;
        await this.transaction("outer", async () => {
          try {
            await this.transaction("inner", async () => {
              early = await this.client.get("/fine", { catchResponse: true });
              throw new Error("no code in the answer");
            });
          } catch {}
        });
        await this.transaction("later", async () => early!.success());
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Trial);
    assert.deepEqual(counts(environment, "GET", "/fine"), [0, 1]);
    assert.deepEqual(counts(environment, "TXN", "outer::inner"), [1, 1]);
    assert.deepEqual(counts(environment, "TXN", "outer"), [1, 1]);
    assert.deepEqual(counts(environment, "TXN", "later"), [0, 1]);
    assert.deepEqual(transactionFailures(environment), [
      "outer: TXN outer::inner: no code in the answer",
      "outer::inner: no code in the answer",
    ]);
  });

  it("a user stopped in the block records no row, its request still counts", async () => {
    class Trial extends HttpUser {
      @task async visit() {
        await this.transaction("stopped", async () => {
          await this.client.get("/missing", { catchResponse: true });
          throw new StopUser();
        });
      }
    }
    const { environment } = await runOnce(Trial);
    assert.equal(statsRow(environment, "TXN", "stopped"), undefined);
    assert.deepEqual(counts(environment, "GET", "/missing"), [1, 1]);
  });
});
