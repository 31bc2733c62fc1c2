// Misbehaving targets for the fault suite: raw TCP servers on 127.0.0.1 that answer a
// request the wrong way. Each behaviour is a function of the socket, called once the
// request head has arrived (or at once for the ones that never read).
import { createServer } from "node:net";

const OK_HEAD = "HTTP/1.1 200 OK\r\n";
const every = (ms, socket, write) => {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else write();
  }, ms);
  socket.on("close", () => clearInterval(timer));
};

/**
 * name → { reply(socket), expect }: `expect` is "failures" when every request must be
 * counted as a failure (the server is at fault), "success" when the response is odd but
 * valid, "either" when both are defensible, as long as nothing hangs or crashes.
 */
export const BEHAVIOURS = {
  "closes at once": { atConnect: true, reply: (s) => s.destroy(), expect: "failures" },
  "resets at once": { atConnect: true, reply: (s) => s.resetAndDestroy(), expect: "failures" },
  "never answers": { reply: () => {}, expect: "failures" },
  "sends garbage": { reply: (s) => s.end("\x00\xff garbage \r\n\r\n"), expect: "failures" },
  "a status line only, then closes": { reply: (s) => s.end("HTTP/1.1 200 OK\r\n"), expect: "failures" },
  "a status code of 2000": {
    reply: (s) => s.end("HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n"),
    expect: "failures",
  },
  "a header without a colon": {
    reply: (s) => s.end(`${OK_HEAD}oops\r\ncontent-length: 0\r\n\r\n`),
    expect: "failures",
  },
  "a 1 MB header": {
    reply: (s) => s.end(`${OK_HEAD}x-big: ${"a".repeat(1 << 20)}\r\ncontent-length: 0\r\n\r\n`),
    expect: "failures",
  },
  "two different content-lengths": {
    reply: (s) => s.end(`${OK_HEAD}content-length: 2\r\ncontent-length: 3\r\n\r\nabc`),
    expect: "failures",
  },
  "a negative content-length": {
    reply: (s) => s.end(`${OK_HEAD}content-length: -5\r\n\r\n`),
    expect: "failures",
  },
  "a body shorter than its content-length, then close": {
    reply: (s) => s.end(`${OK_HEAD}content-length: 100\r\n\r\nshort`),
    expect: "failures",
  },
  "a bad chunk size": {
    reply: (s) => s.end(`${OK_HEAD}transfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`),
    expect: "failures",
  },
  "chunks that never end": {
    reply: (s) => {
      s.write(`${OK_HEAD}transfer-encoding: chunked\r\n\r\n`);
      every(100, s, () => s.write("1\r\nx\r\n"));
    },
    expect: "failures",
  },
  "a body that drips a byte every 200 ms": {
    reply: (s) => {
      s.write(`${OK_HEAD}content-length: 1000\r\n\r\n`);
      every(200, s, () => s.write("x"));
    },
    expect: "failures",
  },
  "headers that drip a byte every 200 ms": {
    reply: (s) => {
      s.write("HTTP/1.1 200 OK\r\n");
      every(200, s, () => s.write("x"));
    },
    expect: "failures",
  },
  "HTTP/1.0, body until close": { reply: (s) => s.end("HTTP/1.0 200 OK\r\n\r\nhello"), expect: "success" },
  "a 204 with a body": {
    reply: (s) => s.end("HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nhello"),
    expect: "either",
  },
  "a redirect to itself": {
    reply: (s) => s.end("HTTP/1.1 302 Found\r\nlocation: /\r\ncontent-length: 0\r\n\r\n"),
    expect: "failures",
  },
  "a redirect to a closed port": {
    reply: (s) => s.end("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\n\r\n"),
    expect: "failures",
  },
  "a redirect with no location": {
    reply: (s) => s.end("HTTP/1.1 302 Found\r\ncontent-length: 0\r\n\r\n"),
    expect: "either",
  },
  "closes each keep-alive connection after the response": {
    reply: (s) => s.end(`${OK_HEAD}content-length: 2\r\n\r\nok`),
    expect: "either",
  },
  "100 Continue, then the response": {
    reply: (s) => s.end(`HTTP/1.1 100 Continue\r\n\r\n${OK_HEAD}content-length: 2\r\n\r\nok`),
    expect: "success",
  },
  "a gzip header on a plain body": {
    reply: (s) => s.end(`${OK_HEAD}content-encoding: gzip\r\ncontent-length: 2\r\n\r\nok`),
    expect: "either",
  },
  "a 500 with a body": {
    reply: (s) => s.end("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\nboom"),
    expect: "failures",
  },
  "answers twice to one request": {
    reply: (s) => s.end(`${OK_HEAD}content-length: 2\r\n\r\nok${OK_HEAD}content-length: 2\r\n\r\nok`),
    expect: "either",
  },
  "answers before the request arrives": {
    atConnect: true,
    reply: (s) => s.write(`${OK_HEAD}content-length: 2\r\n\r\nok`),
    expect: "either",
  },
};

/** Starts a target with `behaviour` on 127.0.0.1 (a free port); `stop()` ends it and its sockets. */
export async function startBehaviour(behaviour) {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (behaviour.atConnect) {
      behaviour.reply(socket);
      return;
    }
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      while (head.includes("\r\n\r\n")) {
        head = head.slice(head.indexOf("\r\n\r\n") + 4);
        behaviour.reply(socket);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
