/**
 * What one /metrics scrape and one remote-write push cost with N request names
 * (docs/metrics.md, "What a scrape or a push costs"), beside one stats snapshot (the web
 * UI's and the reports' input) as the peer. In-process, no network.
 *
 *   node --import tsx bench/metrics-export-cost.ts [names=2000]
 */
import { MetricsCollector, renderExposition } from "../src/metrics/index.js";
import { encodeWriteRequest } from "../src/metrics/remote-write.js";
import { Environment, LocalRunner } from "../src/runner/index.js";
import { Logger } from "../src/shared/logger.js";
import { constant, task, User } from "../src/user/index.js";

class Idle extends User {
  override waitTime = constant(1);
  @task idle() {}
}

const names = Number(process.argv[2] ?? 2000);
const environment = new Environment({ userClasses: [Idle], logger: new Logger(() => {}, "ERROR") });
const runner = new LocalRunner(environment);
const collector = new MetricsCollector({
  runner,
  distributed: false,
  version: "bench",
  logger: environment.logger,
});

/** 500 more responses (1 to 900 ms) for every name, so every row changed since the last round. */
function record(): void {
  const now = Date.now();
  for (let n = 0; n < names; n++) {
    for (let i = 0; i < 500; i++)
      environment.stats.record("GET", `/n/${n}`, 1 + ((i * 37) % 900), 100, null, now);
  }
}

async function time(label: string, run: () => Promise<number>, changeFirst: boolean): Promise<void> {
  const rounds = 5;
  let ms = 0;
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    if (changeFirst) record();
    const started = performance.now();
    bytes = await run();
    ms += performance.now() - started;
  }
  console.log(
    `${label.padEnd(44)} ${(ms / rounds).toFixed(1).padStart(7)} ms ${(bytes / 1024).toFixed(0).padStart(6)} KB`,
  );
}

record();
await renderExposition(collector.collect(), true); // loads prom-client
console.log(`${names} names, ${process.execArgv.join(" ")}`);
await time("collect (every row changed)", async () => collector.collect().length, true);
await time("collect (no row changed)", async () => collector.collect().length, false);
await time(
  "collect + OpenMetrics text",
  async () => (await renderExposition(collector.collect(), true)).body.length,
  true,
);
await time(
  "collect + remote-write body",
  async () => (await encodeWriteRequest(collector.collect(), Date.now(), { job: "cicada" })).byteLength,
  true,
);
await time(
  "peer: stats snapshot",
  async () => JSON.stringify(environment.stats.snapshot(Date.now())).length,
  true,
);
await runner.quitAndWait();
