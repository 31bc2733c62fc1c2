import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(import.meta.dirname, "..", "..", "..");

/** Packages resolved while a child process imports `module` (through a module.register hook). */
function packagesLoadedBy(module: string): string[] {
  const hook = `export async function resolve(specifier, context, next) {
    if (/^[@a-z]/.test(specifier) && !specifier.startsWith("node:")) process._rawDebug("PACKAGE " + specifier);
    return next(specifier, context);
  }`;
  const register = `import { register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));`;
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      `data:text/javascript,${encodeURIComponent(register)}`,
      "-e",
      `await import(${JSON.stringify(module)})`,
      "--input-type=module",
    ],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  return child.stderr
    .split("\n")
    .filter((line) => line.startsWith("PACKAGE "))
    .map((line) => line.slice("PACKAGE ".length));
}

describe("what a local run loads", () => {
  it("loads neither ZeroMQ and msgpack (distributed runs), tough-cookie (the first cookie) the other protocols' packages nor the exposition parser (--monitor) with the CLI", () => {
    const loaded = packagesLoadedBy(join(root, "src", "cli", "main.ts"));
    assert.ok(loaded.includes("commander"), `the hook sees packages: ${loaded.join(", ")}`);
    assert.ok(
      !loaded.some((name) => name.startsWith("@opentelemetry/")),
      "OpenTelemetry is loaded for --otlp only",
    );
    const protocols = ["ws", "@grpc/grpc-js", "@grpc/proto-loader", "playwright-core"]; // on first use only
    const exporters = ["prom-client", "protobufjs", "snappyjs", "fastify", "parse-prometheus-text-format"];
    for (const name of ["zeromq", "msgpackr", "tough-cookie", ...protocols, ...exporters])
      assert.ok(!loaded.includes(name), `${name} was loaded`);
  });

  it("loads tough-cookie when a session stores its first cookie", async () => {
    const { HttpSession } = await import("../../../src/http/index.js");
    const session = new HttpSession({ baseUrl: "http://127.0.0.1:9", onRequest: () => {} });
    session.cookies.set("a=1");
    assert.equal(session.cookies.get("a"), "1");
  });
});
