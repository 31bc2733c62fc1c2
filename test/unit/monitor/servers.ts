/** Real HTTP servers on 127.0.0.1 standing in for exporters: good, flaky, hung, garbage. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../../helpers/free-port.js";

export interface TestServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    result.requests++;
    handler(req, res, result.requests);
  });
  const result: TestServer = { url: "", requests: 0, close: async () => {} };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  result.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  result.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return result;
}

/** The URL of a port nothing listens on (outside the range servers on port 0 draw from). */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/metrics`;
}
