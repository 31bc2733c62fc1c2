// The client's timeouts: long ones last as long as they say (no setTimeout overflow), a
// stalled body is noticed after about one networkTimeout (not two), and a body that
// trickles in forever ends at the response deadline.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { recordingSession, startServer, type TestServer } from "./helpers.js";

const DAYS_30_S = 30 * 24 * 3600;

/** Counts Node's TimeoutOverflowWarning (a delay setTimeout cut to 1 ms) while a test runs. */
function overflowWarnings(t: { after(fn: () => void): void }): () => number {
  let count = 0;
  const listener = (warning: Error) => {
    if (warning.name === "TimeoutOverflowWarning") count++;
  };
  process.on("warning", listener);
  t.after(() => process.off("warning", listener));
  return () => count;
}

/** Sends the head and `firstBytes` of a 1000-byte body, then `drip` (ms between bytes; 0: stalls). */
function partialBody(res: ServerResponse, drip = 0): void {
  res.writeHead(200, { "content-length": "1000" });
  res.write("x".repeat(10));
  if (drip === 0) return;
  const timer = setInterval(() => res.write("x"), drip);
  res.on("close", () => clearInterval(timer));
}

describe("HTTP timeouts", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === "/slow") setTimeout(() => res.end("late"), 80);
      else if (req.url === "/stall") partialBody(res);
      else if (req.url === "/drip") partialBody(res, 40);
      else res.end("ok");
    });
  });
  after(() => server.close());

  it("30-day timeout, connectionTimeout and networkTimeout: a reply after 80 ms is a success", async (t) => {
    const warnings = overflowWarnings(t);
    const { session, events } = recordingSession({
      baseUrl: server.url,
      connectionTimeoutMs: DAYS_30_S * 1000,
      networkTimeoutMs: DAYS_30_S * 1000,
      responseTimeoutMs: DAYS_30_S * 1000,
    });
    t.after(() => session.close());
    const response = await session.get("/slow", { timeout: DAYS_30_S });
    assert.equal(response.error, null, String(response.error));
    assert.equal(events[0]?.exception ?? null, null);
    assert.equal(warnings(), 0, "no timer was cut to 1 ms");
  });

  it("a stalled body fails after about one networkTimeout, as its message says", async (t) => {
    const { session } = recordingSession({ baseUrl: server.url, networkTimeoutMs: 400 });
    t.after(() => session.close());
    const started = performance.now();
    const response = await session.get("/stall");
    const took = performance.now() - started;
    assert.match(String(response.error), /no response body data for 400 ms/);
    assert.ok(took >= 400 && took < 400 * 1.35, `noticed after ${Math.round(took)} ms`);
  });

  it("a body that drips a byte every 40 ms ends at the response deadline; 300 s by default", async (t) => {
    const { session } = recordingSession({
      baseUrl: server.url,
      networkTimeoutMs: 200,
      responseTimeoutMs: 500,
    });
    t.after(() => session.close());
    const started = performance.now();
    const response = await session.get("/drip");
    const took = performance.now() - started;
    assert.equal(response.status, 0);
    assert.match(String(response.error), /Timeout: the response did not end within 500 ms/);
    assert.ok(took >= 500 && took < 700, `ended after ${Math.round(took)} ms`);
    assert.equal(recordingSession().session.limits.responseTimeoutMs, 300_000);
  });
});
