/**
 * Browser users in-process with Debian's Chromium: pages that never load, and pages cut off
 * by the stop, against the rows recorded (and the target's own count of what it received).
 * Run in-process (no CLI) so each test costs a browser start and a few navigations.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Environment } from "../../src/runner/index.js";
import { BrowserUser, constant, task } from "../../src/user/index.js";
import { startTarget, type Target } from "../helpers/cli.js";
import { makeRun, statsRow, waitFor } from "../helpers/env.js";
import { startTcpServer } from "../helpers/raw-server.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function rows(environment: Environment, method: string) {
  return environment.stats
    .snapshot(environment.now())
    .entries.filter((e) => e.method === method)
    .map((e) => `${e.name} ${e.numRequests}`);
}

describe("browser users: pages that never load", () => {
  let target: Target;
  let hangRequests = 0;
  let blackhole: { url: string; close(): Promise<void> };
  before(async () => {
    // /hang: the document arrives, its image never does (the load event never fires).
    target = await startTarget((req, res) => {
      if (req.url === "/hang") hangRequests++;
      if (req.url === "/never.png") return;
      if (req.url === "/a" || req.url === "/b") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(`<!doctype html><title>${req.url}</title><p>Page ${req.url}</p>`);
        return;
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>hang</title><h1>Hello</h1><img src="/never.png">`);
    });
    // Accepts TCP and never answers: not even the document arrives.
    const silent = await startTcpServer();
    blackhole = { url: `http://127.0.0.1:${silent.port}/`, close: () => silent.close() };
  });
  after(async () => {
    await target.close();
    await blackhole.close();
  });

  it("every goto to a server that never answers times out after navigationTimeout (none aborts at once)", async () => {
    const times: number[] = [];
    const url = blackhole.url;
    class Visitor extends BrowserUser {
      override executablePath = CHROMIUM;
      override waitTime = constant(0);
      override navigationTimeout = 0.3;
      @task async visit() {
        const started = performance.now();
        assert.equal(await this.goto(url, { name: "blackhole" }), null);
        times.push(performance.now() - started);
      }
    }
    const { runner, environment } = makeRun([Visitor]);
    await runner.start(1, 10);
    assert.ok(await waitFor(() => times.length >= 3, 15_000), `3 navigations timed out: ${times}`);
    await runner.quitAndWait();
    const row = statsRow(environment, "NAV", "blackhole")!;
    // Playwright's timer and ours differ by a fraction of a ms; the bug was samples of 4 ms.
    assert.ok(row.minResponseTimeMs! >= 290, `each sample is a timeout: min ${row.minResponseTimeMs} ms`);
    const errors = environment.stats.failureRows().errors.map((e) => e.error);
    assert.deepEqual(errors, ["Timeout: the page did not load within 0.3 s"]);
  });

  it("two pages in a row: every load that goto() returned is a NAV row, though the next goto left the page at once", async () => {
    const loads = { "/a": 0, "/b": 0 };
    let done = false;
    class Reader extends BrowserUser {
      override executablePath = CHROMIUM;
      @task async read() {
        for (let i = 0; i < 6; i++) {
          for (const path of ["/a", "/b"] as const) if ((await this.goto(path)) !== null) loads[path]++;
        }
        done = true;
        await new Promise(() => {}); // until the test stops it: nothing more to count
      }
    }
    const { runner, environment } = makeRun([Reader], { host: target.url });
    await runner.start(1, 10);
    assert.ok(await waitFor(() => done, 20_000), "12 loads");
    await runner.quitAndWait();
    // The page script's own report of a load comes a task after its load event, which the
    // next goto() used to pre-empt: /a lost NAV rows (and its TTFB) at random.
    assert.deepEqual(loads, { "/a": 6, "/b": 6 });
    assert.deepEqual(rows(environment, "NAV"), ["/a 6", "/b 6"]);
    assert.ok(rows(environment, "VITAL").includes("TTFB /a 6"), rows(environment, "VITAL").join(", "));
  });

  it("a page whose image never loads: its NAV fails with its TTFB, FCP, LCP and CLS; one cut off by the stop records nothing", async () => {
    hangRequests = 0;
    let timedOut = 0;
    class Visitor extends BrowserUser {
      override executablePath = CHROMIUM;
      override waitTime = constant(0);
      @task async visit() {
        // The first goto times out (and is recorded); the second is still loading at the stop.
        // The timeout leaves a loaded machine time to paint the document first (0.5 s once
        // missed it in a full run at load average 5: no FCP, no LCP).
        const timeout = timedOut === 0 ? 1.5 : 30;
        if ((await this.goto("/hang", { timeout })) === null) timedOut++;
      }
    }
    const { runner, environment } = makeRun([Visitor], { host: target.url });
    await runner.start(1, 10);
    assert.ok(await waitFor(() => timedOut === 1 && hangRequests === 2, 15_000), "the second /hang began");
    // Its document is shown (FCP reported) before the stop cuts the navigation off.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runner.quitAndWait();
    assert.deepEqual(rows(environment, "NAV"), ["/hang 1"]);
    assert.deepEqual(rows(environment, "VITAL").sort(), [
      "CLS /hang 1",
      "FCP /hang 1",
      "LCP /hang 1",
      "TTFB /hang 1",
    ]);
  });
});
