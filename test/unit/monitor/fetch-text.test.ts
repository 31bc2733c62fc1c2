import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { fetchText, ScrapeFailure } from "../../../src/monitor/fetch-text.js";

/** One scrape of `url`, as the monitor asks for it. */
const scrape = (url: string) =>
  fetchText(url, { signal: AbortSignal.timeout(5000), accept: "text/plain", abortMessage: "no answer" });

/** A ScrapeFailure of kind "unreachable" whose message matches `message`. */
const unreachable = (message: RegExp) => (error: unknown) =>
  error instanceof ScrapeFailure && error.kind === "unreachable" && message.test(error.message);

describe("fetchText", { timeout: 10_000 }, () => {
  it("says that Node's fetch refuses a port browsers block (10080), not a bare 'bad port'", async () => {
    // fetch refuses before connecting: nothing listens or needs to.
    await assert.rejects(
      scrape("http://127.0.0.1:10080/metrics"),
      unreachable(/Node's fetch refuses to connect to this port .*run the exporter on another port/),
    );
  });

  it("https:// to a plain http exporter: the TLS failure in words on one line, not OpenSSL's text", async (t) => {
    const server = createServer((_req, res) => res.end("up 1\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const { port } = server.address() as { port: number };
    await assert.rejects(
      scrape(`https://127.0.0.1:${port}/metrics`),
      unreachable(/^the server did not answer in TLS; is it plain http\? \(wrong version number\)$/),
    );
  });
});
