/**
 * The Target tab in a real browser (Debian's Chromium) against the real CLI monitoring
 * Debian's node_exporter while it load-tests the coupon service; and the HTML report's
 * Target section. `UPDATE_SCREENSHOT=1` also writes docs/monitoring.png.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { type CouponService, startCouponService } from "../../examples/coupon-service/service.js";
import { type CliRun, startCli } from "../helpers/cli.js";
import { eventually, type Program, startNodeExporter } from "./monitor-helpers.js";
import { launchBrowser, ROOT, writeLocustfile } from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, HttpUser, task } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.05);
  @task(3) async hello() {
    await this.client.get("/hello");
  }
  @task async coupon() {
    await this.client.get("/coupons/" + (1 + Math.floor(Math.random() * 5)), { name: "/coupons/[id]" });
  }
}
`;

let nodeExporter: Program;
let service: CouponService;
let locustfile: ReturnType<typeof writeLocustfile>;
/** The real CLI in its own process: the load generator's CPU chart shows its real CPU. */
let cli: CliRun;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const scratch = mkdtempSync(join(tmpdir(), "cicada-monitor-web-"));

/** Waits until the CPU chart has `count` points (bounded). */
const cpuPoints = (count: number) =>
  eventually(
    async () => Number(await page.getByTestId("target-cpu").getAttribute("data-points")) >= count,
    15_000,
    `${count} points on the CPU chart`,
  );

/** Seconds of the day of the time in a chart's legend (the point its cursor is on, or the latest). */
async function legendTime(chart: string): Promise<number> {
  const text = (await page.locator(`${chart} .u-legend .u-series:first-child .u-value`).textContent()) ?? "";
  const [h = 0, m = 0, s = 0] = text.split(":").map(Number);
  return h * 3600 + m * 60 + s;
}
/** Where a chart's vertical cursor line is. */
const cursorAt = (chart: string) =>
  page.locator(`${chart} .u-cursor-x`).evaluate((e) => (e as HTMLElement).style.transform);

before(async () => {
  nodeExporter = await startNodeExporter();
  service = await startCouponService({ port: 0, stock: 100_000 });
  locustfile = writeLocustfile(LOCUSTFILE);
  const load = ["-f", locustfile.path, "-P", "0", "--autostart", "-u", "20", "-r", "4", "-t", "60s"];
  const monitor = ["--monitor", `machine=${nodeExporter.url}/metrics`, "--monitor-interval", "0.5s"];
  cli = startCli([...load, "-H", service.url, ...monitor], { timeoutMs: 120_000 });
  let out = "";
  cli.child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  await cli.waitForOutput(/Starting web interface at \S+/);
  url = /Starting web interface at (\S+)/.exec(out)?.[1] ?? "";
  assert.match(url, /^http:/, out);
  browser = await launchBrowser({ width: 1280, height: 1000 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

after(async () => {
  await browser?.close();
  cli?.child.kill("SIGINT");
  await cli?.done;
  await service?.close();
  await nodeExporter?.stop();
  locustfile?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the Target tab and the HTML report's Target section in Chromium", () => {
  it("charts the target's resources under the load, what saturated first and the endpoints", async () => {
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${url}#target`);
    await page.getByTestId("target-view").waitFor();
    await cpuPoints(4);
    for (const id of [
      "target-requests",
      "target-load-times",
      "target-load-users",
      "target-memory",
      "target-network",
      "target-tcp",
    ]) {
      assert.equal(await page.getByTestId(id).count(), 1, id);
    }
    assert.ok((await page.getByTestId("target-finding").textContent())!.length > 20);
    assert.match(
      (await page.getByTestId("target-endpoints").textContent())!,
      new RegExp(`${nodeExporter.url}/metrics`),
    );
    assert.deepEqual(problems, []);
  });

  it("one time axis and one cursor: hovering a target chart moves the load charts' cursor to the same moment", async () => {
    // A few seconds of history, so a third of the way is clearly before the latest point.
    await cpuPoints(10);
    const box = (await page.locator('[data-testid="target-cpu"] .u-over').boundingBox())!;
    const latest = await legendTime('[data-testid="target-requests"]');
    for (const fraction of [0.3, 0.6]) {
      await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
      await page.waitForTimeout(100);
      // Same range, same plot width: every cursor line sits at the hovered pixel...
      const at = await cursorAt('[data-testid="target-cpu"]');
      for (const other of ["target-requests", "target-load-users", "target-memory"]) {
        assert.equal(await cursorAt(`[data-testid="${other}"]`), at, other);
      }
      // ...and each legend shows its own point nearest that moment (the load's are a second apart).
      const hovered = await legendTime('[data-testid="target-cpu"]');
      assert.ok(Math.abs((await legendTime('[data-testid="target-requests"]')) - hovered) <= 1);
      assert.ok(latest - hovered >= 1, "the cursor is on an earlier moment, not the latest");
    }
  });

  it("the HTML report has the same Target section, its charts drawn and synced with the load's", async () => {
    const html = await (await fetch(`${url}stats/report`)).text();
    const file = join(scratch, "report.html");
    writeFileSync(file, html);
    const report = await browser.context.newPage();
    const problems: string[] = [];
    report.on("pageerror", (error) => problems.push(error.message));
    await report.goto(pathToFileURL(file).href);
    await report.locator("#chart-target-cpu canvas").waitFor();
    assert.ok((await report.locator("#target .finding").textContent())!.length > 20);
    await report.locator("#chart-target-cpu").scrollIntoViewIfNeeded();
    const box = (await report.locator("#chart-target-cpu .u-over").boundingBox())!;
    await report.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await report.waitForTimeout(100);
    // One time range and one y-axis width for every chart of the page: the synced cursors sit at one pixel.
    const cursor = (selector: string) =>
      report.locator(`${selector} .u-cursor-x`).evaluate((e) => (e as HTMLElement).style.transform);
    const at = await cursor("#chart-target-cpu");
    assert.match(at, /translate\(\d/);
    for (const other of ["#chart-rps", "#chart-users", "#chart-target-memory"])
      assert.equal(await cursor(other), at, other);
    assert.deepEqual(problems, []);
    await report.close();
  });

  it("takes the docs screenshot when asked (UPDATE_SCREENSHOT=1)", async (t) => {
    if (process.env.UPDATE_SCREENSHOT !== "1") {
      t.skip("set UPDATE_SCREENSHOT=1 to update docs/monitoring.png");
      return;
    }
    await page.waitForTimeout(12_000); // a longer history makes a better picture
    await page.mouse.move(10, 10);
    await page.screenshot({ path: join(ROOT, "docs", "monitoring.png"), fullPage: true });
  });
});
