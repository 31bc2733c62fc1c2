import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { StopUser } from "../../../src/shared/control-flow.js";
import { HttpUser, task, User, type UserClass } from "../../../src/user/index.js";
import { runUntilStopped, sleep, statsRow } from "../../helpers/env.js";

let server: Server;
let host: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/fail") {
      res.writeHead(500).end("no");
      return;
    }
    const delay = req.url === "/slow" ? 40 : 0;
    setTimeout(() => res.end(req.url === "/a" ? "aaaa" : "bb"), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const runOnce = (cls: UserClass) => runUntilStopped(cls, { host });

describe("transactions", () => {
  it("measure a block as one TXN row, with its requests' bytes, outside the Aggregated row", async () => {
    class Shopper extends HttpUser {
      @task async checkout() {
        const value = await this.transaction("checkout", async () => {
          await this.client.get("/a");
          await this.client.get("/slow");
          return 42;
        });
        assert.equal(value, 42);
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Shopper);
    const txn = statsRow(environment, "TXN", "checkout");
    assert.ok(txn);
    assert.equal(txn.numRequests, 1);
    assert.equal(txn.numFailures, 0);
    assert.equal(txn.totalContentLength, 6, "the bytes of /a and /slow");
    const slow = statsRow(environment, "GET", "/slow")!;
    assert.ok(
      txn.avgResponseTimeMs >= slow.avgResponseTimeMs,
      "the block lasts at least its slowest request",
    );
    assert.ok(txn.avgResponseTimeMs >= 40);
    // The total counts the two requests once each: the transaction is not a third request.
    assert.equal(environment.stats.total.numRequests, 2);
    assert.equal(environment.stats.total.totalContentLength, 6);
  });

  it("fail when a request inside failed, or the block threw (which the task then sees)", async () => {
    let seen: unknown;
    class Shopper extends HttpUser {
      @task async checkout() {
        await this.transaction("pay", async () => {
          await this.client.get("/fail");
          await this.client.get("/a");
        });
        try {
          await this.transaction("boom", async () => {
            await this.client.get("/a");
            throw new Error("no coupon in the answer");
          });
        } catch (error) {
          seen = error;
        }
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Shopper);
    assert.equal(statsRow(environment, "TXN", "pay")?.numFailures, 1);
    assert.equal(statsRow(environment, "TXN", "boom")?.numFailures, 1);
    assert.equal((seen as Error).message, "no coupon in the answer");
    const errors = environment.stats.snapshot(environment.now()).errors.filter((e) => e.method === "TXN");
    assert.deepEqual(errors.map((e) => [e.name, e.error]).sort(), [
      ["boom", "no coupon in the answer"],
      ["pay", "GET /fail: HTTPError: 500 Internal Server Error"],
    ]);
    // The Aggregated row's failures are the request's own: one, not two.
    assert.equal(environment.stats.total.numFailures, 1);
  });

  it("nest as outer::inner, a failure inside failing both, and tag the requests inside when asked", async () => {
    class Shopper extends User {
      @task async checkout() {
        await this.transaction(
          "checkout",
          async () => {
            this.fire("/cart", false);
            await this.transaction("pay", async () => this.fire("/card", true));
          },
          { tagRequests: true },
        );
        throw new StopUser();
      }
      /** A request of another protocol, through the user (so transactions see it). */
      fire(name: string, failed: boolean) {
        this.fireRequest({
          requestType: "sql",
          name,
          responseTimeMs: 1,
          responseLength: 10,
          exception: failed ? "declined" : null,
        });
      }
    }
    const { environment } = await runOnce(Shopper);
    const names = environment.stats.entries().map((e) => `${e.method} ${e.name}`);
    assert.deepEqual(names.sort(), [
      "TXN checkout",
      "TXN checkout::pay",
      "sql checkout::/cart",
      "sql checkout::pay::/card",
    ]);
    assert.equal(statsRow(environment, "TXN", "checkout::pay")?.numFailures, 1);
    assert.equal(statsRow(environment, "TXN", "checkout")?.numFailures, 1);
    assert.equal(
      statsRow(environment, "TXN", "checkout")?.totalContentLength,
      20,
      "the nested bytes counted once",
    );
  });

  it("carry the iteration's intended start (the open model)", async () => {
    class Visitor extends User {
      @task async visit() {
        this.intendedStartMs = performance.timeOrigin + performance.now() - 100;
        await this.transaction("visit", () => sleep(5));
        throw new StopUser();
      }
    }
    const { environment } = await runOnce(Visitor);
    const intended = statsRow(environment, "TXN", "visit")?.intended;
    assert.ok(intended && intended.count === 1 && intended.minMs! >= 100, JSON.stringify(intended));
  });

  it("that a task never awaited are reported once, recorded once, and do not take the next task's requests", async () => {
    let runs = 0;
    let forgotten: Promise<unknown> = Promise.resolve();
    class Forgetful extends HttpUser {
      @task async claim() {
        runs++;
        if (runs === 1) {
          forgotten = this.transaction("claim", async () => {
            await this.client.get("/slow");
            await this.client.get("/a");
          });
          return;
        }
        await this.client.get("/b");
        // The forgotten block ends meanwhile. Waited for, not slept on: after a fixed 100 ms, a
        // busy machine could stop the user while /a was still in flight (no /a row then).
        await forgotten.catch(() => {});
        throw new StopUser();
      }
    }
    const { environment, logs } = await runOnce(Forgetful);
    const txn = statsRow(environment, "TXN", "claim");
    assert.equal(txn?.numRequests, 1, "recorded once");
    assert.equal(txn?.numFailures, 1);
    // The failure's text carries no elapsed time, so repeats of the mistake share one row.
    const failures = environment.stats.snapshot(environment.now()).errors.filter((f) => f.name === "claim");
    assert.deepEqual(
      failures.map((f) => f.error),
      ["TransactionNotAwaited: its task ended while it was still running"],
    );
    const exceptions = environment.stats.snapshot(environment.now()).exceptions;
    assert.equal(exceptions.length, 1);
    assert.match(exceptions[0]!.message, /^TransactionNotAwaited: the transaction "claim" was not awaited/);
    assert.equal(exceptions[0]!.count, 1);
    // The block's requests are still counted as requests.
    assert.equal(statsRow(environment, "GET", "/a")?.numRequests, 1);
    assert.ok(logs.some((l) => l.includes("TransactionNotAwaited")));
  });

  it("on a task set run with the task set as `this`", async () => {
    const { TaskSet } = await import("../../../src/user/index.js");
    class Cart extends TaskSet {
      items = 3;
      @task async buy() {
        const items = await this.transaction("buy", function (this: Cart) {
          return this.items;
        });
        assert.equal(items, 3);
        throw new StopUser();
      }
    }
    class Shopper extends User {
      override tasks = [Cart];
    }
    const { environment } = await runOnce(Shopper);
    assert.equal(statsRow(environment, "TXN", "buy")?.numRequests, 1);
  });
});
