// The end-of-run line on requests a stop aborted points to -s/--stop-timeout when there was
// none, and, when there was one, says it ran out (it pointed to -s even after `-s 3s`).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runInProcess } from "../../helpers/in-process-cli.js";
import type { RawServer } from "../../helpers/raw-server.js";
import { startSilentServer } from "../http/helpers.js";

// One request that the server never answers: the user is in it when the run time ends.
const LOCUSTFILE = `import { HttpUser, constant, task } from "cicada-load";
export class Waiter extends HttpUser {
  waitTime = constant(1);
  @task async wait() { await this.client.get("/never"); }
}
`;

describe("the note on requests a stop aborted", { timeout: 30_000 }, () => {
  let dir = "";
  let server: RawServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cicada-stop-timeout-"));
    writeFileSync(join(dir, "locustfile.ts"), LOCUSTFILE);
    server = await startSilentServer();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const headless = (...more: string[]) => [
    "--headless",
    "-u",
    "1",
    "-r",
    "10",
    "-t",
    "1s",
    "-H",
    `http://127.0.0.1:${server.port}`,
    ...more,
  ];

  it("without -s: points to it", async () => {
    const { output } = await runInProcess(headless(), dir);
    assert.match(
      output,
      /^1 request was in flight when its user stopped: it is in no statistic \(the server may have answered it\); -s\/--stop-timeout lets tasks finish$/m,
    );
  });

  it("with -s: says that it ran out, and how long it was", async () => {
    const { output } = await runInProcess(headless("-s", "0.5s"), dir);
    assert.match(
      output,
      /^1 request was in flight when its user stopped: it is in no statistic \(the server may have answered it\); the stop timeout \(-s\/--stop-timeout, 0\.5 s\) ran out before its task ended$/m,
    );
    assert.doesNotMatch(output, /lets tasks finish/);
  });
});
