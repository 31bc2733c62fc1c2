/**
 * Not a test: a quick throughput check of the session against raw undici.
 *
 *   node --import tsx test/unit/http/bench.ts [seconds=5] [users=50] [rounds=2]
 *
 * A `node:http` server runs in a child process (so client and server do not share a
 * core) and exits by itself. Each round runs `users` virtual users looping GET /hello for
 * `seconds` after a 1 s warm-up, first with `HttpSession`, then with one raw undici
 * `Client` per user calling `request()`, and prints requests/s and client CPU µs/request.
 */
import { spawn } from "node:child_process";
import { argv, cpuUsage, execPath } from "node:process";
import { Client } from "undici";
import { HttpSession } from "../../../src/http/index.js";

const [seconds = 5, users = 50, rounds = 2] = argv.slice(2).map(Number);

const serverSource = `
  const http = require("node:http");
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 11 });
    res.end('{"ok":true}');
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, "127.0.0.1", () => process.send(server.address().port));
  setTimeout(() => process.exit(0), ${((seconds + 2) * 2 * rounds + 10) * 1000}).unref();
  process.on("disconnect", () => process.exit(0));
`;

/** Requests completed while the measurement window is open. */
const window = { open: false, count: 0 };
let running = false;

/** One virtual user: loops until `running` turns false. */
type UserLoop = () => Promise<void>;

async function run(label: string, loops: UserLoop[], close: () => Promise<void>): Promise<void> {
  running = true;
  const users = loops.map((loop) => loop());
  await sleep(1000); // warm-up: connections, JIT
  window.count = 0;
  window.open = true;
  const startedAt = performance.now();
  const cpuBefore = cpuUsage();
  await sleep(seconds * 1000);
  const cpu = cpuUsage(cpuBefore);
  const elapsedS = (performance.now() - startedAt) / 1000;
  window.open = false;
  const requests = window.count;
  running = false;
  await Promise.all(users);
  await close();
  const cpuUsPerRequest = (cpu.user + cpu.system) / requests;
  console.log(
    `${label.padEnd(22)} ${(requests / elapsedS).toFixed(0).padStart(7)} req/s ` +
      `${cpuUsPerRequest.toFixed(1).padStart(7)} µs CPU/req  (${requests} requests)`,
  );
}

function sessionRun(origin: string): Promise<void> {
  const sessions = Array.from(
    { length: users },
    () =>
      new HttpSession({
        baseUrl: origin,
        onRequest: () => {
          if (window.open) window.count++;
        },
      }),
  );
  const loops = sessions.map((session) => async () => {
    while (running) await session.get("/hello");
  });
  return run("HttpSession", loops, async () => {
    await Promise.all(sessions.map((session) => session.close()));
  });
}

function undiciRun(origin: string): Promise<void> {
  const clients = Array.from({ length: users }, () => new Client(origin));
  const loops = clients.map((client) => async () => {
    while (running) {
      const { body } = await client.request({ path: "/hello", method: "GET" });
      await body.text();
      if (window.open) window.count++;
    }
  });
  return run("undici Client.request", loops, async () => {
    await Promise.all(clients.map((client) => client.close()));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const server = spawn(execPath, ["-e", serverSource], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const port = await new Promise<number>((resolve) => server.once("message", (m) => resolve(Number(m))));
    const origin = `http://127.0.0.1:${port}`;
    console.log(`${users} users × GET /hello, ${seconds} s per run, server pid ${server.pid}`);
    for (let round = 0; round < rounds; round++) {
      await sessionRun(origin);
      await undiciRun(origin);
    }
  } finally {
    server.kill();
  }
}

await main();
