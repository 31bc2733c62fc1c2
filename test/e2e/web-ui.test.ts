/**
 * The web UI in a real browser (Debian's Chromium, headless) against the real CLI and
 * the coupon service on loopback: what a user sees and does, from the start form to the
 * CSV download. `UPDATE_SCREENSHOT=1` also writes docs/web-ui.png for the README.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type CouponService, startCouponService } from "../../examples/coupon-service/service.js";
import { Environment } from "../../src/runner/index.js";
import { EnvironmentError } from "../../src/shared/errors.js";
import { startWebServer } from "../../src/web/index.js";
import { FakeMasterRunner, SteadyUser } from "../unit/web/helpers.js";
import {
  type InProcessCli,
  launchBrowser,
  pollUntil,
  ROOT,
  startCliInProcess,
  writeLocustfile,
} from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, HttpUser, task } from "cicada-load";

export class Shopper extends HttpUser {
  waitTime = constant(0.2);
  csrf = true;

  async onStart() {
    await this.client.get("/signin");
    await this.client.post("/signin", { form: { username: "shopper-" + Math.random(), password: "cicada" } });
  }

  @task(4) async list() {
    await this.client.get("/coupons?page=" + (1 + Math.floor(Math.random() * 3)), { name: "/coupons?page=[n]" });
  }
  @task(2) async item() {
    await this.client.get("/coupons/" + (1 + Math.floor(Math.random() * 5)), { name: "/coupons/[id]" });
  }
  @task(2) async hello() {
    await this.client.get("/hello");
  }
  @task async missing() {
    await this.client.get("/does-not-exist");
  }
  @task async broken() {
    throw new Error("the basket is empty");
  }
}
`;

let service: CouponService;
let locustfile: ReturnType<typeof writeLocustfile>;
let cli: InProcessCli;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const requested: string[] = [];
/** The Cicada servers this suite opened; the page may talk to nothing else. */
const origins = new Set<string>();

const state = () => page.getByTestId("status-state").textContent();
const points = async (testId: string) => Number(await page.getByTestId(testId).getAttribute("data-points"));
const cell = (rowKey: string, column: number) =>
  page.locator(`.stats-table tbody tr[data-key="${rowKey}"] td:nth-child(${column})`);
const count = async (rowKey: string) =>
  Number(((await cell(rowKey, 3).textContent()) ?? "").replaceAll(",", ""));

const until = pollUntil;

before(async () => {
  service = await startCouponService({ port: 0, stock: 100_000 });
  locustfile = writeLocustfile(LOCUSTFILE);
  cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "-u", "5", "-r", "5"]);
  url = await cli.url;
  assert.match(url, /^http:/, cli.stderr());
  origins.add(new URL(url).origin);
  browser = await launchBrowser();
  browser.context.on("request", (request) => requested.push(request.url()));
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  cli?.signal();
  await cli?.done;
  await service?.close();
  locustfile?.remove();
});

describe("the web UI in Chromium", () => {
  it("greets with the start form, prefilled from -u/-r, and checks what is typed", async () => {
    const dialog = page.getByRole("form", { name: "Start a new test" });
    await dialog.waitFor();
    assert.equal(await page.locator("input[name=user_count]").inputValue(), "5");
    assert.equal(await page.locator("input[name=spawn_rate]").inputValue(), "5");
    await page.fill("input[name=user_count]", "-3");
    await page.fill("input[name=spawn_rate]", "fast");
    await page.fill("input[name=host]", "coupons.local");
    await page.click("button[type=submit]");
    const problems = await page.locator(".dialog .problem").allTextContents();
    assert.deepEqual(problems, [
      "Enter a whole number of users, at least 1",
      "Enter a number of users per second greater than 0, e.g. 10 or 0.5",
      "Enter an http:// or https:// URL, e.g. http://127.0.0.1:8080",
    ]);
    assert.equal(await state(), "Ready");
  });

  it("starts the test; rows appear and keep updating", async () => {
    await page.fill("input[name=user_count]", "5");
    await page.fill("input[name=spawn_rate]", "20");
    await page.fill("input[name=host]", service.url);
    await page.click("button[type=submit]");
    await until(state, (s) => s === "Running");
    assert.equal(await page.getByTestId("status-host").textContent(), service.url);
    await until(
      () => page.getByTestId("status-users").textContent(),
      (u) => u === "5",
    );
    const first = await until(
      () => count("GET\t/hello"),
      (n) => n > 0,
    );
    await until(
      () => count("GET\t/hello"),
      (n) => n > first,
    );
    const headerRps = async () =>
      Number(((await page.getByTestId("status-rps").textContent()) ?? "").replaceAll(",", ""));
    await until(headerRps, (rps) => rps > 0);
    // A rarer task (1 in 10): its row appears once it first ran.
    await page.locator('tr[data-key="GET\t/does-not-exist"]').waitFor({ timeout: 10_000 });
    assert.match((await page.locator("tr.aggregated").textContent()) ?? "", /Aggregated/);
  });

  it("sorts the table by a column", async () => {
    await page.getByRole("button", { name: "# Requests" }).click();
    const ascending = await page.locator(".stats-table tbody tr[data-key] td:nth-child(3)").allTextContents();
    const numbers = ascending.map((t) => Number(t.replaceAll(",", "")));
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
    );
    await page.getByRole("button", { name: "# Requests" }).click();
    const descending = (
      await page.locator(".stats-table tbody tr[data-key] td:nth-child(3)").allTextContents()
    ).map((t) => Number(t.replaceAll(",", "")));
    assert.deepEqual(
      descending,
      [...descending].sort((a, b) => b - a),
    );
  });

  it("draws the charts live, and a chart for one request name", async () => {
    await page.getByRole("tab", { name: "Charts" }).click();
    for (const chart of ["total-rps", "total-times", "total-users"]) {
      assert.equal(await page.getByTestId(chart).locator("canvas").count(), 1, chart);
    }
    const start = await until(
      () => points("total-rps"),
      (n) => n >= 2,
    );
    await until(
      () => points("total-rps"),
      (n) => n > start,
    );
    await page.getByRole("tab", { name: "Statistics" }).click();
    await page.getByRole("button", { name: "Charts of GET /hello" }).click();
    assert.equal(await page.getByLabel("Request name").inputValue(), "GET\t/hello");
    await until(
      () => points("name-rps"),
      (n) => n >= 1,
    );
  });

  it("edits the running test", async () => {
    await page.getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("form", { name: "Edit the running test" });
    await page.fill("input[name=user_count]", "2");
    await dialog.getByRole("button", { name: "Update" }).click();
    await until(
      () => page.getByTestId("status-users").textContent(),
      (u) => u === "2",
    );
  });

  it("shows the whole history after a reload mid-run", async () => {
    await page.getByRole("tab", { name: "Charts" }).click();
    const before = await until(
      () => points("total-rps"),
      (n) => n >= 4,
    );
    await page.reload();
    await page.getByTestId("total-rps").waitFor();
    // The server kept one point a second; the first update after the reload carries them all.
    const after = await until(
      () => points("total-rps"),
      (n) => n >= before - 1,
      3000,
    );
    assert.ok(after >= 4, `only ${after} points after the reload`);
    assert.equal(await state(), "Running");
  });

  it("lists failures, exceptions with their stack, ratios, workers and logs", async () => {
    await page.getByRole("tab", { name: "Failures" }).click();
    const failure = page.locator("tr", { hasText: "/does-not-exist" });
    await failure.waitFor();
    assert.match((await failure.textContent()) ?? "", /404/);

    await page.getByRole("tab", { name: "Exceptions" }).click();
    const exception = page.locator(".exception", { hasText: "the basket is empty" });
    await exception.waitFor();
    assert.match((await exception.locator("pre").textContent()) ?? "", /\n\s+at /);

    await page.getByRole("tab", { name: "Current ratio" }).click();
    await page.getByText("40.0%").first().waitFor();
    assert.match((await page.locator(".ratio-tab").textContent()) ?? "", /Shopper/);

    await page.getByRole("tab", { name: "Workers" }).click();
    await page.getByText("This is a local run").waitFor();

    await page.getByRole("tab", { name: "Logs" }).click();
    await page.locator(".log-line", { hasText: "Ramping to 5 users" }).waitFor();
  });

  it("downloads the statistics CSV with the rows shown", async () => {
    await page.getByRole("tab", { name: "Download data" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Request statistics CSV" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^requests_\d+\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    const lines = csv.trimEnd().split("\r\n");
    assert.match(lines[0]!, /^Type,Name,Request Count,Failure Count,Median Response Time,/);
    assert.ok(
      lines.some((l) => l.startsWith("GET,/hello,")),
      csv,
    );
    assert.match(lines.at(-1)!, /^,Aggregated,\d+,\d+,/);
  });

  it("takes the README screenshot when asked (UPDATE_SCREENSHOT=1)", async (t) => {
    if (process.env.UPDATE_SCREENSHOT !== "1") {
      t.skip("set UPDATE_SCREENSHOT=1 to update docs/web-ui.png");
      return;
    }
    await page.getByRole("tab", { name: "Statistics" }).click();
    await page.getByRole("button", { name: "# Requests" }).click(); // back to name order
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("tab", { name: "Charts" }).click();
    await page.waitForTimeout(15_000); // a longer history makes a better picture
    await page.screenshot({ path: join(ROOT, "docs", "web-ui.png") });
  });

  it("stops, resets the stats, and starts a new test", async () => {
    await page.getByRole("tab", { name: "Statistics" }).click();
    await page.getByRole("button", { name: "Stop" }).click();
    await until(state, (s) => s === "Stopped");
    await page.getByRole("button", { name: "Reset stats" }).click();
    await page.getByText("No requests yet").waitFor();
    await page.getByRole("button", { name: "New test" }).click();
    const dialog = page.getByRole("form", { name: "Start a new test" });
    assert.equal(await dialog.locator("input[name=host]").inputValue(), service.url);
    await page.fill("input[name=user_count]", "1");
    await dialog.getByRole("button", { name: "Start" }).click();
    await until(state, (s) => s === "Running");
    await until(
      () => count("GET\t/hello"),
      (n) => n > 0,
    );
    await page.getByRole("button", { name: "Stop" }).click();
    await until(state, (s) => s === "Stopped");
  });

  it("toggles the dark theme and remembers it", async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByTestId("theme-toggle").click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    const dark = await background();
    assert.notEqual(dark, light);
    await page.reload();
    await page.getByTestId("theme-toggle").waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    assert.equal(await background(), dark);
  });

  it("shows the workers of a distributed run, a cluster problem and the request table's notes", async () => {
    const environment = new Environment({ userClasses: [SteadyUser], host: service.url });
    const master = new FakeMasterRunner(environment);
    master.clusterProblem = new EnvironmentError(
      "CICADA_ERR_WORKER_USER_CLASSES",
      "worker-b could not run 2 users",
      {
        hint: "Give every worker the master's user classes",
      },
    );
    environment.stats.countAbortedRequests(2);
    const server = await startWebServer({ runner: master, port: 0, distributed: true });
    origins.add(new URL(server.url).origin);
    const other = await browser.context.newPage();
    try {
      await other.goto(server.url);
      await other.getByRole("button", { name: "Cancel" }).click();
      assert.equal(await other.getByTestId("status-workers").textContent(), "2");
      await other.getByRole("tab", { name: "Workers" }).click();
      const row = other.locator("tr", { hasText: "worker-a" });
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", /running\s*3\s*42%\s*47\.7 MB/);
      assert.equal(
        await other.getByTestId("cluster-problem").textContent(),
        "worker-b could not run 2 users. Give every worker the master's user classes",
      );
      await other.getByRole("tab", { name: "Statistics" }).click();
      assert.match(
        (await other.getByTestId("request-note").textContent()) ?? "",
        /^2 requests were in flight when their users stopped/,
      );
    } finally {
      await other.close();
      await server.close();
      await master.quitAndWait();
    }
  });

  it("made no request outside its own origin", () => {
    const foreign = requested.filter((r) => !r.startsWith("data:") && !origins.has(new URL(r).origin));
    assert.deepEqual(foreign, []);
    assert.ok(requested.length > 5);
  });
});
