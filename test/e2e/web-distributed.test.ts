/** The web UI of a master: `--processes 2` with the UI, workers in the header and the Workers tab's data. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CLI,
  freePort,
  startCicada,
  startProcess,
  startTarget,
  writeLocustfile,
} from "./distributed-helpers.js";

test("--processes 2 with the web UI: the master reports its workers, --autostart waits for them", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const run = startProcess(
    t,
    process.execPath,
    [
      CLI,
      "-f",
      "locustfile.ts",
      "--processes",
      "2",
      "--oversubscribe",
      "-P",
      "0",
      "--autostart",
      "-u",
      "4",
      "-r",
      "20",
    ].concat(["-t", "4s", "--autoquit", "0"]),
    { cwd },
  );
  const [, url] = await run.waitFor(/Starting web interface at (\S+)/);
  const deadline = Date.now() + 20_000;
  let report: Record<string, unknown> & { workers?: Array<Record<string, unknown>>; user_count?: number } =
    {};
  while (Date.now() < deadline) {
    report = await (await fetch(`${url}stats/requests`)).json();
    if (report.user_count === 4 && (report.workers?.length ?? 0) === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(report.worker_count, 2, JSON.stringify(report));
  assert.equal(report.user_count, 4);
  for (const worker of report.workers ?? []) {
    assert.equal(typeof worker.id, "string");
    assert.ok(["spawning", "running"].includes(String(worker.state)), String(worker.state));
    assert.equal(typeof worker.cpu_usage, "number");
  }
  const state = await (await fetch(`${url}api/state`)).json();
  assert.equal(state.meta.distributed, true);
  assert.equal(state.status.workerCount, 2);
  assert.equal(state.workers.length, 2);
  assert.equal(
    state.workers.reduce((sum: number, w: { userCount: number }) => sum + w.userCount, 0),
    4,
  );
  const code = await run.exited;
  assert.equal(code, 1, run.output()); // Beta's requests fail (500) by design
  assert.match(run.output(), /Aggregated/);
  assert.equal(target.served.size, 2, "both worker processes made requests");
});

test("--master --class-picker with a worker process: the test runs only the chosen class", async (t) => {
  const target = await startTarget(t);
  const cwd = writeLocustfile(t, target.url);
  const port = await freePort();
  const master = startCicada(
    t,
    ["-f", "locustfile.ts", "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port"].concat([
      String(port),
      "-P",
      "0",
      "--class-picker",
    ]),
    { cwd },
  );
  const [, url] = await master.waitFor(/Starting web interface at (\S+)/);
  const worker = startCicada(t, ["-f", "locustfile.ts", "--worker", "--master-port", String(port)], { cwd });
  const poll = async <T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 20_000;
    let value = await read();
    while (!check(value) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      value = await read();
    }
    assert.ok(check(value), `gave up waiting: ${JSON.stringify(value)}\n${master.output()}`);
    return value;
  };
  await poll(
    async () => (await (await fetch(`${url}worker-count`)).json()).worker_count,
    (count) => count === 1,
  );
  const started = await fetch(`${url}swarm`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_count: 4, spawn_rate: 20, user_classes: ["Beta"] }),
  });
  assert.equal(started.status, 200);
  assert.deepEqual((await started.json()).user_classes, ["Beta"]);
  type Report = { user_count: number; stats: Array<{ name: string; num_requests: number }> };
  const report = await poll(
    async (): Promise<Report> => (await fetch(`${url}stats/requests`)).json(),
    (r) => r.user_count === 4 && r.stats.some((row) => row.name === "/fail" && row.num_requests >= 5),
  );
  assert.deepEqual(report.stats.map((row) => row.name).sort(), ["/fail", "Aggregated"]);
  const state = await (await fetch(`${url}api/state`)).json();
  assert.equal(state.status.userClassesCount.Beta, 4);
  assert.equal(state.status.userClassesCount.Alpha ?? 0, 0);
  assert.deepEqual(state.meta.activeUserClasses, ["Beta"]);

  await fetch(`${url}stop`);
  master.child.kill("SIGINT");
  assert.equal(await worker.exited, 0, worker.output());
  await master.exited;
  assert.match(master.output(), /Class picker: Beta/);
});
