/**
 * The web UI in Chromium against a web server fed with synthetic statistics, reached
 * through a TCP proxy that can make it look hung or down: 500 failure groups in a
 * virtualised table, the stale and disconnected states (and errors of an outage cleared
 * on reconnect), the percentile columns the server lists, and the overload badge worded
 * by role, never shown for seconds in which no test ran.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { Environment, GeneratorMonitor, LocalRunner } from "../../src/runner/index.js";
import { constant, task, User } from "../../src/user/index.js";
import { startWebServer, type WebServer } from "../../src/web/index.js";
import { launchBrowser, pollUntil } from "./web-helpers.js";

class IdleUser extends User {
  override waitTime = constant(60);
  @task idle() {}
}

type ProxyMode = "pass" | "hang" | "refuse";

/** A TCP proxy to the server: "hang" swallows the server's bytes, "refuse" drops every connection. */
async function startProxy(
  port: number,
): Promise<{ url: string; mode(m: ProxyMode): void; close(): Promise<void> }> {
  let mode: ProxyMode = "pass";
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (mode === "refuse") {
      client.destroy();
      return;
    }
    const upstream = connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.on("data", (data) => upstream.write(data));
    upstream.on("data", (data) => {
      if (mode === "pass") client.write(data);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    mode(m) {
      mode = m;
      if (m === "refuse") for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let now = Date.UTC(2026, 0, 1, 12, 0, 0);
let environment: Environment;
let runner: LocalRunner;
let server: WebServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let monitorActive = false;
let cpuMicros = 0;
let monotonicMs = 0;

const FAILURE_GROUPS = 500;

/** Failure group i gets 1000 - i occurrences at first, so the order is stable. */
function recordFailures(times: (i: number) => number, groups = FAILURE_GROUPS): void {
  for (let i = 0; i < groups; i++) {
    for (let n = 0; n < times(i); n++) {
      environment.stats.record(
        "GET",
        `/api/items/${String(i % 100).padStart(3, "0")}`,
        5,
        10,
        `HTTPError: 500 case ${i}`,
        now,
      );
    }
  }
}

before(async () => {
  environment = new Environment({ userClasses: [IdleUser], now: () => now });
  runner = new LocalRunner(environment);
  // A test runs (one idle user), so Stop and Reset stats are there; its statistics are synthetic.
  await runner.start(1, 1);
  recordFailures((i) => 1000 - i);
  environment.generatorMonitor = new GeneratorMonitor({
    cpuUsageMicros: () => cpuMicros,
    monotonicMs: () => monotonicMs,
    role: "master",
    isActive: () => monitorActive,
  });
  server = await startWebServer({ runner, port: 0, percentiles: [0.9, 0.999] });
  proxy = await startProxy(server.port);
  browser = await launchBrowser();
  browser.context.setDefaultTimeout(10_000);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(proxy.url);
  // A test runs: no start form greets the user.
  await page.locator(".stats-table tbody tr[data-key]").first().waitFor();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.close();
  await runner?.quitAndWait();
});

describe("the web UI's server states in Chromium", () => {
  it("shows the percentile columns the server lists", async () => {
    const headers = await page.locator(".stats-table thead th").allTextContents();
    assert.ok(headers.includes("90%ile (ms)") && headers.includes("99.9%ile (ms)"), headers.join(" | "));
    assert.ok(!headers.includes("95%ile (ms)"), headers.join(" | "));
    const row = page.locator('.stats-table tr[data-key="GET\t/api/items/000"]');
    assert.equal(await row.locator('td[data-column="p99.9"]').textContent(), "5.0");
  });

  it("keeps 500 failure groups out of the page but for those in view, and updates the changed ones", async () => {
    await page.getByRole("tab", { name: /^Failures/ }).click();
    const rows = page.locator(".failures-table tbody tr[data-key]");
    await rows.first().waitFor();
    const inPage = await rows.count();
    assert.ok(inPage < 100, `${inPage} of ${FAILURE_GROUPS} failure rows in the page`);
    assert.match((await rows.first().textContent()) ?? "", /^1,000GET/);
    now += 1000;
    recordFailures(() => 5, 3);
    await pollUntil(
      async () => (await rows.first().locator("td").first().textContent()) ?? "",
      (text) => text === "1,005",
    );
    // The table scrolls to the last group, which is then in the page.
    await page.locator(".failures-table").evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await page
      .locator(
        `.failures-table tr[data-key="GET\t/api/items/099\tHTTPError: 500 case ${FAILURE_GROUPS - 1}"]`,
      )
      .waitFor();
  });

  it("says when updates stop (a hung server), and when the connection is lost", async () => {
    await page.getByRole("tab", { name: /^Statistics/ }).click();
    proxy.mode("hang");
    const banner = page.getByTestId("connection-banner");
    await banner.waitFor({ timeout: 8000 });
    assert.match((await banner.textContent()) ?? "", /No update from Cicada/);
    assert.equal(await page.getByTestId("status-state").textContent(), "No updates");
    proxy.mode("refuse");
    await pollUntil(
      async () => (await banner.textContent()) ?? "",
      (text) => /Connection to Cicada lost/.test(text),
    );
  });

  it("clears an outage's 'Failed to fetch' once reconnected", async () => {
    await page.getByRole("button", { name: "Reset stats" }).click();
    const alert = page.locator(".header-error");
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? "", /Failed to fetch/);
    proxy.mode("pass");
    await page.getByTestId("connection-banner").waitFor({ state: "detached", timeout: 10_000 });
    await alert.waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("status-state").textContent(), "Running");
  });

  it("shows no overload badge for seconds without a test, and words a master's overload as not touching latencies", async () => {
    const monitor = environment.generatorMonitor!;
    const busySecond = () => {
      monotonicMs += 1000;
      cpuMicros += 1_000_000;
      monitor.sample();
    };
    for (let i = 0; i < 4; i++) busySecond(); // start-up and idle time, fully busy
    await page.waitForTimeout(1300); // a tick or more
    assert.equal(await page.getByTestId("status-generator-overloaded").count(), 0);
    monitorActive = true;
    for (let i = 0; i < 3; i++) busySecond();
    const badge = page.getByTestId("status-generator-overloaded");
    await badge.waitFor();
    assert.match((await badge.textContent()) ?? "", /^Master overloaded/);
    const advice = (await badge.getAttribute("title")) ?? "";
    assert.match(advice, /workers measure the response times, so they are not affected/);
    assert.doesNotMatch(advice, /client-side queueing|fewer users per process/i);
  });
});
