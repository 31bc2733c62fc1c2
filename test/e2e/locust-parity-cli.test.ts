/**
 * The Locust-parity flags of the real CLI (bin/cicada.js): --locust-stub's stdout holds
 * the stub alone; --debug-user prints each request of one user, also under a debugger
 * (--inspect); processExitCode from a quitting hook is the exit code; --percentiles in
 * the console and CSV; --worker --processes N with -i exact across the workers.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fixtureDir, runCli, startCli, startTarget, type Target } from "../helpers/cli.js";
import { freePort } from "../helpers/free-port.js";
import { PYTHON } from "../helpers/locust.js";

let target: Target;
let served = 0;
before(async () => {
  target = await startTarget((req, res) => {
    served++;
    if (req.url === "/fail") res.writeHead(500).end("no");
    else res.writeHead(200, { "content-type": "text/plain", "x-hello": "1" }).end("hello world");
  });
});
after(() => target.close());

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function folder(files: Record<string, string>): string {
  const dir = fixtureDir(files);
  dirs.push(dir);
  return dir;
}

const VISITOR = (body: string) =>
  [
    'import { HttpUser, User, task, constant, events } from "cicada-load";',
    body,
    "export class Visitor extends HttpUser {",
    "  waitTime = constant(0);",
    '  @task async hello() { await this.client.get("/hello"); }',
    "}",
    "",
  ].join("\n");

test("--locust-stub: a locustfile's console.log goes to stderr, stdout is a valid Python stub", async () => {
  const cwd = folder({ "locustfile.ts": VISITOR('console.log("loading the locustfile");') });
  const result = await runCli(["-f", "locustfile.ts", "--locust-stub"], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /loading the locustfile/);
  assert.match(result.stderr, /loading the locustfile/);
  const check = spawnSync(PYTHON, ["-c", "import ast,sys; ast.parse(sys.stdin.read()); print('ok')"], {
    input: result.stdout,
    encoding: "utf8",
  });
  assert.equal(check.stdout.trim(), "ok", check.stderr);
});

test("--debug-user runs one user, printing each request (with --debug-payload, headers and body); -i ends it", async () => {
  const cwd = folder({
    "locustfile.ts": [
      'import { HttpUser, task, constant } from "cicada-load";',
      "export class Visitor extends HttpUser {",
      "  waitTime = constant(0);",
      '  @task async hello() { await this.client.get("/hello"); await this.client.get("/fail", { name: "failing" }); }',
      "}",
      'export class Other extends HttpUser { @task async x() { await this.client.get("/other"); } }',
      "",
    ].join("\n"),
  });
  const base = ["-f", "locustfile.ts", "-H", target.url, "-i", "2"];
  const ambiguous = await runCli([...base, "--debug-user"], { cwd });
  assert.equal(ambiguous.code, 2);
  assert.match(
    ambiguous.stderr,
    /--debug-user needs a class name: the locustfile has 2 user classes \(Other, Visitor\)/,
  );
  const before = served;
  const result = await runCli([...base, "--debug-user", "Visitor", "--debug-payload"], { cwd });
  assert.equal(result.code, 1, result.stderr); // /fail failed
  assert.equal(served - before, 4, "two tasks of one user: four requests");
  const lines = result.stdout.split("\n");
  const requests = lines.filter((l) => /^GET /.test(l));
  assert.equal(requests.length, 4, result.stdout);
  assert.match(requests[0]!, new RegExp(`^GET ${target.url}/hello 200 \\d+\\.\\d\\d ms 11 B$`));
  assert.match(
    requests[1]!,
    new RegExp(`^GET ${target.url}/fail \\(failing\\) 500 .* FAILED HTTPError: 500 Internal Server Error$`),
  );
  assert.ok(lines.includes("  < x-hello: 1") && lines.includes("  | hello world"), result.stdout);
  assert.doesNotMatch(result.stdout, /Response time percentiles|Aggregated/, "no statistics tables");
});

test("--inspect waits for a debugger before the user runs, then goes on", { timeout: 30_000 }, async (t) => {
  const cwd = folder({ "locustfile.ts": VISITOR("") });
  const before = served;
  const run = startCli(
    ["-f", "locustfile.ts", "-H", target.url, "-i", "1", "--debug-user", "--inspect", "127.0.0.1:0"],
    { cwd, timeoutMs: 20_000 },
  );
  t.after(() => run.child.kill("SIGKILL"));
  let stderr = "";
  run.child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await run.waitForOutput(/Waiting for a debugger to attach/);
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)![1]!;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(served, before, "nothing runs before a debugger attaches");
  await sendToInspector(url, { id: 1, method: "Runtime.runIfWaitingForDebugger" });
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^GET .*\/hello 200 /m);
  assert.equal(served - before, 1);
});

test("processExitCode set in a quitting listener is the exit code; --percentiles shapes the console and CSV", async () => {
  const cwd = folder({
    "locustfile.ts": VISITOR(
      "events.quitting.addListener(({ environment }) => { environment.processExitCode = environment.runner?.userCount === 0 ? 42 : 43; });",
    ),
  });
  const args = [
    "-f",
    "locustfile.ts",
    "-H",
    target.url,
    "--headless",
    "-u",
    "2",
    "-i",
    "20",
    "--percentiles",
    "50,99.9",
  ];
  const result = await runCli([...args, "--csv", "out"], { cwd });
  assert.equal(result.code, 42, result.stderr);
  assert.match(result.stdout, /Type\s+Name\s+50%\s+99\.9%\s+# reqs/);
  const csv = readFileSync(join(cwd, "out_stats.csv"), "utf8").split("\r\n");
  assert.ok(csv[0]!.endsWith("Failures/s,50%,99.9%"), csv[0]);
  assert.match(csv[1]!, /^GET,\/hello,20,0,/, "exactly 20 tasks (-i 20)");
});

test("--worker --processes 2 joins a master with two workers; -i 30 runs exactly 30 tasks over both", {
  timeout: 60_000,
}, async (t) => {
  const cwd = folder({ "locustfile.ts": VISITOR("") });
  const port = await freePort();
  const before = served;
  const master = startCli(
    ["-f", "locustfile.ts", "-H", target.url, "--master", "--master-bind-host", "127.0.0.1"].concat([
      "--master-bind-port",
      String(port),
      "--headless",
      "-u",
      "4",
      "-r",
      "4",
      "-i",
      "30",
      "--expect-workers",
      "2",
    ]),
    { cwd },
  );
  t.after(() => master.child.kill("SIGKILL"));
  await master.waitForOutput("Master listening");
  const workers = startCli(
    ["-f", "locustfile.ts", "--worker", "--processes", "2", "--master-port", String(port)],
    {
      cwd,
    },
  );
  const masterResult = await master.done;
  const workersResult = await workers.done;
  assert.equal(masterResult.code, 0, masterResult.stderr);
  assert.equal(workersResult.code, 0, workersResult.stderr);
  assert.match(workersResult.stderr, /\[worker 1\] /);
  assert.match(workersResult.stderr, /\[worker 2\] /);
  assert.match(masterResult.stderr, /The iteration limit \(30\) is reached/);
  assert.equal(served - before, 30, "the target saw exactly 30 requests");
  assert.match(masterResult.stdout, /GET\s+\/hello\s+30\s+0\(0\.00%\)/);
});

/** Sends one message to Node's inspector: a minimal WebSocket client (handshake, one masked text frame). */
function sendToInspector(url: string, message: object): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    socket.once("data", (reply) => {
      if (!reply.toString().startsWith("HTTP/1.1 101")) return reject(new Error(reply.toString()));
      const payload = Buffer.from(JSON.stringify(message));
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
      socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
    socket.on("error", reject);
  });
}
