/**
 * CONNECT tunnels through a proxy that answers in pieces: the status line and the rest
 * in two writes (as Debian's tinyproxy does), a byte at a time, and with the origin's
 * first bytes (an HTTP/2 server's SETTINGS) in the same write as the end of the answer.
 * Every tunnel user must work through it: HTTP/2 cleartext, HTTP/2 and HTTP/1.1 over
 * TLS. The answer reader is also checked against Node's own (llhttp) at every split.
 * (tinyproxy itself: test/e2e/http-client-servers.test.ts.)
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { createServer as createH2cServer, createSecureServer, type Http2Server } from "node:http2";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { readConnectAnswer } from "../../../src/http/connect-answer.js";
import { makeCertificates, type TestCertificates } from "../../helpers/certificates.js";
import { recordingSession } from "./helpers.js";

const ANSWER = "HTTP/1.0 200 Connection established\r\nProxy-agent: x/1\r\n\r\n";

/** How the proxy cuts its answer into writes. */
const shapes: Record<string, (answer: string) => string[]> = {
  "status line, then the rest (tinyproxy)": (answer) => {
    const cut = answer.indexOf("\n") + 1;
    return [answer.slice(0, cut), answer.slice(cut)];
  },
  "a byte at a time": (answer) => [...answer],
  "in one write": (answer) => [answer],
};

interface SplittingProxy {
  url: string;
  /** The Proxy-Authorization headers it received. */
  credentials: string[];
  shape: (answer: string) => string[];
  /** The `host:port`s of origins that speak first (cleartext HTTP/2). */
  speakFirst: Set<string>;
  close(): Promise<void>;
}

/**
 * A real CONNECT proxy that writes its answer in the pieces `shape` makes, a few
 * milliseconds apart (separate reads on the client's side); when the origin speaks first
 * (HTTP/2's SETTINGS), its first bytes go in the same write as the answer's last piece.
 */
async function startSplittingProxy(): Promise<SplittingProxy> {
  const sockets = new Set<Socket>();
  const state = {
    credentials: [] as string[],
    shape: shapes["in one write"]!,
    speakFirst: new Set<string>(),
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    let head = "";
    const onHead = (data: Buffer) => {
      head += data.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      client.removeListener("data", onHead);
      client.pause();
      const [, authority = ""] = head.split(" ");
      const credential = /^proxy-authorization: (.*)$/im.exec(head)?.[1];
      if (credential !== undefined) state.credentials.push(credential.trim());
      const colon = authority.lastIndexOf(":");
      const origin = connect(Number(authority.slice(colon + 1)), authority.slice(0, colon));
      sockets.add(origin);
      origin.on("error", () => client.destroy());
      client.on("close", () => origin.destroy());
      const pieces = state.shape(ANSWER).map((piece) => Buffer.from(piece, "latin1"));
      const relay = (originFirst: Buffer) => {
        void writeApart(client, pieces, originFirst).then(() => {
          client.pipe(origin);
          origin.pipe(client);
          client.resume();
        });
      };
      // TLS origins wait for the client's hello; an HTTP/2 server sends SETTINGS at once.
      if (!state.speakFirst.has(authority)) {
        relay(Buffer.alloc(0));
        return;
      }
      origin.once("data", (first: Buffer) => {
        origin.pause();
        relay(first);
      });
    };
    client.on("data", onHead);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

async function writeApart(socket: Socket, pieces: Buffer[], after: Buffer): Promise<void> {
  for (let i = 0; i < pieces.length; i++) {
    const last = i === pieces.length - 1;
    socket.write(last ? Buffer.concat([pieces[i]!, after]) : pieces[i]!);
    if (!last) await new Promise((resolve) => setTimeout(resolve, pieces.length > 4 ? 1 : 10));
  }
}

async function listen(server: Http2Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("CONNECT tunnels through a proxy that answers in pieces", () => {
  let certs: TestCertificates;
  let proxy: SplittingProxy;
  let h2c: Http2Server;
  let tls: Http2Server;
  const origins = { h2c: "", tls: "" };

  before(async () => {
    certs = makeCertificates(["IP:127.0.0.1"]);
    proxy = await startSplittingProxy();
    const answer = (protocol: string) => (_req: unknown, res: { end(text: string): void }) =>
      res.end(`${protocol} through the tunnel`);
    h2c = createH2cServer(answer("h2c"));
    tls = createSecureServer({ cert: certs.serverCert, key: certs.serverKey, allowHTTP1: true }, (req, res) =>
      res.end(`HTTP/${req.httpVersion} over TLS through the tunnel`),
    );
    origins.h2c = await listen(h2c);
    origins.tls = await listen(tls);
    proxy.speakFirst.add(origins.h2c);
  });

  after(async () => {
    h2c?.close();
    tls?.close();
    await proxy?.close();
    certs?.remove();
  });

  for (const [name, shape] of Object.entries(shapes)) {
    it(`carries HTTP/2 cleartext, HTTP/2 and HTTP/1.1 over TLS: answer ${name}`, async () => {
      proxy.shape = shape;
      const users = [
        { http2: true, url: `http://${origins.h2c}/`, expected: "2.0 h2c through the tunnel" },
        { http2: true, url: `https://${origins.tls}/`, expected: "2.0 HTTP/2.0 over TLS through the tunnel" },
        {
          http2: "auto",
          url: `https://${origins.tls}/`,
          expected: "2.0 HTTP/2.0 over TLS through the tunnel",
        },
        {
          http2: false,
          url: `https://${origins.tls}/`,
          expected: "1.1 HTTP/1.1 over TLS through the tunnel",
        },
      ] as const;
      const results: string[] = [];
      for (const { http2, url } of users) {
        const { session, events } = recordingSession({
          proxy: proxy.url.replace("http://", "http://user:pass@"),
          http2,
          tls: { ca: certs.ca },
          connectionTimeoutMs: 5000,
          networkTimeoutMs: 5000,
        });
        const res = await session.get(url);
        results.push(
          res.error ? `${res.error.name}: ${res.error.message}` : `${res.httpVersion} ${res.text()}`,
        );
        assert.equal(events.length, 1);
        await session.close();
      }
      assert.deepEqual(
        results,
        users.map((user) => user.expected),
      );
      assert.equal(proxy.credentials.at(-1), `Basic ${Buffer.from("user:pass").toString("base64")}`);
    });
  }

  it("reads an answer the way Node's own client (llhttp) does, at every split", async () => {
    const corpus = [
      ANSWER,
      "HTTP/1.1 200 OK\r\n\r\n",
      "\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
      "HTTP/1.1 200 OK\nVia: a\n\n",
      "HTTP/1.1 200 OK\r\nVia : a\r\n\r\n",
      "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n",
      "SSH-2.0-OpenSSH_9.2\r\n\r\n",
    ];
    const tunnelBytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\n\n";
    for (const answer of corpus) {
      const bytes = Buffer.from(answer + tunnelBytes, "latin1");
      const node = await nodeConnectVerdict(bytes);
      const whole = verdictOf(bytes);
      assert.deepEqual(whole, node, JSON.stringify(answer));
      // Any prefix is either not complete yet or already the same verdict.
      for (let cut = 0; cut < bytes.length; cut++) {
        const part = verdictOf(bytes.subarray(0, cut));
        if (part === "incomplete") continue;
        assert.equal(part.status, node.status, `${JSON.stringify(answer)} cut at ${cut}`);
        if (node.tunnel !== undefined) assert.ok(node.tunnel.startsWith(part.tunnel ?? ""));
      }
    }
  });
});

type Verdict = { status: number | "rejected"; tunnel?: string };

/** Cicada's verdict on `bytes`: the status and the bytes after the answer (the tunnel's). */
function verdictOf(bytes: Buffer): Verdict | "incomplete" {
  try {
    const answer = readConnectAnswer(bytes);
    if (!answer.complete) return "incomplete";
    return { status: answer.status, tunnel: bytes.subarray(answer.length).toString("latin1") };
  } catch {
    return { status: "rejected" };
  }
}

/** Node's http client on a CONNECT answered with `bytes` (then closed): the same verdict. */
async function nodeConnectVerdict(bytes: Buffer): Promise<Verdict> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await new Promise((resolve) => {
      const req = request({
        host: "127.0.0.1",
        port: (server.address() as AddressInfo).port,
        method: "CONNECT",
        path: "origin:443",
        timeout: 5000,
      });
      // Node hands over the socket on every CONNECT answer, with the bytes read past it.
      req.on("connect", (res, socket, head: Buffer) => {
        let tunnel = head.toString("latin1");
        socket.on("data", (data: Buffer) => {
          tunnel += data.toString("latin1");
        });
        socket.on("close", () => resolve({ status: res.statusCode!, tunnel }));
        socket.on("error", () => {});
      });
      req.on("timeout", () => req.destroy(new Error("Node's client timed out")));
      req.on("error", () => resolve({ status: "rejected" }));
      req.end();
    });
  } finally {
    server.close();
  }
}
