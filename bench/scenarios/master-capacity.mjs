// Scenario 4 (master capacity): a real Cicada master (the CLI with --master, pinned to
// the target core) and N simulated workers (bench/lib/sim-workers.mjs, real ZeroMQ
// sockets, pinned to the other core) each sending a 50-name stats report and a heartbeat
// every second. For each N the master's CPU is read from /proc over a steady window; the
// capacity is the largest N merged at 1 report/s below 50 % of a core.
import { join } from "node:path";
import { fixed, table } from "../lib/format.mjs";
import { median } from "../lib/measure.mjs";
import { freePort } from "../lib/net.mjs";
import { readProcUsage, startPinned } from "../lib/processes.mjs";

const NAMES = 50;
const CPU_LIMIT_PERCENT = 50;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like sleep, for races: the timer does not keep the process alive once the race is decided. */
const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** One step: N workers for `seconds`; returns the master's CPU % over the steady window. */
async function step(ctx, workers, seconds) {
  const port = await freePort();
  const warmupS = 2;
  const masterArgs = [
    join(ctx.root, "bin", "cicada.js"),
    "-f",
    join(ctx.root, "bench", "locustfiles", "hello.ts"),
  ];
  masterArgs.push("--master", "--headless", "--expect-workers", String(workers));
  masterArgs.push("--expect-workers-max-wait", "60s", "-u", String(workers), "-r", String(workers));
  masterArgs.push("-t", `${seconds + warmupS + 5}s`, "--master-bind-host", "127.0.0.1");
  masterArgs.push(
    "--master-bind-port",
    String(port),
    "-H",
    "http://127.0.0.1:9",
    "--only-summary",
    "-L",
    "WARNING",
  );
  const master = startPinned({
    command: process.execPath,
    args: masterArgs,
    core: ctx.cores.target,
    timeoutMs: (seconds + 120) * 1000,
  });
  let onReady;
  const ready = new Promise((resolve) => {
    onReady = resolve;
  });
  const simArgs = [join(ctx.root, "bench", "lib", "sim-workers.mjs"), "--port", String(port)];
  simArgs.push(
    "--workers",
    String(workers),
    "--names",
    String(NAMES),
    "--seconds",
    String(seconds + warmupS + 70),
  );
  const sim = startPinned({
    command: process.execPath,
    args: simArgs,
    core: ctx.cores.generator,
    timeoutMs: (seconds + 120) * 1000,
    onStdoutLine(line) {
      if (line.startsWith("READY")) onReady();
    },
  });
  try {
    const outcome = await Promise.race([
      ready.then(() => "ready"),
      deadline(60_000).then(() => "timeout"),
      master.done.then(() => "master-exited"),
    ]);
    if (outcome !== "ready") {
      const result = await Promise.race([master.done, deadline(100).then(() => null)]);
      return {
        workers,
        error: `workers did not all connect (${outcome}) ${result?.stderr?.slice(-500) ?? ""}`,
      };
    }
    await sleep(warmupS * 1000);
    const before = readProcUsage(master.pid);
    const simBefore = readProcUsage(sim.pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const after = readProcUsage(master.pid);
    const simAfter = readProcUsage(sim.pid);
    const elapsedMs = performance.now() - t0;
    if (before === null || after === null)
      return { workers, error: "the master exited during the measurement" };
    return {
      workers,
      reportsPerSecond: workers,
      masterCpuPercent: ((after.cpuMs - before.cpuMs) / elapsedMs) * 100,
      masterPeakRssMb: after.peakRssKb / 1024,
      // Near 100 % the simulated workers, not the master, would be the limit.
      simulatorCpuPercent:
        simBefore && simAfter ? ((simAfter.cpuMs - simBefore.cpuMs) / elapsedMs) * 100 : null,
    };
  } finally {
    sim.signal("SIGKILL");
    master.signal("SIGTERM");
    const masterResult = await Promise.race([master.done, deadline(5000).then(() => null)]);
    if (masterResult === null) master.signal("SIGKILL");
    await Promise.all([master.done, sim.done]);
  }
}

/** Linear interpolation of the worker count at which the master reaches the CPU limit. */
function capacityAt(rows) {
  const ok = rows.filter((r) => r.masterCpuPercent !== null).sort((a, b) => a.workers - b.workers);
  let below = null;
  for (const row of ok) {
    if (row.masterCpuPercent < CPU_LIMIT_PERCENT) {
      below = row;
      continue;
    }
    if (below === null) return { measured: null, estimated: null };
    const slope = (row.masterCpuPercent - below.masterCpuPercent) / (row.workers - below.workers);
    const estimated = slope > 0 ? below.workers + (CPU_LIMIT_PERCENT - below.masterCpuPercent) / slope : null;
    return { measured: below.workers, estimated: estimated === null ? null : Math.floor(estimated) };
  }
  return { measured: below?.workers ?? null, estimated: null, beyondLadder: true };
}

export async function masterCapacity(ctx) {
  const ladder = ctx.smoke ? [3] : ctx.masterLadder;
  const seconds = ctx.smoke ? 1 : Math.min(ctx.durationS, 10);
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const workers of ladder) {
      ctx.log(`  master-capacity: round ${round + 1}/${ctx.rounds}, ${workers} simulated workers`);
      const run = await step(ctx, workers, seconds);
      runs.push({ round: round + 1, ...run });
      if (run.error) ctx.log(`    failed: ${run.error.split("\n")[0]}`);
      await ctx.pause();
      // Past the limit by far: larger steps only take longer.
      if ((run.masterCpuPercent ?? 0) > CPU_LIMIT_PERCENT * 1.5) break;
    }
  }
  const rows = ladder
    .map((workers) => {
      const list = runs.filter((r) => r.workers === workers && !r.error);
      return {
        workers,
        rounds: list.length,
        masterCpuPercent: median(list.map((r) => r.masterCpuPercent)),
        masterPeakRssMb: median(list.map((r) => r.masterPeakRssMb)),
        simulatorCpuPercent: median(list.map((r) => r.simulatorCpuPercent)),
      };
    })
    .filter((row) => row.rounds > 0);
  const capacity = capacityAt(rows);
  const verdict =
    capacity.measured === null
      ? "the smallest step was already above the limit"
      : capacity.beyondLadder
        ? `at least ${capacity.measured} workers (every step stayed below ${CPU_LIMIT_PERCENT} %)`
        : `${capacity.measured} workers measured below ${CPU_LIMIT_PERCENT} %` +
          (capacity.estimated === null ? "" : `, about ${capacity.estimated} by interpolation`);
  return {
    id: "master-capacity",
    title: "Master capacity",
    names: NAMES,
    reportIntervalS: 1,
    runs,
    medians: Object.fromEntries(rows.map((row) => [String(row.workers), row])),
    capacity,
    targets: { masterCpuPercent: CPU_LIMIT_PERCENT, workers: 500 },
    lines: [
      `Scenario 4, master capacity: simulated workers over real ZeroMQ sockets, each sending a ${NAMES}-name ` +
        `stats report and a heartbeat every second; master CPU over ${seconds} s, median of ${ctx.rounds} round(s)`,
      ...table(
        ["workers", "reports/s", "master CPU %", "master peak RSS MB", "simulator CPU %"],
        rows.map((row) => [
          String(row.workers),
          String(row.workers),
          fixed(row.masterCpuPercent, 1),
          fixed(row.masterPeakRssMb, 0),
          fixed(row.simulatorCpuPercent, 0),
        ]),
      ),
      "",
      `  Capacity: ${verdict} (DESIGN.md aims at 500 workers × 50 names)`,
    ],
  };
}
