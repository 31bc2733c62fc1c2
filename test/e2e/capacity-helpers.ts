/** What the capacity search's end-to-end tests share: the locustfile, the target's shape, reading the answer. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertJsonReport, type JsonReport } from "../../src/reports/index.js";

/** Users without waits: each one has a request in flight all the time (Little's law with no think time). */
export const CAPACITY_LOCUSTFILE = `import { HttpUser, task, constant } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0);
  @task async home() { await this.client.get("/"); }
}
`;

/** The target of known capacity (bench/targets/capacity-server.mjs): K slots of S ms, so K/S = 200 req/s. */
export const SLOTS = 20;
export const SERVICE_MS = 100;
/** The SLO p95 < T: met up to K·T/S = 50 users, or 200 iterations/s. */
export const SLO_MS = 250;

/** The JSON report `${name}.json` in `dir`, checked against the schema. */
export function jsonReport(dir: string, name: string): JsonReport {
  const parsed: unknown = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
  assertJsonReport(parsed);
  return parsed;
}

/** `value` is a number within ±share of `truth`. */
export const within = (value: number | null | undefined, truth: number, share: number) =>
  typeof value === "number" && Math.abs(value - truth) <= share * truth;
