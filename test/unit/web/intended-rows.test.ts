/**
 * The statistics table's columns from the intended start: RowBuilder gives each row of an
 * arrival-rate test the median and the table's percentiles of its times from the intended
 * start (the same percentiles as the service times'), rounded like them, cached while the
 * row's counts stay the same; the live stream sends them only for rows that have them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatsEntry } from "../../../src/stats/index.js";
import { RowBuilder, sameRow, toWire } from "../../../src/web/rows.js";
import { fromWire } from "../../../web-ui/src/store.js";

const T0 = 1_700_000_000_000;

/**
 * An open-model row of 100 requests: the i-th took i × 10 µs to answer and waited 1 ms
 * for a free user before it, so 1.01 ms … 2 ms from its intended start. All values are
 * under 2,048 µs, where the HDR histogram (µs, 3 digits) is exact: the nearest-rank
 * percentile p of either list is its ⌈100 p⌉-th value.
 */
function openModelEntry(): StatsEntry {
  const entry = new StatsEntry("GET", "/cart", T0);
  for (let i = 1; i <= 100; i++) {
    const serviceMs = i / 100;
    entry.log(serviceMs, 10, T0 + i);
    entry.logIntended(serviceMs + 1);
  }
  return entry;
}

describe("RowBuilder: the table's times from the intended start", () => {
  it("gives the exact intended median and table percentiles beside the service times", () => {
    const row = new RowBuilder().row(openModelEntry(), T0 + 200);
    assert.equal(row.medianMs, 0.5);
    assert.deepEqual(row.percentilesMs, [0.95, 0.99]);
    assert.equal(row.intendedMedianMs, 1.5);
    assert.deepEqual(row.intendedPercentilesMs, [1.95, 1.99]);
  });

  it("uses the table's percentiles (--percentiles), whatever they are", () => {
    const row = new RowBuilder([0.9, 0.999, 1]).row(openModelEntry(), T0 + 200);
    assert.deepEqual(row.percentilesMs, [0.9, 1, 1]);
    assert.deepEqual(row.intendedPercentilesMs, [1.9, 2, 2]);
  });

  it("rounds them to 0.01 ms like the other times", () => {
    const entry = new StatsEntry("GET", "/slow", T0);
    entry.log(1234.5678, 0, T0);
    entry.logIntended(5432.1098);
    const row = new RowBuilder([0.99]).row(entry, T0);
    assert.equal(row.minMs, 1234.57);
    // One value: every percentile is it, exactly (clamped to the exact min and max), rounded.
    assert.equal(row.intendedMedianMs, 5432.11);
    assert.deepEqual(row.intendedPercentilesMs, [5432.11]);
  });

  it("leaves them out for a row without times from the intended start (a closed model)", () => {
    const entry = new StatsEntry("GET", "/closed", T0);
    entry.log(3, 10, T0);
    const row = new RowBuilder().row(entry, T0);
    assert.equal(row.medianMs, 3);
    assert.equal("intendedMedianMs" in row, false);
    assert.equal("intendedPercentilesMs" in row, false);
    const wire = toWire(row);
    assert.equal(wire.length, 12, "the stream sends no intended slot");
    assert.equal("intendedMedianMs" in fromWire(wire), false);
  });

  it("travels the stream as one trailing array, and the app reads it back", () => {
    const row = new RowBuilder().row(openModelEntry(), T0 + 200);
    const wire = toWire(row);
    assert.equal(wire.length, 13);
    assert.deepEqual(wire[12], [1.5, 1.95, 1.99]);
    const back = fromWire(JSON.parse(JSON.stringify(wire)));
    assert.equal(back.intendedMedianMs, 1.5);
    assert.deepEqual(back.intendedPercentilesMs, [1.95, 1.99]);
    assert.ok(sameRow(row, back));
  });

  it("computes them once while the row's counts stay the same, again when they change", () => {
    const entry = openModelEntry();
    // The 100th percentile is the exact largest value, which shows the last change below.
    const builder = new RowBuilder([0.99, 1]);
    const intended = entry.intended!;
    let computed = 0;
    const percentiles = intended.percentiles.bind(intended);
    intended.percentiles = (ps) => {
      computed++;
      return percentiles(ps);
    };
    const first = builder.row(entry, T0 + 200);
    assert.deepEqual(first.intendedPercentilesMs, [1.99, 2]);
    assert.equal(builder.row(entry, T0 + 300).intendedMedianMs, 1.5);
    assert.equal(computed, 1, "cached while nothing was recorded");

    // 100 more requests, each 2.04 ms from its intended start (exact in the histogram too).
    for (let i = 1; i <= 100; i++) {
      entry.log(1, 10, T0 + 400);
      entry.logIntended(2.04);
    }
    const second = builder.row(entry, T0 + 400);
    assert.equal(computed, 2);
    assert.equal(second.intendedMedianMs, 2);
    assert.deepEqual(second.intendedPercentilesMs, [2.04, 2.04]);
    assert.equal(sameRow(first, second), false, "a changed row is sent again");

    // A time from the intended start alone (the request count unchanged) refreshes it too.
    entry.logIntended(5000);
    assert.deepEqual(builder.row(entry, T0 + 500).intendedPercentilesMs, [2.04, 5000]);
    assert.equal(computed, 3);
  });
});
