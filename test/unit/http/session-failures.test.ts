import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { closedPort, recordingSession, startServer, startSilentServer } from "./helpers.js";

// Network failures are data, never thrown: status 0, `error` set, one failed event.
describe("HttpSession network failures", () => {
  it("returns status 0 with ConnectionRefusedError for a closed port, without throwing", async () => {
    const port = await closedPort();
    const { session, events } = recordingSession({ baseUrl: `http://127.0.0.1:${port}` });
    const res = await session.get("/x");
    assert.equal(res.status, 0);
    assert.equal(res.ok, false);
    assert.equal(res.body.byteLength, 0);
    assert.equal(res.text(), "");
    assert.equal(
      describeFailure(res.error!),
      `ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!.name, "/x");
    assert.equal(events[0]!.responseLength, 0);
    assert.equal(events[0]!.exception, res.error);
    assert.ok(events[0]!.responseTimeMs >= 0 && events[0]!.responseTimeMs < 5000);
    await session.close();
  });

  it("fails with ConnectTimeout when the connection cannot be set up in time", async () => {
    // A TCP server that never speaks: the TLS handshake (part of connecting) never completes.
    const silent = await startSilentServer();
    const { session, events } = recordingSession({
      baseUrl: `https://127.0.0.1:${silent.port}`,
      connectionTimeoutMs: 200,
    });
    const res = await session.get("/x");
    assert.equal(res.status, 0);
    assert.equal(
      describeFailure(res.error!),
      `ConnectTimeout: could not connect to 127.0.0.1:${silent.port} within 200 ms`,
    );
    assert.ok(res.timing.totalMs >= 150, `failed after ${res.timing.totalMs} ms`);
    assert.ok(res.timing.totalMs < 5000);
    assert.equal(events.length, 1);
    await session.close();
    await silent.close();
  });

  it("fails with a Timeout when no response headers arrive within networkTimeoutMs", async () => {
    const server = await startServer(() => {}); // accepts the request, never answers
    const { session, events } = recordingSession({ baseUrl: server.url, networkTimeoutMs: 200 });
    const res = await session.get("/never");
    assert.equal(res.status, 0);
    assert.equal(describeFailure(res.error!), "Timeout: no response headers within 200 ms");
    assert.ok(res.timing.totalMs >= 150 && res.timing.totalMs < 5000, `took ${res.timing.totalMs} ms`);
    assert.equal(events[0]!.responseTimeMs, res.timing.totalMs);
    await session.close();
    await server.close();
  });

  it("fails with a Timeout when the body stalls for networkTimeoutMs", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": "10" });
      res.write("abc"); // and never the rest
    });
    const { session } = recordingSession({ baseUrl: server.url, networkTimeoutMs: 200 });
    const res = await session.get("/stall");
    assert.equal(res.status, 0);
    assert.equal(describeFailure(res.error!), "Timeout: no response body data for 200 ms");
    await session.close();
    await server.close();
  });

  it("applies the per-request timeout to the whole request", async () => {
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end("late"), 1500);
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/slow", { timeout: 0.2 });
    assert.equal(res.status, 0);
    assert.equal(describeFailure(res.error!), "Timeout: no response within 0.2 s");
    assert.ok(res.timing.totalMs >= 150 && res.timing.totalMs < 1400, `took ${res.timing.totalMs} ms`);
    assert.equal(events.length, 1);
    // The session still works afterwards, and a fast request within its timeout succeeds.
    const fast = await startServer((_req, r) => r.end("ok"));
    const ok = await session.get(`${fast.url}/`, { timeout: 2 });
    assert.equal(ok.status, 200);
    assert.equal(events.length, 2);
    await session.close();
    await server.close();
    await fast.close();
  });

  it("reports a connection closed mid-request as ConnectionResetError", async () => {
    const server = await startServer((req) => req.socket.destroy());
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.post("/reset", { body: "x" });
    assert.equal(res.status, 0);
    assert.match(describeFailure(res.error!), /^ConnectionResetError: /);
    assert.equal(events.length, 1);
    await session.close();
    await server.close();
  });

  it("verifies TLS certificates unless insecure is set", async () => {
    const server = await startServer((_req, res) => res.end("secure"), true);
    const strict = recordingSession({ baseUrl: server.url });
    const refused = await strict.session.get("/");
    assert.equal(refused.status, 0);
    assert.match(describeFailure(refused.error!), /^SSLError: /);
    const lax = recordingSession({ baseUrl: server.url, insecure: true });
    const res = await lax.session.get("/");
    assert.equal(res.status, 200);
    assert.equal(res.text(), "secure");
    assert.equal(typeof res.timing.connectMs, "number");
    await strict.session.close();
    await lax.session.close();
    await server.close();
  });
});
