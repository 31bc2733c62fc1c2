/**
 * Master and worker on two "machines": two network namespaces joined by a veth pair
 * (10.231.0.1 and 10.231.0.2), so nothing may assume 127.0.0.1. The target runs on the
 * worker's own loopback. Needs root (CI runs as root); skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { aggregated, CLI, startProcess, workerTotals, writeLocustfile } from "./distributed-helpers.js";

const suffix = String(process.pid % 100_000);
const MASTER_NS = `cicada-m-${suffix}`;
const WORKER_NS = `cicada-w-${suffix}`;
const MASTER_IP = "10.231.0.1";
const WORKER_IP = "10.231.0.2";

function ip(...args: string[]): { ok: boolean; stderr: string } {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  return { ok: result.status === 0, stderr: result.stderr ?? String(result.error) };
}

function cleanUp(): void {
  // Deleting a namespace also removes its end of the veth pair (and so the pair).
  ip("netns", "del", MASTER_NS);
  ip("netns", "del", WORKER_NS);
}

/** Creates the two namespaces; returns why not when it cannot. */
function setUp(): string | undefined {
  const probe = ip("netns", "add", MASTER_NS);
  if (!probe.ok) return `cannot create network namespaces here (${probe.stderr.trim()}); run as root`;
  const steps: string[][] = [
    ["netns", "add", WORKER_NS],
    ["link", "add", `cm${suffix}`, "type", "veth", "peer", "name", `cw${suffix}`],
    ["link", "set", `cm${suffix}`, "netns", MASTER_NS],
    ["link", "set", `cw${suffix}`, "netns", WORKER_NS],
    ["-n", MASTER_NS, "addr", "add", `${MASTER_IP}/24`, "dev", `cm${suffix}`],
    ["-n", WORKER_NS, "addr", "add", `${WORKER_IP}/24`, "dev", `cw${suffix}`],
    ["-n", MASTER_NS, "link", "set", `cm${suffix}`, "up"],
    ["-n", WORKER_NS, "link", "set", `cw${suffix}`, "up"],
    ["-n", MASTER_NS, "link", "set", "lo", "up"],
    ["-n", WORKER_NS, "link", "set", "lo", "up"],
  ];
  for (const step of steps) {
    const result = ip(...step);
    if (!result.ok) {
      cleanUp();
      return `ip ${step.join(" ")} failed: ${result.stderr.trim()}`;
    }
  }
  return undefined;
}

const TARGET = `
const { createServer } = require("node:http");
const server = createServer((req, res) => { res.statusCode = req.url === "/fail" ? 500 : 200; res.end("ok"); });
server.listen(0, "127.0.0.1", () => console.log("target port " + server.address().port));
`;

test("master and worker in separate network namespaces (no 127.0.0.1 between them)", async (t) => {
  const why = setUp();
  if (why) return t.skip(why);
  t.after(cleanUp);
  const inNs = (ns: string, args: string[], cwd?: string) =>
    startProcess(t, "ip", ["netns", "exec", ns, process.execPath, ...args], cwd ? { cwd } : {});

  const target = inNs(WORKER_NS, ["-e", TARGET]);
  const targetPort = (await target.waitFor(/target port (\d+)/))[1]!;
  const cwd = writeLocustfile(t, `http://127.0.0.1:${targetPort}`);
  const master = inNs(
    MASTER_NS,
    [
      CLI,
      "-f",
      "locustfile.ts",
      "--master",
      "--master-bind-host",
      MASTER_IP,
      "--master-bind-port",
      "5557",
    ].concat(["--headless", "-u", "4", "-r", "4", "-t", "3s", "--only-summary", "--expect-workers", "1"]),
    cwd,
  );
  await master.waitFor(/Master listening for workers on tcp:\/\/10\.231\.0\.1:5557/);
  // The worker has no copy of the locustfile: it fetches it from the master over the veth.
  const worker = inNs(WORKER_NS, [
    CLI,
    "--worker",
    "-f",
    "-",
    "--master-host",
    MASTER_IP,
    "--master-port",
    "5557",
  ]);
  const code = await master.exited;
  assert.equal(await worker.exited, 0, worker.output());
  assert.equal(code, 1, master.output());
  assert.match(master.output(), /Sending the locustfile to \S+_download_locustfile_/);
  const own = [...workerTotals(worker.output()).values()];
  assert.equal(own.length, 1);
  assert.ok(own[0]!.requests > 20, worker.output());
  assert.deepEqual(aggregated(master.output()), own[0]);
});
