import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import snappy from "snappyjs";
import { counter } from "../../../src/metrics/families.js";
import { PushLoop, type PushLoopOptions } from "../../../src/metrics/push-loop.js";
import {
  encodeWriteRequest,
  loadWriteRequestType,
  postRemoteWrite,
} from "../../../src/metrics/remote-write.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { freePort, serve } from "../../e2e/metrics-helpers.js";

type Mode = "ok" | "unavailable" | "bad" | "hang";

/** A remote-write endpoint on 127.0.0.1 whose answers the test chooses. */
async function endpoint(t: TestContext, modes: Mode[]) {
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
  const base = await serve(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      const mode = modes.length > 1 ? modes.shift()! : modes[0]!;
      if (mode === "ok") res.writeHead(204).end();
      else if (mode === "unavailable") res.writeHead(503).end("overloaded");
      else if (mode === "bad") res.writeHead(400).end("out of order sample");
    });
  });
  return { url: `${base}/api/v1/write`, received };
}

let pushes = 0;
/** A loop pushing a one-series WriteRequest whose value counts the pushes made. */
function loop(url: string, logs: LogRecord[], options: Partial<PushLoopOptions> = {}): PushLoop {
  return new PushLoop({
    describe: `Prometheus remote write to ${url}`,
    logger: new Logger((r) => logs.push(r), "INFO"),
    intervalMs: 200,
    maxQueued: 100,
    maxQueuedBytes: 1e6,
    requestTimeoutMs: 2000,
    finalFlushMs: 500,
    snapshot: async () => {
      const families = [
        counter("cicada_requests_total", "help", "{request}", [{ labels: {}, value: ++pushes }]),
      ];
      const body = await encodeWriteRequest(families, 1_700_000_000_000 + pushes, { job: "t" });
      return { bytes: body.byteLength, send: (timeoutMs) => postRemoteWrite(url, {}, body, timeoutMs) };
    },
    ...options,
  });
}

const warnings = (logs: LogRecord[]) => logs.filter((r) => r.level === "WARNING");

/** Waits for `predicate` within `ms`, polling. */
async function until(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("pushing metrics", () => {
  it("sends a snappy-compressed WriteRequest with remote write's headers", async (t) => {
    const server = await endpoint(t, ["ok"]);
    const logs: LogRecord[] = [];
    const pusher = loop(server.url, logs);
    await pusher.pushNow();
    const [request] = server.received;
    assert.equal(request!.headers["content-encoding"], "snappy");
    assert.equal(request!.headers["content-type"], "application/x-protobuf");
    assert.equal(request!.headers["x-prometheus-remote-write-version"], "0.1.0");
    const type = (await loadWriteRequestType()) as unknown as {
      decode(b: Uint8Array): unknown;
      toObject(m: unknown, o: object): { timeseries: Array<{ labels: unknown[]; samples: unknown[] }> };
    };
    const decoded = type.toObject(type.decode(snappy.uncompress(request!.body)), { longs: Number });
    assert.deepEqual(decoded.timeseries[0]!.labels, [
      { name: "__name__", value: "cicada_requests_total" },
      { name: "job", value: "t" },
    ]);
    assert.equal(pusher.pushStats.delivered, 1);
    assert.equal(warnings(logs).length, 0);
  });

  it("retries 503s with a backoff until delivered: one warning, then one recovery line", async (t) => {
    const server = await endpoint(t, ["unavailable", "unavailable", "ok"]);
    const logs: LogRecord[] = [];
    const pusher = loop(server.url, logs);
    await pusher.pushNow();
    await until(() => pusher.pushStats.delivered === 1, 3000);
    assert.equal(server.received.length, 3);
    assert.deepEqual(server.received[2]!.body, server.received[0]!.body, "the same push, retried");
    assert.equal(warnings(logs).length, 1);
    assert.match(
      warnings(logs)[0]!.message,
      /remote write to .* failed: HTTP 503 Service Unavailable: overloaded\. The test goes on/,
    );
    assert.equal(logs.filter((r) => /works again/.test(r.message)).length, 1);
    await pusher.close();
  });

  it("drops a push refused with a 4xx instead of retrying it", async (t) => {
    const server = await endpoint(t, ["bad"]);
    const logs: LogRecord[] = [];
    const pusher = loop(server.url, logs);
    await pusher.pushNow();
    await pusher.pushNow();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.received.length, 2, "no retries");
    assert.equal(pusher.pushStats.dropped, 2);
    assert.equal(pusher.pushStats.queued, 0);
    assert.equal(warnings(logs).length, 1);
    assert.match(warnings(logs)[0]!.message, /HTTP 400 Bad Request: out of order sample/);
  });

  it("keeps a bounded queue while the endpoint is unreachable, and ends quickly", async (t) => {
    const server = await endpoint(t, ["ok"]);
    const closed = server.url.replace(/:\d+/, `:${await freePort()}`);
    const logs: LogRecord[] = [];
    const pusher = loop(closed, logs, { maxQueued: 5 });
    for (let i = 0; i < 30; i++) await pusher.pushNow();
    assert.ok(pusher.pushStats.queued <= 5, `${pusher.pushStats.queued} queued`);
    assert.equal(pusher.pushStats.dropped, 25);
    const bySize = loop(closed, logs, { maxQueued: 100 });
    await bySize.pushNow();
    const oneSize = bySize.pushStats.queuedBytes;
    const bounded = loop(closed, logs, { maxQueuedBytes: oneSize * 3 + 1 });
    for (let i = 0; i < 10; i++) await bounded.pushNow();
    assert.ok(bounded.pushStats.queuedBytes <= oneSize * 3 + 1 && bounded.pushStats.queued <= 3);
    const started = Date.now();
    await Promise.all([pusher.close(), bySize.close(), bounded.close()]);
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.equal(warnings(logs).length, 3, "one warning per loop, however many pushes failed");
    assert.match(warnings(logs)[0]!.message, /failed: ECONNREFUSED/);
    assert.ok(logs.some((r) => /: 0 of \d+ pushes delivered, \d+ lost/.test(r.message)));
  });

  it("gives up on a push that gets no answer, and bounds the final flush", async (t) => {
    const server = await endpoint(t, ["hang"]);
    const logs: LogRecord[] = [];
    const pusher = loop(server.url, logs, { requestTimeoutMs: 300, finalFlushMs: 400 });
    const started = Date.now();
    await pusher.pushNow();
    assert.ok(Date.now() - started < 1500);
    assert.match(warnings(logs)[0]!.message, /failed: no answer within 300 ms/);
    const closing = Date.now();
    await pusher.close();
    assert.ok(Date.now() - closing < 1500, `close took ${Date.now() - closing} ms`);
    assert.equal(warnings(logs).length, 1);
  });
});
