/**
 * Locust's plugin-facing API across the wire, against Debian's Locust 2.12.1 both ways:
 * custom messages (send_message/register_message), report_to_master/worker_report, one
 * failure row per HTTP error whichever worker saw it, and spawning_complete.
 *
 * Debian's Python worker reports an empty version, which Debian's own master refuses; in
 * the first test a one-line shim gives it "2.12.1" (the protocol is unchanged).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LOCUST, PYTHON } from "../helpers/locust.js";
import { freePort, startCicada, startProcess, startTarget } from "./distributed-helpers.js";

const skip = LOCUST === undefined ? "Locust is not installed (apt-get install python3-locust)" : false;

/** Runs Locust's CLI in Python with a non-empty version (Debian's package has ""). */
const LOCUST_WITH_VERSION =
  "import sys, locust.runners as r; r.__version__ = '2.12.1'; from locust.main import main; sys.argv[0] = 'locust'; sys.exit(main())";

const PY_MASTER = `
import json, os
from locust import HttpUser, task, constant, events
from locust.runners import MasterRunner

RESULT = {"from_worker": [], "reports": 0}
SEARCH_FAILURE = "search returned ok=false for user's cart"

class Visitor(HttpUser):
    wait_time = constant(0.05)
    @task
    def fail(self):
        self.client.get("/fail")
    @task
    def search(self):
        with self.client.get("/hello", name="/search", catch_response=True) as response:
            response.failure(SEARCH_FAILURE)

@events.init.add_listener
def on_init(environment, **kw):
    if isinstance(environment.runner, MasterRunner):
        def on_hello(environment, msg, **kw):
            RESULT["from_worker"].append(msg.data)
            environment.runner.send_message("hello_worker", {"echo": msg.data["n"] * 2}, msg.node_id)
        environment.runner.register_message("hello_master", on_hello)

@events.worker_report.add_listener
def on_report(client_id, data, **kw):
    if data.get("cicada_plugin") == 1:
        RESULT["reports"] += 1

@events.quitting.add_listener
def write(environment, **kw):
    if isinstance(environment.runner, MasterRunner):
        with open(os.environ["RESULT_FILE"], "w") as f:
            json.dump(RESULT, f)
`;

/** The reason both kinds of workers give response.failure() (a quote: Python's repr picks double quotes). */
const SEARCH_FAILURE = "search returned ok=false for user's cart";
const CICADA_SEARCH_TASK = `@task async search() {
    const response = await this.client.get("/hello", { name: "/search", catchResponse: true });
    response.failure(${JSON.stringify(SEARCH_FAILURE)});
  }`;

const CICADA_WORKER = `
import { HttpUser, task, constant, events } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.05);
  @task async fail() { await this.client.get("/fail"); }
  ${CICADA_SEARCH_TASK}
}
events.init.addListener(({ environment }) => {
  environment.runner?.registerMessage<{ echo: number }>("hello_worker", (message) => {
    environment.logger.info(\`echo from the master: \${message.data.echo}\`);
  });
});
events.testStart.addListener(({ environment }) => environment.runner?.sendMessage("hello_master", { n: 21 }));
events.reportToMaster.addListener(({ data }) => { data.cicada_plugin = 1; });
`;

test("under a Locust 2.12.1 master: custom messages both ways, report_to_master keys, one row per HTTP error with a Python worker", {
  skip,
  timeout: 60_000,
}, async (t) => {
  const target = await startTarget(t);
  const cwd = (await import("./distributed-helpers.js")).writeLocustfile(t, target.url);
  writeFileSync(join(cwd, "master.py"), PY_MASTER);
  writeFileSync(join(cwd, "worker.ts"), CICADA_WORKER);
  const port = await freePort();
  const resultFile = join(cwd, "result.json");
  const master = startProcess(
    t,
    LOCUST!,
    ["-f", "master.py", "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port)]
      .concat(["--headless", "--expect-workers", "2", "-u", "4", "-r", "4", "-t", "2s", "-H", target.url])
      .concat(["--csv", "out", "--only-summary"]),
    { cwd, env: { RESULT_FILE: resultFile } },
  );
  const cicada = startCicada(t, ["-f", "worker.ts", "--worker", "--master-port", String(port)], { cwd });
  const python = startProcess(
    t,
    PYTHON,
    ["-c", LOCUST_WITH_VERSION, "-f", "master.py", "--worker", "--master-port", String(port)],
    { cwd },
  );
  assert.equal(await master.exited, 1, master.output()); // /fail failed
  assert.equal(await cicada.exited, 0, cicada.output());
  await python.exited;
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as { from_worker: unknown[]; reports: number };
  assert.deepEqual(
    result.from_worker,
    [{ n: 21 }],
    "the master's register_message got the Cicada worker's message",
  );
  assert.match(cicada.output(), /echo from the master: 42/, "and its send_message reached the worker");
  assert.ok(result.reports >= 1, "worker_report saw the key reportToMaster added");
  // Both workers failed on GET /fail and on /search: Locust's failures CSV has one row for each, not two.
  const failures = readFileSync(join(cwd, "out_failures.csv"), "utf8").trim().split("\n").slice(1);
  assert.equal(failures.length, 2, failures.join("\n"));
  const fail = failures.find((row) => row.startsWith("GET,/fail,"))!;
  const search = failures.find((row) => row.startsWith("GET,/search,"))!;
  // (Locust 2.12's CSV writer repr()s the text once more: the doubled quotes are its own.)
  assert.match(
    fail,
    /^GET,\/fail,"""HTTPError\('500 Server Error: Internal Server Error for url: http:\/\/127\.0\.0\.1:\d+\/fail'\)""",\d+/,
  );
  // Python's repr of the reason (double quotes: it has a single quote), repr()ed again by the CSV writer.
  assert.ok(search.includes(`CatchResponseError(""${SEARCH_FAILURE.replace("'", "\\'")}"")`), search);
  const stats = readFileSync(join(cwd, "out_stats.csv"), "utf8");
  for (const [name, row] of [
    ["fail", fail],
    ["search", search],
  ] as const) {
    const occurrences = Number(/,(\d+),[^,]*,[^,]*$/.exec(row)?.[1] ?? /,(\d+)\s*$/.exec(row)?.[1]);
    const requests = Number(new RegExp(`^GET,/${name},(\\d+),`, "m").exec(stats)![1]);
    assert.ok(
      Number.isFinite(occurrences) && occurrences === requests,
      `/${name}: ${occurrences} of ${requests}`,
    );
    assert.ok(requests > 10, `/${name}: ${requests} requests`);
  }
  assert.match(python.output() + master.output(), /Worker .* \(index \d+\) reported as ready/);
});

const PY_WORKER = `
from locust import HttpUser, task, constant, events

class Visitor(HttpUser):
    wait_time = constant(0.05)
    @task
    def fail(self):
        self.client.get("/fail")
    @task
    def search(self):
        with self.client.get("/hello", name="/search", catch_response=True) as response:
            response.failure("search returned ok=false for user's cart")

@events.init.add_listener
def on_init(environment, **kw):
    def on_ping(environment, msg, **kw):
        environment.runner.send_message("pong", {"from": "python", "got": msg.data["x"]})
    environment.runner.register_message("ping", on_ping)

@events.report_to_master.add_listener
def on_report(client_id, data, **kw):
    data["py_plugin"] = 1
`;

const CICADA_BOTH = `
import { writeFileSync } from "node:fs";
import { HttpUser, task, constant, events } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.05);
  @task async fail() { await this.client.get("/fail"); }
  ${CICADA_SEARCH_TASK}
}
const seen = { pongs: [] as unknown[], pyReports: 0 };
events.init.addListener(({ environment }) => {
  const runner = environment.runner!;
  if (environment.parsedOptions.master) {
    runner.registerMessage("pong", (message) => { seen.pongs.push(message.data); });
    environment.events.workerReport.addListener(({ data }) => { if (data.py_plugin === 1) seen.pyReports++; });
    environment.events.spawningComplete.addListener(() => runner.sendMessage("ping", { x: 5 }));
    environment.events.quitting.addListener(() => writeFileSync(process.env.RESULT_FILE!, JSON.stringify(seen)));
  } else {
    runner.registerMessage<{ x: number }>("ping", (message) => runner.sendMessage("pong", { from: "cicada", got: message.data.x }));
    environment.events.spawningComplete.addListener(({ userCount }) => environment.logger.info(\`spawningComplete fired with \${userCount} users\`));
  }
});
`;

test("a Cicada master with Locust 2.12.1 and Cicada workers: custom messages both ways, worker_report keys, spawning_complete, one row per HTTP error", {
  skip,
  timeout: 60_000,
}, async (t) => {
  const target = await startTarget(t);
  const cwd = (await import("./distributed-helpers.js")).writeLocustfile(t, target.url);
  writeFileSync(join(cwd, "both.ts"), CICADA_BOTH);
  writeFileSync(join(cwd, "pyworker.py"), PY_WORKER);
  const port = await freePort();
  const resultFile = join(cwd, "result.json");
  const master = startCicada(
    t,
    ["-f", "both.ts", "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", String(port)]
      .concat(["--headless", "-u", "4", "-r", "2", "-t", "3s", "--only-summary", "--expect-workers", "2"])
      .concat(["-H", target.url, "--csv", "out"]),
    { cwd, env: { RESULT_FILE: resultFile } },
  );
  await master.waitFor(/Master listening/);
  const python = startProcess(t, LOCUST!, ["-f", "pyworker.py", "--worker", "--master-port", String(port)], {
    cwd,
  });
  const cicada = startCicada(t, ["-f", "both.ts", "--worker", "--master-port", String(port)], { cwd });
  assert.equal(await master.exited, 1, master.output());
  assert.equal(await cicada.exited, 0, cicada.output());
  assert.equal(await python.exited, 0, python.output());
  const seen = JSON.parse(readFileSync(resultFile, "utf8")) as {
    pongs: Array<{ from: string; got: number }>;
    pyReports: number;
  };
  assert.deepEqual(
    seen.pongs.map((p) => `${p.from}:${p.got}`).sort(),
    ["cicada:5", "python:5"],
    "sendMessage reached both workers, and their replies came back",
  );
  assert.ok(seen.pyReports >= 1, "workerReport saw what the Python worker's report_to_master added");
  // The ramp (2 steps at 2 users/s) ends once: the Cicada worker fires spawningComplete once, with the total.
  assert.deepEqual(cicada.output().match(/spawningComplete fired with \d+ users/g), [
    "spawningComplete fired with 4 users",
  ]);
  // Locust 2.12.1 does not know the master's spawning_complete: it is not sent to it.
  assert.doesNotMatch(python.output(), /Unknown message type/);
  // Python's `HTTPError('500 Server Error: ...')` and `CatchResponseError("...")` and Cicada's
  // texts are one row each on the master, in Cicada's words.
  const failures = readFileSync(join(cwd, "out_failures.csv"), "utf8").trim().split("\r\n").slice(1);
  assert.equal(failures.length, 2, failures.join("\n"));
  assert.ok(failures.some((row) => /^GET,\/fail,HTTPError: 500 Internal Server Error,\d+,/.test(row)));
  assert.ok(
    failures.some((row) => row.startsWith(`GET,/search,${SEARCH_FAILURE},`)),
    failures.join("\n"),
  );
});
