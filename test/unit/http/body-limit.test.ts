/**
 * `maxResponseBodySize` holds every body the client keeps, not only compressed ones: a
 * plain body over it (Content-Length, chunked, until close; HTTP/1.1 and HTTP/2) fails
 * with BodyTooLargeError, a Content-Length over it fails before the body is read, and the
 * connection is closed rather than drained, so a body that never ends keeps at most the limit.
 */
import assert from "node:assert/strict";
import { constants, createServer as createH2Server } from "node:http2";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { StopUser } from "../../../src/shared/control-flow.js";
import { describeFailure } from "../../../src/shared/request-event.js";
import { FastHttpUser, HttpUser, task } from "../../../src/user/index.js";
import { runUntilStopped } from "../../helpers/env.js";
import { recordingSession, startServer } from "./helpers.js";

const MiB = 1024 * 1024;
/** What one piece of a body can add past the limit before it is noticed (one socket read or frame). */
const ONE_READ = 64 * 1024;

/**
 * A raw server whose `/endless` answers with a chunked body that never ends (1 MiB chunks,
 * written as fast as the client reads, up to `cap` bytes so a client without a limit
 * cannot take the machine's memory), and whose `/announced` sends a head with a 50 MB
 * Content-Length and no body. It notes when each connection closes.
 */
async function startEndlessServer(cap = 64 * MiB) {
  const sockets = new Set<Socket>();
  const state = { written: 0, closed: 0, onClose: [] as Array<() => void> };
  const chunk = Buffer.concat([Buffer.from("100000\r\n"), Buffer.alloc(MiB, 120), Buffer.from("\r\n")]);
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      state.closed++;
      for (const notify of state.onClose.splice(0)) notify();
    });
    socket.once("data", (data: Buffer) => {
      const path = data.toString("latin1").split(" ")[1];
      if (path === "/small") {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        return;
      }
      if (path === "/announced") {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n");
        return;
      }
      socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      const pump = () => {
        while (!socket.destroyed && state.written < cap) {
          state.written += MiB;
          if (!socket.write(chunk)) return;
        }
      };
      socket.on("drain", pump);
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    /** Resolves at the next connection close (rejects after 3 s: the client kept it open). */
    nextClose: () => {
      const closed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the client did not close the connection")), 3000);
        state.onClose.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      closed.catch(() => {}); // awaited later; not an unhandled rejection meanwhile
      return closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("maxResponseBodySize on plain bodies", () => {
  it("stops a chunked body that never ends at the limit and closes its connection", async (t) => {
    const server = await startEndlessServer();
    t.after(() => server.close());
    // Without the limit the body would run into the response timeout, 64 MiB later.
    const { session, events } = recordingSession({
      baseUrl: server.url,
      maxResponseBodySize: 2 * MiB,
      responseTimeoutMs: 4000,
    });
    t.after(() => session.close());
    const closed = server.nextClose();
    const res = await session.get("/endless");
    assert.match(
      describeFailure(res.error!),
      /^BodyTooLargeError: the response body exceeds 2097152 bytes \(maxResponseBodySize\); the rest was not read\. Raise maxResponseBodySize/,
    );
    assert.equal(res.status, 200);
    // Bytes kept: none on the response, and what arrived stopped one read past the limit.
    assert.equal(res.body.byteLength, 0);
    assert.ok(res.encodedBodySize <= 2 * MiB + ONE_READ, `${res.encodedBodySize} bytes read`);
    assert.equal(events.length, 1);
    await closed;
    assert.ok(server.state.written < 64 * MiB, "the rest of the body was not drained");
    // The session carries on, on a new connection.
    const next = await session.get("/small");
    assert.equal(next.error, null);
    assert.equal(next.text(), "ok");
  });

  it("fails a Content-Length over the limit as soon as the head arrives", async (t) => {
    const server = await startEndlessServer();
    t.after(() => server.close());
    // The body never comes: without the check, the request would wait for the network timeout.
    const { session } = recordingSession({
      baseUrl: server.url,
      maxResponseBodySize: MiB,
      networkTimeoutMs: 3000,
    });
    t.after(() => session.close());
    const closed = server.nextClose();
    const started = performance.now();
    const res = await session.get("/announced");
    assert.equal(
      describeFailure(res.error!),
      "BodyTooLargeError: the response announced a body of 50000000 bytes (Content-Length), over 1048576 bytes " +
        "(maxResponseBodySize); it was not read. Raise maxResponseBodySize on the user class if the target's bodies are this large",
    );
    assert.ok(performance.now() - started < 1000);
    await closed;
  });

  it("takes a body of exactly the limit and fails one byte more, with the former name maxDecodedBodySize too", async (t) => {
    const server = await startServer((req, res) => {
      const size = Number(req.url!.slice(1));
      if (req.url === "/head-of-big") res.writeHead(200, { "content-length": 5 * MiB }).end();
      else res.end(Buffer.alloc(size, 97));
    });
    t.after(() => server.close());
    for (const options of [{ maxResponseBodySize: MiB }, { maxDecodedBodySize: MiB }]) {
      const { session } = recordingSession({ baseUrl: server.url, ...options });
      const exact = await session.get(`/${MiB}`);
      assert.equal(exact.error, null);
      assert.equal(exact.body.byteLength, MiB);
      const over = await session.get(`/${MiB + 1}`);
      assert.equal(over.error?.name, "BodyTooLargeError");
      // A HEAD response has no body, whatever its Content-Length says.
      const head = await session.head("/head-of-big");
      assert.equal(head.error, null);
      await session.close();
    }
    // The trial's case: a 16 MiB limit under the former name, and a plain 50 MB body.
    const { session } = recordingSession({ baseUrl: server.url, maxDecodedBodySize: 16 * MiB });
    const trial = await session.get("/50000000");
    assert.equal(trial.error?.name, "BodyTooLargeError");
    await session.close();
    assert.throws(
      () => recordingSession({ maxResponseBodySize: MiB, maxDecodedBodySize: 2 * MiB }),
      /maxResponseBodySize \(1048576\) and maxDecodedBodySize \(2097152\), its former name, are both set/,
    );
  });
});

describe("maxResponseBodySize on the user class", () => {
  for (const base of [HttpUser, FastHttpUser]) {
    it(`${base.name}: a body over it is a BodyTooLargeError failure`, async (t) => {
      const server = await startServer((_req, res) => res.end(Buffer.alloc(2048, 97)));
      t.after(() => server.close());
      class Reader extends base {
        override maxResponseBodySize = 1024;
        @task async read() {
          await this.client.get("/big");
          throw new StopUser();
        }
      }
      const { environment } = await runUntilStopped(Reader, { host: server.url });
      const errors = environment.stats.snapshot(environment.now()).errors.map((e) => e.error);
      assert.equal(errors.length, 1);
      assert.match(
        errors[0]!,
        /^BodyTooLargeError: the response announced a body of 2048 bytes \(Content-Length\), over 1024 bytes/,
      );
    });
  }
});

describe("maxResponseBodySize over HTTP/2", () => {
  const server = createH2Server();
  let resets = 0;
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    stream.on("close", () => {
      if (stream.rstCode === constants.NGHTTP2_CANCEL) resets++;
    });
    const path = headers[":path"];
    if (path === "/announced") {
      stream.respond({ ":status": 200, "content-length": 50_000_000 });
      return;
    }
    if (path === "/small") {
      stream.respond({ ":status": 200 });
      stream.end("ok");
      return;
    }
    // No Content-Length, and no end: data as fast as flow control lets it go.
    stream.respond({ ":status": 200 });
    const piece = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    const pump = () => {
      while (!stream.destroyed && sent < 64 * MiB) {
        sent += piece.length;
        if (!stream.write(piece)) return;
      }
    };
    stream.on("drain", pump);
    pump();
  });
  const listening = new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stops an endless stream and a Content-Length over the limit, resetting only the stream", async (t) => {
    await listening;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { session } = recordingSession({
      baseUrl: url,
      http2: true,
      maxResponseBodySize: 2 * MiB,
      responseTimeoutMs: 4000,
      networkTimeoutMs: 3000,
    });
    t.after(() => session.close());
    const endless = await session.get("/endless");
    assert.equal(endless.error?.name, "BodyTooLargeError");
    assert.equal(endless.body.byteLength, 0);
    assert.ok(endless.encodedBodySize <= 2 * MiB + ONE_READ, `${endless.encodedBodySize} bytes read`);
    const announced = await session.get("/announced");
    assert.match(describeFailure(announced.error!), /announced a body of 50000000 bytes/);
    const small = await session.get("/small");
    assert.equal(small.text(), "ok");
    assert.equal(resets, 2);
  });
});
