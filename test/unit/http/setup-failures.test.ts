/**
 * Servers that close or reset a connection while it is being set up (the TCP connect, the
 * TLS handshake). Node words one such behaviour several ways (`read ECONNRESET`, `Client
 * network socket disconnected before secure TLS connection was established`, `connect
 * ECONNRESET 127.0.0.1:P`), and the failures table keys its rows by the text: each
 * behaviour must read one way, worded as the connection's own failures are, the address once.
 */
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession } from "./helpers.js";

/** A TCP server (paused: it reads nothing) that does `onAccept` to each connection. */
async function startServer(onAccept: (socket: Socket, n: number) => void) {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onAccept(socket, ++accepted);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The distinct failure texts of `count` requests (sequential and concurrent) to `url`. */
async function failureRows(url: string, count: number): Promise<string[]> {
  const { session, events } = recordingSession({ baseUrl: url });
  const half = Math.floor(count / 2);
  for (let i = 0; i < half; i++) await session.get("/");
  await Promise.all(Array.from({ length: count - half }, () => session.get("/")));
  await session.close();
  assert.equal(events.length, count);
  return [...new Set(events.map((event) => describeFailure(event.exception as Error)))];
}

describe("a server that ends the connection while it is set up", { timeout: 30_000 }, () => {
  it("closing on accept over TLS is one row, whether the client reads the close or the reset it causes", async () => {
    // At once (a FIN before the ClientHello arrives: Node says "Client network socket
    // disconnected before secure TLS connection was established"), or a moment later with
    // the ClientHello unread, so the kernel sends a reset (Node says "read ECONNRESET"):
    // the same behaviour, as timing decides it against a real server.
    const server = await startServer((socket, n) => {
      if (n % 2 === 1) socket.destroy();
      else setTimeout(() => socket.destroy(), 30);
    });
    try {
      assert.deepEqual(await failureRows(`https://127.0.0.1:${server.port}`, 12), [
        `ConnectionResetError: the server closed the connection before the TLS handshake completed (127.0.0.1:${server.port})`,
      ]);
    } finally {
      await server.close();
    }
  });

  it("a close with the ClientHello unread (a reset) reads as the close it is", async () => {
    const server = await startServer((socket) => setTimeout(() => socket.destroy(), 30));
    try {
      assert.deepEqual(await failureRows(`https://127.0.0.1:${server.port}`, 4), [
        `ConnectionResetError: the server closed the connection before the TLS handshake completed (127.0.0.1:${server.port})`,
      ]);
    } finally {
      await server.close();
    }
  });

  it("a reset on accept is one row, whether it comes before or after the client saw its connect succeed", async () => {
    // Concurrent connects: some are reset before the client's event loop sees them connected
    // (Node: `connect ECONNRESET 127.0.0.1:P`, the address twice with Cicada's), some after.
    const server = await startServer((socket) => socket.resetAndDestroy());
    try {
      assert.deepEqual(await failureRows(`http://127.0.0.1:${server.port}`, 12), [
        `ConnectionResetError: the server reset the connection (ECONNRESET) before the response was complete (127.0.0.1:${server.port})`,
      ]);
      assert.deepEqual(await failureRows(`https://127.0.0.1:${server.port}`, 12), [
        `ConnectionResetError: the server closed the connection before the TLS handshake completed (127.0.0.1:${server.port})`,
      ]);
    } finally {
      await server.close();
    }
  });

  it("an event stream (sse(), over node:http) words the same behaviours the same way", async () => {
    const closing = await startServer((socket) => socket.destroy());
    const resetting = await startServer((socket) => socket.resetAndDestroy());
    try {
      const rows = async (url: string) => {
        const { session, events } = recordingSession({ baseUrl: url });
        for (let i = 0; i < 3; i++) (await session.sse("/feed")).close();
        await session.close();
        return [...new Set(events.map((event) => describeFailure(event.exception as Error)))];
      };
      // Were `socket hang up`, `Client network socket disconnected before secure TLS connection
      // was established` and `connect ECONNRESET 127.0.0.1:P (127.0.0.1:P)`.
      assert.deepEqual(await rows(`http://127.0.0.1:${closing.port}`), [
        `ConnectionResetError: the server closed the connection before the response was complete (127.0.0.1:${closing.port})`,
      ]);
      assert.deepEqual(await rows(`https://127.0.0.1:${closing.port}`), [
        `ConnectionResetError: the server closed the connection before the TLS handshake completed (127.0.0.1:${closing.port})`,
      ]);
      assert.deepEqual(await rows(`http://127.0.0.1:${resetting.port}`), [
        `ConnectionResetError: the server reset the connection (ECONNRESET) before the response was complete (127.0.0.1:${resetting.port})`,
      ]);
    } finally {
      await closing.close();
      await resetting.close();
    }
  });
});
