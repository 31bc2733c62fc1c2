/**
 * The web UI's fixes of issue 17 in a real browser (Debian's Chromium) against the real
 * CLI and the coupon service: reports of the test the form started, the form remembering
 * the last test, per-class settings, the modal dialog and axe-core on every tab, badges,
 * the filter, the column selector, charts (time labels, PNG, colours), compression and
 * the phone layout.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Download, Page, Response } from "playwright-core";
import { type CouponService, startCouponService } from "../../examples/coupon-service/service.js";
import type { JsonReport } from "../../src/reports/index.js";
import {
  type InProcessCli,
  launchBrowser,
  pollUntil,
  seriousAxeViolations,
  startCliInProcess,
  writeLocustfile,
} from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, HttpUser, task } from "cicada-load";

export class Reader extends HttpUser {
  waitTime = constant(0.1);
  async onStart() {
    this.environment.logger.warning("a warning line for the Logs tab's contrast check");
  }
  @task(3) async hello() {
    await this.client.get("/hello");
  }
  @task async missing() {
    await this.client.get("/does-not-exist");
  }
  @task async broken() {
    throw new Error("the basket is empty");
  }
}

export class Writer extends HttpUser {
  waitTime = constant(0.1);
  @task async write() {
    await this.client.get("/hello", { name: "/writer" });
  }
}
`;

let service: CouponService;
let locustfile: ReturnType<typeof writeLocustfile>;
let outDir: string;
let cli: InProcessCli;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const responses: Response[] = [];

const state = () => page.getByTestId("status-state").textContent();
const rowKeys = () =>
  page
    .locator(".stats-table tbody tr[data-key]")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")));
const tab = (name: string) => page.getByRole("tab", { name: new RegExp(`^${name}`) });

async function download(click: () => Promise<unknown>): Promise<Download> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  return file;
}

async function jsonReport(): Promise<JsonReport> {
  await tab("Download data").click();
  const file = await download(() => page.getByRole("link", { name: "JSON report" }).click());
  return JSON.parse(readFileSync((await file.path())!, "utf8")) as JsonReport;
}

before(async () => {
  service = await startCouponService({ port: 0 });
  locustfile = writeLocustfile(LOCUSTFILE);
  outDir = mkdtempSync(join(tmpdir(), "cicada-web-reports-"));
  // The command line asks for a test the form will not run: the reports must follow the form.
  cli = startCliInProcess([
    ...["-f", locustfile.path, "-P", "0", "-u", "9", "-r", "9", "-t", "1h", "-H", service.url],
    ...["--html", join(outDir, "report.html"), "--json-file", join(outDir, "report")],
  ]);
  url = await cli.url;
  assert.match(url, /^http:/, cli.stderr());
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  browser.context.setDefaultTimeout(10_000);
  page.on("response", (response) => responses.push(response));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  cli?.signal();
  await cli?.done;
  await service?.close();
  locustfile?.remove();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("the web UI's fixes in Chromium", () => {
  it("shows the start form as a modal dialog: focus stays in it, and returns to the button that opened it", async () => {
    await page.locator("dialog[open]").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "New test" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.waitFor();
    assert.deepEqual(await seriousAxeViolations(page), []);
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press(i % 5 === 4 ? "Shift+Tab" : "Tab");
      assert.ok(
        await page.evaluate(() => document.querySelector("dialog[open]")?.contains(document.activeElement)),
        `Tab ${i + 1} left the dialog`,
      );
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "New test");
    // The landmark stays: <main> holds the tab panel.
    assert.equal(await page.getByRole("main").locator('[role="tabpanel"]').count(), 1);
  });

  it("starts the form's test with a class's settings, and its report describes that test", async () => {
    await page.getByRole("button", { name: "New test" }).click();
    await page.fill("input[name=user_count]", "3");
    await page.fill("input[name=spawn_rate]", "3");
    await page.locator("dialog details").evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await page.fill("input[name=run_time]", "3s");
    await page.getByLabel("Weight of Writer").fill("0");
    await page.getByRole("button", { name: "Start" }).click();
    await pollUntil(state, (s) => s === "Running");
    await pollUntil(state, (s) => s === "Stopped", 10_000);
    const keys = await rowKeys();
    assert.ok(keys.includes("GET\t/hello"), String(keys));
    assert.ok(!keys.includes("GET\t/writer"), "Writer has weight 0 and must not run");

    const first = await jsonReport();
    assert.equal(first.meta.users, 3);
    assert.equal(first.meta.spawnRate, 3);
    assert.equal(first.meta.runTimeMs, 3000);
    assert.notEqual(first.meta.endTimeMs, null, "a stopped test has ended");
    assert.ok(Math.abs(first.meta.durationMs - 3000) < 1500, `duration ${first.meta.durationMs} ms`);
    assert.deepEqual(
      first.meta.userClasses.map((c) => [c.name, c.weight]),
      [
        ["Reader", 1],
        ["Writer", 0],
      ],
    );
    await page.waitForTimeout(1100);
    const again = await jsonReport();
    assert.equal(again.meta.durationMs, first.meta.durationMs, "a finished test's duration does not grow");
    const html = await download(() => page.getByRole("link", { name: "HTML report" }).click());
    const text = readFileSync((await html.path())!, "utf8");
    assert.match(text, /<dt>Users<\/dt><dd>3<\/dd>/);
    assert.match(text, /<dt>Run time<\/dt><dd>3\.0s<\/dd>/);
    assert.doesNotMatch(text, /still running/);
  });

  it("remembers the last test's users, spawn rate and run time in the New test form", async () => {
    await page.getByRole("button", { name: "New test" }).click();
    assert.equal(await page.locator("input[name=user_count]").inputValue(), "3");
    assert.equal(await page.locator("input[name=spawn_rate]").inputValue(), "3");
    assert.equal(await page.locator("input[name=run_time]").inputValue(), "3s");
    assert.equal(await page.getByLabel("Weight of Writer").inputValue(), "0");
    // A second test, until stopped.
    await page.fill("input[name=user_count]", "2");
    await page.fill("input[name=run_time]", "");
    await page.getByRole("button", { name: "Start" }).click();
    await pollUntil(state, (s) => s === "Running");
  });

  it("badges new failures and exceptions on their tabs until they are looked at", async () => {
    await tab("Statistics").click();
    await page.getByTestId("badge-failures").waitFor();
    await page.getByTestId("badge-exceptions").waitFor();
    await tab("Failures").click();
    await page.getByTestId("badge-failures").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("badge-exceptions").count(), 1);
  });

  it("filters both tables by a plain substring, and Ctrl-F goes to the filter", async () => {
    await tab("Statistics").click();
    await page.locator('.stats-table tr[data-key="GET\t/does-not-exist"]').waitFor();
    await page.keyboard.press("Control+f");
    const filter = page.getByLabel("Filter requests by name or method");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("type")), "search");
    await filter.fill("NOT-EX");
    assert.deepEqual(await rowKeys(), ["GET\t/does-not-exist"]);
    await filter.fill("(.*)"); // no regular expressions: this matches nothing
    assert.deepEqual(await rowKeys(), []);
    await filter.fill("not-ex");
    await tab("Failures").click();
    const failures = page.locator(".failures-table tbody tr[data-key]");
    await failures.first().waitFor();
    assert.deepEqual(
      (await failures.allTextContents()).map((t) => /does-not-exist/.test(t)),
      [true],
    );
    assert.equal(await page.getByLabel("Filter failures by name, method or message").inputValue(), "not-ex");
    await page.getByLabel("Filter failures by name, method or message").fill("");
  });

  it("hides a statistics column from the column selector, and remembers it", async () => {
    await tab("Statistics").click();
    const header = page.locator(".stats-table thead th", { hasText: "Average size" });
    assert.equal(await header.count(), 1);
    await page.getByText("Columns", { exact: true }).click();
    // A closed-model test has no times from the intended start: no such column, not even empty.
    assert.equal(await page.locator(".stats-table th", { hasText: "Intended-start" }).count(), 0);
    assert.equal(await page.getByRole("checkbox", { name: /Intended-start/ }).count(), 0);
    await page.getByRole("checkbox", { name: "Average size" }).uncheck();
    assert.equal(await header.count(), 0);
    await page.reload();
    await tab("Statistics").click();
    await page.locator(".stats-table tbody tr[data-key]").first().waitFor();
    assert.equal(await header.count(), 0);
    await page.getByText("Columns", { exact: true }).click();
    await page.getByRole("checkbox", { name: "Average size" }).check();
    assert.equal(await header.count(), 1);
    await page.keyboard.press("Escape");
  });

  it("has no serious accessibility violation on any tab, in either theme (axe-core)", async () => {
    const tabs = [
      "Statistics",
      "Charts",
      "Checks",
      "Failures",
      "Exceptions",
      "Current ratio",
      "Download data",
      "Workers",
      "Logs",
    ];
    for (const theme of ["light", "dark"]) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
        await page.getByTestId("theme-toggle").click();
      }
      for (const name of tabs) {
        await tab(name).click();
        await page.locator('[role="tabpanel"] > *').first().waitFor();
        if (name === "Logs") await page.locator(".log-line.level-warning").first().waitFor();
        const violations = await seriousAxeViolations(page);
        assert.deepEqual(
          violations,
          [],
          `${theme} theme, ${name} tab: ${JSON.stringify(violations, null, 1)}`,
        );
      }
    }
    await page.getByTestId("theme-toggle").click(); // back to light
  });

  it("labels the time axis without overlaps, in the UI's one time format, and saves a chart as PNG", async () => {
    await tab("Charts").click();
    const chart = page.getByTestId("total-rps");
    await pollUntil(
      async () => Number(await chart.getAttribute("data-points")),
      (n) => n >= 3,
    );
    const ticks = JSON.parse((await chart.getAttribute("data-x-ticks")) ?? "[]") as Array<[number, string]>;
    assert.ok(ticks.length >= 1, "no tick drawn");
    for (const [, label] of ticks) assert.match(label, /^\d{2}:\d{2}:\d{2}$/);
    const widths = await page.evaluate(
      (labels) => {
        const context = document.createElement("canvas").getContext("2d")!;
        context.font =
          '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
        return labels.map((label) => context.measureText(label).width);
      },
      ticks.map(([, label]) => label),
    );
    for (let i = 1; i < ticks.length; i++) {
      const gap = ticks[i]![0] - ticks[i - 1]![0];
      assert.ok(
        gap >= (widths[i]! + widths[i - 1]!) / 2 + 4,
        `labels ${i - 1} and ${i} overlap: ${JSON.stringify(ticks)}`,
      );
    }
    // The legend's time, the logs' and the failures' are in the same format.
    assert.match(
      (await chart.locator(".u-legend .u-value").first().textContent()) ?? "",
      /\d{2}:\d{2}:\d{2}$/,
    );
    await tab("Logs").click();
    assert.match((await page.locator(".log-time").first().textContent()) ?? "", /^\d{2}:\d{2}:\d{2}$/);
    await tab("Failures").click();
    const seen = page.locator(".failures-table tbody tr[data-key] time").first();
    assert.match((await seen.textContent()) ?? "", /^\d{2}:\d{2}:\d{2}$/);

    await tab("Charts").click();
    const png = await download(() =>
      page.getByRole("button", { name: "Save PNG: Requests per second" }).click(),
    );
    assert.match(png.suggestedFilename(), /^cicada-requests-per-second-[\d-]+\.png$/);
    const bytes = readFileSync((await png.path())!);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const canvasWidth = await chart.locator("canvas").evaluate((c) => (c as HTMLCanvasElement).width);
    assert.equal(bytes.readUInt32BE(16), canvasWidth, "the PNG is the chart at the screen's resolution");
  });

  it("draws the report's percentiles in the UI's colours", async () => {
    await tab("Charts").click();
    const uiColours = (
      (await page.getByTestId("total-times").getAttribute("data-series-colors")) ?? ""
    ).split(",");
    const report = await browser.context.newPage();
    try {
      await report.goto(new URL("stats/report", url).href);
      const legend = report.locator("#chart-response-times .u-legend .u-series");
      await legend.first().waitFor();
      const reportColours = await legend.evaluateAll((rows) =>
        rows.map((row): [string, string] => [
          row.querySelector(".u-label")?.textContent ?? "",
          getComputedStyle(row.querySelector(".u-marker")!).borderLeftColor,
        ]),
      );
      const rgb = (hex: string) =>
        `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
      const byLabel = new Map(reportColours);
      for (const [i, label] of ["50th percentile", "95th percentile", "99th percentile"].entries()) {
        assert.equal(byLabel.get(label), rgb(uiColours[i]!), label);
      }
    } finally {
      await report.close();
    }
  });

  it("served the app and the live stream compressed", () => {
    const encodingOf = (pattern: RegExp) =>
      responses.find((r) => pattern.test(new URL(r.url()).pathname))?.headers()["content-encoding"];
    assert.equal(encodingOf(/\/assets\/index-.*\.js$/), "br");
    assert.equal(encodingOf(/\/assets\/index-.*\.css$/), "br");
    assert.equal(encodingOf(/\/api\/stream$/), "gzip");
  });

  it("fits a 390 px phone: the charts in the width, the header and tabs in a fifth of the height", async () => {
    const phone = await browser.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(new URL("#charts", url).href);
      await phone.getByTestId("total-rps").locator("canvas").waitFor();
      const layout = await phone.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        charts: [...document.querySelectorAll(".chart")].map((c) => c.getBoundingClientRect().right),
        top: document.querySelector(".tabs")!.getBoundingClientRect().bottom,
      }));
      assert.ok(layout.scrollWidth <= 390, `the page is ${layout.scrollWidth} px wide`);
      for (const right of layout.charts) assert.ok(right <= 390, `a chart ends at ${right} px`);
      assert.ok(layout.top <= 844 / 5, `header and tabs take ${layout.top} px of 844`);
    } finally {
      await phone.close();
    }
  });

  it("writes report files at exit that describe the last test, ended when it stopped", async () => {
    await page.getByRole("button", { name: "Stop" }).click();
    await pollUntil(state, (s) => s === "Stopped");
    const stoppedAt = Date.now();
    await page.waitForTimeout(1200);
    cli.signal();
    assert.equal(await cli.done, 1, cli.stderr()); // requests failed: --exit-code-on-error
    const report = JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as JsonReport;
    assert.equal(report.meta.users, 2);
    assert.equal(report.meta.runTimeMs, null);
    assert.ok(report.meta.endTimeMs! <= stoppedAt, "the end is the test's stop, not the exit");
    const latest = report.meta.flags.find((f) => f.code === "latest-test");
    assert.match(latest?.message ?? "", /test 2 of 2 in this session/);
    const html = readFileSync(join(outDir, "report.html"), "utf8");
    assert.match(html, /test 2 of 2 in this session/);
    assert.doesNotMatch(html, /still running/);
  });
});
