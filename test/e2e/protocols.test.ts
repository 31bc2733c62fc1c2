import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { startCouponService } from "../../examples/coupon-service/service.js";
import { startGrpcCouponService } from "../../examples/grpc/server.js";
import { ROOT, startCicada, startMaster, startProcess } from "./distributed-helpers.js";

function folder(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-protocols-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const signIn = `
async function signIn(client: any, username: string) {
  await client.get("/signin");
  const csrfmiddlewaretoken = client.cookies.get("csrftoken");
  await client.post("/signin", { form: { username, password: "cicada", csrfmiddlewaretoken } });
}
let n = 0;`;

test("WebSocket, SSE, gRPC and browser users on a worker: rows merged by the master, .proto shipped with -f -", async (t) => {
  const coupons = await startCouponService({ port: 0, coupons: 1, stock: 1000 });
  t.after(() => coupons.close());
  const grpc = await startGrpcCouponService({ port: 0, stock: 1000 });
  t.after(() => grpc.close());
  const dir = folder(t, {
    "locustfile.ts": `
import { BrowserUser, constant, GrpcUser, HttpUser, task, WebSocketUser } from "cicada-load";
import coupons from "./coupons.proto";
${signIn}
export class Watcher extends WebSocketUser {
  host = "${coupons.url.replace("http://", "ws://")}"; fixedCount = 1; waitTime = constant(0.1);
  async onStart() { await signIn(this.client, "ws-" + ++n); }
  @task async watch() {
    const ws = await this.connect("/live");
    await ws.waitFor((m) => String(m).includes("coupons-left"), { name: "coupons left", timeout: 2 });
    ws.send(JSON.stringify({ type: "ping", id: 1 }));
    await ws.waitFor((m) => String(m).includes("pong"), { name: "pong", timeout: 2 });
    await ws.close();
  }
}
export class Reader extends HttpUser {
  host = "${coupons.url}"; fixedCount = 1; waitTime = constant(0.1);
  async onStart() { await signIn(this.client, "sse-" + ++n); }
  @task async read() {
    const stream = await this.client.sse("/live/events", { name: "feed" });
    stream.close();
  }
}
export class Caller extends GrpcUser {
  host = "${grpc.url}"; proto = coupons; fixedCount = 1; waitTime = constant(0.1);
  @task async claim() { await this.client.unary("coupons.Coupons/Claim", { id: 1, user: "g-" + ++n }); }
  @task async watch() { await this.client.serverStream("coupons.Coupons/Watch", { updates: 2, interval_ms: 5 }, { name: "Watch" }); }
}
export class Visitor extends BrowserUser {
  host = "${coupons.url}"; fixedCount = 1; waitTime = constant(0.1);
  @task async home() { await this.goto("/"); await this.goto("/signin"); }
}
export const thresholds = { "VITAL FCP /": ["p95 < 30000"], "WS pong": ["failures == 0"], "GRPC Watch": ["count > 0"] };
`,
  });
  copyFileSync(join(ROOT, "examples", "grpc", "coupons.proto"), join(dir, "coupons.proto"));
  copyFileSync(join(ROOT, "examples", "grpc", "types.proto"), join(dir, "types.proto"));
  const { master, port } = await startMaster(t, dir, [
    "--headless",
    "-u",
    "4",
    "-r",
    "4",
    "-t",
    "4s",
    "--only-summary",
    "--expect-workers",
    "1",
  ]);
  // The worker runs in an empty folder: the locustfile and both .proto files come from the master.
  const worker = startCicada(t, ["--worker", "-f", "-", "--master-port", String(port)], {
    cwd: folder(t, {}),
  });
  const [code, workerCode] = await Promise.all([master.exited, worker.exited]);
  const out = master.output();
  assert.equal(code, 0, `no failure, every threshold passed:\n${out}\n--- worker\n${worker.output()}`);
  assert.equal(workerCode, 0, worker.output());
  for (const row of [
    /WS\s+\/live\s+[1-9]/,
    /WS\s+coupons left\s+[1-9]/,
    /WS\s+pong\s+[1-9]/,
    /SSE\s+feed\s+[1-9]/,
    /GRPC\s+coupons\.Coupons\/Claim\s+[1-9]/,
    /GRPC\s+Watch\s+[1-9]/,
    /NAV\s+\/\s+[1-9]/,
    /NAV\s+\/signin\s+[1-9]/,
    /VITAL\s+FCP \/\s+[1-9]/,
    /VITAL\s+TTFB \/\s+[1-9]/,
    /VITAL\s+LCP \/\s+[1-9]/,
    /VITAL\s+CLS \/\s+[1-9]/,
  ]) {
    assert.match(out, row);
  }
  assert.match(out, /✓ VITAL FCP \/\s+p95 < 30000/);
  assert.ok((grpc.calls.get("Claim") ?? 0) > 0);
});

test("browser users: a page that never loads is a counted failure; Web Vitals drive thresholds (exit 99)", async (t) => {
  const hanging = createServer((req, res) => {
    if (req.url === "/hang") return; // never answers
    res
      .writeHead(200, { "content-type": "text/html" })
      .end("<!doctype html><title>ok</title><h1>Hello</h1><p>text</p>");
  });
  t.after(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  const dir = folder(t, {
    "locustfile.ts": `
import { BrowserUser, constant, task } from "cicada-load";
export class Visitor extends BrowserUser {
  waitTime = constant(0.1);
  @task async visit() {
    await this.goto("/", { name: "home" });
    const response = await this.goto("/hang", { timeout: 0.5 });
    if (response !== null) throw new Error("a page that never loads resolved");
  }
}`,
  });
  const run = startCicada(
    t,
    [
      "-f",
      "locustfile.ts",
      "--headless",
      "-u",
      "1",
      "-r",
      "1",
      "-t",
      "3s",
      "-H",
      url,
      "--only-summary",
    ].concat(["--threshold", "VITAL FCP home:p95<0.001"]),
    { cwd: dir },
  );
  const code = await run.exited;
  const out = run.output();
  assert.equal(code, 99, out);
  assert.match(out, /NAV\s+home\s+[1-9]\d*\s+0\(0\.00%\)/);
  assert.match(out, /NAV\s+\/hang\s+([1-9]\d*)\s+\1\(100\.00%\)/);
  assert.match(out, /Timeout: the page did not load within 0.5 s/);
  assert.match(out, /✗ VITAL FCP home\s+p95<0.001/);
  assert.doesNotMatch(out, /Traceback|exceptions/i);
});

test("a .proto that does not parse stops the run before it starts (exit 3, CICADA_ERR_PROTO)", async (t) => {
  const dir = folder(t, {
    "bad.proto":
      'syntax = "proto3";\nservice S { rpc M (Missing) returns (Missing); }\nmessage X { int32 a = ; }\n',
    "locustfile.ts": `
import { GrpcUser, task } from "cicada-load";
import defs from "./bad.proto";
export class Caller extends GrpcUser { host = "grpc://127.0.0.1:1"; proto = defs; @task async m() {} }`,
  });
  const run = startCicada(t, ["-f", "locustfile.ts", "--headless", "-u", "1", "-t", "1s"], { cwd: dir });
  const code = await run.exited;
  assert.equal(code, 3, run.output());
  assert.match(
    run.output(),
    /a \.proto file of the locustfile is unusable: locustfile\.ts:3:18: bad\.proto does not parse: .*line 3/,
  );
  assert.doesNotMatch(run.output(), /\n\s+at /, "no stack trace");
});

test("without playwright-core a browser user's run stops at once, naming the package (exit 4)", async (t) => {
  // A copy of the installed Cicada whose node_modules lacks only playwright-core.
  const install = folder(t, {});
  cpSync(join(ROOT, "dist"), join(install, "dist"), { recursive: true });
  cpSync(join(ROOT, "bin"), join(install, "bin"), { recursive: true });
  copyFileSync(join(ROOT, "package.json"), join(install, "package.json"));
  mkdirSync(join(install, "node_modules"));
  for (const name of readdirSync(join(ROOT, "node_modules"))) {
    if (name !== "playwright-core" && name !== ".bin")
      symlinkSync(join(ROOT, "node_modules", name), join(install, "node_modules", name));
  }
  const dir = folder(t, {
    "locustfile.ts": `import { BrowserUser, task } from "cicada-load";\nexport class V extends BrowserUser { host = "http://127.0.0.1:1"; @task async v() {} }`,
  });
  const args = [
    join(install, "bin", "cicada.js"),
    "-f",
    "locustfile.ts",
    "--headless",
    "-u",
    "1",
    "-t",
    "1s",
  ];
  const run = startProcess(t, process.execPath, args, { cwd: dir });
  const code = await run.exited;
  assert.equal(code, 4, run.output());
  assert.match(run.output(), /BrowserUser needs the npm package playwright-core, which is not installed/);
  assert.match(run.output(), /npm install playwright-core/);
});

test("the protocol examples load: their user classes are listed (-l)", async (t) => {
  const examples = {
    "examples/live-feed/locustfile.ts": ["FeedWatcher", "FeedReader", "Claimer"],
    "examples/grpc/locustfile.ts": ["CouponClaimer"],
    "examples/browser/locustfile.ts": ["Visitor", "Shopper"],
  };
  for (const [file, classes] of Object.entries(examples)) {
    const run = startCicada(t, ["-f", file, "-l"]);
    assert.equal(await run.exited, 0, run.output());
    for (const name of classes)
      assert.match(run.output(), new RegExp(`\\b${name}\\b`), `${file}: ${run.output()}`);
  }
});
