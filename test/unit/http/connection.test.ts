import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, sleep } from "./helpers.js";

interface RawRequest {
  head: string;
  body: string;
  socket: Socket;
  /** Index of the connection it came on (0 = first). */
  connection: number;
}

/**
 * A TCP server that reads HTTP requests (head + Content-Length body) and lets the test
 * answer with raw bytes, so the client meets framings node:http would never send.
 */
async function startRawServer(answer: (request: RawRequest) => void) {
  const sockets: Socket[] = [];
  const requests: RawRequest[] = [];
  const server = createServer((socket) => {
    const connection = sockets.length;
    sockets.push(socket);
    socket.on("error", () => {});
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buffered.subarray(0, end).toString("latin1");
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length).toString("utf8");
        buffered = buffered.subarray(end + 4 + length);
        const request = { head, body, socket, connection };
        requests.push(request);
        answer(request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("HTTP/1.1 connections", () => {
  it("sends host and content-length as HTTP/1.1 expects, with the body's byte length", async () => {
    const server = await startRawServer((r) => r.socket.write(ok("ok")));
    const { session } = recordingSession({ baseUrl: server.url });
    await session.get("/a?b=1");
    await session.post("/empty");
    await session.post("/utf8", { body: "é€" });
    const [get, emptyPost, utf8] = server.requests;
    assert.match(get!.head, /^GET \/a\?b=1 HTTP\/1\.1\r\n/);
    assert.match(get!.head, new RegExp(`\\r\\nhost: ${server.url.slice(7)}(\\r\\n|$)`));
    assert.doesNotMatch(get!.head, /content-length/);
    assert.match(emptyPost!.head, /\r\ncontent-length: 0/);
    assert.match(utf8!.head, /\r\ncontent-length: 5/);
    assert.equal(utf8!.body, "é€");
    await session.close();
    await server.close();
  });

  it("reconnects after the server closes an idle connection, and after Connection: close", async () => {
    const server = await startRawServer((r) => {
      if (r.head.includes("/close")) r.socket.end(ok("bye", "Connection: close\r\n"));
      else r.socket.write(ok("hi"));
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    assert.equal((await session.get("/1")).text(), "hi");
    server.sockets[0]!.end(); // the server's keep-alive timeout
    await sleep(50);
    const second = await session.get("/2");
    assert.equal(second.text(), "hi");
    assert.equal(typeof second.timing.connectMs, "number", "a new connection was opened");
    assert.equal((await session.get("/close")).text(), "bye");
    assert.equal((await session.get("/3")).text(), "hi");
    assert.deepEqual(
      server.requests.map((r) => r.connection),
      [0, 1, 1, 2],
    );
    assert.ok(events.every((e) => e.exception === null));
    await session.close();
    await server.close();
  });

  it("reads an HTTP/1.0 body until the server closes, and chunked bodies sent in pieces", async () => {
    const server = await startRawServer(async (r) => {
      if (r.head.includes("/old")) {
        r.socket.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
        await sleep(20);
        r.socket.end("close");
        return;
      }
      r.socket.write(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
      );
      await sleep(20);
      r.socket.write("c\r\n4\r\ndefg\r\n");
      await sleep(20);
      r.socket.write("0\r\n\r\n");
    });
    const { session } = recordingSession({ baseUrl: server.url });
    assert.equal((await session.get("/old")).text(), "until close");
    const chunked = await session.get("/chunked");
    assert.equal(chunked.status, 200);
    assert.equal(chunked.text(), "abcdefg");
    assert.ok(chunked.timing.totalMs >= 30, `pieces 20 ms apart took ${chunked.timing.totalMs} ms`);
    await session.close();
    await server.close();
  });

  it("finishes a HEAD response at its head even with a Content-Length", async () => {
    const server = await startRawServer((r) =>
      r.socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
    );
    const { session } = recordingSession({ baseUrl: server.url });
    const res = await session.head("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-length"], "1000");
    assert.equal(res.body.byteLength, 0);
    const again = await session.head("/");
    assert.equal(again.status, 200);
    assert.equal(server.sockets.length, 1, "the connection was kept");
    await session.close();
    await server.close();
  });

  it("fails a malformed response with ProtocolError, and recovers on a new connection", async () => {
    const server = await startRawServer((r) => {
      if (r.connection === 0) r.socket.write("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
      else r.socket.write(ok("fine"));
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    const bad = await session.get("/bad");
    assert.equal(bad.status, 0);
    assert.equal(describeFailure(bad.error!), "ProtocolError: invalid Content-Length");
    assert.equal(events.length, 1);
    assert.equal((await session.get("/good")).text(), "fine");
    await session.close();
    await server.close();
  });

  it("drops a connection that sends bytes nobody asked for", async () => {
    const server = await startRawServer((r) => r.socket.write(`${ok("one")}HTTP/1.1 200 OK\r\n`));
    const { session } = recordingSession({ baseUrl: server.url });
    assert.equal((await session.get("/1")).text(), "one");
    await sleep(20);
    assert.equal((await session.get("/2")).text(), "one");
    assert.equal(server.sockets.length, 2, "the second request used a fresh connection");
    await session.close();
    await server.close();
  });

  it("rejects an invalid method and header values with a clear message, sending nothing", async () => {
    const server = await startRawServer((r) => r.socket.write(ok("x")));
    const { session } = recordingSession({ baseUrl: server.url });
    await assert.rejects(session.request("GE T", "/"), /invalid HTTP method "GE T"/);
    await assert.rejects(
      session.get("/", { headers: { "x-a": "1\r\nx-b: 2" } }),
      /invalid header value for "x-a"/,
    );
    assert.throws(
      () => recordingSession({ baseUrl: server.url, defaultHeaders: { "bad name": "x" } }),
      /invalid header key "bad name"/,
    );
    assert.equal(server.requests.length, 0);
    await session.close();
    await server.close();
  });
});
