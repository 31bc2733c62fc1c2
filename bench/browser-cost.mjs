#!/usr/bin/env node
// What a browser user costs: Cicada's BrowserUsers (one Chromium, a context per user)
// visiting the coupon service with a 1 s think time, at several user counts, on one
// generator core (the service pinned to another). For each count: the CPU of the whole
// process tree (Cicada and every Chromium process) as a share of one core, per user, the
// memory per user, the navigation rate and the p95 load time, so docs/protocols.md can
// say how many browser users one core carries.
//
//   node bench/browser-cost.mjs [--users 1,2,4,8,16] [--duration 15] [--target-core 0] [--generator-core 1]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fixed, table } from "./lib/format.mjs";
import { installCleanup, runPinned, startPinned } from "./lib/processes.mjs";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1,2,4,8,16" },
    duration: { type: "string", default: "15" },
    "target-core": { type: "string", default: "0" },
    "generator-core": { type: "string", default: "1" },
  },
});
const counts = values.users.split(",").map(Number);
const durationS = Number(values.duration);
installCleanup();

async function startService() {
  let resolveUrl;
  const url = new Promise((resolve) => {
    resolveUrl = resolve;
  });
  const service = startPinned({
    command: process.execPath,
    args: ["--import", "tsx", join(root, "examples", "coupon-service", "server.ts"), "--port", "0"],
    core: Number(values["target-core"]),
    cwd: root,
    timeoutMs: 3_600_000,
    onStdoutLine: (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolveUrl(match[1]);
    },
  });
  return { url: await url, stop: () => service.signal("SIGKILL"), done: service.done };
}

const rows = [];
const loadStart = loadavg();
const service = await startService();
try {
  for (const users of counts) {
    process.stderr.write(`browser-cost: ${users} browser user(s), ${durationS} s\n`);
    const dir = mkdtempSync(join(tmpdir(), "cicada-browser-cost-"));
    const args = [
      join(root, "bin", "cicada.js"),
      "-f",
      join(root, "bench", "locustfiles", "browser-visit.ts"),
    ];
    args.push(
      "--headless",
      "-u",
      String(users),
      "-r",
      String(users),
      "-t",
      `${durationS}s`,
      "-H",
      service.url,
    );
    args.push("--only-summary", "--loglevel", "WARNING", "--json-file", join(dir, "report"));
    const result = await runPinned({
      command: process.execPath,
      args,
      core: Number(values["generator-core"]),
      cwd: dir,
      timeoutMs: (durationS + 60) * 1000,
    });
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    rmSync(dir, { recursive: true, force: true });
    const navs = report.entries.filter((entry) => entry.method === "NAV");
    const navCount = navs.reduce((sum, entry) => sum + entry.numRequests, 0);
    const home = navs.find((entry) => entry.name === "/");
    rows.push({
      users,
      cpuPercent: result.cpuPercent,
      cpuPerUser: result.cpuPercent / users,
      memoryPerUserMb: result.peakRssKb / 1024 / users,
      memoryMb: result.peakRssKb / 1024,
      navPerSecond: navCount / durationS,
      homeP95: home?.percentiles?.p95 ?? null,
      failures: report.total.numFailures,
    });
  }
} finally {
  service.stop();
  await service.done;
}
const lines = table(
  [
    "browser users",
    "CPU % of a core",
    "CPU % per user",
    "memory MB",
    "MB per user",
    "pages/s",
    "p95 load of / (ms)",
    "failures",
  ],
  rows.map((r) => [
    String(r.users),
    fixed(r.cpuPercent, 0),
    fixed(r.cpuPerUser, 1),
    fixed(r.memoryMb, 0),
    fixed(r.memoryPerUserMb, 0),
    fixed(r.navPerSecond, 1),
    fixed(r.homeP95, 1),
    String(r.failures),
  ]),
);
process.stdout.write(
  `${lines.join("\n")}\n\nload average ${loadStart.map((l) => l.toFixed(2)).join(" ")} at start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at end\n`,
);
