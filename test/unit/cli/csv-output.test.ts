// The live CSV rewrites must not distort what they measure: with 2,000 request names the
// tables cost 50-150 ms of CPU, which in one piece stalled every user that long each
// second. They are built a slice at a time and written with asynchronous I/O.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { CsvOutput } from "../../../src/cli/csv-output.js";
import { resolveOutputPaths } from "../../../src/cli/output-paths.js";
import { statsCsv } from "../../../src/reports/csv.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { RequestStats } from "../../../src/stats/index.js";

const NOW = 1_790_000_000_000;

/** 2,000 names with 20 s of varied response times each (histograms with many buckets). */
function manyNames(): RequestStats {
  const stats = new RequestStats({ nowMs: NOW - 20_000 });
  let x = 1;
  for (let second = 0; second < 20; second++) {
    for (let name = 0; name < 2000; name++) {
      for (let k = 0; k < 4; k++) {
        x = (x * 48271) % 2147483647; // deterministic spread of times
        stats.record("GET", `/item/${name}`, 1 + (x % 5000) / 100, 100, null, NOW - 20_000 + second * 1000);
      }
    }
  }
  return stats;
}

function csvPaths(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "cicada-csv-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return resolveOutputPaths({ csv: "run" } as never, dir, { users: 1, spawnRate: 1, runTimeMs: undefined })
    .csv!;
}

/**
 * The gaps between setImmediate callbacks while `work` runs: how long the event loop went
 * without turning each time. (On a busy shared machine a few gaps are long whatever the
 * code does: the process was not scheduled, or V8 collected garbage.)
 */
async function loopGaps(work: () => Promise<void>): Promise<number[]> {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const ping = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (running) setImmediate(ping);
  };
  setImmediate(ping);
  try {
    await work();
  } finally {
    running = false;
  }
  return gaps;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe("live CSV rewrites at 2,000 names", () => {
  for (const fullHistory of [false, true]) {
    it(`never block the event loop for long${fullHistory ? " (--csv-full-history)" : ""}, and write the same tables`, async (t) => {
      const stats = manyNames();
      const paths = csvPaths(t);
      const csv = new CsvOutput(paths, fullHistory, silentLogger);
      csv.start(new RequestStats({ nowMs: NOW }), 0, NOW); // the empty files, as a run begins
      const gaps = await loopGaps(async () => {
        csv.update(stats, 10, NOW);
        await csv.settled();
      });
      // In one piece (as before) the loop would not turn at all for 50-150 ms.
      const summary = `${gaps.length} turns, median gap ${median(gaps).toFixed(1)} ms`;
      assert.ok(gaps.length >= 10 && median(gaps) < 10, summary);
      assert.equal(readFileSync(paths.stats, "utf8"), statsCsv(stats.snapshot(NOW)));
      const history = readFileSync(paths.history, "utf8").trimEnd().split("\r\n");
      // The header, the start's Aggregated row, then the rows of this moment.
      assert.equal(history.length, 2 + (fullHistory ? 2001 : 1));
    });
  }

  it("a rewrite still in progress lets the next second pass instead of piling up", async (t) => {
    const stats = manyNames();
    const csv = new CsvOutput(csvPaths(t), false, silentLogger);
    csv.update(stats, 1, NOW);
    csv.update(stats, 1, NOW + 1000);
    await csv.settled();
    assert.equal(csv.skipped, 1);
  });
});

describe("the history files after the test", () => {
  it("a live row and the final write of the same moment make one row, not the same row twice (seen on a master)", async (t) => {
    const paths = csvPaths(t);
    const stats = new RequestStats({ nowMs: NOW });
    stats.iterations.setTargetRate(16);
    stats.iterations.countScheduled(3);
    for (let k = 0; k < 3; k++) stats.iterations.countStarted(NOW + k);
    stats.record("GET", "/", 5, 10, null, NOW);
    const csv = new CsvOutput(paths, false, silentLogger);
    csv.start(stats, 1, NOW);
    csv.update(stats, 0, NOW + 1000); // the master's tick after the users stopped
    await csv.settled();
    assert.ok(csv.write(stats, 0, NOW + 1000)); // the final write, in the same second
    const rowsOf = (path: string) => readFileSync(path, "utf8").trimEnd().split("\r\n").slice(1);
    const history = rowsOf(paths.history);
    const iterations = rowsOf(paths.iterations);
    assert.equal(history.length, 2, history.join("\n"));
    assert.equal(iterations.length, 2, iterations.join("\n"));
    assert.notEqual(iterations[0], iterations[1]);
    // A later moment is a new row, even with the same counts.
    csv.update(stats, 0, NOW + 2000);
    await csv.settled();
    assert.equal(rowsOf(paths.iterations).length, 3);
  });
});
