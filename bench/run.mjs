#!/usr/bin/env node
// `npm run bench`: Cicada against wrk, autocannon and Locust's FastHttpUser on one
// generator core, with the target pinned to another; WebSocket message rate against a
// raw `ws` loop. See docs/performance.md and docs/protocols.md.
//
//   node bench/run.mjs [--rounds 3] [--duration 10] [--scenario all|throughput,many-users,
//                      accuracy,master-capacity,startup,websocket,open-rate,
//                      coordinated-omission,open-overload,http2,csv-names,capacity]
//                      [--tools cicada,wrk,autocannon,locust] [--users 10000] [--out bench/results]
//                      [--baseline DIR] [--smoke]
//
// It installs nothing: it names what is missing and stops (a --smoke run skips missing
// generators instead). Every load goes to 127.0.0.1, every child is pinned with taskset,
// bounded in time and killed by PID on every path.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EXTRA_TOOL_NAMES, TOOL_NAMES } from "./lib/generators.mjs";
import { installCleanup, killAll } from "./lib/processes.mjs";
import { findTools, machineInfo } from "./lib/requirements.mjs";
import { accuracy } from "./scenarios/accuracy.mjs";
import { capacity } from "./scenarios/capacity.mjs";
import { csvNames } from "./scenarios/csv-names.mjs";
import { http2 } from "./scenarios/http2.mjs";
import { manyUsers, throughput } from "./scenarios/load.mjs";
import { masterCapacity } from "./scenarios/master-capacity.mjs";
import { coordinatedOmission, openOverload, openRate } from "./scenarios/open-model.mjs";
import { startup } from "./scenarios/startup.mjs";
import { websocket } from "./scenarios/websocket.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCENARIOS = {
  throughput,
  "many-users": manyUsers,
  accuracy,
  "master-capacity": masterCapacity,
  startup,
  websocket,
  "open-rate": openRate,
  "coordinated-omission": coordinatedOmission,
  "open-overload": openOverload,
  http2,
  "csv-names": csvNames,
  capacity,
};

const USAGE = `usage: node bench/run.mjs [options]
  --rounds N          rounds per scenario, interleaved (default 3; --smoke: 1)
  --duration S        seconds each generator runs (default 10; --smoke: 1)
  --scenario LIST     all, or some of: ${Object.keys(SCENARIOS).join(", ")}
  --tools LIST        some of: ${TOOL_NAMES.join(", ")} (default: all); also ${EXTRA_TOOL_NAMES.join(", ")}
  --users N           users/connections of the many-users scenario (default 10000; --smoke: 200)
  --workers LIST      simulated worker counts of the master-capacity scenario (default 50,100,200,400,800,1200)
  --out DIR           where the JSON result goes (default bench/results)
  --baseline DIR      another built Cicada (e.g. main checked out under /tmp): the cicada-baseline tool
  --target-core N     core for the target (default 0); --generator-core N (default 1)
  --smoke             a few seconds, one round, only the tools that are installed
`;

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        rounds: { type: "string" },
        duration: { type: "string" },
        scenario: { type: "string", default: "all" },
        tools: { type: "string", default: TOOL_NAMES.join(",") },
        users: { type: "string", default: "10000" },
        workers: { type: "string", default: "50,100,200,400,800,1200" },
        out: { type: "string", default: join(root, "bench", "results") },
        baseline: { type: "string" },
        "target-core": { type: "string", default: "0" },
        "generator-core": { type: "string", default: "1" },
        pause: { type: "string" },
        smoke: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const smoke = parsed.smoke;
  const whole = (name, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
  const list = (name, text, known, all = known) => {
    const items = text === "all" ? all : text.split(",").map((s) => s.trim());
    const unknown = items.filter((item) => !known.includes(item));
    if (unknown.length > 0) fail(`unknown --${name}: ${unknown.join(", ")} (expected ${known.join(", ")})`);
    return items;
  };
  return {
    smoke,
    rounds: whole("rounds", parsed.rounds ?? (smoke ? "1" : "3"), 1),
    durationS: whole("duration", parsed.duration ?? (smoke ? "1" : "10"), 1),
    pauseMs: Number(parsed.pause ?? (smoke ? "0" : "1")) * 1000,
    scenarios: list("scenario", parsed.scenario, Object.keys(SCENARIOS)),
    tools: list("tools", parsed.tools, [...TOOL_NAMES, ...EXTRA_TOOL_NAMES], TOOL_NAMES),
    manyUsers: whole("users", parsed.users, 1),
    masterLadder: parsed.workers.split(",").map((n) => whole("workers", n.trim(), 1)),
    out: resolve(parsed.out),
    baseline: parsed.baseline === undefined ? undefined : resolve(parsed.baseline),
    cores: {
      target: whole("target-core", parsed["target-core"], 0),
      generator: whole("generator-core", parsed["generator-core"], 0),
    },
  };
}

async function main() {
  const options = parseOptions();
  installCleanup();
  const found = findTools(root, options.baseline);
  const needed = new Set(["taskset", "cicada", ...options.tools.filter((t) => t !== "cicada")]);
  if (options.scenarios.some((s) => s === "throughput" || s === "many-users" || s === "http2"))
    needed.add("nginx");
  if (options.scenarios.includes("http2")) needed.add("h2load");
  const absent = [...needed].filter((name) => !found.available[name]);
  if (absent.includes("taskset") || absent.includes("cicada") || (!options.smoke && absent.length > 0)) {
    const lines = found.missing.map((m) => `  - ${m}`).join("\n");
    fail(
      `missing what the benchmark needs:\n${lines}\nInstall them and run again (nothing is installed for you).`,
    );
  }
  const tools = options.tools.filter((tool) => found.available[tool]);
  if (!tools.includes("cicada")) fail("Cicada itself is not among --tools");
  const coreCount = cpus().length;
  if (Math.max(options.cores.target, options.cores.generator) >= coreCount) {
    fail(`this machine has ${coreCount} core(s): pick --target-core/--generator-core below ${coreCount}`);
  }
  if (options.cores.target === options.cores.generator && !options.smoke) {
    fail("the target and the generator need different cores (--target-core, --generator-core)");
  }
  // Keep this orchestrating process off the generator's core.
  execFileSync("taskset", ["-pc", String(options.cores.target), String(process.pid)], { stdio: "ignore" });

  const log = (line) => process.stderr.write(`${line}\n`);
  const ctx = {
    root,
    tools,
    has: found.available,
    rounds: options.rounds,
    durationS: options.durationS,
    manyUsers: options.manyUsers,
    masterLadder: options.masterLadder,
    baseline: options.baseline,
    cores: options.cores,
    smoke: options.smoke,
    log,
    pause: () => new Promise((r) => setTimeout(r, options.pauseMs)),
  };
  const machine = machineInfo();
  const startedAt = new Date();
  log(
    `Cicada benchmark: ${tools.join(", ")}; ${options.rounds} round(s) of ${options.durationS} s; ` +
      `load average ${machine.loadAverage.join(" ")}`,
  );
  const skipped = options.tools.filter((tool) => !found.available[tool]);
  if (skipped.length > 0) log(`smoke run: skipping what is not installed: ${skipped.join(", ")}`);

  const results = [];
  let crashed = false;
  for (const name of options.scenarios) {
    try {
      const result = await SCENARIOS[name](ctx);
      results.push(result);
      process.stdout.write(`\n${result.lines.join("\n")}\n`);
    } catch (error) {
      crashed = true;
      log(`scenario ${name} failed: ${error.stack ?? error}`);
      results.push({ id: name, error: String(error.message ?? error) });
    }
  }

  const finishedAt = new Date();
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    options: { ...options, out: undefined, tools },
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))) },
    versions: found.versions,
    scenarios: results.map(({ lines, ...rest }) => ({ ...rest, table: lines })),
  };
  mkdirSync(options.out, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const file = join(options.out, `${options.smoke ? "smoke" : "bench"}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}, kernel ${machine.kernel}; ` +
      `load average ${machine.loadAverage.join(" ")} at start, ${report.machine.loadAverageAtEnd.join(" ")} at end\n` +
      `Versions: ${Object.entries(found.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}\n` +
      `Result written to ${file}\n`,
  );
  killAll();
  // Explicitly: a stray timer of a scenario must not keep the benchmark alive.
  process.exit(crashed ? 1 : 0);
}

main().catch((error) => {
  killAll();
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(1);
});
