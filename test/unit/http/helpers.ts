/**
 * Real servers on 127.0.0.1 port 0 for the HTTP client tests, and a recorder of the
 * request events a session fires. No network mocks: the network is the product.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { HttpSession, type HttpSessionOptions } from "../../../src/http/index.js";
import type { RequestEvent } from "../../../src/shared/request-event.js";
import { freePort } from "../../helpers/free-port.js";
import { type RawServer, startTcpServer } from "../../helpers/raw-server.js";

/** A handler that also receives the request body, read fully. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A started server: its base URL, port, the requests it saw, and how to stop it. */
export interface TestServer {
  url: string;
  port: number;
  /** Every request seen, in order. */
  seen: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }>;
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/** Starts a `node:http` (or, with `tls`, `node:https`) server on 127.0.0.1:0. */
export async function startServer(handler: Handler, tls = false): Promise<TestServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      state.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  };
  const server: Server = tls
    ? createHttpsServer({ key: fixture("localhost-key.pem"), cert: fixture("localhost-cert.pem") }, listener)
    : createServer(listener);
  const sockets = new Set<Socket>();
  server.on(tls ? "secureConnection" : "connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const state: TestServer = {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    seen: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A TCP server that accepts connections and never says anything (nor reads). */
export function startSilentServer(): Promise<RawServer> {
  return startTcpServer();
}

/** A port nothing listens on (outside the range servers on port 0 draw from). */
export const closedPort = freePort;

/** A session whose events are recorded in `events`. Close it with `session.close()`. */
export function recordingSession(options: Omit<HttpSessionOptions, "onRequest"> = {}): {
  session: HttpSession;
  events: RequestEvent[];
} {
  const events: RequestEvent[] = [];
  const session = new HttpSession({ ...options, onRequest: (event) => events.push(event) });
  return { session, events };
}

/** Sends a JSON reply. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fixture(name: string): Buffer {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}
