// What a GrpcUser or WebSocketUser locustfile gets refused for before the test starts,
// with one message, a documented exit code (docs/exit-codes.md) and no stack trace: a
// .proto import that points nowhere (was reported as a syntax error), a host whose port
// is out of range (was reported as a wrong scheme), a GrpcUser without its .proto (was
// an exception at every call, exit 1).
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runInProcess } from "../../helpers/in-process-cli.js";
import { tempDir } from "../../helpers/temp-dir.js";

const EXAMPLE_PROTOS = join(import.meta.dirname, "..", "..", "..", "examples", "grpc");

/** A folder with the example's .proto files and these locustfiles. */
function project(files: Record<string, string>): string {
  const dir = tempDir("cicada-protocol-refusals-");
  for (const name of ["coupons.proto", "types.proto"])
    copyFileSync(join(EXAMPLE_PROTOS, name), join(dir, name));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const cli = runInProcess;

function assertRefused(result: { code: number; output: string }, exitCode: number, message: RegExp): void {
  assert.equal(result.code, exitCode, result.output);
  assert.match(result.output, message);
  assert.doesNotMatch(result.output, /^\s+at /m, "no stack trace");
  assert.doesNotMatch(result.output, /Starting Cicada/);
}

const HEADLESS = ["--headless", "-t", "1s", "-u", "1"];

function grpcUser(fields: string, imports = 'import coupons from "./coupons.proto";'): string {
  return `import { GrpcUser, task } from "cicada-load";\n${imports}\nexport class G extends GrpcUser {\n  ${fields}\n  @task async claim() { await this.client.unary("coupons.Coupons/Claim", { id: 1, user: "u" }); }\n}\n`;
}

describe("protocol locustfiles refused before the test starts", () => {
  it("a .proto import that points nowhere: CICADA_ERR_PROTO (3) at the import, the hint names the missing path", async () => {
    const dir = project({
      "locustfile.ts": grpcUser(
        'host = "grpc://127.0.0.1:1"; proto = nope;',
        'import nope from "./protos/nope.proto";',
      ),
    });
    const result = await cli(HEADLESS, dir);
    assertRefused(
      result,
      3,
      /^Error: a \.proto file of the locustfile is unusable: locustfile\.ts:2:18: cannot read .*protos\/nope\.proto: no such file/m,
    );
    assert.match(result.output, /^Hint: There is no file at protos\/nope\.proto: check the path/m);
    assert.doesNotMatch(result.output, /syntax error/, "the hint of CICADA_ERR_LOCUSTFILE_SYNTAX");
  });

  it("a host whose port is out of range says so, not that its scheme is wrong; a GrpcUser's hint is a grpc:// URL", async () => {
    const dir = project({ "locustfile.ts": grpcUser('host = "grpc://127.0.0.1:99999"; proto = coupons;') });
    const result = await cli(HEADLESS, dir);
    assertRefused(
      result,
      3,
      /^Error: G\.host 'grpc:\/\/127\.0\.0\.1:99999' cannot be used: its port 99999 is out of range \(a port is 1 to 65535\)/m,
    );
    assert.match(result.output, /^Hint: Write it like grpc:\/\/127\.0\.0\.1:50051/m);
    const wrongScheme = await cli(
      HEADLESS,
      project({ "locustfile.ts": grpcUser('host = "ws://h:1"; proto = coupons;') }),
    );
    assertRefused(wrongScheme, 3, /G\.host must be a URL of grpc, grpcs, http, https, got 'ws:\/\/h:1'/);
    assert.match(wrongScheme.output, /^Hint: Write it like grpc:\/\/127\.0\.0\.1:50051/m);
  });

  it("-H with a port out of range (2)", async () => {
    const dir = project({ "locustfile.ts": grpcUser("proto = coupons;") });
    const refusals = {
      "ws://127.0.0.1:99999": "its port 99999 is out of range (a port is 1 to 65535)",
      "http://127.0.0.1:0": "its port 0 is out of range (a port is 1 to 65535)",
      "grpc://127.0.0.1:50051:x": "its port '50051:x' is not a number (a port is 1 to 65535)",
    };
    for (const [host, problem] of Object.entries(refusals)) {
      const result = await cli([...HEADLESS, "-H", host], dir);
      assert.equal(result.code, 2, result.output);
      assert.ok(result.output.includes(`--host '${host}' cannot be used: ${problem}`), result.output);
    }
  });

  it("a GrpcUser without proto: CICADA_ERR_USER_CLASS (3), not an exception at every call", async () => {
    const dir = project({ "locustfile.ts": grpcUser('host = "grpc://127.0.0.1:1";') });
    const result = await cli(HEADLESS, dir);
    assertRefused(
      result,
      3,
      /^Error: G\.proto must be a \.proto file imported by the locustfile, it has none/m,
    );
    assert.match(
      result.output,
      /^Hint: Give the class the \.proto of its service: import defs from "\.\/service\.proto"/m,
    );
    const path = await cli(
      HEADLESS,
      project({ "locustfile.ts": grpcUser('host = "grpc://127.0.0.1:1"; proto = "./coupons.proto";') }),
    );
    assertRefused(
      path,
      3,
      /G\.proto must be a \.proto file imported by the locustfile, got '\.\/coupons\.proto'/,
    );
  });
});
