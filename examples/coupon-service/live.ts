/**
 * The live "coupons left" feed of the coupon service, twice: a WebSocket at `/live`
 * (on the `ws` package) and its Server-Sent Events twin at `GET /live/events`. Both
 * need a signed-in session (the `sessionid` cookie: a refused upgrade or a 401
 * otherwise), send the current counts at once, then again after every issued coupon.
 *
 * WebSocket messages from the client: `{"type":"ping","id":N}` is answered with
 * `{"type":"pong","id":N}`, `{"type":"left"}` with the current counts.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { parseCookies } from "./http-helpers.js";
import type { CouponStore } from "./store.js";

/** One message of the feed: what is left of each coupon, and in all. */
export interface CouponsLeft {
  type: "coupons-left";
  left: number;
  coupons: Array<{ id: number; remaining: number }>;
}

/** The feed's clients and how to tell them about a change. */
export interface LiveFeed {
  /** Sends the current counts to every WebSocket and event-stream client. */
  broadcast(): void;
  /** Serves `GET /live/events` (the SSE twin). */
  serveEvents(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every client (the service is closing). */
  close(): void;
}

/** Attaches the feed to the server: upgrades on `/live`, counts from `store`, sessions checked by `isSignedIn`. */
export function attachLiveFeed(
  server: Server,
  store: CouponStore,
  isSignedIn: (sessionId: string) => boolean,
): LiveFeed {
  const sockets = new WebSocketServer({ noServer: true });
  const streams = new Set<ServerResponse>();
  const current = (): CouponsLeft => {
    const coupons = store.allStats().map((s) => ({ id: s.id, remaining: s.stock - s.issued }));
    return { type: "coupons-left", left: coupons.reduce((sum, c) => sum + c.remaining, 0), coupons };
  };
  const signedIn = (req: IncomingMessage) =>
    isSignedIn(parseCookies(req.headers.cookie).get("sessionid") ?? "");

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/live") return refuse(socket, 404, "Not Found");
    if (!signedIn(req)) return refuse(socket, 401, "Unauthorized");
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify(current()));
      ws.on("message", (data) => answer(ws, String(data), current));
    });
  });

  return {
    broadcast() {
      const message = JSON.stringify(current());
      for (const ws of sockets.clients) if (ws.readyState === ws.OPEN) ws.send(message);
      for (const res of streams) res.write(`event: coupons-left\ndata: ${message}\n\n`);
    },
    serveEvents(req, res) {
      if (!signedIn(req)) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"error":"authentication required"}');
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      res.write(`event: coupons-left\ndata: ${JSON.stringify(current())}\n\n`);
      streams.add(res);
      res.on("close", () => streams.delete(res));
    },
    close() {
      for (const ws of sockets.clients) ws.terminate();
      for (const res of streams) res.destroy();
      sockets.close();
    },
  };
}

function answer(ws: WebSocket, text: string, current: () => CouponsLeft): void {
  let message: { type?: unknown; id?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    ws.send(JSON.stringify({ type: "error", error: "messages must be JSON" }));
    return;
  }
  if (message.type === "ping") ws.send(JSON.stringify({ type: "pong", id: message.id ?? null }));
  else if (message.type === "left") ws.send(JSON.stringify(current()));
  else
    ws.send(JSON.stringify({ type: "error", error: `unknown message type ${JSON.stringify(message.type)}` }));
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
