/**
 * The web UI with 1,000 request names and a long history: synthetic data with explicit
 * times is fed into an Environment's statistics and history (no real 30-minute test),
 * then a real server streams it to Chromium while every row changes each second.
 *
 * Prints the measurements (server time per tick, browser time per update, payload sizes,
 * the share of the page's main thread each tab keeps busy while every row and 500
 * failure groups change each second, the page's JS heap). The suite runs 3 minutes of
 * history and measures one tab; the figures in docs/web-ui.md come from
 * `CICADA_WEB_SCALE_MINUTES=30`, which measures every tab. The assertions are generous:
 * they catch a UI that falls over, not a slow machine.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { CDPSession, Page } from "playwright-core";
import { Environment, LocalRunner } from "../../src/runner/index.js";
import { constant, task, User } from "../../src/user/index.js";
import { startWebServer } from "../../src/web/index.js";
import { launchBrowser } from "./web-helpers.js";

const NAMES = 1000;
const MINUTES = Number(process.env.CICADA_WEB_SCALE_MINUTES ?? 3);
const LIVE_TICKS = 8;
/** Tabs whose main-thread share is measured: all for the docs' figures, the costliest in the suite. */
const TABS = process.env.CICADA_WEB_SCALE_MINUTES
  ? [
      "Statistics",
      "Charts",
      "Checks",
      "Failures",
      "Exceptions",
      "Current ratio",
      "Download data",
      "Workers",
      "Logs",
    ]
  : ["Failures"];
/** Seconds of live updates each tab is measured over. */
const SHARE_SECONDS = process.env.CICADA_WEB_SCALE_MINUTES ? 5 : 2;

class IdleUser extends User {
  override waitTime = constant(60);
  @task idle() {}
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Main-thread time of the page so far, seconds (Chromium's TaskDuration). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "TaskDuration")?.value ?? 0;
}

/**
 * The share of the page's main thread that a tab keeps busy while the server's own timer
 * streams an update a second and `feedSecond` changes every row (and the failures).
 */
async function mainThreadShare(
  page: Page,
  cdp: CDPSession,
  tab: string,
  feedSecond: () => void,
): Promise<number> {
  await page.getByRole("tab", { name: new RegExp(`^${tab}`) }).click();
  await page.waitForTimeout(600);
  const busyBefore = await taskSeconds(cdp);
  const started = performance.now();
  for (let i = 0; i < SHARE_SECONDS; i++) {
    feedSecond();
    await page.waitForTimeout(1000);
  }
  const busy = (await taskSeconds(cdp)) - busyBefore;
  return busy / ((performance.now() - started) / 1000);
}

describe("the web UI at scale", () => {
  it(`stays responsive with ${NAMES} names and ${MINUTES} minutes of history`, async (t) => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const environment = new Environment({ userClasses: [IdleUser], now: () => now });
    const stats = environment.stats;
    const names = Array.from({ length: NAMES }, (_, i) => `/api/items/${String(i).padStart(4, "0")}`);
    const recordSecond = () => {
      for (let i = 0; i < NAMES; i++) {
        const base = 5 + (i % 50);
        stats.record(
          "GET",
          names[i]!,
          base + ((now / 1000) % 7),
          512,
          // Half the names fail: 500 failure groups, each changing every second.
          i % 2 === 0 ? "HTTPError: 500 Internal Server Error" : null,
          now,
        );
      }
    };
    const feedStarted = performance.now();
    for (let second = 0; second < MINUTES * 60; second++) {
      now += 1000;
      recordSecond();
      stats.history.sample(stats, now, 100);
    }
    const feedMs = performance.now() - feedStarted;

    const runner = new LocalRunner(environment);
    const server = await startWebServer({ runner, port: 0 });
    const browser = await launchBrowser({ width: 1280, height: 800 });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const loadStarted = performance.now();
      await page.goto(server.url);
      // The start form greets the user; close it to see the table.
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.locator('.stats-table tbody tr[data-key="GET\t/api/items/0000"]').waitFor();
      const firstPaintMs = performance.now() - loadStarted;

      const tickMs: number[] = [];
      const tickBytes: number[] = [];
      const tickGzipBytes: number[] = [];
      for (let i = 0; i < LIVE_TICKS; i++) {
        now += 1000;
        recordSecond();
        stats.history.sample(stats, now, 100);
        // The server ticks on its own timer; measure one tick's cost the same way.
        const text = server.feed.tick();
        tickMs.push(server.feed.lastTickMs);
        tickBytes.push(text.length);
        tickGzipBytes.push(gzipSync(text).length);
        await page.waitForTimeout(250);
      }
      const full = server.feed.fullUpdate();
      const fullBytes = JSON.stringify(full).length;

      const updates = await page.evaluate(() =>
        performance.getEntriesByName("cicada:update").map((entry) => entry.duration),
      );
      const visibleRows = await page.locator(".stats-table tbody tr[data-key]").count();
      const sortStarted = performance.now();
      await page.getByRole("button", { name: "Median (ms)" }).click();
      await page.getByRole("button", { name: "Median (ms) ▲" }).waitFor();
      const sortMs = performance.now() - sortStarted;

      await page.getByRole("tab", { name: "Charts" }).click();
      const chartPoints = Number(await page.getByTestId("total-rps").getAttribute("data-points"));
      await page.getByLabel("Request name").selectOption("GET\t/api/items/0500");
      await page.getByTestId("name-rps").waitFor();
      const namePoints = Number(await page.getByTestId("name-rps").getAttribute("data-points"));

      const cdp = await browser.context.newCDPSession(page);
      await cdp.send("Performance.enable");
      const mainThread: Record<string, number> = {};
      const feedSecond = () => {
        now += 1000;
        recordSecond();
        stats.history.sample(stats, now, 100);
      };
      for (const tab of TABS) {
        mainThread[tab] = Number((await mainThreadShare(page, cdp, tab, feedSecond)).toFixed(3));
      }
      await page.getByRole("tab", { name: /^Failures/ }).click();
      await page.locator(".failures-table tbody tr[data-key]").first().waitFor();
      const failureRowsInDom = await page.locator(".failures-table tbody tr[data-key]").count();
      await cdp.send("HeapProfiler.collectGarbage");
      const { metrics } = await cdp.send("Performance.getMetrics");
      const heapMb = (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0) / 1024 / 1024;

      const report = {
        names: NAMES,
        historyMinutes: MINUTES,
        feedSyntheticDataMs: Math.round(feedMs),
        serverTickMsMedian: Number(median(tickMs).toFixed(1)),
        serverTickMsMax: Number(Math.max(...tickMs).toFixed(1)),
        tickPayloadKB: Math.round(median(tickBytes) / 1024),
        tickPayloadGzipKB: Number((median(tickGzipBytes) / 1024).toFixed(1)),
        fullPayloadKB: Math.round(fullBytes / 1024),
        browserUpdateMsMedian: Number(median(updates).toFixed(1)),
        browserUpdateMsMax: Number(Math.max(...updates).toFixed(1)),
        firstPaintMs: Math.round(firstPaintMs),
        sortMs: Math.round(sortMs),
        rowsInDom: visibleRows,
        failureRowsInDom,
        mainThreadShareByTab: mainThread,
        totalChartPoints: chartPoints,
        oneNameChartPoints: namePoints,
        pageJsHeapMB: Number(heapMb.toFixed(1)),
      };
      t.diagnostic(JSON.stringify(report));
      console.log("web UI scale:", JSON.stringify(report));

      assert.ok(updates.length >= LIVE_TICKS, `only ${updates.length} updates measured`);
      assert.ok(
        visibleRows < 200,
        `${visibleRows} rows in the DOM: the table should render only what is in view`,
      );
      assert.equal(full.rows.length, NAMES);
      assert.ok(chartPoints >= Math.min(MINUTES * 60, 500), `${chartPoints} chart points`);
      assert.ok(namePoints > 100, `${namePoints} points for one name`);
      assert.ok(report.serverTickMsMedian < 1000, `server tick ${report.serverTickMsMedian} ms`);
      assert.ok(report.browserUpdateMsMedian < 1000, `browser update ${report.browserUpdateMsMedian} ms`);
      assert.ok(heapMb < 400, `page heap ${heapMb} MB`);
      assert.ok(
        failureRowsInDom < 200,
        `${failureRowsInDom} failure rows in the DOM: only those in view belong there`,
      );
    } finally {
      await browser.close();
      await server.close();
      await runner.quitAndWait();
    }
  });
});
