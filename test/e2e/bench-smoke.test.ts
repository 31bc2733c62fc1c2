import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { ROOT } from "../helpers/cli.js";

interface ToolRow {
  rps: number | null;
  requests: number | null;
  failures: number | null;
  cpuPercent: number | null;
  peakRssMb: number | null;
  error?: string;
}

interface Report {
  options: { tools: string[]; rounds: number };
  versions: Record<string, string>;
  machine: { cores: number; loadAverage: number[] };
  scenarios: Array<{
    id: string;
    status?: string;
    error?: string;
    medians?: Record<string, ToolRow & { firstRequestMs?: number | null; p50?: number | null }>;
    table?: string[];
  }>;
}

/** Runs `node bench/run.mjs --smoke` (bounded: it kills its children itself; we kill it if it hangs). */
function runBench(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bench", "run.mjs"), "--smoke", "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

// The benchmark is not part of npm test, but a one-round smoke run of every scenario is,
// so the script (tool detection, pinning, parsers, the JSON result) cannot rot.
it("npm run bench --smoke runs every scenario briefly and writes a JSON result", async () => {
  const out = mkdtempSync(join(tmpdir(), "cicada-bench-smoke-"));
  try {
    const { code, stdout, stderr } = await runBench(out);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const files = readdirSync(out).filter((f) => f.startsWith("smoke-") && f.endsWith(".json"));
    assert.equal(files.length, 1, `result files: ${files.join(", ")}`);
    const report = JSON.parse(readFileSync(join(out, files[0]!), "utf8")) as Report;
    assert.ok(report.options.tools.includes("cicada"));
    assert.ok(report.versions.cicada && report.versions.node);
    const byId = new Map(report.scenarios.map((s) => [s.id, s]));
    for (const id of ["throughput", "many-users", "accuracy", "startup", "master-capacity"]) {
      const scenario = byId.get(id);
      assert.ok(scenario, `scenario ${id} missing`);
      assert.equal(scenario.error, undefined, `${id}: ${scenario.error}`);
      for (const tool of report.options.tools) {
        if (id === "master-capacity") continue; // keyed by worker count, checked below
        if (id === "startup" && tool !== "cicada" && tool !== "locust") continue;
        const row: ToolRow | undefined = scenario.medians?.[tool];
        assert.ok(row, `${id}: no result for ${tool}`);
        assert.equal(row.error, undefined, `${id}/${tool}: ${row.error}`);
      }
    }
    // Cicada's figures come from its JSON report; its console summary must tell the same story.
    const cicadaRun = (
      byId.get("throughput") as unknown as { runs: Array<Record<string, unknown>> }
    ).runs.find((run) => run.tool === "cicada") as { requests: number; console: { requests: number } };
    assert.equal(cicadaRun.console.requests, cicadaRun.requests);
    const cicada = byId.get("throughput")!.medians!.cicada!;
    assert.ok((cicada.requests ?? 0) > 0 && (cicada.rps ?? 0) > 0, JSON.stringify(cicada));
    assert.equal(cicada.failures, 0);
    assert.ok((cicada.cpuPercent ?? 0) > 0 && (cicada.peakRssMb ?? 0) > 0, "measured through /proc");
    const firstRequest = byId.get("startup")!.medians!.cicada!.firstRequestMs;
    assert.ok(typeof firstRequest === "number" && firstRequest > 0 && firstRequest < 30_000);
    const master = byId.get("master-capacity");
    assert.equal(master?.error, undefined, master?.error);
    const step = Object.values(master?.medians ?? {})[0] as
      | { masterCpuPercent?: number; masterPeakRssMb?: number }
      | undefined;
    // The smoke step is 3 workers for 1 s: the master may use less than one clock tick (10 ms)
    // of CPU, so 0 % is a true reading. That /proc was read shows in the peak RSS.
    assert.ok(
      typeof step?.masterCpuPercent === "number" &&
        step.masterCpuPercent >= 0 &&
        (step.masterPeakRssMb ?? 0) > 0,
      JSON.stringify(master),
    );
    // HTTP/2: Cicada with http2 = true beside h2load, against nginx's cleartext HTTP/2 port.
    const http2 = byId.get("http2");
    assert.equal(http2?.error, undefined, http2?.error);
    const h2 = http2?.medians?.cicada;
    assert.ok((h2?.requests ?? 0) > 0 && h2?.failures === 0, JSON.stringify(http2?.medians));
    assert.match(stdout, /Scenario 1, throughput:[\s\S]*Cicada \/ wrk/);
    // The open model's scenarios ran and measured what they claim.
    for (const id of ["open-rate", "coordinated-omission", "open-overload"]) {
      assert.equal(byId.get(id)?.error, undefined, `${id}: ${byId.get(id)?.error}`);
    }
    const openRate = byId.get("open-rate") as unknown as {
      medians: { dropped: number; overallErrorPercent: number };
    };
    assert.equal(openRate.medians.dropped, 0);
    assert.ok(Math.abs(openRate.medians.overallErrorPercent) < 5, JSON.stringify(openRate.medians));
    const overload = byId.get("open-overload") as unknown as {
      medians: Array<{ exact: boolean; dropped: number }>;
    };
    assert.ok(
      overload.medians.every((d) => d.exact && d.dropped > 0),
      JSON.stringify(overload.medians),
    );
    const stall = byId.get("coordinated-omission") as unknown as {
      medians: Record<string, { intendedP99: number | null }>;
    };
    assert.ok((stall.medians["cicada-open"]?.intendedP99 ?? 0) > 0, JSON.stringify(stall.medians));
    const csvNames = byId.get("csv-names") as unknown as {
      error?: string;
      medians: Record<string, { rounds: number; requests: number }>;
    };
    assert.equal(csvNames?.error, undefined, csvNames?.error);
    for (const variant of ["none", "csv", "full"]) {
      assert.ok(csvNames.medians[variant]!.rounds === 1 && csvNames.medians[variant]!.requests > 0, variant);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
