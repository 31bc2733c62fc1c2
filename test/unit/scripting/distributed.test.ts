import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  decodeWorkerMessage,
  encodeMessage,
  MasterRunner,
  Worker,
  WorkerStatsReporter,
} from "../../../src/distributed/index.js";
import { readStatsFrame } from "../../../src/distributed/stats-frame.js";
import { Environment } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { constant, Events, scriptingApiFor, task, User, type UserClass } from "../../../src/user/index.js";
import { waitFor } from "../../helpers/env.js";

const VERSION = "cicada-0.0.0-test";
const dir = mkdtempSync(join(tmpdir(), "cicada-cluster-data-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a worker's checks and custom metrics cross the wire; both stats decoders agree", () => {
  const events = new Events();
  const { check, Counter, Gauge, Trend } = scriptingApiFor(events);
  const issued = new Counter("issued");
  const depth = new Gauge("depth", { merge: "sum" });
  const wait = new Trend("wait", { unit: "ms" });
  const environment = new Environment({ userClasses: [], events });
  const reporter = new WorkerStatsReporter(environment);
  check(1, { "is one": (v) => v === 1, "is two": (v) => v === 2 });
  issued.add(3);
  depth.set(4);
  wait.add(12.5);
  const report = reporter.takeReport({});
  assert.deepEqual(report.cicada_checks, [
    ["is one", 1, 0],
    ["is two", 0, 1],
  ]);
  const frame = encodeMessage("stats", report, "w_1");
  const direct = readStatsFrame(frame);
  assert.ok(direct, "the direct reader takes a report with checks and metrics");
  const general = decodeWorkerMessage(Buffer.concat([frame]));
  assert.ok(general.ok && general.message.type === "stats");
  assert.deepEqual(direct.data.cicada_checks, general.message.data.cicada_checks);
  assert.deepEqual(direct.data.cicada_metrics, general.message.data.cicada_metrics);
  assert.deepEqual(
    direct.data.cicada_metrics?.map((m) => [m.name, m.kind]),
    [
      ["issued", "counter"],
      ["depth", "gauge"],
      ["wait", "trend"],
    ],
  );
  // Deltas: the next report has no checks and only what changed since.
  issued.add(1);
  const next = reporter.takeReport({});
  assert.equal(next.cicada_checks, undefined);
  assert.deepEqual(next.cicada_metrics, [{ kind: "counter", name: "issued", sum: 1 }]);
  // A malformed key gives up the direct reader; the general one words the problem.
  const bad = encodeMessage("stats", { ...report, cicada_checks: [["x", -1, 0]] }, "w_1");
  assert.equal(readStatsFrame(bad), undefined);
  const refused = decodeWorkerMessage(bad);
  assert.ok(!refused.ok && refused.kind === "malformed" && /passes is negative/.test(refused.reason));
});

/** A node's events, with the locustfile's declarations made on them (as each process loads the locustfile). */
function loadOn(worker: boolean, declare: (api: ReturnType<typeof scriptingApiFor>) => UserClass[]) {
  const events = new Events();
  events.dataSets.baseDir = dir;
  events.dataSets.deferFiles = worker;
  return { events, classes: declare(scriptingApiFor(events)) };
}

test("master + 2 workers: unique rows never given twice, checks and metrics merged exactly", async (t) => {
  const rows = 30;
  writeFileSync(
    join(dir, "accounts.csv"),
    `username\n${Array.from({ length: rows }, (_, i) => `user${i + 1}`).join("\n")}\n`,
  );
  const signedIn: string[] = [];
  const perNode = new Map<Environment, { checks: number; issued: number }>();
  /** Each user takes one account; a user beyond the rows stops (onExhausted: stopUser). */
  const makeClasses = (api: ReturnType<typeof scriptingApiFor>, environment: () => Environment) => {
    const accounts = api.data.csv<{ username: string }>("accounts.csv", { mode: "unique" });
    const issued = new api.Counter("issued");
    const sessions = new api.Gauge("sessions", { merge: "sum" });
    const waits = new api.Trend("wait");
    class Shopper extends User {
      override waitTime = constant(0.01);
      override async onStart() {
        const row = await accounts.next();
        signedIn.push(row.username);
      }
      @task claim() {
        const counts = perNode.get(environment()) ?? { checks: 0, issued: 0 };
        perNode.set(environment(), counts);
        api.check(counts.checks, { "even round": (n) => n % 2 === 0 });
        counts.checks++;
        issued.add(2);
        counts.issued += 2;
        waits.add(counts.checks);
        sessions.set(5);
      }
    }
    return [Shopper];
  };
  const masterLogs: LogRecord[] = [];
  const masterEnvironment: { current?: Environment } = {};
  const loaded = loadOn(false, (api) => makeClasses(api, () => masterEnvironment.current!));
  await loaded.events.dataSets.ready();
  masterEnvironment.current = new Environment({
    userClasses: loaded.classes,
    events: loaded.events,
    logger: new Logger((r) => masterLogs.push(r), "DEBUG"),
    currentWindowLagSeconds: 3,
  });
  const masterRunner = await MasterRunner.start(masterEnvironment.current, {
    bindHost: "127.0.0.1",
    bindPort: 0,
    wireVersion: VERSION,
    heartbeatIntervalMs: 200,
  });
  const workers: Worker[] = [];
  for (const id of ["h_1", "h_2"]) {
    const holder: { current?: Environment } = {};
    const worker = loadOn(true, (api) => makeClasses(api, () => holder.current!));
    holder.current = new Environment({ userClasses: worker.classes, events: worker.events });
    const running = new Worker(holder.current, {
      masterHost: "127.0.0.1",
      masterPort: masterRunner.port,
      nodeId: id,
      wireVersion: VERSION,
      probe: { cpuUsageMicros: () => 0, memoryBytes: () => 1 },
      statsIntervalMs: 200,
      heartbeatIntervalMs: 200,
    });
    running.start();
    workers.push(running);
  }
  t.after(async () => {
    await masterRunner.quitAndWait();
    await Promise.all(workers.map((w) => w.shutdown()));
  });
  await masterRunner.waitForWorkers(2, 10_000);
  await masterRunner.start(40, 400);
  assert.ok(await waitFor(() => signedIn.length >= rows, 10_000), `${signedIn.length} signed in`);
  await waitFor(() => [...perNode.values()].reduce((s, c) => s + c.checks, 0) >= 200, 5000);
  await masterRunner.stopAndWait();
  assert.equal(signedIn.length, rows, "40 users, 30 rows: 10 users stopped without one");
  assert.equal(new Set(signedIn).size, rows, "no row was given to two users");
  const stats = masterRunner.environment.stats;
  const checks = [...perNode.values()].reduce((s, c) => s + c.checks, 0);
  const issued = [...perNode.values()].reduce((s, c) => s + c.issued, 0);
  assert.equal(stats.checks.passes + stats.checks.fails, checks, "every check merged once");
  const byName = Object.fromEntries(stats.metrics.snapshot(Date.now()).map((m) => [m.name, m]));
  assert.equal(byName.issued?.kind === "counter" && byName.issued.count, issued, "counters add up");
  assert.equal(byName.wait?.kind === "trend" && byName.wait.count, checks, "every trend value, merged");
  assert.equal(byName.sessions?.kind === "gauge" && byName.sessions.value, 10, "two workers' last 5, summed");
});
