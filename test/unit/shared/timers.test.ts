import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LongTimeout, MAX_TIMER_DELAY_MS, startTimer, stopTimer } from "../../../src/shared/timers.js";
import { parseTimespan } from "../../../src/shared/timespan.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("timers for any duration", () => {
  it("a delay beyond setTimeout's 2^31-1 ms does not fire after 1 ms (Node's overflow)", async () => {
    let fired = 0;
    const timers = [MAX_TIMER_DELAY_MS + 1, 600 * 3600 * 1000, Number.MAX_SAFE_INTEGER].map((ms) =>
      startTimer(() => fired++, ms),
    );
    await sleep(50);
    for (const timer of timers) stopTimer(timer);
    assert.equal(fired, 0);
  });

  it("chains native timers until the whole delay has passed, then fires once", async () => {
    const started = performance.now();
    let firedAfter = -1;
    const done = new Promise<void>((resolve) => {
      new LongTimeout(
        () => {
          firedAfter = performance.now() - started;
          resolve();
        },
        90,
        20, // native timers of at most 20 ms: five links
      );
    });
    await done;
    assert.ok(firedAfter >= 89, `fired after ${firedAfter} ms`);
  });

  it("delays that fit are plain timers with their arguments; both kinds can be cancelled", async () => {
    const seen: string[] = [];
    startTimer((a: string, b: number) => seen.push(`${a}${b}`), 1, "x", 1);
    const cancelled = startTimer(() => seen.push("cancelled"), 5);
    const cancelledLong = new LongTimeout(() => seen.push("cancelled long"), 30, 10);
    stopTimer(cancelled);
    stopTimer(cancelledLong);
    await sleep(60);
    assert.deepEqual(seen, ["x1"]);
  });

  it("time spans: long ones are numbers, absurd digit strings are not time spans", () => {
    assert.equal(parseTimespan("600h"), 600 * 3600 * 1000);
    assert.equal(parseTimespan("9".repeat(400)), undefined);
    assert.equal(parseTimespan(`${"9".repeat(400)}h`), undefined);
    assert.equal(parseTimespan("500ms"), 500);
    assert.equal(parseTimespan("1.5ms"), 2);
    assert.equal(parseTimespan("5m30ms"), undefined, "ms alone, not mixed");
  });
});
