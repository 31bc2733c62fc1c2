/**
 * The open model in a real browser (Debian's Chromium) against the real CLI: the start
 * form's choice of an arrival rate, its checks, the header's rate and dropped count, the
 * Statistics summary, the table's columns from the intended start, and the Charts tab's
 * iterations chart (with "Run #n" markers and the same time range as the request charts
 * once a second test ran).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { waitFor } from "../helpers/env.js";
import { startTarget, type Target } from "../unit/web/helpers.js";
import {
  type InProcessCli,
  launchBrowser,
  pollUntil,
  startCliInProcess,
  writeLocustfile,
} from "./web-helpers.js";

const LOCUSTFILE = `
import { HttpUser, task } from "cicada-load";
export class Visitor extends HttpUser {
  @task async ok() { await this.client.get("/ok"); }
}
`;

let target: Target;
let locustfile: ReturnType<typeof writeLocustfile>;
let cli: InProcessCli;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

before(async () => {
  target = await startTarget();
  locustfile = writeLocustfile(LOCUSTFILE);
  cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "-H", target.url, "--max-users", "3"]);
  const url = await cli.url;
  assert.match(url, /^http:/, cli.stderr());
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  cli?.signal();
  await cli?.done;
  await target?.close();
  locustfile?.remove();
});

const INTENDED_HEADERS = [
  "Intended-start median (ms)",
  "Intended-start 95%ile (ms)",
  "Intended-start 99%ile (ms)",
];

/**
 * The statistics table has the columns from the intended start, explained by their
 * tooltip, with a time in the request's row and in Aggregated; the column picker hides
 * one and shows it again.
 */
async function assertIntendedColumns(): Promise<void> {
  const table = page.locator(".stats-table");
  const headers = table.locator("th", { hasText: "Intended-start" });
  await pollUntil(
    () => headers.allTextContents(),
    (texts) => texts.length === 3,
  );
  assert.deepEqual(
    (await headers.allTextContents()).map((t) => t.trim()),
    INTENDED_HEADERS,
  );
  assert.match((await headers.first().getAttribute("title")) ?? "", /scheduled start.*free user/);
  for (const row of [table.locator('tr[data-key="GET\t/ok"]'), table.locator("tr.aggregated")]) {
    for (const column of ["intended-median", "intended-p95", "intended-p99"]) {
      await pollUntil(
        () => row.locator(`td[data-column="${column}"]`).textContent(),
        (text) => /^\d[\d,.]*$/.test(text ?? ""),
      );
    }
  }
  await page.getByRole("button", { name: "Intended-start 95%ile (ms)" }).click();
  assert.equal(await headers.nth(1).getAttribute("aria-sort"), "ascending");
  await page.getByText("Columns", { exact: true }).click();
  const toggle = page.getByRole("checkbox", { name: "Intended-start 99%ile (ms)" });
  await toggle.uncheck();
  assert.equal(await headers.count(), 2);
  await toggle.check();
  await page.keyboard.press("Escape");
  assert.equal(await headers.count(), 3);
}

describe("the arrival rate in Chromium", () => {
  it("the form starts an arrival-rate test after checking its fields; the header, summary and chart show it", async () => {
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.getByLabel("Arrival rate (iterations per second, whatever the response times)").check();
    assert.equal(
      await form.locator("input[name=user_count]").count(),
      0,
      "no user count for an arrival rate",
    );
    assert.equal(await form.locator("input[name=max_users]").inputValue(), "3", "--max-users is the default");
    await form.locator("input[name=arrival_rate]").fill("0");
    await form.getByRole("button", { name: "Start" }).click();
    await form.getByText("Enter more than 0 iterations per second").waitFor();
    await form.locator("input[name=arrival_rate]").fill("20:40");
    await form.getByRole("button", { name: "Start" }).click();
    await form.getByText("Enter how long the ramp takes").waitFor();
    assert.equal(target.requests, 0);

    await form.locator("input[name=arrival_rate]").fill("20");
    await form.getByRole("button", { name: "Start" }).click();
    await page.getByTestId("status-arrival-rate").getByText("20.0/s").waitFor();
    assert.ok(
      await waitFor(() => target.requests >= 20, 10_000),
      `${target.requests} requests:\n${cli.stderr()}`,
    );
    assert.equal(await page.getByTestId("status-dropped").textContent(), "0");
    await page.getByTestId("open-model-panel").waitFor();
    assert.match((await page.getByTestId("om-intended-p99").textContent()) ?? "", /ms \(service .* ms\)/);
    await assertIntendedColumns();

    await page.getByRole("tab", { name: "Charts" }).click();
    await page.getByTestId("iteration-charts").waitFor({ timeout: 10_000 });
    assert.match(
      (await page.getByTestId("iteration-charts").textContent()) ?? "",
      /Target rate.*Iterations\/s.*Dropped\/s/s,
    );
  });

  it("a second test at another rate: the iterations chart marks both runs on the request charts' time axis", async () => {
    const state = () => page.getByTestId("status-state").textContent();
    await page.getByRole("button", { name: "Stop" }).click();
    await pollUntil(state, (s) => s === "Stopped");
    // Stopped, the figure is the whole test's rate (the last whole second may be cut by the stop).
    await page.getByRole("tab", { name: "Statistics" }).click();
    const rateFigure = page.getByTestId("om-rate").locator("xpath=..");
    await pollUntil(
      () => rateFigure.textContent(),
      (text) => /whole test/.test(text ?? ""),
    );
    const wholeTestRate = Number(/([\d.]+)\s*$/.exec((await rateFigure.textContent()) ?? "")?.[1]);
    // The first iteration starts at 0 s, so a test of T s at 20/s starts up to 20T + 1: a short
    // test reads a little high (31 in 1.5 s is 20.67/s). With n started, that bounds the rate
    // at 20n / (n - 1), plus the display's rounding.
    const started = Number(((await page.getByTestId("om-started").textContent()) ?? "").replace(/\D/g, ""));
    assert.ok(
      wholeTestRate > 14 && wholeTestRate <= (20 * started) / (started - 1) + 0.05,
      `whole-test rate ${wholeTestRate} at 20/s, ${started} started`,
    );
    await page.getByRole("tab", { name: "Charts" }).click();
    await page.getByRole("button", { name: "New test" }).click();
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.locator("input[name=arrival_rate]").fill("40");
    await form.getByRole("button", { name: "Start" }).click();
    await page.getByTestId("status-arrival-rate").getByText("40.0/s").waitFor();
    const iterations = page.getByTestId("total-iterations");
    await pollUntil(
      () => iterations.getAttribute("data-markers"),
      (m) => m === "Run #1,Run #2",
    );
    await page.getByRole("button", { name: "Stop" }).click();
    await pollUntil(state, (s) => s === "Stopped");
    // Once both charts drew their last points, they span the same time.
    const range = (id: string) => page.getByTestId(id).getAttribute("data-x-range");
    await pollUntil(
      async () => [await range("total-iterations"), await range("total-rps")],
      ([a, b]) => a !== null && a === b,
    );
  });
});
