/** Helpers of the metrics export tests: a steady locustfile run headless in-process, free ports. */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { freePort } from "../helpers/free-port.js";
import { type InProcessCli, startCliInProcess, writeLocustfile } from "./web-helpers.js";

export { freePort };

/** A user that GETs /x about 50 times a second. */
export const STEADY_LOCUSTFILE = `
import { HttpUser, constant, task } from "cicada-load";
export class Steady extends HttpUser {
  waitTime = constant(0.02);
  @task async x() { await this.client.get("/x"); }
}
`;

/** An HTTP server on 127.0.0.1 port 0, closed after the test; resolves with its base URL. */
export async function serve(t: TestContext, handler: RequestListener): Promise<string> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface SteadyRun {
  cli: InProcessCli;
  /** Requests in the run's JSON report (what Cicada counted). */
  totalRequests(): number;
}

/** A 2 s headless run of 2 steady users against `targetUrl`, with `extra` flags. */
export function runSteadyHeadless(t: TestContext, targetUrl: string, extra: string[]): SteadyRun {
  const file = writeLocustfile(STEADY_LOCUSTFILE);
  t.after(() => file.remove());
  const report = join(file.path, "..", "report");
  const base = ["-f", file.path, "-H", targetUrl, "--headless", "-u", "2", "-r", "100", "-t", "2s"];
  const cli = startCliInProcess([...base, "--only-summary", "--json-file", report, ...extra]);
  return {
    cli,
    totalRequests: () => JSON.parse(readFileSync(`${report}.json`, "utf8")).total.numRequests as number,
  };
}
