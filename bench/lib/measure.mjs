// One measured run of one generator, and the medians over rounds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generators } from "./generators.mjs";
import { runPinned } from "./processes.mjs";

/** Extra seconds a generator may take beyond the run time (start-up, Locust's ramp, exit). */
const GRACE_S = 60;

/**
 * Runs `tool` once for `spec` (see generators.mjs) pinned to `core`. Returns its own
 * figures plus what /proc saw: CPU % of one core over its life, peak RSS, wall time.
 * A run that fails returns `{ error }` instead of throwing, so the other rounds go on.
 */
export async function measure(tool, spec, core) {
  const workDir = mkdtempSync(join(tmpdir(), `cicada-bench-${tool}-`));
  const full = { ...spec, workDir };
  try {
    const { command, args, env } = generators[tool].command(full);
    const result = await runPinned({
      command,
      args,
      env,
      core,
      cwd: workDir,
      timeoutMs: (spec.durationS + GRACE_S) * 1000,
    });
    const process = {
      cpuPercent: result.cpuPercent,
      peakRssMb: result.peakRssKb / 1024,
      wallS: result.wallMs / 1000,
      startedAtEpochMs: result.startedAtEpochMs,
    };
    if (result.timedOut) return { tool, error: `killed after ${spec.durationS + GRACE_S} s`, ...process };
    try {
      const figures = generators[tool].parse(result, full);
      // CPU per request is the steadier figure on a shared machine (req/s depends on what else runs).
      const cpuUsPerRequest = figures.requests > 0 ? (result.cpuMs * 1000) / figures.requests : null;
      // How often the tool's event loop went to sleep per request: each wake-up costs
      // kernel time (more so in a VM), which is why traffic shape shows in CPU per request.
      const sleepsPerRequest = figures.requests > 0 ? result.sleeps / figures.requests : null;
      return { tool, ...figures, ...process, cpuUsPerRequest, sleepsPerRequest, exitCode: result.code };
    } catch (error) {
      const detail = `${result.stderr.slice(-1500)}`;
      return { tool, error: `${error.message}${detail ? `\n${detail}` : ""}`, ...process };
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Median of the finite numbers in `values` (null when there are none). */
export function median(values) {
  const xs = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Per tool, the median of each numeric field over its successful rounds. */
export function medians(runs, fields) {
  const byTool = new Map();
  for (const run of runs) {
    if (!byTool.has(run.tool)) byTool.set(run.tool, []);
    byTool.get(run.tool).push(run);
  }
  const out = {};
  for (const [tool, list] of byTool) {
    const ok = list.filter((r) => !r.error);
    const row = { rounds: ok.length, failedRounds: list.length - ok.length };
    for (const field of fields) row[field] = median(ok.map((r) => r[field]));
    if (ok.length === 0) row.error = list[0]?.error;
    out[tool] = row;
  }
  return out;
}

/** The order of tools in round `round` (0-based): rotated, so no tool always runs first. */
export function roundOrder(tools, round) {
  return tools.map((_, i) => tools[(i + round) % tools.length]);
}
