/**
 * Lets the benchmark read a Cicada run's exact figures. When CICADA_BENCH_REPORT names a
 * file, the run's Aggregated statistics (count, rate, exact percentiles in ms) are written
 * there as JSON when Cicada quits. The console table rounds to whole milliseconds above
 * 100 ms, too coarse to check accuracy to 0.1 %; the JSON report of issue #3 will replace this.
 */
import { writeFileSync } from "node:fs";
import { events } from "cicada";

interface AggregatedStats {
  readonly numRequests: number;
  readonly numFailures: number;
  totalRps(nowMs?: number): number;
  percentiles(ps: readonly number[]): Array<number | null>;
}

/** Registers the quitting hook (a no-op unless CICADA_BENCH_REPORT is set). */
export function writeBenchReport(): void {
  const file = process.env.CICADA_BENCH_REPORT;
  if (!file) return;
  events.quitting.addListener(({ environment }) => {
    const total = (environment as unknown as { stats: { total: AggregatedStats } }).stats.total;
    const [p50, p95, p99] = total.percentiles([0.5, 0.95, 0.99]);
    const report = { numRequests: total.numRequests, numFailures: total.numFailures, rps: total.totalRps() };
    writeFileSync(file, JSON.stringify({ ...report, p50, p95, p99 }));
  });
}
