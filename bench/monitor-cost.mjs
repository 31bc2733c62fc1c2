#!/usr/bin/env node
// What target monitoring costs the load generator (issue 13; docs/monitoring.md):
//
//   node bench/monitor-cost.mjs [--rounds 3] [--seconds 4]
//
// 1. CPU per scrape: parsing a real node_exporter answer and deriving its figures (Cicada's
//    parseExposition + deriveNodeResources), against the parser library alone on the same text.
// 2. Off the users' path: the same paced load (10 users, one request per 100 ms each) run twice
//    at the same moment, once monitoring an exporter that never answers (scraped every 200 ms),
//    once without monitoring; requests and percentiles side by side.
// Needs `npm run build` (it uses dist/) and prometheus-node-exporter for part 1. Every load goes
// to 127.0.0.1, each child is bounded in time and killed by PID.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const { parseExposition, deriveNodeResources } = await import(join(root, "dist", "monitor", "index.js"));
const parseLibrary = createRequire(import.meta.url)("parse-prometheus-text-format");
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}` }),
    );
  });
}

async function nodeExporterText() {
  const child = spawn("prometheus-node-exporter", ["--web.listen-address=127.0.0.1:0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  try {
    const port = await new Promise((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error("node_exporter did not start")), 10_000);
      child.once("error", reject);
      child.stderr.on("data", (chunk) => {
        log += chunk;
        const found = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const first = await scrape();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return [first, await scrape()];
  } finally {
    child.kill("SIGTERM");
    children.delete(child);
  }
}

function medianMicros(fn, iterations = 300) {
  for (let i = 0; i < 30; i++) fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    samples.push(used.user + used.system);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function parseCost() {
  let texts;
  try {
    texts = await nodeExporterText();
  } catch (error) {
    console.log(`part 1 skipped: ${error.message}`);
    return;
  }
  const [first, second] = texts;
  const before = { timeMs: 0, exposition: parseExposition(first) };
  const ours = medianMicros(() =>
    deriveNodeResources(before, { timeMs: 1000, exposition: parseExposition(second) }),
  );
  const library = medianMicros(() => parseLibrary(`${second}\n`));
  console.log(
    `1. one node_exporter scrape (${(second.length / 1024).toFixed(1)} KB, ${second.split("\n").length} lines):`,
  );
  console.log(
    `   Cicada parse + derive: ${ours} µs CPU (median of 300); the parser library alone: ${library} µs (${(ours / library).toFixed(2)}x)`,
  );
  console.log(`   at one scrape a second: ${(ours / 10_000).toFixed(3)} % of a core`);
}

function runCicada(dir, target, name, extra) {
  const args = [
    join(root, "bin", "cicada.js"),
    "-f",
    "locustfile.ts",
    "--headless",
    "-u",
    "10",
    "-r",
    "100",
    "-t",
    `${seconds}s`,
    "-H",
    target,
    "--only-summary",
    "--json-file",
    name,
    ...extra,
  ];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: "ignore" });
  children.add(child);
  const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
  return new Promise((resolve) =>
    child.once("exit", () => {
      clearTimeout(killer);
      children.delete(child);
      resolve(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")).total);
    }),
  );
}

async function offThePath() {
  const dir = mkdtempSync(join(tmpdir(), "cicada-monitor-cost-"));
  writeFileSync(
    join(dir, "locustfile.ts"),
    'import { HttpUser, constantPacing, task } from "cicada-load";\nexport class Paced extends HttpUser {\n  waitTime = constantPacing(0.1);\n  @task async ping() { await this.client.get("/"); }\n}\n',
  );
  const target = await listen((_req, res) => res.end("ok"));
  const hung = await listen(() => {});
  const row = (label, t) =>
    `   ${label.padEnd(22)} ${String(t.numRequests).padStart(6)} req  p50 ${t.percentiles.p50} ms  p95 ${t.percentiles.p95} ms  p99 ${t.percentiles.p99} ms`;
  console.log(
    `2. ${seconds} s of 10 paced users (100 req/s), twice at once; load average ${loadavg()[0].toFixed(1)}:`,
  );
  try {
    for (let round = 1; round <= rounds; round++) {
      const [monitored, plain] = await Promise.all([
        runCicada(dir, target.url, `hung-${round}`, [
          "--monitor",
          `hung=${hung.url}/metrics`,
          "--monitor-interval",
          "0.2s",
        ]),
        runCicada(dir, target.url, `plain-${round}`, []),
      ]);
      console.log(row(`round ${round}, hung exporter`, monitored));
      console.log(row(`round ${round}, no monitoring`, plain));
    }
  } finally {
    hung.server.closeAllConnections();
    hung.server.close();
    target.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await parseCost();
await offThePath();
