import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTargetValue } from "../../../web-ui/src/format.js";

describe("formatTargetValue (the Target tab's legends and y axes)", { timeout: 10_000 }, () => {
  it("keeps a byte rate to 3 significant digits, so '400 MB/s' fits the chart's fixed-width y axis", () => {
    assert.equal(formatTargetValue(400_000_000, "B/s"), "400 MB/s");
    assert.equal(formatTargetValue(20_500_000, "B/s"), "20.5 MB/s");
    assert.equal(formatTargetValue(999, "B/s"), "999 B/s");
    assert.equal(formatTargetValue(1_500, "B/s"), "1.5 kB/s");
    assert.equal(formatTargetValue(2.5e12, "B/s"), "2500 GB/s");
  });

  it("other units: a thousands separator, one decimal below 100", () => {
    assert.equal(formatTargetValue(1520, ""), "1,520");
    assert.equal(formatTargetValue(96.44, "%"), "96.4 %");
    assert.equal(formatTargetValue(123.4, "ms"), "123 ms");
  });
});
