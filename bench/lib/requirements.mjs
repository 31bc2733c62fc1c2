// What the benchmark needs, found (never installed) and named when missing, plus the
// versions and machine facts that go with every result.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { ECHO_MODULE } from "./nginx.mjs";

function run(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
  if (result.error) return null;
  return `${result.stdout ?? ""}${result.stderr ?? ""}`;
}

function onPath(command) {
  return run("sh", ["-c", `command -v ${command}`])?.trim() || null;
}

function debianVersion(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const out = run("dpkg-query", ["-W", "-f=${Version}", pkg]);
  return out && !out.includes("no packages found") ? out.trim() : null;
}

/**
 * Looks for every tool. Returns `{ available, missing, versions }`: `available` maps a
 * name (nginx, taskset, wrk, autocannon, locust, h2load) to true/false, `missing` lists
 * what to install for each absent tool. `baseline` is the --baseline checkout, if any.
 */
export function findTools(root, baseline) {
  const available = {};
  const missing = [];
  const versions = { node: process.versions.node };

  available.taskset = onPath("taskset") !== null;
  if (!available.taskset) missing.push("taskset: apt-get install util-linux");

  available.nginx = onPath("nginx") !== null && existsSync(ECHO_MODULE);
  if (onPath("nginx") === null) missing.push("nginx: apt-get install nginx-light (brings the echo module)");
  else if (!existsSync(ECHO_MODULE))
    missing.push("nginx echo module: apt-get install libnginx-mod-http-echo");
  if (available.nginx) versions.nginx = /nginx\/(\S+)/.exec(run("nginx", ["-v"]) ?? "")?.[1] ?? "?";

  available.wrk = onPath("wrk") !== null;
  if (available.wrk) versions.wrk = debianVersion("wrk") ?? /wrk (\S+)/.exec(run("wrk", ["-v"]) ?? "")?.[1];
  else missing.push("wrk: apt-get install wrk");

  const autocannon = join(root, "node_modules", "autocannon", "package.json");
  available.autocannon = existsSync(autocannon);
  if (available.autocannon) versions.autocannon = JSON.parse(readFileSync(autocannon, "utf8")).version;
  else missing.push("autocannon: npm ci (it is a dev dependency)");

  available.locust = onPath("locust") !== null;
  if (available.locust) versions.locust = debianVersion("python3-locust") ?? "?";
  else missing.push("locust: apt-get install python3-locust");

  available.h2load = onPath("h2load") !== null;
  if (available.h2load) versions.h2load = debianVersion("nghttp2-client") ?? "?";
  else missing.push("h2load: apt-get install nghttp2-client");

  available.cicada = existsSync(join(root, "dist", "cli", "main.js"));
  available["cicada-tuned"] = available.cicada;
  available["cicada-one-process"] = available.cicada;
  available["cicada-baseline"] =
    baseline !== undefined && existsSync(join(baseline, "dist", "cli", "main.js"));
  if (baseline !== undefined && !available["cicada-baseline"]) {
    missing.push(`cicada-baseline: ${baseline} has no build (run npm run build there)`);
  }
  versions.cicada = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  if (!available.cicada) missing.push("Cicada's build: npm run build");

  return { available, missing, versions };
}

/** The machine a result was measured on. */
export function machineInfo() {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? "unknown",
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: readOsRelease(),
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function readOsRelease() {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return /PRETTY_NAME="([^"]+)"/.exec(text)?.[1] ?? "Linux";
  } catch {
    return "unknown";
  }
}
