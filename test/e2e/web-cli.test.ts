/** The CLI's web mode, run in-process against a target on loopback. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTarget, type Target } from "../unit/web/helpers.js";
import { startCliInProcess, writeLocustfile } from "./web-helpers.js";

const LOCUSTFILE = `
import { constant, HttpUser, task } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.05);
  @task async ok() { await this.client.get("/ok"); }
}
`;

let target: Target;
let locustfile: ReturnType<typeof writeLocustfile>;
before(async () => {
  target = await startTarget();
  locustfile = writeLocustfile(LOCUSTFILE);
});
after(async () => {
  await target.close();
  locustfile.remove();
});

describe("cicada without --headless", () => {
  it("--autostart runs the test at once, serves the API meanwhile, and --autoquit ends it", async () => {
    const cli = startCliInProcess([
      "-f",
      locustfile.path,
      "-H",
      target.url,
      "-P",
      "0",
      "--autostart",
      "-u",
      "2",
      "-r",
      "20",
      "-t",
      "2s",
      "--autoquit",
      "0",
    ]);
    const url = await cli.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const report = await (await fetch(`${url}stats/requests`)).json();
    assert.ok(["spawning", "running"].includes(report.state), report.state);
    const code = await cli.done;
    assert.equal(code, 0, cli.stderr());
    assert.match(cli.stdout(), /Starting web interface at http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(cli.stdout(), /Aggregated/, "the final summary is printed");
    assert.match(cli.stderr(), /quitting in 0 s \(--autoquit\)/);
    assert.ok(target.requests > 5);
  });

  it("--autoquit of 30 days waits (no timer overflow quitting after 1 ms)", async () => {
    const cli = startCliInProcess(
      ["-f", locustfile.path, "-H", target.url, "-P", "0", "--autostart", "-u", "1", "-r", "10"].concat([
        "-t",
        "1s",
        "--autoquit",
        String(30 * 24 * 3600),
        "--only-summary",
      ]),
    );
    await cli.url;
    const stillServing = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (!cli.stderr().includes("(--autoquit)")) return;
        clearInterval(timer);
        setTimeout(() => resolve(true), 200);
      }, 20);
      void cli.done.then(() => {
        clearInterval(timer);
        resolve(false);
      });
    });
    assert.ok(stillServing, `the UI quit at once:\n${cli.stderr()}`);
    cli.signal("SIGINT");
    assert.equal(await cli.done, 0);
  });

  it("waits for the form, takes a /swarm, and quits cleanly on Ctrl-C with the final summary", async () => {
    // The class has a host of its own only through -H... here it has none: the form gives it.
    const cli = startCliInProcess(["-f", locustfile.path, "-P", "0"]);
    const url = await cli.url;
    const before = await (await fetch(`${url}api/state`)).json();
    assert.equal(before.status.state, "ready");
    assert.equal(before.meta.hostOptional, false);
    const started = await fetch(`${url}swarm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `user_count=1&spawn_rate=10&host=${encodeURIComponent(target.url)}`,
    });
    assert.equal(started.status, 200);
    const deadline = Date.now() + 5000;
    let requests = 0;
    while (Date.now() < deadline && requests < 3) {
      requests = (await (await fetch(`${url}stats/requests`)).json()).stats.at(-1).num_requests;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(requests >= 3, `requests ${requests}`);
    const logs = await (await fetch(`${url}api/logs`)).json();
    assert.ok(
      logs.lines.some((l: { message: string }) => l.message.includes("Ramping to 1 users")),
      "the CLI's log lines reach the Logs tab",
    );
    cli.signal("SIGINT");
    assert.equal(await cli.done, 0);
    assert.match(cli.stdout(), /Response time percentiles/);
    await assert.rejects(fetch(`${url}stats/requests`), "the server is closed");
  });

  it("serves the HTML and JSON reports live, and writes --csv and --html at the end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cicada-web-reports-"));
    try {
      const cli = startCliInProcess([
        "-f",
        locustfile.path,
        "-H",
        target.url,
        "-P",
        "0",
        "--autostart",
        "-u",
        "1",
        "-r",
        "10",
        "-t",
        "3s",
        "--autoquit",
        "0",
        "--csv",
        join(dir, "run"),
        "--html",
        join(dir, "report.html"),
      ]);
      const url = await cli.url;
      const state = await (await fetch(`${url}api/state`)).json();
      const labels = state.meta.downloads.map((d: { label: string }) => d.label);
      assert.deepEqual(labels.slice(-2), ["HTML report", "JSON report"]);
      const html = await fetch(`${url}stats/report?download=1`);
      assert.equal(html.status, 200);
      assert.match(
        html.headers.get("content-disposition") ?? "",
        /^attachment; filename="report_\d+\.html"$/,
      );
      assert.match(html.headers.get("content-security-policy") ?? "", /script-src 'unsafe-inline'/);
      assert.match(await html.text(), /^<!DOCTYPE html>/);
      const json = await (await fetch(`${url}api/report`)).json();
      assert.equal(typeof json.schemaVersion, "number");
      assert.equal(json.meta.host, target.url);
      assert.equal(await cli.done, 0, cli.stderr());
      assert.match(readFileSync(join(dir, "run_stats.csv"), "utf8"), /^Type,Name,Request Count/);
      assert.match(readFileSync(join(dir, "report.html"), "utf8"), /^<!DOCTYPE html>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 4 with a clear message when the port is in use", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = startCliInProcess(["-f", locustfile.path, "-H", target.url, "-P", String(port)]);
      assert.equal(await cli.done, 4);
      assert.match(cli.stderr(), new RegExp(`Error: port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(cli.stderr(), /Hint: Pick another port with -P\/--web-port/);
      assert.doesNotMatch(cli.stderr(), /\n\s+at /, "no stack trace");
    } finally {
      blocker.close();
    }
  });

  it("protects the UI with --web-login and with CICADA_WEB_TOKEN", async () => {
    const cli = startCliInProcess(
      ["-f", locustfile.path, "-H", target.url, "-P", "0", "--web-login", "ada:pw"],
      {
        env: { CICADA_WEB_TOKEN: "token-for-scripts" },
      },
    );
    const url = await cli.url;
    try {
      assert.equal((await fetch(`${url}stats/requests`)).status, 401);
      const basic = `Basic ${Buffer.from("ada:pw").toString("base64")}`;
      assert.equal((await fetch(`${url}stats/requests`, { headers: { authorization: basic } })).status, 200);
      const bearer = { authorization: "Bearer token-for-scripts" };
      assert.equal((await fetch(`${url}stats/requests`, { headers: bearer })).status, 200);
    } finally {
      cli.signal();
      assert.equal(await cli.done, 0);
    }
  });

  const usageErrors: Array<{ title: string; args: string[]; message: RegExp }> = [
    {
      title: "--autoquit without --autostart",
      args: ["--autoquit", "5"],
      message: /--autoquit is only meaningful in combination with --autostart/,
    },
    {
      title: "a bad --web-base-path",
      args: ["--web-base-path", "no slash"],
      message: /--web-base-path: the base path must look like/,
    },
    {
      title: "a port out of range",
      args: ["-P", "70000"],
      message: /--web-port must be 0 to 65535, got '70000'/,
    },
    {
      title: "a --web-login without a password",
      args: ["--web-login", "ada"],
      message: /--web-login must be user:password/,
    },
  ];
  for (const { title, args, message } of usageErrors) {
    it(`exits 2 for ${title}`, async () => {
      const cli = startCliInProcess(["-f", locustfile.path, "-H", target.url, ...args]);
      assert.equal(await cli.done, 2, cli.stderr());
      assert.match(cli.stderr(), message);
    });
  }

  it("needs a host at once only with --autostart", async () => {
    const cli = startCliInProcess(["-f", locustfile.path, "-P", "0", "--autostart"]);
    assert.equal(await cli.done, 2);
    assert.match(cli.stderr(), /no host to test for Visitor/);
  });

  it("lists the web options in --help", async () => {
    const cli = startCliInProcess(["--help"]);
    assert.equal(await cli.done, 0);
    for (const flag of [
      "--web-host",
      "-P, --web-port",
      "--web-base-path",
      "--autostart",
      "--autoquit",
      "--web-login",
    ]) {
      assert.ok(cli.stdout().includes(flag), `--help lacks ${flag}`);
    }
    assert.match(cli.stdout(), /Web UI options/);
  });
});
