import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { parseOptions } from "../../../src/cli/options.js";

function help(): string {
  const { printed } = parseOptions({ argv: ["--help"], env: {}, cwd: tmpdir() }, "0.0.0");
  assert.ok(printed);
  // Commander wraps long descriptions: join the continuation lines into one line per option.
  return printed.replace(/\n {20,}/g, " ");
}

describe("--help", () => {
  it("shows an option's default when its description does not already say it", () => {
    const text = help();
    assert.match(text, /--monitor-interval <time> +How often to scrape[^\n]*\(default 1s\)/);
    assert.match(text, /--loglevel <level>[^\n]*\(default INFO\)/);
    // Said once, not twice, where the description has its own wording of the default.
    const maxQueue = text.split("\n").find((line) => line.includes("--max-queue-time"));
    assert.equal(maxQueue?.match(/default/g)?.length, 1, maxQueue);
  });

  it("names every file --csv may write", () => {
    const csv = help()
      .split("\n")
      .find((line) => line.includes("--csv <prefix>"));
    for (const suffix of [
      "_stats",
      "_stats_history",
      "_failures",
      "_exceptions",
      "_iterations",
      "_monitor",
      "_checks",
      "_metrics",
    ])
      assert.ok(csv?.includes(`PREFIX${suffix}.csv`), `${suffix} in ${csv}`);
  });
});
