/**
 * What the scripting beyond Locust costs per call, in-process and without a network
 * (docs/api.md): check(), Counter.add, Trend.add, a transaction around two requests
 * beside the same two requests without one (the peer, in the same run), and next() on a
 * data set held in memory and on one streamed from disk.
 *
 *   node --import tsx bench/scripting-cost.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataSets, setInMemoryLimitBytes } from "../src/data/index.js";
import { Environment } from "../src/runner/index.js";
import { Events, scriptingApiFor, User } from "../src/user/index.js";

const events = new Events();
const { check, Counter, Trend } = scriptingApiFor(events);
const counter = new Counter("bench_counter");
const trend = new Trend("bench_trend");
const environment = new Environment({ userClasses: [], events });

/** CPU ns per call of `fn`, after a warm-up of a tenth of the calls. */
async function perCall(label: string, calls: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < calls / 10; i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / calls;
  console.log(`${label.padEnd(48)} ${ns.toFixed(0).padStart(7)} ns CPU per call`);
  return ns;
}

class Shopper extends User {
  twoRequests(): void {
    for (const name of ["/cart", "/pay"]) {
      this.fireRequest({ requestType: "GET", name, responseTimeMs: 1, responseLength: 10 });
    }
  }
}
const user = new Shopper(environment);
const response = { status: 200 };

await perCall("check(res, { one named check })", 1_000_000, () =>
  check(response, { "status is 200": (r) => r.status === 200 }),
);
await perCall("Counter.add(1)", 2_000_000, () => counter.add(1));
await perCall("Trend.add(12.5)", 2_000_000, () => trend.add(12.5));
const plain = await perCall("two requests (the peer)", 300_000, () => user.twoRequests());
const wrapped = await perCall("the same two requests in a transaction", 300_000, () =>
  user.transaction("checkout", () => user.twoRequests()),
);
console.log(`${"a transaction adds".padEnd(48)} ${(wrapped - plain).toFixed(0).padStart(7)} ns CPU`);

const dir = mkdtempSync(join(tmpdir(), "cicada-bench-data-"));
try {
  const rows = 200_000;
  const lines = ["username,password", ...Array.from({ length: rows }, (_, i) => `user${i},secret-${i}`)];
  writeFileSync(join(dir, "users.csv"), `${lines.join("\n")}\n`);
  for (const [label, limit] of [
    ["next() on a data set in memory", 64 * 1024 * 1024],
    ["next() on a data set streamed from disk", 1024],
  ] as const) {
    const previous = setInMemoryLimitBytes(limit);
    const sets = new DataSets();
    sets.baseDir = dir;
    const users = sets.declare("csv", "users.csv", { mode: "sequential" });
    await sets.ready();
    await perCall(label, rows, () => users.next());
    await sets.close();
    setInMemoryLimitBytes(previous);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
