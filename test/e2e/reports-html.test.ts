// The HTML report of a real run, opened in headless Chromium (Debian's, via playwright-core):
// the charts render, the page has no script error, and no request leaves the page.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { locustfile, runCli, scratch, startTarget } from "./reports-helpers.js";
import { CHROMIUM_ARGS } from "./web-helpers.js";

const TASKS = `  @task(3) async ok() { await this.client.get("/ok"); }
  @task async fail() { await this.client.get("/fail"); }
  @task async oops() { if (Math.random() < 0.1) throw new Error("oops <b>not bold</b>"); }`;

describe("HTML report in a browser", () => {
  it("renders three non-empty charts in light and dark mode with zero network requests", async (t) => {
    const target = await startTarget(t);
    const dir = scratch(t, locustfile(TASKS));
    const result = await runCli(
      [
        "--headless",
        "-u",
        "4",
        "-r",
        "40",
        "-t",
        "3s",
        "-H",
        target.url,
        "--html",
        "report.html",
        "--only-summary",
      ],
      dir,
    );
    assert.equal(result.code, 1, result.stderr); // requests failed (GET /fail)
    const url = pathToFileURL(join(dir, "report.html")).href;

    const profile = mkdtempSync(join(tmpdir(), "cicada-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    t.after(async () => {
      await context.close(); // first, so Chromium no longer writes into its profile
      rmSync(profile, { recursive: true, force: true });
    });
    const requests: string[] = [];
    context.on("request", (request) => requests.push(request.url()));
    const problems: string[] = [];

    for (const colorScheme of ["light", "dark"] as const) {
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(`${colorScheme}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${colorScheme}: ${message.text()}`);
      });
      await page.emulateMedia({ colorScheme });
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction(() => document.querySelectorAll("canvas").length >= 3, null, {
        timeout: 10_000,
      });
      const painted = await page.evaluate(() =>
        [...document.querySelectorAll("canvas")].map((canvas) => {
          const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
          let opaque = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
          return { width: canvas.width, height: canvas.height, opaque };
        }),
      );
      assert.equal(painted.length, 3, `${colorScheme}: three charts`);
      for (const canvas of painted) {
        assert.ok(
          canvas.width > 200 && canvas.height > 100,
          `${colorScheme}: canvas ${JSON.stringify(canvas)}`,
        );
        assert.ok(canvas.opaque > 500, `${colorScheme}: a chart was drawn (${canvas.opaque} painted pixels)`);
      }
      const titles = await page.locator(".u-title").allTextContents();
      assert.deepEqual(titles, ["Requests per second", "Response times (ms)", "Number of users"]);
      assert.equal(await page.locator("#failures td.name", { hasText: "/fail" }).count(), 1);
      assert.equal(
        await page.locator("#exceptions td:nth-child(2) pre", { hasText: "oops <b>not bold</b>" }).count(),
        1,
      );
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, colorScheme === "dark" ? "rgb(20, 23, 28)" : "rgb(255, 255, 255)");
      await page.close();
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url, url], "only the two page loads themselves");
  });
});
