// Scenario csv-names: does writing reports distort what Cicada measures? The same paced
// load with 2,000 request names, with and without --csv (and --csv-full-history), rounds
// interleaved; compares p99.9 and p99 of the response times and the generator-overloaded
// flag. Writing the CSV files used to block the event loop 50-150 ms every second at
// 2,000 names (p99.9 34.8 ms with --csv against 4.6 ms without); it must not any more.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixed, millis, table } from "../lib/format.mjs";
import { median, roundOrder } from "../lib/measure.mjs";
import { runPinned } from "../lib/processes.mjs";
import { startStaticTarget } from "../lib/targets.mjs";

const VARIANTS = {
  none: { label: "no --csv", args: () => [] },
  csv: { label: "--csv", args: (dir) => ["--csv", join(dir, "run")] },
  full: {
    label: "--csv --csv-full-history",
    args: (dir) => ["--csv", join(dir, "run"), "--csv-full-history"],
  },
};

/** One Cicada run of `variant`; the total's figures from its JSON report. */
export async function runOnce(ctx, origin, variant, users) {
  const dir = mkdtempSync(join(tmpdir(), "cicada-bench-csv-"));
  try {
    const args = [
      join(ctx.root, "bin", "cicada.js"),
      "-f",
      join(ctx.root, "bench", "locustfiles", "names.ts"),
    ];
    args.push("--headless", "-u", String(users), "-r", String(users), "-t", `${ctx.durationS}s`);
    args.push("-H", origin, "--only-summary", "--loglevel", "WARNING", "--json-file", join(dir, "report"));
    args.push(...VARIANTS[variant].args(dir));
    const result = await runPinned({
      command: process.execPath,
      args,
      core: ctx.cores.generator,
      cwd: dir,
      timeoutMs: (ctx.durationS + 60) * 1000,
    });
    const file = join(dir, "report.json");
    if (!existsSync(file)) return { variant, error: `no JSON report:\n${result.stderr.slice(-1500)}` };
    const report = JSON.parse(readFileSync(file, "utf8"));
    const total = report.total;
    return {
      variant,
      requests: total.numRequests,
      names: report.entries.length,
      p99: total.percentiles.p99,
      "p99.9": total.percentiles["p99.9"],
      max: total.maxResponseTimeMs,
      overloaded: report.meta.flags.some((flag) => flag.code === "generator-overloaded"),
      cpuPercent: result.cpuPercent,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function csvNames(ctx) {
  const users = ctx.smoke ? 5 : 20;
  const target = await startStaticTarget({ root: ctx.root, core: ctx.cores.target, useNginx: ctx.has.nginx });
  const runs = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const variant of roundOrder(Object.keys(VARIANTS), round)) {
        ctx.log(`  csv-names: round ${round + 1}/${ctx.rounds}, ${VARIANTS[variant].label}`);
        const run = await runOnce(ctx, target.origin, variant, users);
        if (run.error) ctx.log(`    failed: ${run.error.split("\n")[0]}`);
        runs.push({ round: round + 1, ...run });
        await ctx.pause();
      }
    }
  } finally {
    await target.stop();
  }
  const medians = {};
  for (const variant of Object.keys(VARIANTS)) {
    const ok = runs.filter((r) => r.variant === variant && !r.error);
    medians[variant] = {
      rounds: ok.length,
      requests: median(ok.map((r) => r.requests)),
      names: median(ok.map((r) => r.names)),
      p99: median(ok.map((r) => r.p99)),
      "p99.9": median(ok.map((r) => r["p99.9"])),
      max: median(ok.map((r) => r.max)),
      overloadedRounds: ok.filter((r) => r.overloaded).length,
      cpuPercent: median(ok.map((r) => r.cpuPercent)),
    };
  }
  const ratio = (variant) =>
    medians[variant]["p99.9"] && medians.none["p99.9"]
      ? medians[variant]["p99.9"] / medians.none["p99.9"]
      : null;
  const rows = Object.entries(VARIANTS).map(([variant, { label }]) => {
    const m = medians[variant];
    return [
      label,
      fixed(m.requests, 0),
      fixed(m.names, 0),
      millis(m.p99),
      millis(m["p99.9"]),
      variant === "none" ? "1.00" : fixed(ratio(variant), 2),
      millis(m.max),
      `${m.overloadedRounds}/${m.rounds}`,
      fixed(m.cpuPercent, 0),
    ];
  });
  return {
    id: "csv-names",
    title: "Reports while measuring",
    users,
    durationS: ctx.durationS,
    target: target.kind,
    runs,
    medians,
    lines: [
      `Scenario csv-names: ${users} users at 100 requests/s each over 2,000 names, GET /hello on ${target.kind}, ` +
        `${ctx.durationS} s, with and without --csv, median of ${ctx.rounds} round(s)`,
      ...table(
        ["run", "requests", "names", "p99", "p99.9", "p99.9 ratio", "max", "overloaded", "CPU %"],
        rows,
      ),
    ],
  };
}
