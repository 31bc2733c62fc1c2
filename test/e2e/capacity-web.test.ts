/**
 * The capacity search from the web UI in a real browser (Debian's Chromium): the start
 * form's "Find capacity" mode, the Capacity tab's progress (current step, steps so far,
 * best load), its answer and knee chart, and the HTML report's Capacity section drawn by
 * its own script. `UPDATE_SCREENSHOT=1` also writes docs/capacity.png.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  type CapacityServer,
  startCapacityServer,
  trueCapacity,
} from "../../bench/targets/capacity-server.mjs";
import {
  type InProcessCli,
  launchBrowser,
  pollUntil,
  ROOT,
  startCliInProcess,
  writeLocustfile,
} from "./web-helpers.js";

const LOCUSTFILE = `import { HttpUser, task, constant } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0);
  @task async home() { await this.client.get("/"); }
}
`;

/** The docs' screenshot starts low, so its chart shows the whole knee; the test starts near it, to be quick. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === "1";
const START = SCREENSHOT ? 5 : 30;

let target: CapacityServer;
let locustfile: ReturnType<typeof writeLocustfile>;
let cli: InProcessCli;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

before(async () => {
  target = await startCapacityServer({ slots: 20, serviceMs: 100 });
  locustfile = writeLocustfile(LOCUSTFILE);
  cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "-H", target.url]);
  url = await cli.url;
  assert.match(url, /^http:/, cli.stderr());
  browser = await launchBrowser({ width: 1280, height: 1100 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

after(async () => {
  await browser?.close();
  cli?.signal("SIGINT");
  await cli?.done;
  await target?.close();
  locustfile?.remove();
});

describe("Find capacity from the web UI", () => {
  it("the start form's Find capacity mode starts a search; the Capacity tab shows its progress, answer and knee chart", async () => {
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(url);
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.waitFor();
    await form.getByLabel(/Find capacity/).check();
    await form.getByLabel(/SLOs every step must meet/).fill("p95<250ms, failRate<1%");
    await form.getByLabel(/First step/).fill(String(START));
    await form.getByLabel(/Hold each step/).fill(SCREENSHOT ? "2s:5s" : "1s:3s");
    // A setting the server refuses comes back on its field.
    await form.getByLabel(/Upper bound/).fill("2");
    await form.getByRole("button", { name: "Find capacity" }).click();
    await page
      .getByText(`the upper bound capacity_max 2 is below the start capacity_start ${START}`)
      .waitFor();
    await form.getByLabel(/Upper bound/).fill("");
    await form.getByRole("button", { name: "Find capacity" }).click();

    // The form closes onto the Capacity tab, which follows the search.
    await page.getByTestId("capacity-current").waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).hash, "#capacity");
    assert.match(
      (await page.getByTestId("capacity-current").textContent())!,
      new RegExp(`^Step 1 \\(grow\\): (reaching )?${START} users`),
    );
    await pollUntil(
      async () =>
        (await page
          .getByTestId("capacity-steps")
          .locator("tbody tr")
          .count()
          .catch(() => 0)) as number,
      (rows) => rows >= 1,
      15_000,
    );
    assert.match(
      (await page.getByTestId("capacity-best").textContent())!,
      new RegExp(`Best load so far: ${START} users \\([\\d.]+ req/s\\)`),
    );
    // Until the search ends, the chart's marker is the best load so far, not the answer.
    const chart = page.getByTestId("capacity-chart");
    assert.equal(await chart.getAttribute("data-capacity-label"), "best so far");

    // While the search runs, the test's users are the search's.
    const edit = await fetch(`${url}swarm`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_count: 5, spawn_rate: 5 }),
    });
    assert.equal(edit.status, 409);
    assert.match(
      ((await edit.json()) as { message: string }).message,
      /a capacity search sets the load of this test/,
    );

    const answer = page.getByTestId("capacity-answer");
    await answer.waitFor({ timeout: 60_000 });
    assert.equal(await answer.getAttribute("data-outcome"), "found");
    const found = Number(/Capacity: (\d+) users/.exec((await answer.textContent())!)?.[1]);
    const truth = trueCapacity({ model: "users", slots: 20, serviceMs: 100, p95LimitMs: 250 }).load;
    assert.ok(Math.abs(found - truth) <= 0.1 * truth, `found ${found} users, expected ${truth} ± 10 %`);
    assert.equal(await chart.getAttribute("data-capacity"), String(found));
    assert.equal(await chart.getAttribute("data-capacity-label"), "capacity");
    assert.ok(Number(await chart.getAttribute("data-points")) >= 3);
    assert.equal(await chart.locator("canvas").count(), 1, "uPlot drew the chart");
    assert.deepEqual(problems, []);
  });

  it("the HTML report of the search has the Capacity section, its chart drawn by the report's own script", async () => {
    const report = await browser.context.newPage();
    const errors: string[] = [];
    report.on("pageerror", (error) => errors.push(error.message));
    await report.goto(`${url}stats/report`);
    await report.locator("#capacity .capacity-answer[data-outcome='found']").waitFor();
    assert.equal(await report.locator("#chart-capacity canvas").count(), 1);
    assert.ok((await report.locator("#capacity table tbody tr").count()) >= 4);
    assert.deepEqual(errors, []);
    await report.close();
  });

  it("an arrival-rate 'At least' answer is a result, not an error: worded by the form's fields, its label inside the chart, dropped iterations per step", async (t) => {
    if (SCREENSHOT) {
      t.skip("the screenshot shows the search above");
      return;
    }
    await page.getByRole("button", { name: "New test" }).click();
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.getByLabel("Arrival rate (iterations per second, whatever the response times)").check();
    await form.getByLabel(/Find capacity/).check();
    await form.getByLabel(/First step/).fill("15");
    await form.getByLabel(/Upper bound/).fill("30");
    await form.getByRole("button", { name: "Find capacity" }).click();
    const answer = page.getByTestId("capacity-answer");
    await pollUntil(
      () => answer.getAttribute("data-outcome").catch(() => null),
      (outcome) => outcome === "at-least",
      30_000,
    );
    const text = (await answer.textContent())!;
    assert.match(text, /At least 30 iterations\/s .*raise the form's Upper bound \(30 iterations\/s\)/);
    assert.doesNotMatch(text, /--capacity/);
    const looks = await answer.evaluate((element) => {
      const style = getComputedStyle(element);
      return {
        background: style.backgroundColor,
        border: style.borderTopColor,
      };
    });
    const probe = await page.evaluate(() => {
      const element = document.createElement("div");
      element.className = "finding";
      document.body.append(element);
      const background = getComputedStyle(element).backgroundColor;
      element.style.color = "var(--danger)";
      const danger = getComputedStyle(element).color;
      element.remove();
      return { background, danger };
    });
    assert.equal(looks.background, probe.background, "the plain background of a finding, not the error's");
    assert.notEqual(looks.border, probe.danger, "no red border");
    // The answer is the highest load, at the chart's right edge: its label stays inside the plot.
    const chart = page.getByTestId("capacity-chart");
    assert.equal(await chart.getAttribute("data-capacity"), "30");
    const labels = JSON.parse((await chart.getAttribute("data-labels"))!) as Array<{
      text: string;
      right: number;
    }>;
    const plotRight = Number(await chart.getAttribute("data-plot-right"));
    assert.equal(labels[0]?.text, "capacity 30");
    assert.ok(labels[0]!.right <= plotRight + 0.5, `label ends at ${labels[0]!.right}, plot at ${plotRight}`);
    // Each step's dropped iterations (none: the target holds 200/s).
    const table = page.getByTestId("capacity-steps");
    const headings = await table.locator("thead th").allTextContents();
    const column = headings.indexOf("Dropped");
    assert.equal(column, headings.indexOf("p95 from intended start") + 1, headings.join("|"));
    const cells = await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
    assert.deepEqual(cells, ["0", "0"]);
  });

  it("takes the docs screenshot when asked (UPDATE_SCREENSHOT=1)", async (t) => {
    if (process.env.UPDATE_SCREENSHOT !== "1") {
      t.skip("set UPDATE_SCREENSHOT=1 to update docs/capacity.png");
      return;
    }
    await page.mouse.move(10, 10);
    await page.screenshot({ path: join(ROOT, "docs", "capacity.png"), fullPage: true });
  });
});
