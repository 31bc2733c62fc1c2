// Starting the targets: nginx (scenarios 1 and 2) or the recording node:http server
// (scenarios 3 and 5, and the smoke run's stand-in for nginx when nginx is missing).
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNginx } from "./nginx.mjs";
import { startPinned } from "./processes.mjs";

/**
 * Starts a node:http target script pinned to `core` (it prints "LISTENING <port>" when
 * ready and exits by itself after --max-seconds); resolves with its origin and a stop().
 */
export async function startPinnedTarget({ root, core, script, args = [], maxSeconds = 900 }) {
  let onPort;
  const port = new Promise((resolve) => {
    onPort = resolve;
  });
  const handle = startPinned({
    command: process.execPath,
    args: [join(root, "bench", "targets", script), "--max-seconds", String(maxSeconds), ...args],
    core,
    timeoutMs: (maxSeconds + 10) * 1000,
    onStdoutLine(line) {
      const match = /^LISTENING (\d+)/.exec(line);
      if (match) onPort(Number(match[1]));
    },
  });
  const exited = handle.done.then((r) => {
    throw new Error(`${script} exited early: ${r.stderr.slice(-1000)}`);
  });
  const origin = `http://127.0.0.1:${await Promise.race([port, exited])}`;
  exited.catch(() => {});
  return {
    origin,
    pid: handle.pid,
    async stop() {
      handle.signal("SIGTERM");
      const timer = setTimeout(() => handle.signal("SIGKILL"), 3000);
      await handle.done;
      clearTimeout(timer);
    },
  };
}

/** Starts the latency server pinned to `core`; resolves when it listens. */
export async function startLatencyServer({ root, core, medianMs, maxSeconds = 900 }) {
  const args = medianMs === undefined ? [] : ["--median-ms", String(medianMs)];
  const target = await startPinnedTarget({ root, core, script: "latency-server.mjs", args, maxSeconds });
  return {
    ...target,
    /** The server's own record (count, p50Us/p95Us/p99Us, firstRequestEpochMs). */
    record() {
      return fetchJson(`${target.origin}/__record`);
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
