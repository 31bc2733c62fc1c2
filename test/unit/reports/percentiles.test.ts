import assert from "node:assert/strict";
import { it } from "node:test";
import { formatPercentileTable } from "../../../src/reports/console.js";
import { statsCsv, statsHistoryCsvHeader } from "../../../src/reports/csv.js";
import { percentilesSection } from "../../../src/reports/html-sections.js";
import { RequestStats } from "../../../src/stats/index.js";

function statsWithTimes(): RequestStats {
  const stats = new RequestStats({ nowMs: 0 });
  // 1..1000 ms: percentile p is p·1000 ms (within the histogram's 0.1 %).
  for (let ms = 1; ms <= 1000; ms++) stats.record("GET", "/a", ms, 10, null, 1000);
  return stats;
}

it("--percentiles sets the console's percentile table and the CSV columns; the JSON report keeps Locust's keys", () => {
  const stats = statsWithTimes();
  stats.setPercentiles([0.5, 0.9, 0.99, 0.999]);
  const snapshot = stats.snapshot(2000);
  const table = formatPercentileTable(snapshot);
  assert.match(table[1]!, /^Type\s+Name\s+50%\s+90%\s+99%\s+99\.9%\s+# reqs$/);
  const aRow = table
    .find((line) => line.includes("/a"))!
    .trim()
    .split(/\s+/);
  assert.deepEqual(aRow.slice(2, 6).map(Number), [500, 900, 990, 999]);
  const csv = statsCsv(snapshot).split("\r\n");
  assert.ok(csv[0]!.endsWith("Failures/s,50%,90%,99%,99.9%"), csv[0]);
  assert.ok(csv[1]!.endsWith(",500,900,990,999"), csv[1]);
  assert.match(
    statsHistoryCsvHeader(stats.reportedPercentiles),
    /Failures\/s,50%,90%,99%,99\.9%,Total Request Count/,
  );
  assert.match(percentilesSection(snapshot), /<th>50%<\/th><th>90%<\/th><th>99%<\/th><th>99\.9%<\/th><\/tr>/);
  // The JSON report reads Locust's list from the snapshot: still there.
  const kept = new Map(snapshot.entries[0]!.percentiles);
  assert.ok(Math.abs(kept.get(0.66)! - 660) < 1, String(kept.get(0.66)));
  assert.equal(kept.get(0.9999), 1000);
});

it("without --percentiles the tables show Locust's eleven, 50% to 100%", () => {
  const snapshot = statsWithTimes().snapshot(2000);
  assert.match(
    formatPercentileTable(snapshot)[1]!,
    /50%\s+66%\s+75%\s+80%\s+90%\s+95%\s+98%\s+99%\s+99\.9%\s+99\.99%\s+100%/,
  );
});
