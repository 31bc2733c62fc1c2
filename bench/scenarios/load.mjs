// Scenarios 1 (throughput) and 2 (many users): every generator against the same
// nginx, same path, users/connections and duration, several interleaved rounds.
import { count, fixed, millis, ratioVerdict, table } from "../lib/format.mjs";
import { generators } from "../lib/generators.mjs";
import { measure, medians, roundOrder } from "../lib/measure.mjs";
import { startStaticTarget } from "../lib/targets.mjs";

const FIELDS = [
  "rps",
  "requests",
  "failures",
  "cpuPercent",
  "cpuUsPerRequest",
  "peakRssMb",
  "p50",
  "p95",
  "p99",
  "wallS",
];

/**
 * Runs one load scenario against the static target, the tools interleaved round by round;
 * returns its data (the lines to print are the caller's). With `http2`, the target's
 * cleartext HTTP/2 port and the generators' HTTP/2 mode.
 */
export async function runLoad(
  ctx,
  { id, title, path, users, tools = ctx.tools, http2 = false, fields = FIELDS },
) {
  const target = await startStaticTarget({ root: ctx.root, core: ctx.cores.target, useNginx: ctx.has.nginx });
  const runs = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const tool of roundOrder(tools, round)) {
        ctx.log(`  ${id}: round ${round + 1}/${ctx.rounds}, ${generators[tool].label}`);
        const spec = {
          origin: http2 ? target.h2Origin : target.origin,
          path,
          users,
          durationS: ctx.durationS,
          root: ctx.root,
          baseline: ctx.baseline,
          http2,
        };
        const run = await measure(tool, spec, ctx.cores.generator);
        runs.push({ round: round + 1, ...run });
        if (run.error) ctx.log(`    failed: ${run.error.split("\n")[0]}`);
        await ctx.pause();
      }
    }
  } finally {
    await target.stop();
  }
  return {
    id,
    title,
    target: target.kind,
    path,
    users,
    durationS: ctx.durationS,
    runs,
    medians: medians(runs, fields),
  };
}

/** A table row per tool: label, req/s, CPU %, CPU µs/req, peak RSS, p50, p99, failures, then `extra(medians)`. */
export function toolRows(result, tools, extra) {
  return tools.map((tool) => {
    const m = result.medians[tool] ?? {};
    const failed = m.failedRounds ? ` (${m.failedRounds} failed)` : "";
    return [
      `${generators[tool].label}${failed}`,
      count(m.rps),
      fixed(m.cpuPercent, 0),
      fixed(m.cpuUsPerRequest, 1),
      fixed(m.peakRssMb, 0),
      millis(m.p50),
      millis(m.p99),
      count(m.failures),
      ...extra(m),
    ];
  });
}

const ratio = (a, b) => (a && b ? a / b : null);

/** Scenario 1: 50 users, no wait, GET /hello. */
export async function throughput(ctx) {
  const users = ctx.smoke ? 10 : 50;
  const result = await runLoad(ctx, { id: "throughput", title: "Throughput", path: "/hello", users });
  const rps = (tool) => result.medians[tool]?.rps ?? null;
  result.ratios = {
    cicadaOverWrk: ratio(rps("cicada"), rps("wrk")),
    cicadaOverAutocannon: ratio(rps("cicada"), rps("autocannon")),
    cicadaOverLocust: ratio(rps("cicada"), rps("locust")),
  };
  result.targets = { cicadaOverWrk: 0.5, cicadaOverAutocannon: 1.2, cicadaOverLocust: 10 };
  const header = ["tool", "req/s", "CPU %", "CPU µs/req", "peak RSS MB", "p50 ms", "p99 ms", "failures"];
  result.lines = [
    `Scenario 1, throughput: ${users} users/connections, GET /hello on ${result.target}, ` +
      `${ctx.durationS} s, median of ${ctx.rounds} round(s)`,
    ...table(
      header,
      toolRows(result, ctx.tools, () => []),
    ),
    "",
    `  Cicada / wrk:        ${ratioVerdict(result.ratios.cicadaOverWrk, 0.5)}`,
    `  Cicada / autocannon: ${ratioVerdict(result.ratios.cicadaOverAutocannon, 1.2)}`,
    `  Cicada / Locust:     ${ratioVerdict(result.ratios.cicadaOverLocust, 10)}`,
  ];
  return result;
}

/** Scenario 2: 10,000 users against the 50 ms target. */
export async function manyUsers(ctx) {
  const users = ctx.smoke ? 200 : ctx.manyUsers;
  const result = await runLoad(ctx, { id: "many-users", title: "Many users", path: "/sleep50", users });
  for (const m of Object.values(result.medians)) {
    m.kbPerUser = m.peakRssMb === null ? null : (m.peakRssMb * 1024) / users;
  }
  const cicada = result.medians.cicada;
  result.ratios = { cicadaOverWrk: ratio(cicada?.rps, result.medians.wrk?.rps) };
  result.targets = { cicadaOverWrk: 0.5, kbPerUser: 30, failures: 0 };
  const header = [
    "tool",
    "req/s",
    "CPU %",
    "CPU µs/req",
    "peak RSS MB",
    "p50 ms",
    "p99 ms",
    "failures",
    "KB/user",
  ];
  const memoryOk = cicada?.kbPerUser !== null && cicada?.kbPerUser <= 30;
  result.lines = [
    `Scenario 2, many users: ${count(users)} users/connections, GET /sleep50 (answered after 50 ms) on ` +
      `${result.target}, ${ctx.durationS} s, median of ${ctx.rounds} round(s)`,
    ...table(
      header,
      toolRows(result, ctx.tools, (m) => [fixed(m.kbPerUser, 1)]),
    ),
    "",
    `  Cicada / wrk:        ${ratioVerdict(result.ratios.cicadaOverWrk, 0.5)}`,
    `  Cicada memory:       ${fixed(cicada?.kbPerUser, 1)} KB per user, peak RSS / users ` +
      `(target ≤ 30 KB: ${memoryOk ? "met" : "NOT met"})`,
    `  Cicada failures:     ${count(cicada?.failures)} (target 0: ${cicada?.failures === 0 ? "met" : "NOT met"})`,
  ];
  return result;
}
