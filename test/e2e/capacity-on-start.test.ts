/**
 * A closed-model capacity search whose users log in (onStart) before their tasks, as a
 * Django site's users do: each step's hold begins once its new users' logins have ended,
 * so the step is judged on the load it holds, not on a burst of logins that the steady load
 * never makes. Found by a new user: 40 logins of 100 ms of CPU each on a 2-worker gunicorn
 * made the first step "break" p95 < 200 ms at 2.6 s on a site that holds 130 users.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type CliResult, fixtureDir, runCli } from "../helpers/cli.js";

/** A login takes this long; the page itself is answered at once. */
const LOGIN_MS = 2500;

const LOCUSTFILE = `import { HttpUser, task, constant } from "cicada-load";
export class Member extends HttpUser {
  waitTime = constant(0.2);
  async onStart() { await this.client.get("/login"); }
  @task async page() { await this.client.get("/page"); }
}
`;

let server: Server;
let url: string;
const received = { login: 0, page: 0 };

before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/login") {
      received.login++;
      setTimeout(() => res.end("welcome"), LOGIN_MS);
      return;
    }
    received.page++;
    res.end("page");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("--find-capacity with users that log in first", { timeout: 90_000 }, () => {
  let result: CliResult;
  before(async () => {
    const dir = fixtureDir({ "locustfile.ts": LOCUSTFILE });
    result = await runCli(
      [
        "--headless",
        "-H",
        url,
        "--find-capacity",
        "--slo=p95<300ms",
        "--capacity-start=10",
        "--capacity-max=10",
        "--capacity-hold=2s:3s",
        "--only-summary",
      ],
      { cwd: dir, timeoutMs: 80_000 },
    );
  });

  it("judges the step after its users' logins: it met the SLO, the answer is the upper bound", () => {
    const { code, stdout, stderr } = result;
    // Without the wait, the 10 logins of 2.5 s fall into the first step's hold: p95 2.5 s
    // against 300 ms, "No capacity found" (exit 10) for a target that answers pages at once.
    assert.equal(code, 11, `${stdout}\n${stderr}`);
    assert.match(stdout, /At least 10 users \([\d.]+ req\/s\): no step up to the upper bound broke an SLO/);
    assert.match(stderr, /The new users' onStart took [\d.]+ s: the step's hold begins now/);
    // Each user logged in once.
    assert.equal(received.login, 10);
  });
});
