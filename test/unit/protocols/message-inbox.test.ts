import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageInbox, type WaitReport } from "../../../src/shared/message-inbox.js";

function inbox(reports: WaitReport[], capacity?: number) {
  return new MessageInbox<string>({
    report: (r) => reports.push(r),
    sizeOf: (m) => m.length,
    defaultTimeoutSeconds: 1,
    ...(capacity === undefined ? {} : { capacity }),
  });
}

describe("MessageInbox", () => {
  it("keeps at most `capacity` messages while nobody waits, dropping the oldest", async () => {
    const reports: WaitReport[] = [];
    const box = inbox(reports, 3);
    for (const m of ["a", "b", "c", "d", "e"]) box.push(m);
    assert.equal(box.dropped, 2);
    assert.equal(await box.waitFor((m) => m === "a" || m === "c", { name: "w" }), "c");
    assert.equal(reports[0]!.responseTimeMs, 0, "already there at the call: no time waited");
  });

  it("a send discards earlier messages and starts the clock", async () => {
    const reports: WaitReport[] = [];
    const box = inbox(reports);
    box.push("old");
    box.markSent();
    const wait = box.waitFor((m) => m === "old", { name: "w", timeout: 0.05 });
    assert.equal(await wait, undefined);
    assert.match(String(reports[0]!.exception), /Timeout/);
  });

  it("one wait at a time; a throwing predicate rejects the call and reports nothing", async () => {
    const reports: WaitReport[] = [];
    const box = inbox(reports);
    const first = box.waitFor((m) => m === "x", { name: "first" });
    await assert.rejects(
      box.waitFor(() => true, { name: "second" }),
      /already has a wait in progress/,
    );
    box.push("x");
    assert.equal(await first, "x");
    const throwing = box.waitFor(
      () => {
        throw new SyntaxError("bad JSON");
      },
      { name: "throws" },
    );
    box.push("y");
    await assert.rejects(throwing, SyntaxError);
    await assert.rejects(
      box.waitFor(() => true, { name: "bad", timeout: 0 }),
      RangeError,
    );
    assert.deepEqual(
      reports.map((r) => r.name),
      ["first"],
    );
  });
});
