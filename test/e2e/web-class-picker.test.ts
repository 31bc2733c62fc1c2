/**
 * The class picker and the "Run #n" markers in a real browser (Debian's Chromium) against
 * the real CLI (`--class-picker`) and a target on loopback: untick a class, start, see
 * only the other class's requests; stop, start a new test, see "Run #2" on the charts,
 * also after a reload.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { startTarget, type Target } from "../unit/web/helpers.js";
import {
  type InProcessCli,
  launchBrowser,
  pollUntil,
  startCliInProcess,
  writeLocustfile,
} from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, HttpUser, LoadTestShape, task } from "cicada-load";

export class AlphaUser extends HttpUser {
  waitTime = constant(0.1);
  @task async alpha() {
    await this.client.get("/ok", { name: "/alpha" });
  }
}

export class BetaUser extends HttpUser {
  waitTime = constant(0.1);
  @task async beta() {
    await this.client.get("/ok", { name: "/beta" });
  }
}

export class Steady extends LoadTestShape {
  tick() { return { users: 1, spawnRate: 1 }; }
}

export class Spike extends LoadTestShape {
  tick() { return { users: 3, spawnRate: 3 }; }
}
`;

let target: Target;
let locustfile: ReturnType<typeof writeLocustfile>;
let cli: InProcessCli;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const state = () => page.getByTestId("status-state").textContent();
const rowCount = async (name: string) => {
  const cell = page.locator(`.stats-table tbody tr[data-key="GET\t${name}"] td:nth-child(3)`);
  if ((await cell.count()) === 0) return 0;
  return Number(((await cell.textContent()) ?? "").replaceAll(",", ""));
};

const until = pollUntil;

before(async () => {
  target = await startTarget();
  locustfile = writeLocustfile(LOCUSTFILE);
  cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "-H", target.url, "--class-picker"]);
  url = await cli.url;
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

describe("the class picker in Chromium", () => {
  it("offers every class (ticked) and the load shapes", async () => {
    const dialog = page.getByRole("form", { name: "Start a new test" });
    await dialog.waitFor();
    const boxes = dialog.locator("input[name=user_classes]");
    assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [
      "AlphaUser",
      "BetaUser",
    ]);
    assert.ok(await dialog.getByLabel("AlphaUser", { exact: true }).isChecked());
    assert.ok(await dialog.getByLabel("BetaUser", { exact: true }).isChecked());
    const shapes = await dialog.locator("select[name=shape_class] option").allTextContents();
    assert.deepEqual(shapes.slice(1), ["Spike", "Steady"]);
  });

  it("asks for at least one class", async () => {
    const dialog = page.getByRole("form", { name: "Start a new test" });
    await dialog.locator("select[name=shape_class]").selectOption("Default");
    await dialog.getByLabel("AlphaUser", { exact: true }).uncheck();
    await dialog.getByLabel("BetaUser", { exact: true }).uncheck();
    await dialog.getByRole("button", { name: "Start" }).click();
    await dialog.getByText("Choose at least one user class").waitFor();
    assert.equal(await state(), "Ready");
  });

  it("runs only the ticked class", async () => {
    const dialog = page.getByRole("form", { name: "Start a new test" });
    await dialog.getByLabel("BetaUser", { exact: true }).check();
    await page.fill("input[name=user_count]", "2");
    await page.fill("input[name=spawn_rate]", "10");
    await dialog.getByRole("button", { name: "Start" }).click();
    await until(state, (s) => s === "Running");
    await until(
      () => rowCount("/beta"),
      (n) => n >= 5,
    );
    assert.equal(await rowCount("/alpha"), 0);
    const report = await (await fetch(`${url}stats/requests`)).json();
    const names = (report.stats as Array<{ name: string }>).map((row) => row.name);
    assert.deepEqual(names.sort(), ["/beta", "Aggregated"]);
  });

  it("marks the start of a new test with Run #2 on the charts, also after a reload", async () => {
    await page.getByRole("button", { name: "Stop" }).click();
    await until(state, (s) => s === "Stopped");
    await page.getByRole("button", { name: "New test" }).click();
    const dialog = page.getByRole("form", { name: "Start a new test" });
    // The form remembers the last choice.
    assert.equal(await dialog.getByLabel("AlphaUser", { exact: true }).isChecked(), false);
    assert.equal(await dialog.getByLabel("BetaUser", { exact: true }).isChecked(), true);
    await dialog.getByLabel("AlphaUser", { exact: true }).check();
    await dialog.getByRole("button", { name: "Start" }).click();
    await until(state, (s) => s === "Running");
    await until(
      () => rowCount("/alpha"),
      (n) => n > 0,
    );
    await page.getByRole("tab", { name: "Charts" }).click();
    const markers = () =>
      page
        .getByTestId("total-rps")
        .locator(".run-marker")
        .evaluateAll((els) =>
          els.filter((e) => (e as HTMLElement).style.display !== "none").map((e) => e.textContent),
        );
    await until(markers, (m) => m.join() === "Run #1,Run #2");
    assert.equal(await page.getByTestId("total-users").getAttribute("data-markers"), "Run #1,Run #2");

    await page.reload();
    await page.getByRole("tab", { name: "Charts" }).click();
    await until(markers, (m) => m.join() === "Run #1,Run #2");
    await page.getByRole("button", { name: "Stop" }).click();
    await until(state, (s) => s === "Stopped");
  });
});
