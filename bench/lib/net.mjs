// Small network helpers: a free loopback port, and waiting until a URL answers.
import { request } from "node:http";
import { createServer } from "node:net";

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET; resolves with the status code. */
export function get(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Polls `url` until it answers 200, the process ends (`exited` settles) or `timeoutMs` passes. */
export async function waitForHttp(url, timeoutMs, exited) {
  let gone = false;
  exited?.then(() => {
    gone = true;
  });
  const until = performance.now() + timeoutMs;
  let lastError;
  while (performance.now() < until && !gone) {
    try {
      if ((await get(url, 500)) === 200) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(gone ? "the process exited" : `${url} did not answer: ${lastError?.message}`);
}
