/** An in-process cluster for tests: a MasterRunner and Workers on 127.0.0.1 over real ZeroMQ sockets. */
import type { TestContext } from "node:test";
import { Dealer } from "zeromq";
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
  /** A worker running `workerClasses` (default: the master's classes). */
  addWorker(nodeId: string, options?: Partial<WorkerOptions>, workerClasses?: UserClass[]): Worker;
  close(): Promise<void>;
}

function environment(classes: UserClass[], logs: LogRecord[], lag?: number): Environment {
  return new Environment({
    userClasses: classes,
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
    addWorker(nodeId, options = {}, workerClasses = classes) {
      const logs: LogRecord[] = [];
      const worker = new Worker(environment(workerClasses, logs), {
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
