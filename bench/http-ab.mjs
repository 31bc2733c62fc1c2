#!/usr/bin/env node
// The HTTP/1.1 fast path of two builds of Cicada, A/B in one process: this checkout's
// HttpSession and another build's (--baseline, e.g. main checked out and built under
// /tmp) take turns against the bench's nginx, slice after slice, and each slice's CPU
// per request is measured with process.cpuUsage(). Taking turns every second puts both
// under the same conditions, so the ratio holds on a busy machine where whole-process
// runs minutes apart do not (docs/performance.md).
//
//   node bench/http-ab.mjs --baseline /tmp/cicada-base [--users 50] [--slices 30] [--slice-ms 1000]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startNginx } from "./lib/nginx.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    users: { type: "string", default: "50" },
    slices: { type: "string", default: "30" },
    "slice-ms": { type: "string", default: "1000" },
    "target-core": { type: "string", default: "0" },
    "generator-core": { type: "string", default: "1" },
  },
});
if (!values.baseline) {
  process.stderr.write("usage: node bench/http-ab.mjs --baseline DIR (a built Cicada checkout)\n");
  process.exit(2);
}
const users = Number(values.users);
const slices = Number(values.slices);
const sliceMs = Number(values["slice-ms"]);
execFileSync("taskset", ["-pc", values["generator-core"], String(process.pid)], { stdio: "ignore" });

const load = async (dir) =>
  (await import(pathToFileURL(join(dir, "dist", "http", "index.js")).href)).HttpSession;
const builds = { after: await load(root), before: await load(resolve(values.baseline)) };

const dir = mkdtempSync(join(tmpdir(), "cicada-ab-nginx-"));
const nginx = await startNginx({ core: Number(values["target-core"]), dir });
let completed = 0;
const sessions = Object.fromEntries(
  Object.entries(builds).map(([name, HttpSession]) => [
    name,
    Array.from(
      { length: users },
      () => new HttpSession({ baseUrl: nginx.origin, onRequest: () => completed++ }),
    ),
  ]),
);

/** Every user of `name` loops GET /hello for `ms`; returns CPU µs per request and req/s. */
async function slice(name, ms) {
  let running = true;
  const startCount = completed;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const timer = setTimeout(() => {
    running = false;
  }, ms);
  await Promise.all(
    sessions[name].map(async (session) => {
      while (running) await session.get("/hello");
    }),
  );
  clearTimeout(timer);
  const used = process.cpuUsage(cpu);
  const requests = completed - startCount;
  return {
    usPerRequest: (used.user + used.system) / requests,
    rps: requests / ((performance.now() - started) / 1000),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)], s[Math.floor((3 * s.length) / 4)]];
};

try {
  for (const name of Object.keys(builds)) await slice(name, 1000); // warm-up: connections, JIT
  const results = { before: [], after: [] };
  for (let i = 0; i < slices; i++) {
    // Alternate which goes first, so neither always follows the other.
    const order = i % 2 === 0 ? ["before", "after"] : ["after", "before"];
    for (const name of order) results[name].push(await slice(name, sliceMs));
  }
  const rows = Object.entries(results).map(([name, list]) => {
    const us = list.map((r) => r.usPerRequest);
    return { name, median: median(us), quartiles: quartiles(us), rps: median(list.map((r) => r.rps)) };
  });
  const pairs = results.after.map((r, i) => r.usPerRequest / results.before[i].usPerRequest);
  for (const row of rows) {
    const [q1, q3] = row.quartiles;
    console.log(
      `${row.name.padEnd(6)} CPU per request ${row.median.toFixed(2)} µs (quartiles ${q1.toFixed(2)}–${q3.toFixed(2)}), ` +
        `${Math.round(row.rps)} req/s, median of ${slices} slices of ${sliceMs} ms`,
    );
  }
  const [q1, q3] = quartiles(pairs);
  console.log(
    `after / before, slice by slice: median ${median(pairs).toFixed(3)} (quartiles ${q1.toFixed(3)}–${q3.toFixed(3)}); ` +
      `${users} users, GET /hello on nginx`,
  );
} finally {
  for (const list of Object.values(sessions)) for (const session of list) await session.close();
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}
