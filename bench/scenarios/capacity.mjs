// The capacity search (issue 14) against a target of known capacity: the real CLI
// (`--find-capacity`) pinned to the generator core, bench/targets/capacity-server.mjs (K
// slots of S ms behind a turnstile) pinned to the target core, a fresh target per search.
//
//   closed  users without waits, SLO p95 < T: the answer must be K·T/S users (±10 %)
//   open    the arrival rate, SLO p95 < T: the answer must be K/S iterations/s (±10 %)
//
// Each round runs both; the rounds must agree within ±10 % of each other. The truth is
// computed by trueCapacity() (the reasoning is at the top of capacity-server.mjs).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, fixed, signedPercent, table } from "../lib/format.mjs";
import { runPinned } from "../lib/processes.mjs";
import { startPinnedTarget } from "../lib/targets.mjs";
import { trueCapacity } from "../targets/capacity-server.mjs";

/** The known-capacity target pinned to the target core; resolves when it listens. */
function startTarget(ctx, slots, serviceMs) {
  const args = ["--slots", String(slots), "--service-ms", String(serviceMs)];
  return startPinnedTarget({ root: ctx.root, core: ctx.cores.target, script: "capacity-server.mjs", args });
}

/** One search through the real CLI; its JSON report's `capacity`, or an error. */
async function search(ctx, plan, model) {
  const target = await startTarget(ctx, plan.slots, plan.serviceMs);
  const dir = mkdtempSync(join(tmpdir(), "cicada-bench-capacity-"));
  try {
    const args = [
      join(ctx.root, "bin", "cicada.js"),
      "-f",
      join(ctx.root, "bench", "locustfiles", "capacity.ts"),
      "--headless",
      "-H",
      target.origin,
      "--find-capacity",
      `--slo=p95<${plan.sloMs}ms`,
      "--capacity-model",
      model,
      "--capacity-start",
      String(plan.start[model]),
      "--capacity-hold",
      plan.hold,
      "--capacity-max",
      String(plan.max[model]),
      "--only-summary",
      "--loglevel",
      "WARNING",
      "--json-file",
      join(dir, "report"),
    ];
    const result = await runPinned({
      command: process.execPath,
      args,
      core: ctx.cores.generator,
      cwd: dir,
      timeoutMs: plan.timeoutS * 1000,
    });
    const file = join(dir, "report.json");
    if (!existsSync(file))
      return { error: `no JSON report (exit ${result.code}): ${result.stderr.slice(-1500)}` };
    const capacity = JSON.parse(readFileSync(file, "utf8")).capacity;
    return {
      exitCode: result.code,
      outcome: capacity.outcome,
      capacity: capacity.capacity,
      rps: capacity.best?.rps ?? null,
      p95: capacity.best?.p95Ms ?? null,
      breaking: capacity.breaking?.load ?? null,
      steps: capacity.steps.length,
      searchS: (capacity.endTimeMs - capacity.startTimeMs) / 1000,
      cpuPercent: result.cpuPercent,
      headline: capacity.headline,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.stop();
  }
}

export async function capacity(ctx) {
  const plan = ctx.smoke
    ? {
        slots: 10,
        serviceMs: 50,
        sloMs: 150,
        hold: "0.5s:1s",
        start: { users: 5 },
        max: { users: 10 },
        timeoutS: 60,
      }
    : {
        slots: 50,
        serviceMs: 100,
        sloMs: 300,
        hold: "3s:10s",
        start: { users: 20, "arrival-rate": 50 },
        max: { users: 10_000, "arrival-rate": 100_000 },
        timeoutS: 600,
      };
  // A smoke run only checks that the scenario works: one short search that reaches its bound.
  const models = ctx.smoke ? ["users"] : ["users", "arrival-rate"];
  const truth = Object.fromEntries(
    models.map((model) => [
      model,
      trueCapacity({ model, slots: plan.slots, serviceMs: plan.serviceMs, p95LimitMs: plan.sloMs }),
    ]),
  );
  const rounds = [];
  for (let round = 0; round < ctx.rounds; round++) {
    const entry = { round: round + 1 };
    for (const model of models) {
      ctx.log(
        `  capacity: round ${round + 1}/${ctx.rounds}, --capacity-model ${model} (truth ${truth[model].load})`,
      );
      const found = await search(ctx, plan, model);
      if (found.error) ctx.log(`    failed: ${found.error.split("\n")[0]}`);
      else ctx.log(`    ${found.headline}`);
      entry[model] = {
        ...found,
        errorPercent: found.capacity
          ? ((found.capacity - truth[model].load) / truth[model].load) * 100
          : null,
      };
    }
    rounds.push(entry);
    await ctx.pause();
  }
  const rows = [];
  const summary = {};
  for (const model of models) {
    const answers = rounds.map((r) => r[model]?.capacity).filter((v) => typeof v === "number");
    const low = Math.min(...answers);
    const high = Math.max(...answers);
    const spreadPercent = answers.length > 1 ? ((high - low) / low) * 100 : 0;
    const worstError = Math.max(
      ...rounds.map((r) => Math.abs(r[model]?.errorPercent ?? Number.POSITIVE_INFINITY)),
    );
    summary[model] = { truth: truth[model], answers, spreadPercent, worstErrorPercent: worstError };
    for (const r of rounds) {
      const f = r[model];
      rows.push([
        `${model === "users" ? "closed (users)" : "open (iterations/s)"}, round ${r.round}`,
        fixed(truth[model].load, 0),
        f.error ? "failed" : count(f.capacity),
        signedPercent(f.errorPercent, 1),
        count(f.rps),
        fixed(f.p95, 0),
        count(f.steps),
        fixed(f.searchS, 0),
        f.outcome ?? "–",
      ]);
    }
  }
  const met = (ok) => (ok ? "met" : "NOT met");
  return {
    id: "capacity",
    title: "Capacity search against a target of known capacity",
    plan,
    truth,
    rounds,
    summary,
    lines: [
      `Capacity search: --find-capacity --slo 'p95<${plan.sloMs}ms' --capacity-hold ${plan.hold} against a target of ` +
        `${plan.slots} slots × ${plan.serviceMs} ms (a turnstile: ${fixed((plan.slots * 1000) / plan.serviceMs, 0)} req/s at most)`,
      ...table(
        ["search", "truth", "found", "error", "req/s", "p95 ms", "steps", "search s", "outcome"],
        rows,
      ),
      "",
      ...(ctx.smoke ? ["  smoke run: one short search up to its bound (no accuracy verdict)"] : []),
      ...(ctx.smoke ? [] : models).map(
        (model) =>
          `  ${model}: every round within ±10 % of the truth: ${met(summary[model].worstErrorPercent <= 10)}; ` +
          `rounds within ±10 % of each other: ${met(summary[model].spreadPercent <= 10)} (spread ${fixed(summary[model].spreadPercent, 1)} %)`,
      ),
    ],
  };
}
