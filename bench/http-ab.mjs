#!/usr/bin/env node
// The HTTP/1.1 fast path of two builds of Cicada, A/B in one process: this checkout's
// HttpSession and another build's (--baseline, e.g. main checked out and built under
// /tmp) take turns against the bench's nginx, slice after slice, and each slice's CPU
// per request is measured with process.cpuUsage(). Taking turns every second puts both
// under the same conditions, so the ratio holds on a busy machine where whole-process
// runs minutes apart do not (docs/performance.md).
//
// With --http2 the two sides are this checkout's HTTP/2 client (`http2: true`, cleartext)
// and a bare node:http2 loop (one session per user, one stream at a time): what Cicada
// adds on top of Node's HTTP/2.
//
//   node bench/http-ab.mjs --baseline /tmp/cicada-base [--users 50] [--slices 30] [--slice-ms 1000]
//   node bench/http-ab.mjs --http2 [--users 50] [--slices 30]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as connectHttp2 } from "node:http2";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startNginx } from "./lib/nginx.mjs";
import { installCleanup, killAll } from "./lib/processes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    http2: { type: "boolean", default: false },
    users: { type: "string", default: "50" },
    slices: { type: "string", default: "30" },
    "slice-ms": { type: "string", default: "1000" },
    "target-core": { type: "string", default: "0" },
    "generator-core": { type: "string", default: "1" },
  },
});
if (!values.baseline && !values.http2) {
  process.stderr.write("usage: node bench/http-ab.mjs --baseline DIR (a built Cicada checkout) | --http2\n");
  process.exit(2);
}
const users = Number(values.users);
const slices = Number(values.slices);
const sliceMs = Number(values["slice-ms"]);
execFileSync("taskset", ["-pc", values["generator-core"], String(process.pid)], { stdio: "ignore" });
// nginx is killed by PID on every way out, a failure or Ctrl-C included.
installCleanup();

const load = async (dir) =>
  (await import(pathToFileURL(join(dir, "dist", "http", "index.js")).href)).HttpSession;
const dir = mkdtempSync(join(tmpdir(), "cicada-ab-nginx-"));
const nginx = await startNginx({ core: Number(values["target-core"]), dir });
let completed = 0;
/** Per side, `users` clients with `get(path)` and `close()`. */
const sessions = {};
if (values.http2) {
  const HttpSession = await load(root);
  sessions.before = Array.from({ length: users }, () => bareHttp2(nginx.h2Origin));
  sessions.after = Array.from(
    { length: users },
    () => new HttpSession({ baseUrl: nginx.h2Origin, http2: true, onRequest: () => completed++ }),
  );
} else {
  for (const [name, build] of [
    ["after", root],
    ["before", resolve(values.baseline)],
  ]) {
    const HttpSession = await load(build);
    sessions[name] = Array.from(
      { length: users },
      () => new HttpSession({ baseUrl: nginx.origin, onRequest: () => completed++ }),
    );
  }
}
const labels = values.http2
  ? { before: "node:http2", after: "Cicada h2" }
  : { before: "before", after: "after" };

/** A bare node:http2 client: one session, one stream at a time, the body read and dropped. */
function bareHttp2(origin) {
  const session = connectHttp2(origin);
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        const stream = session.request({ ":path": path }, { endStream: true });
        stream.on("response", () => {});
        stream.on("data", () => {});
        stream.on("end", () => {
          completed++;
          resolve();
        });
        stream.on("error", reject);
      }),
    close: async () => session.close(),
  };
}

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
  for (const name of Object.keys(sessions)) await slice(name, 1000); // warm-up: connections, JIT
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
      `${labels[row.name].padEnd(10)} CPU per request ${row.median.toFixed(2)} µs (quartiles ${q1.toFixed(2)}–${q3.toFixed(2)}), ` +
        `${Math.round(row.rps)} req/s, median of ${slices} slices of ${sliceMs} ms`,
    );
  }
  const [q1, q3] = quartiles(pairs);
  console.log(
    `${labels.after} / ${labels.before}, slice by slice: median ${median(pairs).toFixed(3)} (quartiles ${q1.toFixed(3)}–${q3.toFixed(3)}); ` +
      `${users} users, GET /hello on nginx`,
  );
} finally {
  for (const list of Object.values(sessions)) for (const session of list) await session.close();
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
  killAll();
}
