// --cluster-secret: ZeroMQ CURVE keys derived from a shared secret. Only nodes that know
// it complete the handshake with the master; the others cannot join, download the
// locustfile or send it anything. A master that listens beyond loopback without it warns.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { curveKeyPair } from "zeromq";
import { run } from "../../../src/cli/main.js";
import { curvePublicKeyOf, z85Decode, z85Encode } from "../../../src/distributed/cluster-secret.js";
import { fetchLocustfile } from "../../../src/distributed/index.js";
import { EnvironmentError } from "../../../src/shared/errors.js";
import { sleep } from "../../helpers/env.js";
import { startCluster, VERSION, workerTotals } from "./cluster-helpers.js";

describe("CURVE keys from a secret", () => {
  it("Z85 as ZeroMQ's spec has it, and X25519 public keys as libzmq (libsodium) derives them", () => {
    assert.equal(z85Encode(Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), "HelloWorld");
    for (let i = 0; i < 20; i++) {
      const pair = curveKeyPair();
      assert.equal(z85Encode(z85Decode(pair.secretKey)), pair.secretKey);
      assert.equal(curvePublicKeyOf(pair.secretKey), pair.publicKey);
    }
  });
});

describe("a master with --cluster-secret", () => {
  it("runs with workers that know the secret; others cannot join or download the locustfile", async (t) => {
    const secret = "correct horse battery staple";
    const locustfiles = [{ filename: "locustfile.ts", code: "export const token = 'secret-in-locustfile';" }];
    const cluster = await startCluster({ secret, locustfiles });
    t.after(() => cluster.close());
    cluster.addWorker("stranger_1", { masterTimeoutMs: 60_000 });
    cluster.addWorker("wrong_1", { secret: "another secret", masterTimeoutMs: 60_000 });
    cluster.addWorker("member_1", { secret });
    await cluster.master.waitForWorkers(1, 5000);
    const base = {
      masterHost: "127.0.0.1",
      masterPort: cluster.master.port,
      hostname: "h",
      wireVersion: VERSION,
    };
    await assert.rejects(
      fetchLocustfile({ ...base, timeoutMs: 500 }),
      (error: unknown) =>
        error instanceof EnvironmentError &&
        error.code === "CICADA_ERR_MASTER_UNREACHABLE" &&
        /that --cluster-secret is the same on both/.test(error.hint ?? ""),
    );
    assert.deepEqual((await fetchLocustfile({ ...base, timeoutMs: 5000, secret })).bundles, locustfiles);

    await cluster.master.start(2, 100);
    await sleep(300);
    await cluster.master.quitAndWait();
    await cluster.workers[2]!.finished;
    assert.deepEqual(
      cluster.master.workers().map((w) => w.id),
      [],
      "every worker has quit",
    );
    const seen = cluster.masterLogs.map((l) => l.message).join("\n");
    assert.doesNotMatch(seen, /stranger_1|wrong_1/, "nothing from the strangers reached the master");
    const total = cluster.master.environment.stats.total.numRequests;
    assert.ok(total > 0);
    assert.equal(total, workerTotals([cluster.workers[2]!]).requests);
  });

  it("warns when the master listens beyond loopback without a secret", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cicada-secret-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, "locustfile.ts"),
      'import { User, task } from "cicada-load";\nexport class U extends User { @task a() {} }\n',
    );
    const lines: string[] = [];
    const io = (argv: string[]) => ({
      argv,
      env: {},
      cwd: dir,
      stdout: { write: (text: string) => lines.push(text) },
      stderr: { write: (text: string) => lines.push(text) },
      onSignal: () => () => {},
      cpuUsageMicros: () => 0,
      memoryBytes: () => 0,
      cpuCount: () => 2,
    });
    const common = ["--master", "--headless", "--master-bind-port", "0", "--expect-workers-max-wait", "0.2s"];
    assert.equal(await run(io([...common, "--master-bind-host", "0.0.0.0"])), 4);
    assert.match(
      lines.join(""),
      /listens on 0\.0\.0\.0 without --cluster-secret: anyone who reaches its port/,
    );
    lines.length = 0;
    assert.equal(
      await run(io([...common, "--master-bind-host", "0.0.0.0", "--cluster-secret", "s3cret"])),
      4,
    );
    assert.equal(await run(io([...common, "--master-bind-host", "127.0.0.1"])), 4);
    assert.doesNotMatch(lines.join(""), /without --cluster-secret/);
  });
});
