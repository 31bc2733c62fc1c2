/**
 * Requests the stop aborts, through the real CLI against raw TCP targets:
 *
 * - a target that accepts connections and never answers the TLS handshake (an https URL
 *   against a TCP server that never writes: what a full accept queue or a stuck TLS
 *   terminator looks like) leaves every request waiting for its connection. The run has no
 *   request and no failure; the stop's unsent requests must still be counted
 *   (`abortedUnsentRequests`), warned about in the console and shown in the HTML report,
 *   where they used to be in no count at all (a clean, empty run);
 * - a second Ctrl-C (or SIGTERM then Ctrl-C) during a graceful stop (`-s`) exits at once,
 *   and must still count the requests it aborts: they used to be lost from every report.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { JsonReport } from "../../src/reports/json-schema.js";
import { fixtureDir, runCli, startCli } from "../helpers/cli.js";

const LOCUSTFILE = `import { HttpUser, task, constant } from "cicada-load";
export class Visitor extends HttpUser {
  waitTime = constant(0.1);
  @task async home() { await this.client.get("/"); }
}
`;

interface RawTarget {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** Requests received (reads that began with a request line). */
  requests: number;
}

/**
 * A TCP server on 127.0.0.1 port 0: `answer` is what it writes for each request it reads
 * (null: it never writes, never completing a TLS handshake either); closed after the test.
 */
async function startRawTarget(t: TestContext, answer: string | null): Promise<RawTarget> {
  const target: RawTarget = { port: 0, connections: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    target.connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (data) => {
      if (!/^[A-Z]+ \//.test(data.toString("latin1"))) return;
      target.requests++;
      if (answer !== null) socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  target.port = (server.address() as { port: number }).port;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return target;
}

function readJson(dir: string): JsonReport {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as JsonReport;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (at most 2 s) until the target's count, read as its events arrive, reaches `expected`. */
async function targetCount(read: () => number, expected: number): Promise<number> {
  const deadline = performance.now() + 2000;
  while (read() < expected && performance.now() < deadline) await pause(20);
  return read();
}

describe("requests aborted by the stop, through the CLI", { timeout: 60_000 }, () => {
  it("a TLS handshake that never completes: the unsent requests are counted and warned about", async (t) => {
    const target = await startRawTarget(t, null);
    const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
    const result = await runCli(
      [
        "--headless",
        "-u",
        "2",
        "-r",
        "10",
        "-t",
        "2s",
        "-H",
        `https://127.0.0.1:${target.port}`,
        "--only-summary",
        "--json-file",
        "report",
        "--html",
        "report.html",
      ],
      { cwd: dir, timeoutMs: 30_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await targetCount(() => target.connections, 2), 2, "each user opened a connection");
    const json = readJson(dir);
    assert.equal(json.total.numRequests, 0);
    assert.equal(json.abortedRequests, 0, "none had been sent");
    assert.equal(json.abortedUnsentRequests, 2, "each user's request waited in the handshake");
    assert.match(
      result.stdout,
      /⚠ 2 requests were still waiting for a connection \(connect, TLS handshake, or a busy connection\) when their users stopped: the target never received them, they are in no statistic, and no request of the run got an answer/,
    );
    const html = readFileSync(join(dir, "report.html"), "utf8");
    assert.match(html, /data-aborted-unsent="2">⚠ 2 requests were still waiting for a connection/);
  });

  it("an arrival rate against the same target: every interrupted iteration's request is counted", async (t) => {
    const target = await startRawTarget(t, null);
    const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
    const result = await runCli(
      [
        "--headless",
        "--arrival-rate",
        "4",
        "-t",
        "2s",
        "-H",
        `https://127.0.0.1:${target.port}`,
        "--only-summary",
        "--json-file",
        "report",
      ],
      { cwd: dir, timeoutMs: 30_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const json = readJson(dir);
    const iterations = json.iterations!;
    assert.ok(iterations.started >= 4, `${iterations.started} iterations started`);
    assert.equal(iterations.interrupted, iterations.started);
    assert.equal(json.abortedUnsentRequests, iterations.interrupted, "one request per interrupted iteration");
    assert.equal(json.abortedRequests, 0);
    assert.equal(
      await targetCount(() => target.connections, iterations.started),
      iterations.started,
      "one user, one connection per iteration",
    );
  });

  it("a second Ctrl-C during a graceful stop still counts the requests it aborts", async (t) => {
    // Half a status line, then nothing: each request stays in flight.
    const target = await startRawTarget(t, "HTTP/1.1 2");
    const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
    const run = startCli(
      [
        "--headless",
        "-u",
        "3",
        "-r",
        "10",
        "-t",
        "30s",
        "-s",
        "20s",
        "-H",
        `http://127.0.0.1:${target.port}`,
        "--only-summary",
        "--json-file",
        "report",
      ],
      { cwd: dir, timeoutMs: 30_000 },
    );
    await run.waitForOutput("All users spawned");
    while (target.requests < 3) await pause(50);
    run.child.kill("SIGINT");
    await run.waitForOutput("SIGINT received: stopping users");
    await pause(300); // two key presses (signals sent at once would merge into one)
    run.child.kill("SIGINT");
    const result = await run.done;
    assert.ok(result.durationMs < 20_000, `exited after ${result.durationMs} ms, without waiting for -s`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /SIGINT received again: exiting without waiting for users/);
    assert.equal(target.requests, 3);
    assert.match(result.stdout, /3 requests were in flight when their users stopped/);
    // The second Ctrl-C cut them off, not the stop timeout (20 s, far from out).
    assert.match(
      result.stdout,
      /a second interrupt stopped their users before the stop timeout \(-s\/--stop-timeout, 20 s\) let their tasks end/,
    );
    assert.equal(readJson(dir).abortedRequests, 3);
  });

  it("SIGTERM then Ctrl-C in an arrival-rate test: the aborted requests and interrupted iterations are reported", async (t) => {
    const target = await startRawTarget(t, "HTTP/1.1 2");
    const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
    const run = startCli(
      [
        "--headless",
        "--arrival-rate",
        "4",
        "-t",
        "30s",
        "-s",
        "20s",
        "-H",
        `http://127.0.0.1:${target.port}`,
        "--only-summary",
        "--json-file",
        "report",
      ],
      { cwd: dir, timeoutMs: 30_000 },
    );
    while (target.requests < 2) await pause(50);
    run.child.kill("SIGTERM");
    await run.waitForOutput("SIGTERM received: stopping users");
    await pause(300);
    run.child.kill("SIGINT");
    const result = await run.done;
    assert.ok(result.durationMs < 20_000, `exited after ${result.durationMs} ms, without waiting for -s`);
    assert.equal(result.code, 0, result.stderr);
    const json = readJson(dir);
    const iterations = json.iterations!;
    assert.equal(json.total.numRequests, 0);
    assert.ok(iterations.started >= 2, `${iterations.started} iterations started`);
    assert.equal(iterations.interrupted, iterations.started, "every started iteration was cut off");
    assert.equal(json.abortedRequests, iterations.interrupted, "one request per interrupted iteration");
    assert.equal(
      await targetCount(() => target.requests, json.abortedRequests!),
      json.abortedRequests,
      "every request the target received",
    );
  });
});
