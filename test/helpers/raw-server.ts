/**
 * A raw TCP server on 127.0.0.1 (port 0) for tests that need a server to misbehave in ways
 * node:http will not: it splits what it reads into request heads (requests without bodies)
 * and hands each one, as latin1 text, to `onRequestHead` with its socket to answer on.
 */
import { type AddressInfo, createServer, type Socket } from "node:net";

export interface RawServer {
  readonly port: number;
  /** Destroys the open sockets, then closes the server. */
  close(): Promise<void>;
}

export async function startRawServer(
  onRequestHead: (socket: Socket, head: string) => void,
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (data: Buffer) => {
      buffered += data.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        onRequestHead(socket, head);
      }
    });
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

/** The path of a request head ("GET /a HTTP/1.1..." gives "/a"; "" if it has none). */
export function requestPath(head: string): string {
  return /^[A-Z]+ (\S+) /.exec(head)?.[1] ?? "";
}
