/**
 * The coupon service: a small first-come coupon API, the kind of system someone
 * load-tests before launch. Django-like on purpose (a `csrftoken` cookie echoed in an
 * `X-CSRFToken` header, a `sessionid` cookie, a 302 after signing in), so Cicada's
 * Django-style client features get exercised against something realistic.
 *
 * `startCouponService` runs it in-process (tests); `server.ts` is the command line.
 */
import { randomBytes, randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { cookie, HttpError, parseCookies, readForm, redirect, sendHtml, sendJson } from "./http-helpers.js";
import { attachLiveFeed, type LiveFeed } from "./live.js";
import { homePage, signinPage } from "./pages.js";
import { CouponStore, type StoreOptions } from "./store.js";

/** How to run the service. Every field has a default. */
export interface CouponServiceOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Number of claimable coupons (ids 1..coupons). Default 5. */
  coupons?: number;
  /** Codes each coupon may issue. Default 50. */
  stock?: number;
  /** Read-only filler items after the coupons, so the list has several pages. Default 95. */
  deals?: number;
  /** Drop the per-coupon lock, so concurrent claims can over-issue. Only for the test that proves the lock works. */
  unsafe?: boolean;
}

/** A running coupon service. */
export interface CouponService {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops listening and drops open connections, keep-alive ones included. Safe to call twice. */
  close(): Promise<void>;
}

/** The one password every user signs in with. */
export const PASSWORD = "cicada";
/** Catalog items per list page. */
export const PAGE_SIZE = 10;

interface App {
  store: CouponStore;
  /** sessionid -> username */
  sessions: Map<string, string>;
  /** username -> successful sign-ins: tells whether a test gave every user its own account. */
  signins: Map<string, number>;
  /** The live "coupons left" feed (WebSocket /live and its SSE twin /live/events). */
  live?: LiveFeed;
}

interface Context {
  app: App;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The numeric id captured from the path, or NaN when the route has none. */
  id: number;
  cookies: Map<string, string>;
}

type Handler = (ctx: Context) => void | Promise<void>;

const ROUTES: ReadonlyArray<{ path: RegExp; handlers: Partial<Record<string, Handler>> }> = [
  { path: /^\/$/, handlers: { GET: ({ res }) => sendHtml(res, 200, homePage()) } },
  { path: /^\/hello$/, handlers: { GET: ({ res }) => sendJson(res, 200, { hello: "world" }) } },
  { path: /^\/signin$/, handlers: { GET: showSignin, POST: signin } },
  { path: /^\/signout$/, handlers: { POST: signout } },
  { path: /^\/coupons$/, handlers: { GET: listCoupons } },
  { path: /^\/coupons\/(\d+)$/, handlers: { GET: showCoupon } },
  { path: /^\/coupons\/(\d+)\/issue$/, handlers: { POST: issueCoupon } },
  { path: /^\/coupons\/(\d+)\/stats$/, handlers: { GET: couponStats } },
  { path: /^\/live\/events$/, handlers: { GET: ({ app, req, res }) => app.live?.serveEvents(req, res) } },
  { path: /^\/signins$/, handlers: { GET: ({ app, res }) => sendJson(res, 200, signinStats(app)) } },
  {
    path: /^\/stats$/,
    handlers: { GET: ({ app, res }) => sendJson(res, 200, { coupons: app.store.allStats() }) },
  },
];

/** Starts the service and resolves once it is listening. */
export async function startCouponService(options: CouponServiceOptions = {}): Promise<CouponService> {
  const app: App = { store: new CouponStore(storeOptions(options)), sessions: new Map(), signins: new Map() };
  const server = createServer((req, res) => void dispatch(app, req, res));
  const live = attachLiveFeed(server, app.store, (sessionId) => app.sessions.has(sessionId));
  app.live = live;
  // Longer than any think time in the examples: a server that closes an idle keep-alive
  // connection just as the client reuses it causes ECONNRESETs that are not the service's fault.
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 8080, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      live.close();
      closing ??= close(server);
      return closing;
    },
  };
}

function storeOptions(options: CouponServiceOptions): StoreOptions {
  return {
    coupons: wholeNumber("coupons", options.coupons ?? 5, 1),
    stock: wholeNumber("stock", options.stock ?? 50, 0),
    deals: wholeNumber("deals", options.deals ?? 95, 0),
    unsafe: options.unsafe ?? false,
  };
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
  }
  return value;
}

async function dispatch(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  try {
    const route = ROUTES.find((r) => r.path.test(url.pathname));
    if (!route) throw new HttpError(404, "not found");
    const handler = route.handlers[req.method === "HEAD" ? "GET" : (req.method ?? "GET")];
    if (!handler) {
      res.setHeader("allow", Object.keys(route.handlers).join(", "));
      throw new HttpError(405, "method not allowed");
    }
    const id = Number(route.path.exec(url.pathname)?.[1] ?? Number.NaN);
    await handler({ app, req, res, url, id, cookies: parseCookies(req.headers.cookie) });
  } catch (error) {
    if (res.headersSent) res.destroy();
    else if (error instanceof HttpError) sendJson(res, error.status, { error: error.message });
    else {
      console.error(error); // a bug in the service: stderr, never stdout (the runner parses stdout)
      sendJson(res, 500, { error: "internal error" });
    }
  }
}

/** A fresh random token for CSRF and session cookies (32 hex characters, like Django's). */
function newToken(): string {
  return randomBytes(16).toString("hex");
}

/** Django's double-submit check: the token in the header (or form field) must equal the cookie. */
function checkCsrf(ctx: Context, form: Record<string, string>): void {
  const expected = ctx.cookies.get("csrftoken");
  const sent = ctx.req.headers["x-csrftoken"] ?? form.csrfmiddlewaretoken;
  if (!expected || sent !== expected) throw new HttpError(403, "CSRF verification failed");
}

function requireUser(ctx: Context): string {
  const user = ctx.app.sessions.get(ctx.cookies.get("sessionid") ?? "");
  if (user === undefined) throw new HttpError(401, "authentication required");
  return user;
}

function showSignin(ctx: Context): void {
  // Like Django's get_token: keep a well-formed existing token, otherwise mint one.
  const existing = ctx.cookies.get("csrftoken");
  const token = existing && /^[0-9a-f]{32}$/.test(existing) ? existing : newToken();
  sendHtml(ctx.res, 200, signinPage(token), { "set-cookie": cookie("csrftoken", token) });
}

async function signin(ctx: Context): Promise<void> {
  const form = await readForm(ctx.req);
  checkCsrf(ctx, form);
  const username = form.username?.trim();
  if (!username || !form.password) throw new HttpError(400, "username and password are required");
  if (form.password !== PASSWORD) throw new HttpError(401, "invalid username or password");
  ctx.app.sessions.delete(ctx.cookies.get("sessionid") ?? "");
  const sessionId = newToken();
  ctx.app.sessions.set(sessionId, username);
  ctx.app.signins.set(username, (ctx.app.signins.get(username) ?? 0) + 1);
  // Django rotates the CSRF token at sign-in: a client must read the cookie again, not cache it.
  const cookies = [cookie("sessionid", sessionId, { httpOnly: true }), cookie("csrftoken", newToken())];
  redirect(ctx.res, "/coupons", { "set-cookie": cookies });
}

async function signout(ctx: Context): Promise<void> {
  checkCsrf(ctx, await readForm(ctx.req));
  ctx.app.sessions.delete(ctx.cookies.get("sessionid") ?? "");
  redirect(ctx.res, "/signin", { "set-cookie": cookie("sessionid", "", { httpOnly: true, maxAgeS: 0 }) });
}

async function listCoupons(ctx: Context): Promise<void> {
  requireUser(ctx);
  const raw = ctx.url.searchParams.get("page") ?? "1";
  const pages = Math.max(1, Math.ceil(ctx.app.store.size / PAGE_SIZE));
  const page = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
  if (page < 1 || page > pages) throw new HttpError(404, "no such page");
  await sleep(randomInt(0, 4)); // a list query is never free: keeps the percentiles honest
  const items = ctx.app.store.list((page - 1) * PAGE_SIZE, PAGE_SIZE);
  sendJson(ctx.res, 200, { page, pages, items });
}

function showCoupon(ctx: Context): void {
  const item = ctx.app.store.find(ctx.id);
  if (!item) throw new HttpError(404, "no such coupon");
  sendJson(ctx.res, 200, item);
}

async function issueCoupon(ctx: Context): Promise<void> {
  checkCsrf(ctx, await readForm(ctx.req));
  const outcome = await ctx.app.store.issue(ctx.id, requireUser(ctx));
  switch (outcome.kind) {
    case "issued":
      ctx.app.live?.broadcast();
      return sendJson(ctx.res, 201, { code: outcome.code });
    case "already-issued":
      throw new HttpError(409, "already issued");
    case "sold-out":
      throw new HttpError(410, "sold out");
    case "not-a-coupon":
      throw new HttpError(400, "deals cannot be issued");
    case "unknown":
      throw new HttpError(404, "no such coupon");
  }
}

/** `GET /signins`: sign-ins in all, distinct usernames, and (some of) those that signed in more than once. */
function signinStats(app: App): { total: number; distinct: number; repeated: string[] } {
  let total = 0;
  const repeated: string[] = [];
  for (const [username, count] of app.signins) {
    total += count;
    if (count > 1 && repeated.length < 100) repeated.push(username);
  }
  return { total, distinct: app.signins.size, repeated };
}

function couponStats(ctx: Context): void {
  const stats = ctx.app.store.stats(ctx.id);
  if (!stats) throw new HttpError(404, "no such coupon");
  sendJson(ctx.res, 200, stats);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
