// Scenario 3 (accuracy): each tool against a fresh recording target whose latency
// follows a known log-normal distribution; each tool's p50/p95/p99 is compared with the
// target's own record of the same run (the service times it measured itself).
import { fixed, millis, signedPercent, table } from "../lib/format.mjs";
import { generators } from "../lib/generators.mjs";
import { measure, median, roundOrder } from "../lib/measure.mjs";
import { startLatencyServer } from "../lib/targets.mjs";

const PERCENTILES = ["p50", "p95", "p99"];

/** Signed relative error of `value` against `truth`, in %. */
const errorPercent = (value, truth) =>
  value === null || value === undefined || !truth ? null : ((value - truth) / truth) * 100;

export async function accuracy(ctx) {
  const users = ctx.smoke ? 10 : 50;
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const tool of roundOrder(ctx.tools, round)) {
      ctx.log(`  accuracy: round ${round + 1}/${ctx.rounds}, ${generators[tool].label}`);
      const server = await startLatencyServer({ root: ctx.root, core: ctx.cores.target });
      let run;
      let record;
      try {
        const spec = {
          origin: server.origin,
          path: "/latency",
          users,
          durationS: ctx.durationS,
          root: ctx.root,
        };
        run = await measure(tool, spec, ctx.cores.generator);
        record = await server.record();
      } finally {
        await server.stop();
      }
      const truth = { p50: record.p50Us / 1000, p95: record.p95Us / 1000, p99: record.p99Us / 1000 };
      const errors = Object.fromEntries(PERCENTILES.map((p) => [p, errorPercent(run[p], truth[p])]));
      runs.push({ round: round + 1, ...run, target: { count: record.count, ...truth }, errors });
      if (run.error) ctx.log(`    failed: ${run.error.split("\n")[0]}`);
      await ctx.pause();
    }
  }

  const summary = {};
  for (const tool of ctx.tools) {
    const ok = runs.filter((r) => r.tool === tool && !r.error);
    const row = { rounds: ok.length, cpuPercent: median(ok.map((r) => r.cpuPercent)) };
    for (const p of PERCENTILES) {
      row[p] = median(ok.map((r) => r[p]));
      row[`target_${p}`] = median(ok.map((r) => r.target[p]));
      row[`error_${p}`] = median(ok.map((r) => r.errors[p]));
    }
    summary[tool] = row;
  }
  const cicada = summary.cicada;
  const worst = cicada
    ? Math.max(...PERCENTILES.map((p) => Math.abs(cicada[`error_${p}`] ?? Infinity)))
    : null;
  const rows = ctx.tools.map((tool) => {
    const s = summary[tool];
    return [
      generators[tool].label,
      ...PERCENTILES.flatMap((p) => [
        `${millis(s[p])} / ${millis(s[`target_${p}`])}`,
        signedPercent(s[`error_${p}`], 2),
      ]),
      fixed(s.cpuPercent, 0),
    ];
  });
  const header = [
    "tool",
    "p50 tool/target ms",
    "error",
    "p95 tool/target",
    "error",
    "p99 tool/target",
    "error",
    "CPU %",
  ];
  return {
    id: "accuracy",
    title: "Accuracy",
    users,
    durationS: ctx.durationS,
    distribution: "log-normal, median 100 ms, sigma 0.5 (p95 ≈ 228 ms, p99 ≈ 320 ms), seed 42",
    runs,
    medians: summary,
    targets: { maxAbsErrorPercent: 0.1 },
    lines: [
      `Scenario 3, accuracy: ${users} users/connections, GET /latency (log-normal, median 100 ms) on a ` +
        `recording node:http target, ${ctx.durationS} s, median of ${ctx.rounds} round(s)`,
      ...table(header, rows),
      "",
      `  Cicada's largest error: ${worst === null ? "–" : `${worst.toFixed(3)} %`} ` +
        `(target ≤ 0.1 %: ${worst !== null && worst <= 0.1 ? "met" : "NOT met"}); ` +
        "autocannon does not report p95",
    ],
  };
}
