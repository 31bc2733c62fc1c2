import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Environment, LocalRunner } from "../../../src/runner/index.js";
import { EnvironmentError, ExitCode } from "../../../src/shared/errors.js";
import { startWebServer } from "../../../src/web/index.js";
import { SteadyUser } from "./helpers.js";

function newRunner(): LocalRunner {
  return new LocalRunner(new Environment({ userClasses: [SteadyUser], host: "http://127.0.0.1:1" }));
}

/** Reads Server-Sent Events from a fetch response until `count` events arrived. */
async function readEvents(response: Response, count: number, timeoutMs: number): Promise<string[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: string[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (events.length < count && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (\w+)$/m.exec(block)?.[1];
      if (name) events.push(name);
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return events;
}

describe("startWebServer", () => {
  it("listens on a free port, streams a full update then ticks, and ends the streams on close", async () => {
    const runner = newRunner();
    const server = await startWebServer({ runner, port: 0, updateIntervalMs: 200, uiRoot: null });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const response = await fetch(`${server.url}api/stream`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
      const events = await readEvents(response, 3, 5000);
      assert.deepEqual(events, ["full", "tick", "tick"]);

      const second = await fetch(`${server.url}api/stream`);
      assert.equal(server.feed.clientCount >= 1, true);
      await server.close();
      // The stream of a closed server ends instead of hanging.
      const text = await second.text().catch(() => "closed");
      assert.ok(text.includes("event: full") || text === "closed");
    } finally {
      await server.close();
      await runner.quitAndWait();
    }
  });

  it("turns a port in use into an EnvironmentError naming the port, with a hint", async () => {
    const first = newRunner();
    const server = await startWebServer({ runner: first, port: 0, uiRoot: null });
    const second = newRunner();
    try {
      await assert.rejects(
        startWebServer({ runner: second, port: server.port, uiRoot: null }),
        (error: unknown) => {
          assert.ok(error instanceof EnvironmentError);
          assert.equal(error.exitCode, ExitCode.environment);
          assert.equal(error.code, "CICADA_ERR_WEB_PORT_IN_USE");
          assert.match(error.message, new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 is already in use`));
          assert.match(error.hint ?? "", /-P\/--web-port/);
          return true;
        },
      );
    } finally {
      await server.close();
      await first.quitAndWait();
      await second.quitAndWait();
    }
  });
});
