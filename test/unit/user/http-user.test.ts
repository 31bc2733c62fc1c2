import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CouponService, startCouponService } from "../../../examples/coupon-service/service.js";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";

interface CouponStats {
  issued: number;
  distinctUsers: number;
}

describe("HttpUser against the coupon service", () => {
  let service: CouponService;
  before(async () => {
    service = await startCouponService({ port: 0, coupons: 1, stock: 100 });
  });
  after(() => service.close());

  async function couponStats(): Promise<CouponStats> {
    const res = await fetch(`${service.url}/coupons/1/stats`);
    return (await res.json()) as CouponStats;
  }

  it("keeps cookies per user: each user signs in with its own session and claims once", async () => {
    const claimedBy = new Set<string>();
    let n = 0;
    class Claimer extends HttpUser {
      override waitTime = constant(0.01);
      override csrf = true;
      private readonly username = `user-${++n}`;
      override async onStart() {
        await this.client.get("/signin");
        await this.client.post("/signin", { form: { username: this.username, password: "cicada" } });
      }
      @task async claim() {
        const res = await this.client.post("/coupons/1/issue", { catchResponse: true });
        if (res.status === 409) res.success();
        claimedBy.add(this.username);
      }
    }
    const before = await couponStats();
    const { runner, environment } = makeRun([Claimer], { host: service.url });
    await runner.start(6, 100);
    assert.ok(await waitFor(() => claimedBy.size >= 6, 10_000));
    await new Promise((resolve) => setTimeout(resolve, 100)); // every user claims again, and gets 409
    await runner.quitAndWait();
    const after = await couponStats();
    // Six users, each with its own session cookie: six distinct claims, never more.
    assert.equal(after.issued - before.issued, 6);
    assert.equal(after.distinctUsers - before.distinctUsers, 6);
    const snapshot = environment.stats.snapshot(Date.now());
    assert.equal(snapshot.total.numFailures, 0, JSON.stringify(snapshot.errors));
    const signin = snapshot.entries.find((e) => e.method === "POST" && e.name === "/signin");
    assert.equal(signin?.numRequests, 6, "the redirect after sign-in is recorded under the original name");
  });

  it("without the CSRF opt-in, Django-style sign-in is refused (403) and counted as a failure", async () => {
    class NoCsrf extends HttpUser {
      override waitTime = constant(0.01);
      override async onStart() {
        await this.client.get("/signin");
        await this.client.post("/signin", { form: { username: "nocsrf", password: "cicada" } });
      }
      @task async home() {
        await this.client.get("/hello");
      }
    }
    const { runner, environment } = makeRun([NoCsrf], { host: service.url });
    await runner.start(1, 10);
    assert.ok(await waitFor(() => environment.stats.total.numRequests >= 3));
    await runner.quitAndWait();
    const errors = environment.stats.snapshot(Date.now()).errors;
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.name, "/signin");
    assert.match(errors[0]!.error, /403 Forbidden/);
  });

  it("-H (environment host) wins over the class's host", async () => {
    class Hosted extends HttpUser {
      override host = "http://127.0.0.1:1";
      override waitTime = constant(0.01);
      @task async hello() {
        await this.client.get("/hello");
      }
    }
    const { runner, environment } = makeRun([Hosted], { host: service.url });
    await runner.start(1, 10);
    assert.ok(await waitFor(() => environment.stats.total.numRequests >= 3));
    await runner.quitAndWait();
    assert.equal(environment.stats.total.numFailures, 0);
  });
});
