import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";

const root = join(import.meta.dirname, "..", "..", "..");
const LINE = /^coupon-service listening on (http:\/\/127\.0\.0\.1:\d+)$/;

function startServer(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "examples/coupon-service/server.ts", ...args], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Resolves with the first stdout line; fails if the server exits or stays silent for 15 s. */
async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const timeout = AbortSignal.timeout(15_000);
  const [line] = (await Promise.race([once(lines, "line", { signal: timeout }), once(child, "exit")])) as [
    string,
  ];
  lines.close();
  return line;
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

test("server.ts prints one line with its URL, serves, and exits 0 on SIGTERM", async (t) => {
  const child = startServer(["--port", "0", "--coupons", "2", "--stock", "7"]);
  t.after(() => child.kill("SIGKILL"));
  const line = await firstLine(child);
  const url = LINE.exec(line)?.[1];
  assert.ok(url, `unexpected first line: ${line}`);
  const stats = (await (await fetch(`${url}/stats`)).json()) as { coupons: { id: number; stock: number }[] };
  assert.deepEqual(
    stats.coupons.map((c) => [c.id, c.stock]),
    [
      [1, 7],
      [2, 7],
    ],
  );
  child.kill("SIGTERM");
  assert.equal(await exitCode(child), 0);
});

test("server.ts --exit-on-stdin-close stops when its parent closes the pipe", async (t) => {
  const child = startServer(["--port", "0", "--exit-on-stdin-close"]);
  t.after(() => child.kill("SIGKILL"));
  assert.match(await firstLine(child), LINE);
  child.stdin!.end();
  assert.equal(await exitCode(child), 0);
});

test("server.ts rejects a bad flag value with exit code 2 and a usage line", async () => {
  const child = startServer(["--port", "eighty"]);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  assert.equal(await exitCode(child), 2);
  assert.match(stderr, /--port must be a whole number, got 'eighty'/);
  assert.match(stderr, /usage:/);
});
