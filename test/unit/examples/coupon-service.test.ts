import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CouponService, startCouponService } from "../../../examples/coupon-service/service.js";
import type { CouponStats } from "../../../examples/coupon-service/store.js";
import { Browser } from "./browser.js";

interface CouponPage {
  page: number;
  pages: number;
  items: { id: number; kind: string; stock: number | null; remaining: number | null }[];
}

describe("coupon service: routes", () => {
  let service: CouponService;
  before(async () => {
    service = await startCouponService({ port: 0, stock: 2 });
  });
  after(() => service.close());

  test("serves a home page, a fast /hello, and JSON 404s and 405s", async () => {
    const visitor = new Browser(service.url);
    const home = await visitor.request("GET", "/");
    assert.equal(home.status, 200);
    assert.match(home.headers.get("content-type") ?? "", /^text\/html/);
    assert.deepEqual((await visitor.request("GET", "/hello")).json(), { hello: "world" });
    const missing = await visitor.request("GET", "/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: "not found" });
    const wrongMethod = await visitor.request("DELETE", "/hello");
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "GET");
  });

  test("signs in Django-style: 403 without the CSRF header, 401 on a bad password, then 302 + session", async () => {
    const user = new Browser(service.url);
    const form = await user.request("GET", "/signin");
    assert.equal(form.status, 200);
    const token = user.cookie("csrftoken");
    assert.match(token ?? "", /^[0-9a-f]{32}$/);
    assert.match(form.text, new RegExp(`value="${token}"`), "the form carries the token too");

    const credentials = { username: "ada", password: "cicada" };
    const noHeader = await user.request("POST", "/signin", { form: credentials });
    assert.equal(noHeader.status, 403);
    assert.deepEqual(noHeader.json(), { error: "CSRF verification failed" });
    const wrongHeader = await user.request("POST", "/signin", {
      form: credentials,
      headers: { "x-csrftoken": "x" },
    });
    assert.equal(wrongHeader.status, 403);
    const noCookie = await new Browser(service.url).request("POST", "/signin", {
      form: credentials,
      csrf: true,
    });
    assert.equal(noCookie.status, 403);
    const badPassword = await user.request("POST", "/signin", {
      form: { username: "ada", password: "x" },
      csrf: true,
    });
    assert.equal(badPassword.status, 401);
    assert.equal(user.cookie("sessionid"), undefined);

    const ok = await user.request("POST", "/signin", { json: credentials, csrf: true });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get("location"), "/coupons");
    assert.ok(user.setCookies.some((c) => c.startsWith("sessionid=") && /;\s*HttpOnly/i.test(c)));
    assert.notEqual(user.cookie("csrftoken"), token, "the CSRF token rotates at sign-in, as in Django");
    assert.equal((await user.request("GET", "/coupons")).status, 200);
  });

  test("requires a session for the list and for claims, and signing out ends it", async () => {
    const stranger = new Browser(service.url);
    assert.equal((await stranger.request("GET", "/coupons")).status, 401);
    await stranger.request("GET", "/signin");
    const claim = await stranger.request("POST", "/coupons/1/issue", { csrf: true });
    assert.equal(claim.status, 401);

    const user = new Browser(service.url);
    await user.signIn("grace");
    assert.equal((await user.request("GET", "/coupons")).status, 200);
    assert.equal(
      (await user.request("POST", "/signout")).status,
      403,
      "signing out needs the CSRF header too",
    );
    const out = await user.request("POST", "/signout", { csrf: true });
    assert.equal(out.status, 302);
    assert.equal(user.cookie("sessionid"), undefined);
    assert.equal((await user.request("GET", "/coupons")).status, 401);
  });

  test("pages through the catalog ten at a time, coupons first", async () => {
    const user = new Browser(service.url);
    await user.signIn("linus");
    const first = (await user.request("GET", "/coupons?page=1")).json<CouponPage>();
    assert.equal(first.pages, 10);
    assert.deepEqual(
      first.items.map((i) => i.kind),
      [...Array(5).fill("coupon"), ...Array(5).fill("deal")],
    );
    const ids: number[] = [];
    for (let page = 1; page <= first.pages; page++) {
      const body = (await user.request("GET", `/coupons?page=${page}`)).json<CouponPage>();
      assert.equal(body.page, page);
      assert.equal(body.items.length, 10);
      ids.push(...body.items.map((i) => i.id));
    }
    assert.deepEqual(
      ids,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.equal((await user.request("GET", "/coupons")).json<CouponPage>().page, 1);
    for (const bad of ["0", "11", "abc", "-1"]) {
      assert.equal((await user.request("GET", `/coupons?page=${bad}`)).status, 404, `page=${bad}`);
    }
    const coupon = await user.request("GET", "/coupons/3");
    assert.equal(coupon.status, 200);
    assert.deepEqual(coupon.json(), {
      id: 3,
      title: "2-for-1 cinema",
      kind: "coupon",
      stock: 2,
      remaining: 2,
    });
    assert.equal((await user.request("GET", "/coupons/42")).json().kind, "deal");
    assert.equal((await user.request("GET", "/coupons/101")).status, 404);
  });

  test("claims: 201 with a code, 409 for a second claim, 410 when sold out, 404 for no such coupon", async () => {
    const [a, b, c] = [new Browser(service.url), new Browser(service.url), new Browser(service.url)];
    await Promise.all([a.signIn("a"), b.signIn("b"), c.signIn("c")]);
    assert.equal((await a.request("POST", "/coupons/2/issue")).status, 403, "claims need the CSRF header");

    const first = await a.request("POST", "/coupons/2/issue", { csrf: true });
    assert.equal(first.status, 201);
    assert.match(first.json<{ code: string }>().code, /^C2-[0-9A-F]{8}$/);
    const again = await a.request("POST", "/coupons/2/issue", { csrf: true });
    assert.equal(again.status, 409);
    assert.deepEqual(again.json(), { error: "already issued" });
    assert.equal((await b.request("POST", "/coupons/2/issue", { csrf: true })).status, 201);
    const late = await c.request("POST", "/coupons/2/issue", { csrf: true });
    assert.equal(late.status, 410);
    assert.deepEqual(late.json(), { error: "sold out" });
    assert.equal((await a.request("POST", "/coupons/2/issue", { csrf: true })).status, 409);

    assert.equal((await c.request("POST", "/coupons/999/issue", { csrf: true })).status, 404);
    assert.equal(
      (await c.request("POST", "/coupons/50/issue", { csrf: true })).status,
      400,
      "deals are read-only",
    );
    assert.equal((await c.request("GET", "/coupons/2")).json().remaining, 0);
  });

  test("reports stock, issued codes and distinct holders per coupon, no session needed", async () => {
    const claimer = new Browser(service.url);
    await claimer.signIn("stats-claimer");
    assert.equal((await claimer.request("POST", "/coupons/4/issue", { csrf: true })).status, 201);

    const anonymous = new Browser(service.url);
    const one = await anonymous.request("GET", "/coupons/4/stats");
    assert.deepEqual(one.json(), { id: 4, stock: 2, issued: 1, distinctUsers: 1, overIssued: false });
    assert.equal((await anonymous.request("GET", "/coupons/50/stats")).status, 404);
    const all = (await anonymous.request("GET", "/stats")).json<{ coupons: CouponStats[] }>();
    assert.deepEqual(
      all.coupons.map((s) => s.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(all.coupons[3], one.json());
  });
});

/** Signs in `users` distinct users, then has all of them claim coupon 1 (of `stock`) at once. */
async function raceForOneCoupon(options: { users: number; stock: number; unsafe: boolean }) {
  const service = await startCouponService({ port: 0, coupons: 1, deals: 0, ...options });
  try {
    const browsers = Array.from({ length: options.users }, () => new Browser(service.url));
    await Promise.all(browsers.map((browser, i) => browser.signIn(`racer-${i}`)));
    const claims = await Promise.all(
      browsers.map((b) => b.request("POST", "/coupons/1/issue", { csrf: true })),
    );
    const count = (status: number) => claims.filter((c) => c.status === status).length;
    const stats = (await new Browser(service.url).request("GET", "/coupons/1/stats")).json<CouponStats>();
    return { created: count(201), soldOut: count(410), stats };
  } finally {
    await service.close();
  }
}

describe("coupon service: concurrency", () => {
  test("300 users claiming a coupon of stock 50 at once get exactly 50 codes", async () => {
    const { created, soldOut, stats } = await raceForOneCoupon({ users: 300, stock: 50, unsafe: false });
    assert.equal(created, 50);
    assert.equal(soldOut, 250);
    assert.deepEqual(stats, { id: 1, stock: 50, issued: 50, distinctUsers: 50, overIssued: false });
  });

  test("without the per-coupon lock the same race over-issues (so the test above can fail)", async () => {
    const { created, stats } = await raceForOneCoupon({ users: 300, stock: 50, unsafe: true });
    assert.ok(created > 50, `expected more than 50 codes without the lock, got ${created}`);
    assert.equal(stats.issued, created);
    assert.equal(stats.overIssued, true);
  });
});
