// Scenario 5 (start-up): the time from starting the command to the first request the
// target receives, for Cicada with a TypeScript locustfile (bundled by esbuild at start)
// and, for comparison, Locust with its Python locustfile.
import { fixed, table } from "../lib/format.mjs";
import { generators } from "../lib/generators.mjs";
import { measure, median, roundOrder } from "../lib/measure.mjs";
import { startLatencyServer } from "../lib/targets.mjs";

const RUN_S = 2;

export async function startup(ctx) {
  const tools = ctx.tools.filter((tool) => tool === "cicada" || tool === "locust");
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const tool of roundOrder(tools, round)) {
      ctx.log(`  startup: round ${round + 1}/${ctx.rounds}, ${generators[tool].label}`);
      const server = await startLatencyServer({ root: ctx.root, core: ctx.cores.target });
      let run;
      let record;
      try {
        const spec = { origin: server.origin, path: "/hello", users: 1, durationS: RUN_S, root: ctx.root };
        run = await measure(tool, spec, ctx.cores.generator);
        record = await server.record();
      } finally {
        await server.stop();
      }
      const firstRequestMs =
        record.firstRequestEpochMs === null ? null : record.firstRequestEpochMs - run.startedAtEpochMs;
      runs.push({ round: round + 1, tool, firstRequestMs, error: run.error });
      await ctx.pause();
    }
  }
  const summary = Object.fromEntries(
    tools.map((tool) => [
      tool,
      { firstRequestMs: median(runs.filter((r) => r.tool === tool).map((r) => r.firstRequestMs)) },
    ]),
  );
  const cicada = summary.cicada?.firstRequestMs ?? null;
  return {
    id: "startup",
    title: "Start-up",
    runs,
    medians: summary,
    targets: { firstRequestMs: 1000 },
    lines: [
      `Scenario 5, start-up: time from the command to the first request at the target, median of ${ctx.rounds} round(s)`,
      ...table(
        ["tool", "first request after (ms)"],
        tools.map((tool) => [generators[tool].label, fixed(summary[tool].firstRequestMs, 0)]),
      ),
      "",
      `  Cicada (TypeScript locustfile): ${fixed(cicada, 0)} ms ` +
        `(target ≤ 1000 ms: ${cicada !== null && cicada <= 1000 ? "met" : "NOT met"})`,
    ],
  };
}
