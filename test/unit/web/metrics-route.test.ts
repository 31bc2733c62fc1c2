import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { get } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { MetricsCollector } from "../../../src/metrics/index.js";
import { LocalRunner } from "../../../src/runner/index.js";
import { EnvironmentError } from "../../../src/shared/errors.js";
import { startMetricsServer } from "../../../src/web/metrics-route.js";
import { ROOT, startCliInProcess, writeLocustfile } from "../../e2e/web-helpers.js";
import { makeWebRun } from "./helpers.js";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function webRunWithMetrics(web: NonNullable<Parameters<typeof makeWebRun>[0]>["web"] = {}) {
  let collector: MetricsCollector | undefined;
  const webOptions = {
    ...web,
    // Read when the app is built, after the runner (and so the collector) exists.
    get metrics() {
      return collector;
    },
  };
  const run = await makeWebRun({
    web: webOptions,
    runner: (environment) => {
      const runner = new LocalRunner(environment);
      collector = new MetricsCollector({
        runner,
        distributed: false,
        version: "test",
        logger: environment.logger,
      });
      return runner;
    },
  });
  return { ...run, collector: collector! };
}

/** GET with a chosen Host header (fetch does not let a script set Host). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

test("the web UI serves /metrics under its base path, behind its login", async (t) => {
  const run = await webRunWithMetrics({ basePath: "/cicada", auth: { username: "ops", password: "s3cret" } });
  t.after(() => run.close());
  run.environment.stats.record("GET", "/ok", 4, 2, null, Date.now());
  const host = { host: "127.0.0.1:8089" };
  const denied = await run.app.inject({ url: "/cicada/metrics", headers: host });
  assert.equal(denied.statusCode, 401);
  const ok = await run.app.inject({
    url: "/cicada/metrics",
    headers: { ...host, authorization: basic("ops", "s3cret") },
  });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  assert.match(ok.body, /^cicada_requests_total\{method="GET",name="\/ok"\} 1$/m);
  const open = await run.app.inject({
    url: "/cicada/metrics",
    headers: { ...host, authorization: basic("ops", "s3cret"), accept: "application/openmetrics-text" },
  });
  assert.ok(open.body.endsWith("# EOF\n"));
  const outside = await run.app.inject({
    url: "/metrics",
    headers: { ...host, authorization: basic("ops", "s3cret") },
  });
  assert.equal(outside.statusCode, 404);
});

test("--metrics-port's server: /metrics only, Host and login checks, a port in use is exit 4", async (t) => {
  const run = await webRunWithMetrics();
  t.after(() => run.close());
  const server = await startMetricsServer({ collector: run.collector, host: "127.0.0.1", port: 0, auth: {} });
  t.after(() => server.close());
  const response = await fetch(server.url);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /^cicada_state\{state="ready"\} 1$/m);
  const control = await fetch(server.url.replace("/metrics", "/stop"));
  assert.equal(control.status, 404, "no control API on the metrics port");
  const port = Number(new URL(server.url).port);
  assert.equal(await getWithHost(server.url, `evil.example:${port}`), 421);

  const locked = await startMetricsServer({
    collector: run.collector,
    host: "127.0.0.1",
    port: 0,
    auth: { token: "0123456789" },
  });
  t.after(() => locked.close());
  assert.equal((await fetch(locked.url)).status, 401);
  assert.equal((await fetch(locked.url, { headers: { authorization: "Bearer 0123456789" } })).status, 200);

  await assert.rejects(
    startMetricsServer({ collector: run.collector, host: "127.0.0.1", port, auth: {} }),
    (error: unknown) =>
      error instanceof EnvironmentError &&
      error.code === "CICADA_ERR_METRICS_PORT_IN_USE" &&
      error.exitCode === 4 &&
      /--metrics-port/.test(error.hint ?? ""),
  );
});

test("the CLI: --metrics-port in use exits 4 with one message; bad metrics options exit 2", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  const file = writeLocustfile(
    'import { User, task } from "cicada-load";\nexport class U extends User { @task t() {} }\n',
  );
  t.after(() => file.remove());
  const busy = startCliInProcess(["-f", file.path, "--headless", "-t", "1s", "--metrics-port", String(port)]);
  assert.equal(await busy.done, 4);
  assert.match(busy.stderr(), /port \d+ on 127\.0\.0\.1 is already in use, so \/metrics cannot start/);
  assert.match(busy.stderr(), /Hint: Pick another port with --metrics-port/);
  assert.doesNotMatch(busy.stderr(), /\n\s+at /, "no stack trace");

  const bad = startCliInProcess([
    "-f",
    file.path,
    "--headless",
    "--prometheus-remote-write",
    "localhost:9090",
    "--metrics-push-interval",
    "0.2s",
  ]);
  assert.equal(await bad.done, 2);
  assert.match(
    bad.stderr(),
    /--prometheus-remote-write must be an http:\/\/ or https:\/\/ URL, got 'localhost:9090'/,
  );
  assert.match(bad.stderr(), /--metrics-push-interval must be at least 1s/);
});

test("a worker says it ignores the metrics options (the master exports)", async (t) => {
  const file = writeLocustfile(
    'import { User, task } from "cicada-load";\nexport class U extends User { @task t() {} }\n',
  );
  t.after(() => file.remove());
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const free = (probe.address() as { port: number }).port;
      probe.close(() => resolve(free));
    });
  });
  const worker = startCliInProcess(
    ["-f", file.path, "--worker", "--master-port", String(port), "--master-timeout", "1s"].concat([
      "--metrics-port",
      "0",
      "--otlp",
      "http://127.0.0.1:4318",
    ]),
  );
  assert.equal(await worker.done, 4, "no master: the usual worker error");
  assert.match(
    worker.stderr(),
    /WARNING\/cicada: --metrics-port, --prometheus-remote-write and --otlp are ignored on a worker/,
  );
  assert.doesNotMatch(worker.stdout(), /Serving Prometheus metrics/);
});

test("--otlp without the optional OpenTelemetry packages: one message naming them", () => {
  // A resolve hook that finds no @opentelemetry package, as after npm install --omit=optional.
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier.startsWith("@opentelemetry/")) {
      const error = new Error("Cannot find package '" + specifier + "'");
      error.code = "ERR_MODULE_NOT_FOUND";
      throw error;
    }
    return next(specifier, context);
  }`;
  const register = `import { register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));`;
  const script = `const { loadOtel } = await import(${JSON.stringify(join(ROOT, "src", "metrics", "otlp.ts"))});
    try { await loadOtel(); console.log("loaded"); } catch (e) { console.log(JSON.stringify({ code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint })); }`;
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      `data:text/javascript,${encodeURIComponent(register)}`,
      "--input-type=module",
      "-e",
      script,
    ],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const error = JSON.parse(child.stdout.trim()) as {
    code: string;
    exitCode: number;
    message: string;
    hint: string;
  };
  assert.equal(error.code, "CICADA_ERR_OTLP_PACKAGES");
  assert.equal(error.exitCode, 4);
  assert.match(error.hint, /npm install @opentelemetry\/exporter-metrics-otlp-proto/);
});
