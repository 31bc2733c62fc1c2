import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEAP_GROWING_PERCENT, heapGrowingFlag } from "../../../src/cli/heap-tuning.js";

describe("heapGrowingFlag", () => {
  const ours = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

  it("sets a fixed growing factor when node was given none", () => {
    assert.equal(heapGrowingFlag([]), ours);
    assert.equal(heapGrowingFlag(["--enable-source-maps", "--max-semi-space-size=64"]), ours);
  });

  it("leaves node's own setting alone, in either spelling", () => {
    assert.equal(heapGrowingFlag(["--heap-growing-percent=0"]), undefined);
    assert.equal(heapGrowingFlag(["--heap_growing_percent=50"]), undefined);
    assert.equal(heapGrowingFlag(["--heap-growing-percent", "50"]), undefined);
  });

  it("is not fooled by other flags that start alike", () => {
    assert.equal(heapGrowingFlag(["--heap-growing-percentage-x=1"]), ours);
  });
});
