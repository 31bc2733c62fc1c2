/**
 * Custom command-line arguments (`events.initCommandLineParser`) through the real CLI:
 * --help, values from a flag, an environment variable and a default reaching a task (the
 * target records the paths it was asked for), a missing required one, and the values
 * travelling from a master to its workers (a Cicada master, and Locust's with the stub).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { LOCUST } from "../helpers/locust.js";
import { freePort, startCicada, startMaster, startProcess } from "./distributed-helpers.js";

/** A target on 127.0.0.1 that records every path it is asked for. */
async function pathTarget(t: TestContext): Promise<{ url: string; paths: Set<string> }> {
  const paths = new Set<string>();
  const server = createServer((req, res) => {
    paths.add(req.url ?? "");
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths };
}

/** Each user requests /<from-flag>/<from-env>/<from-default>, a path made of the three values. */
function writeLocustfile(t: TestContext, targetUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-args-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "locustfile.ts"),
    `import { constant, events, HttpUser, task } from "cicada-load";
events.initCommandLineParser.addListener((parser) => {
  parser.addArgument("--from-flag", { default: "unset", help: "Given as a flag" });
  parser.addArgument("--from-env", { default: "unset", envVar: "MY_FROM_ENV" });
  parser.addArgument("--from-default", { default: "the-default" });
  parser.addArgument("--api-key", { isRequired: true, isSecret: true, help: "The target's key" });
});
export class PathUser extends HttpUser {
  host = ${JSON.stringify(targetUrl)};
  waitTime = constant(0.2);
  @task async visit() {
    const o = this.environment.parsedOptions;
    await this.client.get(\`/\${o.fromFlag}/\${o.from_env}/\${o.fromDefault}\`);
  }
}
`,
  );
  return dir;
}

test("--help lists the locustfile's arguments in a group of their own", async (t) => {
  const cwd = writeLocustfile(t, "http://127.0.0.1:1");
  const help = startCicada(t, ["-f", "locustfile.ts", "--help"], { cwd });
  assert.equal(await help.exited, 0, help.output());
  const group = help.output().slice(help.output().indexOf("Custom arguments (from the locustfile)"));
  assert.match(group, /--from-flag <value> +Given as a flag \(default: unset\)/);
  assert.match(group, /--from-env <value>.*\n?.*MY_FROM_ENV/);
  assert.match(group, /--api-key <value> +The target's key \(required\)/);
});

test("a value from a flag, an env var and a default reaches the users of a headless run", async (t) => {
  const target = await pathTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startCicada(
    t,
    ["-f", "locustfile.ts", "--headless", "-u", "1", "-t", "2s", "--from-flag", "flagged", "--api-key", "k"],
    { cwd, env: { MY_FROM_ENV: "enved" } },
  );
  assert.equal(await run.exited, 0, run.output());
  assert.deepEqual([...target.paths], ["/flagged/enved/the-default"]);
});

test("a missing required argument or an unknown flag is a usage error (exit 2) without a stack", async (t) => {
  const cwd = writeLocustfile(t, "http://127.0.0.1:1");
  const missing = startCicada(t, ["-f", "locustfile.ts", "--headless", "-u", "1", "-t", "1s"], { cwd });
  assert.equal(await missing.exited, 2, missing.output());
  assert.match(missing.output(), /--api-key is required \(The target's key\)/);
  assert.doesNotMatch(missing.output(), /\n\s+at /);
  const unknown = startCicada(t, ["-f", "locustfile.ts", "--headless", "--api-key", "k", "--from-flg", "x"], {
    cwd,
  });
  assert.equal(await unknown.exited, 2, unknown.output());
  assert.match(unknown.output(), /unknown option '--from-flg'[\s\S]*Did you mean --from-flag\?/);
});

test("a Cicada master sends its values to a worker, whose users see them", async (t) => {
  const target = await pathTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const { master, port } = await startMaster(
    t,
    cwd,
    ["--headless", "--expect-workers", "1", "-u", "2", "-r", "10", "-t", "3s"].concat([
      "--from-flag",
      "master-flag",
      "--api-key",
      "k",
    ]),
    { env: { MY_FROM_ENV: "master-env" } },
  );
  // The worker's own command line gives no value (and it needs no --api-key: its master has it).
  const worker = startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd });
  assert.equal(await master.exited, 0, master.output());
  assert.equal(await worker.exited, 0, worker.output());
  assert.deepEqual([...target.paths], ["/master-flag/master-env/the-default"]);
});

test("a Locust master with the --locust-stub forwards its values to a Cicada worker", {
  skip: LOCUST === undefined ? "Locust is not installed (apt-get install python3-locust)" : false,
}, async (t) => {
  const target = await pathTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const stub = startCicada(t, ["-f", "locustfile.ts", "--locust-stub"], { cwd });
  assert.equal(await stub.exited, 0, stub.output());
  assert.match(
    stub.output(),
    /_add_argument\(parser, "--from-flag", default="unset", help="Given as a flag"\)/,
  );
  writeFileSync(join(cwd, "stub.py"), stub.output());
  const port = await freePort();
  const master = startProcess(
    t,
    LOCUST!,
    [
      "-f",
      "stub.py",
      "--master",
      "--master-bind-host",
      "127.0.0.1",
      "--master-bind-port",
      String(port),
    ].concat(
      ["--headless", "--expect-workers", "1", "-u", "1", "-r", "1", "-t", "3s", "--only-summary"],
      ["--from-flag", "locust-flag", "--api-key", "k"],
    ),
    { cwd, env: { MY_FROM_ENV: "locust-env" } },
  );
  const worker = startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd });
  await master.exited;
  assert.equal(await worker.exited, 0, worker.output());
  assert.doesNotMatch(master.output(), /Traceback|error: unrecognized/);
  assert.deepEqual([...target.paths], ["/locust-flag/locust-env/the-default"]);
});
