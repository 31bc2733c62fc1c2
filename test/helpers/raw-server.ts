/**
 * Raw TCP servers on 127.0.0.1 (port 0) for tests that need a server to misbehave in ways
 * node:http will not. {@link startTcpServer} hands over each connection and destroys the
 * open ones when closed; {@link startRawServer} also splits what it reads into request
 * heads and hands each one, as latin1 text, to `onRequestHead` with its socket to answer on.
 */
import { type AddressInfo, createServer, type Socket } from "node:net";

export interface RawServer {
  readonly port: number;
  /** Destroys the open sockets, then closes the server. */
  close(): Promise<void>;
}

/** A TCP server that gives each connection to `onConnection` (a silent server: do nothing). */
export async function startTcpServer(onConnection: (socket: Socket) => void = () => {}): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server that reads HTTP/1.1 requests: their heads go to `onRequestHead` with the number
 * of the request on its connection (from 1); a body of Content-Length bytes is skipped.
 */
export function startRawServer(
  onRequestHead: (socket: Socket, head: string, onConnection: number) => void,
): Promise<RawServer> {
  return startTcpServer((socket) => {
    let requests = 0;
    let buffered = "";
    socket.on("data", (data: Buffer) => {
      buffered += data.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        buffered = buffered.slice(end + 4 + length);
        onRequestHead(socket, head, ++requests);
      }
    });
  });
}

/** The path of a request head ("GET /a HTTP/1.1..." gives "/a"; "" if it has none). */
export function requestPath(head: string): string {
  return /^[A-Z]+ (\S+) /.exec(head)?.[1] ?? "";
}
