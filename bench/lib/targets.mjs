// Starting the targets: nginx (scenarios 1 and 2) or the recording node:http server
// (scenarios 3 and 5, and the smoke run's stand-in for nginx when nginx is missing).
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNginx } from "./nginx.mjs";
import { startPinned } from "./processes.mjs";

/** Starts the latency server pinned to `core`; resolves when it listens. */
export async function startLatencyServer({ root, core, medianMs, maxSeconds = 900 }) {
  let onPort;
  const port = new Promise((resolve) => {
    onPort = resolve;
  });
  const args = [join(root, "bench", "targets", "latency-server.mjs"), "--max-seconds", String(maxSeconds)];
  if (medianMs !== undefined) args.push("--median-ms", String(medianMs));
  const handle = startPinned({
    command: process.execPath,
    args,
    core,
    timeoutMs: (maxSeconds + 10) * 1000,
    onStdoutLine(line) {
      const match = /^LISTENING (\d+)/.exec(line);
      if (match) onPort(Number(match[1]));
    },
  });
  const exited = handle.done.then((r) => {
    throw new Error(`the latency server exited early: ${r.stderr.slice(-1000)}`);
  });
  const origin = `http://127.0.0.1:${await Promise.race([port, exited])}`;
  exited.catch(() => {});
  return {
    origin,
    pid: handle.pid,
    /** The server's own record (count, p50Us/p95Us/p99Us, firstRequestEpochMs). */
    record() {
      return fetchJson(`${origin}/__record`);
    },
    async stop() {
      handle.signal("SIGTERM");
      const timer = setTimeout(() => handle.signal("SIGKILL"), 3000);
      await handle.done;
      clearTimeout(timer);
    },
  };
}

/** nginx when available; otherwise (only allowed for smoke runs) the node server. */
export async function startStaticTarget({ root, core, useNginx }) {
  if (useNginx) {
    const dir = mkdtempSync(join(tmpdir(), "cicada-bench-nginx-"));
    const nginx = await startNginx({ core, dir });
    return {
      kind: "nginx",
      origin: nginx.origin,
      h2Origin: nginx.h2Origin,
      async stop() {
        await nginx.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const server = await startLatencyServer({ root, core });
  return { kind: "node:http stand-in (nginx not installed)", origin: server.origin, stop: server.stop };
}

function fetchJson(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
    req.end();
  });
}
