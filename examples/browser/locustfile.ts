/**
 * A mixed test: a few real browsers beside many HTTP users, against the coupon service.
 *
 *   node --import tsx examples/coupon-service/server.ts --port 8080 &
 *   npx cicada -f examples/browser/locustfile.ts --headless -u 52 -r 10 -t 30s -H http://127.0.0.1:8080
 *
 * The browsers (2 users, `fixedCount`) show what a person sees while the HTTP users load
 * the service: a `NAV` row per page visited (`/`, `/signin`, `/coupons`) with its load time,
 * and Web Vitals rows per page (`VITAL FCP /`, `VITAL LCP /`, `VITAL CLS /`, `VITAL TTFB /`,
 * the same for `/signin` and `/coupons`). Needs playwright-core and a
 * Chromium (see docs/protocols.md); one browser user costs what dozens of HTTP users do.
 */
import { BrowserUser, between, HttpUser, type Thresholds, task } from "cicada-load";

export class Visitor extends BrowserUser {
  fixedCount = 2;
  waitTime = between(2, 4);

  @task async signIn() {
    await this.goto("/");
    await this.page.click("text=Sign in"); // a navigation by click is recorded too
    await this.page.fill("input[name=username]", `browser-${Math.floor(Math.random() * 1e6)}`);
    await this.page.fill("input[name=password]", "cicada");
    await Promise.all([this.page.waitForURL("**/coupons"), this.page.click("button[type=submit]")]);
  }
}

export class Shopper extends HttpUser {
  waitTime = between(0.5, 1);

  @task async home() {
    await this.client.get("/");
  }

  @task(3) async item() {
    await this.client.get(`/coupons/${1 + Math.floor(Math.random() * 100)}`, { name: "/coupons/[id]" });
  }
}

export const thresholds: Thresholds = {
  "VITAL LCP /": ["p75 < 2500"], // web.dev's "good" LCP
  "VITAL CLS /": ["p75 < 0.1"], // the CLS row holds the score, not milliseconds
  "NAV /": ["p95 < 3000"],
};
