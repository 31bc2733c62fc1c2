// One process against `--processes 2` on the same target, both unpinned (what a user of
// a 2-core machine gets): nginx (one worker) and Cicada share the cores. Rounds interleave.
//   node bench/processes-compare.mjs [--rounds 3] [--seconds 10]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median } from "./lib/measure.mjs";
import { startNginx } from "./lib/nginx.mjs";
import { installCleanup, runPinned } from "./lib/processes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "10" } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const ALL_CORES = "0-1";
const SCENARIOS = [
  { path: "/hello", users: 50, locustfile: "bench/locustfiles/hello.ts" },
  { path: "/sleep50", users: 10000, locustfile: "bench/locustfiles/sleep50.ts" },
];

installCleanup();
const dir = mkdtempSync(join(tmpdir(), "cicada-processes-"));
const nginx = await startNginx({ core: ALL_CORES, dir });
const results = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const scenario of SCENARIOS) {
      const modes = round % 2 === 0 ? [1, 2] : [2, 1];
      for (const processes of modes) {
        const workDir = mkdtempSync(join(tmpdir(), "cicada-processes-run-"));
        const args = [join(root, "bin", "cicada.js"), "-f", join(root, scenario.locustfile), "--headless"];
        args.push("-u", String(scenario.users), "-r", String(scenario.users), "-t", `${seconds}s`);
        args.push(
          "-H",
          nginx.origin,
          "--only-summary",
          "--loglevel",
          "WARNING",
          "--json-file",
          join(workDir, "r"),
        );
        if (processes > 1) args.push("--processes", String(processes));
        const run = await runPinned({
          command: process.execPath,
          args,
          core: ALL_CORES,
          cwd: workDir,
          timeoutMs: (seconds + 60) * 1000,
        });
        let total = null;
        try {
          total = JSON.parse(readFileSync(join(workDir, "r.json"), "utf8")).total;
        } catch {
          console.error(run.stderr.slice(-1500));
        }
        rmSync(workDir, { recursive: true, force: true });
        const row = {
          round,
          path: scenario.path,
          users: scenario.users,
          processes,
          rps: total?.rps ?? null,
          requests: total?.numRequests ?? null,
          failures: total?.numFailures ?? null,
          // CPU of the whole tree (launcher, master, workers): what distribution costs per request.
          cpuUsPerRequest: total?.numRequests ? (run.cpuMs * 1000) / total.numRequests : null,
          generatorCpuPercent: run.cpuPercent,
        };
        results.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
} finally {
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}

// Medians of the rounds, and the ratio `--processes 2` / one process, per scenario.
for (const { path, users } of SCENARIOS) {
  const pick = (processes, field) =>
    median(results.filter((r) => r.path === path && r.processes === processes).map((r) => r[field]));
  const one = pick(1, "rps");
  const two = pick(2, "rps");
  const ratio = one && two ? (two / one).toFixed(2) : "–";
  const cpu = (processes) =>
    `${pick(processes, "cpuUsPerRequest")?.toFixed(1)} µs/req, ${pick(processes, "generatorCpuPercent")?.toFixed(0)} % CPU`;
  console.log(
    `${path}, ${users} users: 1 process ${Math.round(one ?? 0)} req/s (${cpu(1)}), --processes 2 ${Math.round(two ?? 0)} req/s (${cpu(2)}) = ${ratio}×`,
  );
}
