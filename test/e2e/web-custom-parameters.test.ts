/**
 * The start form's "Custom parameters" in a real browser (Debian's Chromium) against the
 * real CLI and a target on loopback: the inputs of each kind, a required secret left
 * empty, then values typed and chosen in the form reaching the users' requests.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { waitFor } from "../helpers/env.js";
import { startTarget, type Target } from "../unit/web/helpers.js";
import { type InProcessCli, launchBrowser, startCliInProcess, writeLocustfile } from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, events, HttpUser, task } from "cicada-load";

events.initCommandLineParser.addListener((parser) => {
  parser.addArgument("--my-path", { default: "start", help: "Path to request" });
  parser.addArgument("--api-key", { isSecret: true, isRequired: true, help: "API key" });
  parser.addArgument("--env", { choices: ["dev", "staging"], default: "dev", help: "Environment" });
  parser.addArgument("--regions", { choices: ["eu", "us"], isMultiple: true, default: ["eu"], help: "Regions" });
  parser.addArgument("--hidden", { includeInWebUi: false, default: "h" });
});

export class PathUser extends HttpUser {
  waitTime = constant(0.2);
  @task async visit() {
    const o = this.environment.parsedOptions;
    await this.client.get(\`/\${o.my_path}/\${o.env}/\${(o.regions as string[]).join("+")}/\${o.apiKey}\`);
  }
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
  cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "-H", target.url]);
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

describe("custom parameters in Chromium", () => {
  it("shows each visible argument with the input of its kind", async () => {
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.getByText("Custom parameters").waitFor();
    assert.equal(await form.locator("input[name=my_path]").inputValue(), "start");
    assert.equal(await form.locator("input[name=api_key]").getAttribute("type"), "password");
    assert.equal(await form.locator("select[name=env]").inputValue(), "dev");
    assert.deepEqual(await form.locator("select[name=env] option").allTextContents(), ["dev", "staging"]);
    assert.ok(await form.getByLabel("eu", { exact: true }).isChecked());
    assert.equal(await form.getByLabel("us", { exact: true }).isChecked(), false);
    assert.equal(await form.locator("[name=hidden]").count(), 0);
  });

  it("asks for a required one, then starts with what the form holds", async () => {
    const form = page.getByRole("form", { name: "Start a new test" });
    await form.getByRole("button", { name: "Start" }).click();
    await form.getByText("API key is required").waitFor();
    assert.equal(target.paths.length, 0);

    await form.locator("input[name=my_path]").fill("from-chromium");
    await form.locator("input[name=api_key]").fill("k3y");
    await form.locator("select[name=env]").selectOption("staging");
    await form.getByLabel("us", { exact: true }).check();
    await form.getByRole("button", { name: "Start" }).click();
    assert.ok(
      await waitFor(() => target.paths.length > 0, 10_000),
      `no request reached the target:\n${cli.stderr()}`,
    );
    assert.deepEqual([...new Set(target.paths)], ["/from-chromium/staging/eu+us/k3y"]);
  });
});
