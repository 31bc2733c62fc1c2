/**
 * Cicada's metrics in a real Prometheus (Debian's `prometheus`), started once for this file
 * on a free port with a temporary config and data folder: it scrapes /metrics during a run
 * (on a port chosen before it starts: its service discovery would take 5 s to see a new
 * target) and receives remote write.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTarget, type Target } from "../helpers/cli.js";
import { freePort, runSteadyHeadless, STEADY_LOCUSTFILE } from "./metrics-helpers.js";
import { ROOT, startCliInProcess, writeLocustfile } from "./web-helpers.js";

let dir: string;
let prometheus: ChildProcess;
let promUrl: string;
/** The web UI's port in the scrape test, in Prometheus's config from the start. */
let webPort: number;
let target: Target;
/** Arrival time of every request the target received, epoch ms. */
const arrivals: number[] = [];

async function query(
  promql: string,
  timeS?: number,
): Promise<
  Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>
> {
  const params = new URLSearchParams({
    query: promql,
    ...(timeS === undefined ? {} : { time: String(timeS) }),
  });
  const response = await fetch(`${promUrl}/api/v1/query?${params}`);
  const body = (await response.json()) as { status: string; data: { result: never[] }; error?: string };
  assert.equal(body.status, "success", body.error);
  return body.data.result;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cicada-prometheus-"));
  webPort = await freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: cicada-scrape",
      `    static_configs: [{ targets: ["127.0.0.1:${webPort}"], labels: { run: scrape } }]`,
    ].join("\n"),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  prometheus.stderr!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${promUrl}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || prometheus.exitCode !== null)
      throw new Error(`Prometheus did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  target = await startTarget((_req, res) => {
    arrivals.push(Date.now());
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});

after(async () => {
  await target?.close();
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once("exit", resolve));
    prometheus.kill("SIGTERM");
    const timer = setTimeout(() => prometheus.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

test("remote write: the pushed series arrive in Prometheus, the last push with the final count", async (t) => {
  const { cli, totalRequests } = runSteadyHeadless(t, target.url, [
    "--prometheus-remote-write",
    `${promUrl}/api/v1/write`,
    "--metrics-push-interval",
    "1s",
  ]);
  assert.equal(await cli.done, 0, cli.stderr());
  assert.doesNotMatch(cli.stderr(), /WARNING.*remote write/);
  const total = totalRequests();
  const [requests] = await query('cicada_requests_total{job="cicada",name="/x"}');
  assert.equal(Number(requests!.value![1]), total);
  assert.match(requests!.metric.instance!, /:\d+$/);
  const [count] = await query('cicada_response_time_seconds_bucket{job="cicada",name="/x",le="+Inf"}');
  assert.equal(Number(count!.value![1]), total);
  const [pushes] = await query('count_over_time(cicada_requests_total{job="cicada",name="/x"}[1m])');
  assert.ok(Number(pushes!.value![1]) >= 2, "pushed during the run, not only at the end");
  const [state] = await query('cicada_state{job="cicada",state="stopped"}');
  assert.equal(Number(state!.value![1]), 1);
});

test("Prometheus scrapes the web UI's /metrics: its rate of requests agrees with Cicada's count", async (t) => {
  const file = writeLocustfile(STEADY_LOCUSTFILE);
  t.after(() => file.remove());
  const report = join(dir, "scrape");
  // Prometheus hands new targets to its scrape loops every 5 s: wait for the first
  // (failed) scrape of the port, so that the run is scraped from its start.
  const deadline = Date.now() + 20_000;
  while ((await query('up{run="scrape"}')).length === 0) {
    assert.ok(Date.now() < deadline, "Prometheus never started scraping");
    await new Promise((r) => setTimeout(r, 200));
  }
  arrivals.length = 0;
  const cli = startCliInProcess(
    [
      "-f",
      file.path,
      "-H",
      target.url,
      "-P",
      String(webPort),
      "--autostart",
      "-u",
      "4",
      "-r",
      "100",
      "-t",
      "4s",
    ].concat(["--autoquit", "2", "--json-file", report, "-L", "WARNING"]),
  );
  assert.equal(await cli.done, 0, cli.stderr());
  const cicadaCount = JSON.parse(readFileSync(`${report}.json`, "utf8")).total.numRequests as number;
  // Requests still in flight when the run stopped reached the target but were cancelled
  // (not counted): at most one per user.
  const inFlight = arrivals.length - cicadaCount;
  assert.ok(inFlight >= 0 && inFlight <= 4, `Cicada ${cicadaCount}, target ${arrivals.length}`);

  const [series] = await query('cicada_requests_total{run="scrape",name="/x"}[1m]');
  const samples = series!.values!.map(([ts, v]) => [ts, Number(v)] as const);
  assert.ok(samples.length >= 4, `${samples.length} scrapes`);
  // The test ended before the UI quit, so the last scrape saw the final count.
  assert.equal(samples.at(-1)![1], cicadaCount, JSON.stringify(samples));
  // A window inside the steady run: from the second non-zero scrape to the last one before the end.
  const running = samples.filter(([, v]) => v > 0 && v < cicadaCount);
  assert.ok(running.length >= 3, JSON.stringify(samples));
  const [fromS, fromValue] = running[1]!;
  const [toS, toValue] = running.at(-1)!;
  const window = `${Math.round((toS - fromS + 0.5) * 1000)}ms`;
  const [rate] = await query(`rate(cicada_requests_total{run="scrape",name="/x"}[${window}])`, toS);
  const prometheusRate = Number(rate!.value![1]);
  const received = arrivals.filter((ms) => ms > fromS * 1000 && ms <= toS * 1000).length;
  const targetRate = received / (toS - fromS);
  // Stated tolerance: 5 % (a scrape reads the counter a few ms after its timestamp, and a
  // request is counted at its response while the target counts it at its arrival).
  t.diagnostic(
    `rate over ${(toS - fromS).toFixed(1)} s: Prometheus ${prometheusRate.toFixed(1)}/s, target ${targetRate.toFixed(1)}/s`,
  );
  assert.ok(
    Math.abs(prometheusRate - targetRate) / targetRate < 0.05,
    `Prometheus ${prometheusRate}/s, target ${targetRate}/s`,
  );
  // Prometheus's rate() is the counter's growth over the window, extrapolated to its edges
  // when scrapes are unevenly spaced (a loaded machine): within 2 % of the plain quotient.
  const plainRate = (toValue - fromValue) / (toS - fromS);
  assert.ok(
    Math.abs(prometheusRate - plainRate) / plainRate < 0.02,
    `rate() ${prometheusRate}/s, growth over the window ${plainRate}/s`,
  );

  const [p95] = await query(
    `histogram_quantile(0.95, sum by (le) (rate(cicada_response_time_seconds_bucket{run="scrape"}[${window}])))`,
    toS,
  );
  const p95Seconds = Number(p95!.value![1]);
  assert.ok(p95Seconds > 0 && p95Seconds < 0.5, `p95 ${p95Seconds}`);
  const [users] = await query('max_over_time(cicada_users{run="scrape"}[1m])');
  assert.equal(Number(users!.value![1]), 4);
});

test("the Grafana dashboard's queries run in Prometheus on these series", async () => {
  const dashboard = JSON.parse(
    readFileSync(join(ROOT, "deploy", "grafana", "cicada-dashboard.json"), "utf8"),
  ) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  };
  const panels = dashboard.panels.filter((p) => p.targets !== undefined);
  assert.ok(panels.length >= 8);
  for (const panel of panels) {
    const results = await Promise.all(
      panel.targets!.map((target) =>
        // Grafana's variables as a user with "All" selected would have them.
        query(target.expr.replaceAll("$__rate_interval", "1m").replace(/\$(job|instance|name)\b/g, ".+")),
      ),
    );
    // Worker series exist on a master only; every other panel has data from the runs above.
    if (!/worker|Overloaded/.test(panel.title)) {
      assert.ok(
        results.some((r) => r.length > 0),
        `no data for the panel "${panel.title}"`,
      );
    }
  }
});
