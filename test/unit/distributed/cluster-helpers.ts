/** An in-process cluster for tests: a MasterRunner and Workers on 127.0.0.1 over real ZeroMQ sockets. */
import type { TestContext } from "node:test";
import { Packr, Unpackr } from "msgpackr";
import { Dealer, Router } from "zeromq";
import {
  decodeMasterMessage,
  type MasterOptions,
  MasterRunner,
  Worker,
  type WorkerOptions,
} from "../../../src/distributed/index.js";
import { Environment } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { constant, task, User, type UserClass } from "../../../src/user/index.js";

export const VERSION = "cicada-0.0.0-test";

/** A user that "requests" without a network: it fires the request event itself. */
export class Alpha extends User {
  static weight = 3;
  override waitTime = constant(0.02);
  @task work() {
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/alpha",
      responseTimeMs: 1.5,
      responseLength: 1,
    });
  }
}

export class Beta extends User {
  override waitTime = constant(0.02);
  @task work() {
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/beta",
      responseTimeMs: 120,
      responseLength: 2,
      exception: "boom",
    });
  }
}

export interface Cluster {
  master: MasterRunner;
  masterLogs: LogRecord[];
  workers: Worker[];
  workerLogs: LogRecord[][];
  /** A worker running `workerClasses` (default: the master's classes), with its own -T if `tags`. */
  addWorker(
    nodeId: string,
    options?: Partial<WorkerOptions>,
    workerClasses?: UserClass[],
    tags?: readonly string[],
  ): Worker;
  close(): Promise<void>;
}

function environment(
  classes: UserClass[],
  logs: LogRecord[],
  lag?: number,
  tags?: readonly string[],
): Environment {
  return new Environment({
    userClasses: classes,
    tags,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    ...(lag ? { currentWindowLagSeconds: lag } : {}),
  });
}

export async function startCluster(
  masterOptions: Partial<MasterOptions> = {},
  classes: UserClass[] = [Alpha, Beta],
): Promise<Cluster> {
  const masterLogs: LogRecord[] = [];
  const master = await MasterRunner.start(environment(classes, masterLogs, 3), {
    bindHost: "127.0.0.1",
    bindPort: 0,
    wireVersion: VERSION,
    ...masterOptions,
  });
  const workers: Worker[] = [];
  const workerLogs: LogRecord[][] = [];
  return {
    master,
    masterLogs,
    workers,
    workerLogs,
    addWorker(nodeId, options = {}, workerClasses = classes, tags = undefined) {
      const logs: LogRecord[] = [];
      const worker = new Worker(environment(workerClasses, logs, undefined, tags), {
        masterHost: "127.0.0.1",
        masterPort: master.port,
        nodeId,
        wireVersion: VERSION,
        probe: { cpuUsageMicros: () => 0, memoryBytes: () => 1234 },
        ...options,
      });
      worker.start();
      workers.push(worker);
      workerLogs.push(logs);
      return worker;
    },
    async close() {
      await master.quitAndWait();
      await Promise.all(workers.map((w) => w.shutdown()));
    },
  };
}

/** Sum of what workers put in their reports. */
export function workerTotals(workers: Worker[]): { requests: number; failures: number } {
  return workers.reduce(
    (sum, w) => ({ requests: sum.requests + w.totals.requests, failures: sum.failures + w.totals.failures }),
    { requests: 0, failures: 0 },
  );
}

/**
 * A raw peer on the master's port (no Worker behind it): its DEALER, closed after the test,
 * and the types of the messages the master sent it, as they arrive.
 */
export function rawPeer(
  t: TestContext,
  port: number,
  routingId: string,
): { dealer: Dealer; replies: string[] } {
  const dealer = new Dealer({ routingId, linger: 0 });
  t.after(() => dealer.close());
  dealer.connect(`tcp://127.0.0.1:${port}`);
  const replies: string[] = [];
  void (async () => {
    for await (const [frame] of dealer) {
      const decoded = decodeMasterMessage(frame!);
      if (decoded.ok) replies.push(decoded.message.type);
    }
  })().catch(() => {});
  return { dealer, replies };
}

// Python's msgpack is what a Locust master uses; decode like it (maps keep int keys).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false });
const packr = new Packr({ useRecords: false });

/** A decoded map, as a Python master sees it. */
export type Dict = Map<string, unknown>;
export const field = <T>(map: unknown, key: string) => (map as Dict).get(key) as T;

interface Received {
  type: string;
  data: unknown;
  nodeId: string;
  routingId: string;
}

/** A bare ROUTER that plays a Locust master message by message: what it received, and a send. */
export async function fakeMaster() {
  const router = new Router({ linger: 0 });
  await router.bind("tcp://127.0.0.1:*");
  const received: Received[] = [];
  void (async () => {
    for await (const [id, payload] of router) {
      const [type, data, nodeId] = unpackr.unpack(payload!) as [string, unknown, string];
      received.push({ type, data, nodeId, routingId: id!.toString() });
    }
  })().catch(() => {});
  return {
    port: Number(/:(\d+)$/.exec(router.lastEndpoint!)![1]),
    received,
    of: (type: string) => received.filter((m) => m.type === type),
    send: (nodeId: string, type: string, data: unknown) =>
      router.send([nodeId, packr.pack([type, data, nodeId])]),
    close: () => router.close(),
  };
}
