/**
 * Wire compatibility with Debian's Locust 2.12.1, both ways. Debian's package reports an
 * empty version string, so its own workers cannot join its own master; a Cicada master
 * accepts them, and a Locust master accepts Cicada workers.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LOCUST } from "../helpers/locust.js";
import {
  aggregated,
  freePort,
  masterPerWorker,
  startCicada,
  startMaster,
  startProcess,
  startTarget,
  workerTotals,
  writeLocustfile,
} from "./distributed-helpers.js";

const skip = LOCUST === undefined ? "Locust is not installed (apt-get install python3-locust)" : false;

/** The Aggregated row of Locust's stats CSV. */
function locustCsvTotals(path: string): { requests: number; failures: number } {
  const lines = readFileSync(path, "utf8").trim().split("\n");
  const header = lines[0]!.split(",");
  const row = lines.find((l) => l.split(",")[1] === "Aggregated")!.split(",");
  return {
    requests: Number(row[header.indexOf("Request Count")]),
    failures: Number(row[header.indexOf("Failure Count")]),
  };
}

test("a Cicada worker joins a Locust master: Locust's final CSV totals equal what the worker sent", {
  skip,
}, async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const stub = startCicada(t, ["-f", "locustfile.ts", "--locust-stub"], { cwd });
  assert.equal(await stub.exited, 0, stub.output());
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
    ].concat([
      "--headless",
      "--expect-workers",
      "1",
      "-u",
      "8",
      "-r",
      "8",
      "-t",
      "6s",
      "--csv",
      "out",
      "--only-summary",
    ]),
    { cwd },
  );
  // A load flag on a worker's command line is the master's to give: said, then ignored.
  const worker = startCicada(
    t,
    ["-f", "locustfile.ts", "--worker", "--master-port", String(port), "--arrival-rate", "200"],
    { cwd },
  );
  // `-f -` asks the master for its locustfile; Locust 2.12 has none to send and stays silent.
  const downloader = startCicada(t, ["--worker", "-f", "-", "--master-port", String(port)], { cwd });
  const downloaderCode = await downloader.exited;
  const masterCode = await master.exited;
  assert.equal(await worker.exited, 0, worker.output());
  assert.equal(downloaderCode, 4, downloader.output());
  assert.match(downloader.output(), /did not send a locustfile/);
  assert.doesNotMatch(downloader.output(), /no answer from a master|Start the master first/);
  assert.match(master.output(), /Unknown message type received from worker .*: locustfile/);
  assert.match(worker.output(), /--arrival-rate ignored on a worker: it runs the load its master sends/);
  assert.equal(masterCode, 1, `Locust exits 1 because /fail failed:\n${master.output()}`);
  assert.match(master.output(), /All users spawned: \{"Alpha": 6, "Beta": 2\} \(8 total users\)/);
  const own = [...workerTotals(worker.output()).values()];
  assert.equal(own.length, 1, worker.output());
  const locust = locustCsvTotals(join(cwd, "out_stats.csv"));
  assert.ok(locust.requests > 50, `Locust saw ${locust.requests} requests`);
  assert.deepEqual(locust, own[0], "Locust's totals = what the Cicada worker measured and sent");
  // Locust computed percentiles from our integer-keyed buckets, and kept the error rows.
  assert.match(readFileSync(join(cwd, "out_failures.csv"), "utf8"), /GET,\/fail,.*500/);
  assert.doesNotMatch(master.output(), /Traceback|TypeError/);
});

const PY_LOCUSTFILE = `
import os
from locust import HttpUser, constant, task, events

COUNTS = {"requests": 0, "failures": 0}

@events.request.add_listener
def count(exception=None, **kw):
    COUNTS["requests"] += 1
    if exception is not None:
        COUNTS["failures"] += 1

@events.quitting.add_listener
def write(environment, **kw):
    with open(os.environ["COUNT_FILE"], "w") as f:
        f.write("%d %d\\n" % (COUNTS["requests"], COUNTS["failures"]))

class Alpha(HttpUser):
    wait_time = constant(0.05)
    @task
    def hello(self):
        self.client.get("/hello")

class Beta(HttpUser):
    wait_time = constant(0.05)
    @task
    def fail(self):
        self.client.get("/fail")
`;

test("Locust's Python workers join a Cicada master: their stats merge into Cicada's tables", {
  skip,
}, async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  writeFileSync(join(cwd, "pyworker.py"), PY_LOCUSTFILE);
  // The host goes to the workers in the spawn message (Python classes have none here).
  const { master, port } = await startMaster(t, cwd, [
    "--headless",
    "-u",
    "8",
    "-r",
    "8",
    "-t",
    "5s",
    "--only-summary",
    "--expect-workers",
    "2",
    "-H",
    target.url,
  ]);
  const workers = [1, 2].map((i) =>
    startProcess(t, LOCUST!, ["-f", "pyworker.py", "--worker", "--master-port", String(port)], {
      cwd,
      env: { COUNT_FILE: join(cwd, `count-${i}`) },
    }),
  );
  const code = await master.exited;
  const workerCodes = await Promise.all(workers.map((w) => w.exited));
  const out = master.output();
  assert.equal(code, 1, out);
  assert.deepEqual(workerCodes, [0, 0], workers.map((w) => w.output()).join("\n"));
  const counted = [1, 2].map((i) =>
    readFileSync(join(cwd, `count-${i}`), "utf8")
      .trim()
      .split(" ")
      .map(Number),
  );
  const python = {
    requests: counted.reduce((n, [r]) => n + r!, 0),
    failures: counted.reduce((n, [, f]) => n + f!, 0),
  };
  assert.ok(python.requests > 50, `Python workers made ${python.requests} requests`);
  assert.deepEqual(aggregated(out), python, "Cicada's totals = what the Python workers counted");
  assert.equal(
    [...masterPerWorker(out).values()].reduce((n, w) => n + w.requests, 0),
    python.requests,
  );
  // Rows and Locust's error text made it into Cicada's tables.
  assert.match(out, /GET\s+\/fail\s+\d+/);
  // Locust's workers send rounded buckets: the percentile table does not claim "exact".
  assert.match(
    out,
    /Response time percentiles \(ms; Locust workers' times are rounded as Locust rounds them\)/,
  );
  assert.doesNotMatch(out, /percentiles \(exact, ms\)/);
  // Locust's HttpUser words it `HTTPError('500 Server Error: ... for url: ...')`: the master
  // rewrites it into Cicada's text, so a Cicada worker's failures would share the row.
  assert.match(out, /GET \/fail: HTTPError: 500 Internal Server Error/);
  assert.doesNotMatch(out, /HTTPError\('500 Server Error/);
  for (const w of workers) assert.doesNotMatch(w.output(), /Traceback|KeyError/);
});

test("an arrival rate with only Locust workers is refused: exit 4 and a hint, not a test that never ends", {
  skip,
}, async (t) => {
  // Locust workers take user counts only: the rate would run nowhere, and the headless
  // master used to wait forever (-t never armed, the first SIGTERM did not end it).
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  writeFileSync(join(cwd, "pyworker.py"), PY_LOCUSTFILE);
  const { master, port } = await startMaster(t, cwd, [
    "--headless",
    "--arrival-rate",
    "20",
    "-t",
    "3s",
    "--only-summary",
    "--expect-workers",
    "1",
    "-H",
    target.url,
  ]);
  const worker = startProcess(t, LOCUST!, ["-f", "pyworker.py", "--worker", "--master-port", String(port)], {
    cwd,
    env: { COUNT_FILE: join(cwd, "count") },
  });
  const code = await master.exited;
  const out = master.output();
  assert.equal(code, 4, out);
  assert.match(out, /an arrival rate runs only on Cicada workers, and none is connected/);
  assert.equal(
    out.match(/an arrival rate runs only on Cicada workers/g)?.length,
    1,
    "said once, with its hint",
  );
  assert.match(out, /Hint: Start Cicada workers/);
  assert.doesNotMatch(out, /at .*\.js:\d+/, "no stack trace");
  assert.equal(await worker.exited, 0, worker.output());
});

test("a Locust worker without the master's user classes: the master names it and the classes during the run, and exits 4", {
  skip,
}, async (t) => {
  // Locust's worker fails in its spawner (KeyError) and runs nothing, but keeps sending
  // heartbeats: this used to be a silent run of 0 requests that exited 0.
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  writeFileSync(
    join(cwd, "buyer.py"),
    [
      "from locust import HttpUser, constant, task",
      "class Buyer(HttpUser):",
      "    wait_time = constant(0.05)",
      "    @task",
      "    def buy(self):",
      '        self.client.get("/hello")',
      "",
    ].join("\n"),
  );
  const { master, port } = await startMaster(t, cwd, [
    "--headless",
    "-u",
    "4",
    "-r",
    "4",
    "-t",
    "4s",
    "--only-summary",
    "--expect-workers",
    "1",
    "-H",
    target.url,
  ]);
  const worker = startProcess(t, LOCUST!, ["-f", "buyer.py", "--worker", "--master-port", String(port)], {
    cwd,
  });
  const code = await master.exited;
  await worker.exited;
  const out = master.output();
  assert.equal(code, 4, out);
  const warning =
    /WARNING\/cicada: Worker \S+ \(index 0\) does not define the user class\(es\) Alpha, Beta of this master's locustfile \(it defines Buyer, which this master does not\): a Locust worker sent a class it lacks stops spawning \(KeyError in its log\) and runs no users at all/;
  assert.match(out, warning);
  assert.ok(out.search(warning) < out.indexOf("--run-time limit reached"), "said while the test runs");
  assert.match(
    out,
    /Error: worker \S+ could not run 4 of the users sent to it: it does not define the user class\(es\) Alpha, Beta \(a Locust worker then runs no users at all\)\nHint: Give every worker a locustfile with the master's user class names/,
  );
  assert.match(worker.output(), /KeyError: 'Alpha'/, "what the warning says happened");
});
