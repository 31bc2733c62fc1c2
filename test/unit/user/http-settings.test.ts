/**
 * An HttpUser's settings are checked as the user wrote them: by their names, in seconds, and
 * by type (a locustfile runs without TypeScript's checker). A wrong one is an error from
 * `this.client`, in the exceptions table, saying what was wrong and what is expected; it was
 * `networkTimeoutMs must be a positive number, got -1000` for `networkTimeout = -1`, and
 * `insecure = "yes"` or `networkTimeout = "5"` passed without a word.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { constant, HttpUser, task } from "../../../src/user/index.js";
import { makeRun, waitFor } from "../../helpers/env.js";
import { startServer, type TestServer } from "../http/helpers.js";

/** The exceptions table of a run of one user of a class with `settings`, each message once. */
async function exceptionsOf(host: string, settings: Record<string, unknown>): Promise<string[]> {
  class Configured extends HttpUser {
    override waitTime = constant(0.01);
    constructor(...args: ConstructorParameters<typeof HttpUser>) {
      super(...args);
      Object.assign(this, settings);
    }
    @task async home() {
      await this.client.get("/");
    }
  }
  const { runner, environment } = makeRun([Configured], { host });
  await runner.start(1, 10);
  await waitFor(() => environment.stats.total.numRequests > 0 || environment.stats.exceptionCount > 0, 5000);
  await runner.quitAndWait();
  return environment.stats.snapshot(Date.now()).exceptions.map((row) => row.message);
}

describe("HttpUser settings", { timeout: 30_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((_req, res) => res.end("ok"));
  });
  after(() => server.close());

  const wrong: Array<[settings: Record<string, unknown>, message: string]> = [
    [{ networkTimeout: -1 }, "networkTimeout must be a positive number of seconds, got -1"],
    [{ connectionTimeout: 0 }, "connectionTimeout must be a positive number of seconds, got 0"],
    [
      { networkTimeout: "5" },
      'networkTimeout must be a positive number of seconds, got "5" (a string, in quotes)',
    ],
    [{ insecure: "yes" }, 'insecure must be true or false, got "yes" (a string, in quotes)'],
    [
      { responseTimeout: -5 },
      "responseTimeout must be a positive number of seconds, or Infinity for none, got -5",
    ],
    [{ maxRedirects: 1.5 }, "maxRedirects must be a whole number >= 0, got 1.5"],
    [
      { csrf: "on" },
      'csrf must be true, false or { cookieName, headerName }, got "on" (a string, in quotes)',
    ],
    [
      { defaultHeaders: "x-a: 1" },
      'defaultHeaders must be an object of header names and values, got "x-a: 1" (a string, in quotes)',
    ],
    [{ proxy: true }, 'proxy must be a URL ("http://host:port") or false, got true'],
    [{ maxResponseBodySize: [1] }, "maxResponseBodySize must be a positive number of bytes, got an array"],
  ];
  for (const [settings, message] of wrong) {
    it(`refuses ${JSON.stringify(settings)} in the user's words`, async () => {
      const exceptions = await exceptionsOf(server.url, settings);
      assert.deepEqual(exceptions, [message]);
    });
  }

  it("takes right ones as they are: seconds, Infinity, booleans", async () => {
    const exceptions = await exceptionsOf(server.url, {
      networkTimeout: 0.5,
      connectionTimeout: 2,
      responseTimeout: Number.POSITIVE_INFINITY,
      insecure: false,
      maxRedirects: 0,
      csrf: { cookieName: "token" },
      proxy: false,
      acceptEncoding: false,
    });
    assert.deepEqual(exceptions, []);
  });
});
