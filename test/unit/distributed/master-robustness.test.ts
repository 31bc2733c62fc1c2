import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import { test } from "node:test";
import { Packr } from "msgpackr";
import { Router } from "zeromq";
import { decodeWorkerMessage, encodeMessage, fetchLocustfile } from "../../../src/distributed/index.js";
import { EnvironmentError } from "../../../src/shared/errors.js";
import { sleep, waitFor } from "../../helpers/env.js";
import { rawPeer, startCluster, VERSION, workerTotals } from "./cluster-helpers.js";

/** Sends raw bytes to the port, then hangs up (ZeroMQ may keep waiting for a greeting). */
async function rawTcp(port: number, bytes: Buffer): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(bytes, () => setTimeout(() => socket.destroy(), 100));
    });
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
  });
}

test("malformed frames, random bytes and unknown types are logged and ignored; the master keeps working", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const port = cluster.master.port;
  await rawTcp(port, randomBytes(4096));
  await rawTcp(port, Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

  const { dealer: junk, replies } = rawPeer(t, port, "junk_1");
  const packr = new Packr({ useRecords: false });
  await junk.send(randomBytes(64));
  await junk.send(packr.pack({ not: "an array" }));
  await junk.send([Buffer.from("two"), Buffer.from("frames")]);
  await junk.send(encodeMessage("bogus_type", { x: 1 }, "junk_1"));
  await junk.send(encodeMessage("stats", { stats: "nope" }, "junk_1"));
  // Register, then send a report whose HDR bytes are garbage: the whole report is dropped.
  await junk.send(encodeMessage("client_ready", VERSION, "junk_1"));
  assert.ok(await waitFor(() => replies.includes("ack"), 3000), "junk worker acknowledged");
  const bad = {
    name: "/bad",
    method: "GET",
    last_request_timestamp: null,
    start_time: 1,
    num_requests: 5,
    num_none_requests: 0,
    num_failures: 0,
    total_response_time: 5,
    max_response_time: 1,
    min_response_time: 1,
    total_content_length: 0,
    response_times: new Map([[1, 5]]),
    num_reqs_per_sec: new Map(),
    num_fail_per_sec: new Map(),
    cicada_hdr: { histogram: randomBytes(40), min_us: 1000, max_us: 1000 },
  };
  await junk.send(
    encodeMessage("stats", { stats: [bad], stats_total: bad, errors: {}, user_count: 0 }, "junk_1"),
  );
  // A known worker sending an undecodable frame is told to reconnect (Locust does the same).
  await junk.send(randomBytes(32));
  assert.ok(await waitFor(() => replies.includes("reconnect"), 3000), "reconnect sent");
  await junk.send(encodeMessage("quit", null, "junk_1"));
  await sleep(200);

  const warnings = cluster.masterLogs
    .filter((l) => l.level === "WARNING" || l.level === "ERROR")
    .map((l) => l.message);
  for (const pattern of [
    /malformed message from 'junk_1': not msgpack/,
    /not a \[type, data, node_id\] array/,
    /2 frames/,
    /Unknown message type .*bogus_type/,
    /bad stats message/,
    /dropped a stats report from worker junk_1: HdrHistogram/,
  ]) {
    assert.ok(
      warnings.some((w) => pattern.test(w)),
      `no log line matches ${pattern}:\n${warnings.join("\n")}`,
    );
  }
  assert.equal(cluster.master.environment.stats.get("GET", "/bad"), undefined);

  // And a real worker still runs a test with exact totals.
  cluster.addWorker("h_1");
  await cluster.master.waitForWorkers(1, 5000);
  await cluster.master.start(2, 100);
  await sleep(500);
  await cluster.master.quitAndWait();
  await cluster.workers[0]!.finished;
  assert.equal(cluster.master.environment.stats.total.numRequests, workerTotals(cluster.workers).requests);
  assert.ok(cluster.master.environment.stats.total.numRequests > 0);
});

test("-f -: a Cicada worker gets the bundles; another version and Python workers get a clear error", async (t) => {
  const cluster = await startCluster({ locustfiles: [{ filename: "locustfile.ts", code: "export {}" }] });
  t.after(() => cluster.close());
  const base = { masterHost: "127.0.0.1", masterPort: cluster.master.port, hostname: "h", timeoutMs: 5000 };
  const fetched = await fetchLocustfile({ ...base, wireVersion: VERSION });
  assert.deepEqual(fetched.bundles, [{ filename: "locustfile.ts", code: "export {}" }]);
  await assert.rejects(fetchLocustfile({ ...base, wireVersion: "cicada-9.9.9" }), (error: unknown) => {
    assert.ok(error instanceof EnvironmentError);
    assert.equal(error.code, "CICADA_ERR_VERSION_MISMATCH");
    assert.match(error.message, /master runs Cicada 0\.0\.0-test and this worker runs Cicada 9\.9\.9/);
    return true;
  });
  await assert.rejects(fetchLocustfile({ ...base, wireVersion: "2.12.1" }), /only to Cicada workers/);
  assert.equal(cluster.master.workers().length, 0, "a download never registers a worker");
});

test("-f - with a master that accepts the connection but sends no locustfile (Locust before 2.23): a clear error within seconds", async (t) => {
  // A real ZeroMQ ROUTER that reads the request and never answers it, as Locust 2.12's master does.
  const router = new Router({ linger: 0 });
  t.after(() => router.close());
  await router.bind("tcp://127.0.0.1:0");
  const requests: string[] = [];
  void (async () => {
    for await (const [, frame] of router) {
      const decoded = decodeWorkerMessage(frame!);
      requests.push(decoded.ok ? decoded.message.type : decoded.kind === "unknown" ? decoded.type : "?");
    }
  })().catch(() => {});
  const started = performance.now();
  await assert.rejects(
    fetchLocustfile({
      masterHost: "127.0.0.1",
      masterPort: Number(/:(\d+)$/.exec(router.lastEndpoint!)![1]),
      hostname: "h",
      wireVersion: VERSION,
      timeoutMs: 4000,
      replyWaitMs: 300,
    }),
    (error: unknown) => {
      assert.ok(error instanceof EnvironmentError);
      assert.equal(error.code, "CICADA_ERR_LOCUSTFILE_FROM_MASTER");
      assert.match(error.message, /did not send a locustfile: it accepted the connection but did not answer/);
      assert.match(error.hint ?? "", /its own locustfile: cicada -f locustfile\.ts --worker/);
      return true;
    },
  );
  assert.ok(performance.now() - started < 3000, "the reply wait, not --master-timeout");
  assert.deepEqual(requests, ["locustfile"]);

  // A TCP listener that is not ZeroMQ completes no handshake: that is still "no master".
  const silent = createServer(() => {});
  t.after(() => silent.close());
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  await assert.rejects(
    fetchLocustfile({
      masterHost: "127.0.0.1",
      masterPort: (silent.address() as { port: number }).port,
      hostname: "h",
      wireVersion: VERSION,
      timeoutMs: 800,
      replyWaitMs: 100,
    }),
    (error: unknown) => error instanceof EnvironmentError && error.code === "CICADA_ERR_MASTER_UNREACHABLE",
  );
});

test("-f - with no master answering fails with a clear error after the timeout", async () => {
  await assert.rejects(
    fetchLocustfile({
      masterHost: "127.0.0.1",
      masterPort: 1,
      hostname: "h",
      wireVersion: VERSION,
      timeoutMs: 300,
    }),
    (error: unknown) => error instanceof EnvironmentError && error.code === "CICADA_ERR_MASTER_UNREACHABLE",
  );
});

test("the master says it is quitting its workers before the first quit is sent (a local worker process that then exits with 0 is ending, not failing)", {
  timeout: 20_000,
}, async (t) => {
  const cluster = await startCluster();
  const { dealer, replies } = rawPeer(t, cluster.master.port, "peer_1");
  await dealer.send(encodeMessage("client_ready", VERSION, "peer_1"));
  assert.ok(await waitFor(() => replies.includes("ack"), 3000), "peer acknowledged");
  const quitSentBefore: boolean[] = [];
  cluster.master.quittingWorkers.addListener(() => {
    quitSentBefore.push(replies.includes("quit"));
  });
  // The peer answers the quit as a worker does, so the master need not wait out its grace.
  const quitting = cluster.master.quitAndWait();
  assert.ok(await waitFor(() => replies.includes("quit"), 3000), "the quit was sent after");
  await dealer.send(encodeMessage("quit", null, "peer_1"));
  await quitting;
  assert.deepEqual(quitSentBefore, [false], "fired once, before any quit");
});
