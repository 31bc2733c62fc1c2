import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fetchText, ScrapeFailure } from "../../../src/monitor/fetch-text.js";

describe("fetchText", { timeout: 10_000 }, () => {
  it("says that Node's fetch refuses a port browsers block (10080), not a bare 'bad port'", async () => {
    // fetch refuses before connecting: nothing listens or needs to.
    await assert.rejects(
      fetchText("http://127.0.0.1:10080/metrics", {
        signal: AbortSignal.timeout(5000),
        accept: "text/plain",
        abortMessage: "no answer",
      }),
      (error: unknown) =>
        error instanceof ScrapeFailure &&
        error.kind === "unreachable" &&
        /Node's fetch refuses to connect to this port .*run the exporter on another port/.test(error.message),
    );
  });
});
