// What the client reports for a raw TCP server that misbehaves the way a new-user trial's
// did: a reset in the middle of a body is worded as a close is, and a large response head
// gets the same verdict whether it came in one write or two.
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { describeFailure } from "../../../src/shared/request-event.js";
import { type RawServer, requestPath, startRawServer } from "../../helpers/raw-server.js";
import { recordingSession } from "./helpers.js";

/** A head of about 85 KB (one header line per 8 KB), over the 64 KiB limit. */
const bigHead = `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${`X-Fill: ${"v".repeat(8000)}\r\n`.repeat(10)}X-End: ${"w".repeat(5000)}\r\n\r\nok`;

/** Answers each request by its path: `/reset`, `/big-head-one-write`, `/big-head-two-writes`. */
function answer(socket: Socket, path: string): void {
  if (path === "/reset") {
    socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    setTimeout(() => socket.resetAndDestroy(), 20);
  } else if (path === "/big-head-one-write") {
    socket.write(bigHead);
  } else if (path === "/big-head-two-writes") {
    socket.write(bigHead.slice(0, 30_000));
    setTimeout(() => socket.write(bigHead.slice(30_000)), 20);
  }
}

describe("a misbehaving raw TCP server", () => {
  let server: RawServer;
  let port = 0;
  before(async () => {
    server = await startRawServer((socket, head) => answer(socket, requestPath(head)));
    port = server.port;
  });
  after(() => server.close());

  it("a reset in the middle of a body: ConnectionResetError, worded as a close is", async (t) => {
    const { session } = recordingSession({ baseUrl: `http://127.0.0.1:${port}` });
    t.after(() => session.close());
    const response = await session.get("/reset");
    assert.equal(response.status, 0);
    assert.equal(
      describeFailure(response.error!),
      `ConnectionResetError: the server reset the connection (ECONNRESET) before the response was complete (127.0.0.1:${port})`,
    );
  });

  it("an 85 KB response head fails the same in one write as in two", async (t) => {
    const { session } = recordingSession({ baseUrl: `http://127.0.0.1:${port}` });
    t.after(() => session.close());
    for (const path of ["/big-head-one-write", "/big-head-two-writes"]) {
      const response = await session.get(path);
      assert.equal(response.status, 0, path);
      assert.equal(describeFailure(response.error!), "ProtocolError: response head over 64 KiB", path);
    }
  });
});
