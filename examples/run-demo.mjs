// What `npm run demo` runs: starts the bundled coupon service on 127.0.0.1, load-tests it
// with examples/locustfile.ts for 20 s (40 users), then asks the service whether it ever
// issued more codes than it had: the bug a first-come launch must not have. When
// Prometheus's node_exporter is installed, it is started too and Cicada monitors this
// machine with it (--monitor): the summary then shows the target's resources.
//
// Plain Node ESM on purpose (no tsx for this file), so it runs before anything is compiled.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..");
/** Less stock than 40 users want (5 coupons x 20), so the run shows both "sold out" and "already yours". */
const DEMO_STOCK = 20;
const SERVICE_START_TIMEOUT_MS = 10_000;
const CICADA_ARGS = ["-f", "examples/locustfile.ts", "--headless", "-u", "40", "-r", "10", "-t", "20s"];
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
/** node_exporter's names: Debian's package, and the upstream binary. */
const NODE_EXPORTER_NAMES = ["prometheus-node-exporter", "node_exporter"];

/** Children still running; every exit path stops them. */
const children = new Set();
/** Set while Cicada runs: signals go to it, so it can print its summary. */
let cicada;
let lastSigintAtMs = 0;

async function main() {
  if (!existsSync(join(root, "dist", "cli", "main.js"))) {
    console.error("Cicada is not built yet (dist/cli/main.js is missing): run npm ci first.");
    return 1;
  }
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => onSignal(signal));
  const service = startService();
  const exporter = await startNodeExporter();
  try {
    const url = await readServiceUrl(service);
    console.log(`demo: coupon service at ${url} (5 coupons, stock ${DEMO_STOCK} each)`);
    const monitor = exporter ? ["--monitor", `this-machine=${exporter.url}/metrics`] : [];
    if (exporter) console.log(`demo: node_exporter at ${exporter.url}: Cicada monitors this machine`);
    else
      console.log(
        "demo: (install prometheus-node-exporter to see this machine's CPU, memory and disk beside the load)",
      );
    console.log(`demo: cicada ${[...CICADA_ARGS, "-H", url, ...monitor].join(" ")}\n`);
    const exitCode = await runCicada(url, monitor);
    await printVerdict(url);
    return exitCode;
  } finally {
    await stop(service);
    if (exporter) await stop(exporter.child);
  }
}

/** Starts the service in its own process group, so a Ctrl-C in the terminal does not kill it before the verdict. */
function startService() {
  const args = [
    "--import",
    "tsx",
    "examples/coupon-service/server.ts",
    "--port",
    "0",
    "--stock",
    String(DEMO_STOCK),
  ];
  // --exit-on-stdin-close: if this runner is killed outright, the closed pipe stops the service too.
  const child = spawn(process.execPath, [...args, "--exit-on-stdin-close"], {
    cwd: root,
    detached: true,
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Resolves with the URL from the service's first stdout line. */
function readServiceUrl(service) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: service.stdout });
    const timer = setTimeout(() => {
      reject(new Error(`the coupon service did not start within ${SERVICE_START_TIMEOUT_MS / 1000} s`));
    }, SERVICE_START_TIMEOUT_MS);
    const onExit = (code) =>
      reject(new Error(`the coupon service exited (code ${code}) before it was ready`));
    service.once("exit", onExit);
    lines.once("line", (line) => {
      clearTimeout(timer);
      service.off("exit", onExit);
      const url = /^coupon-service listening on (http:\/\/\S+)$/.exec(line)?.[1];
      if (url) resolve(url);
      else reject(new Error(`unexpected first line from the coupon service: ${line}`));
      // Anything the service prints later is passed on, marked as its own.
      lines.on("line", (more) => console.error(`[coupon-service] ${more}`));
    });
  });
}

/**
 * Runs Cicada in its own process group with our stdout/stderr. A terminal Ctrl-C then reaches
 * only this runner, which forwards it exactly once, and Cicada prints its summary and exits.
 */
async function runCicada(url, extraArgs) {
  cicada = spawn(process.execPath, ["bin/cicada.js", ...CICADA_ARGS, "-H", url, ...extraArgs], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(cicada);
  const [code, signal] = await once(cicada, "exit");
  children.delete(cicada);
  cicada = undefined;
  return code ?? exitCodeFor(signal);
}

function onSignal(signal) {
  if (cicada) {
    // npm forwards the terminal's Ctrl-C as well: treat two within half a second as one.
    if (signal === "SIGINT" && Date.now() - lastSigintAtMs < 500) return;
    if (signal === "SIGINT") lastSigintAtMs = Date.now();
    cicada.kill(signal);
    return;
  }
  // Starting up or printing the verdict: just stop (the exit handler below stops the children).
  process.exit(exitCodeFor(signal));
}

/** The shell's convention for "ended by a signal": 128 + its number (130 for Ctrl-C). */
function exitCodeFor(signal) {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The node_exporter binary on the PATH, if any. */
function findNodeExporter() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of NODE_EXPORTER_NAMES) {
      const path = join(dir, name);
      if (dir !== "" && existsSync(path)) return path;
    }
  }
  return undefined;
}

/**
 * Starts node_exporter on 127.0.0.1 with a free port, if it is installed; resolves with
 * its URL (from its log), or undefined when it is not installed or does not start.
 */
function startNodeExporter() {
  const binary = findNodeExporter();
  if (binary === undefined) return Promise.resolve(undefined);
  const child = spawn(binary, ["--web.listen-address=127.0.0.1:0"], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve) => {
    let log = "";
    const give = (value) => {
      clearTimeout(timer);
      child.stderr.removeAllListeners("data");
      child.stderr.resume();
      resolve(value);
    };
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      give(undefined);
    }, SERVICE_START_TIMEOUT_MS);
    child.once("error", () => give(undefined));
    child.once("exit", () => give(undefined));
    child.stderr.on("data", (chunk) => {
      log += chunk.toString();
      const port = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port) give({ url: `http://127.0.0.1:${port}`, child });
    });
  });
}

/** Asks the service, not Cicada, how many codes it issued: the check that matters for a launch. */
async function printVerdict(url) {
  let coupons;
  try {
    const response = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5_000) });
    ({ coupons } = await response.json());
  } catch (error) {
    throw new Error(
      `could not read ${url}/stats from the coupon service: ${error.cause?.message ?? error.message}`,
    );
  }
  console.log("\nCoupon service after the run:");
  console.log("  coupon   stock   issued   distinct users");
  for (const c of coupons) {
    const row = [c.id, c.stock, c.issued, c.distinctUsers].map((n, i) =>
      String(n).padStart([8, 7, 8, 16][i]),
    );
    console.log(`${row.join(" ")}${c.overIssued ? "   <-- OVER-ISSUED" : ""}`);
  }
  const overIssued = coupons.filter((c) => c.overIssued);
  if (overIssued.length === 0) console.log("never over-issued ✓");
  else
    console.log(
      `✗✗✗ OVER-ISSUED: coupon ${overIssued.map((c) => c.id).join(", ")} issued more codes than stock ✗✗✗`,
    );
}

/** Stops a child (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// Every exit, expected or not: never leave a child behind (both stop cleanly on SIGTERM).
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
