/**
 * A master: runs no users itself, dispatches them over workers (Cicada or Locust's
 * Python workers) in Locust's protocol, and merges their reports into its Environment's
 * stats. It implements the Runner interface, so the headless CLI and the web UI drive it
 * like a local runner.
 */

import { BaseRunner, type Environment, type StartOptions, type WorkerSummary } from "../runner/index.js";
import { EnvironmentError } from "../shared/errors.js";
import { EventHook } from "../shared/event-hook.js";
import { dispatchUsers, nextRampCount, orderWorkers, rampPlan } from "./dispatch.js";
import { MasterInbox } from "./master-inbox.js";
import { MasterSocket } from "./transport.js";
import type { WorkerNode } from "./worker-nodes.js";

/** Settings of a {@link MasterRunner}. */
export interface MasterOptions {
  bindHost: string;
  /** 0 = any free port (see {@link MasterRunner.port}). */
  bindPort: number;
  /** This master's wire version (node-id.ts wireVersion). */
  wireVersion: string;
  /** Re-dispatch users when a worker joins, goes missing or quits during a test (default true). */
  rebalancing?: boolean;
  stopTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Heartbeat intervals a worker may miss before it is missing (Locust: 3). */
  heartbeatLiveness?: number;
  /** The locustfile bundles sent to `--worker -f -` workers. */
  locustfiles?: Array<{ filename: string; code: string }>;
  /** Options sent in spawn messages (Locust workers read tags and custom options from them); the environment's custom arguments are added. */
  parsedOptions?: Record<string, unknown>;
  /** --cluster-secret: only workers that know it can connect (cluster-secret.ts). */
  secret?: string | undefined;
}

/** How long quit waits for workers' final reports and `quit` messages. */
const QUIT_WAIT_MS = 5000;
/** Extra time, beyond the stop timeout, to wait for workers to confirm a stop. */
const STOP_GRACE_MS = 15_000;
/** After the ramp, how long to wait for workers to report their users (Locust: 1 s). */
const REPORT_WAIT_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The Runner of a master: dispatches users to workers and merges their stats. */
export class MasterRunner extends BaseRunner {
  /** Fired when a worker becomes ready, goes missing or leaves (the number of live workers). */
  readonly workersChanged = new EventHook<number>();

  private readonly inbox: MasterInbox;
  /** The classes of the current test (all, or the class picker's choice): spawn messages name only these. */
  private classNames: string[];
  private readonly rebalancing: boolean;
  private readonly stopTimeoutMs: number;
  private dispatchedCount = 0;
  private rampToken = 0;
  private lastSpawnTimestamp = 0;

  private constructor(
    environment: Environment,
    private readonly socket: MasterSocket,
    private readonly options: MasterOptions,
  ) {
    super(environment);
    this.rebalancing = options.rebalancing ?? true;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 0;
    this.classNames = environment.activeUserClassInfos.map((info) => info.name);
    this.inbox = new MasterInbox(environment, socket, {
      wireVersion: options.wireVersion,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      heartbeatLiveness: options.heartbeatLiveness ?? 3,
      locustfiles: options.locustfiles ?? [],
      onWorkerJoined: () => this.onWorkersChanged(),
      onWorkerLost: (node, why) => this.onWorkerLost(node, why),
    });
  }

  /** Binds the master socket and starts listening for workers. */
  static async start(environment: Environment, options: MasterOptions): Promise<MasterRunner> {
    const socket = await MasterSocket.bind(
      options.bindHost,
      options.bindPort,
      (error) => environment.logger.debug(`a message to a worker was dropped: ${String(error)}`),
      options.secret,
    );
    const master = new MasterRunner(environment, socket, options);
    environment.logger.info(`Master listening for workers on ${socket.endpoint}`);
    return master;
  }

  /** The port workers connect to. */
  get port(): number {
    return this.socket.port;
  }

  /** Requests and failures each worker has reported in the current (or last) test. */
  reportedByWorker(): Map<string, { requests: number; failures: number }> {
    return this.inbox.reportedByWorker();
  }

  /** Users the workers report running. */
  get userCount(): number {
    return this.liveWorkers().reduce((sum, node) => sum + node.userCount, 0);
  }

  get userClassesCount(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(this.classNames.map((name) => [name, 0]));
    for (const node of this.liveWorkers()) {
      for (const [name, count] of Object.entries(node.userClassesCount))
        counts[name] = (counts[name] ?? 0) + count;
    }
    return counts;
  }

  /** Every known worker, for the UI's Workers tab. */
  workers(): WorkerSummary[] {
    return this.inbox.nodes().map((node) => node.summary());
  }

  /** Workers users may be dispatched to. */
  liveWorkers(): WorkerNode[] {
    return this.inbox.nodes().filter((node) => node.live);
  }

  /**
   * Resolves once `count` workers are ready; rejects after `maxWaitMs` (0 = wait forever)
   * with a clear error, or when `abort` fires.
   */
  async waitForWorkers(count: number, maxWaitMs: number, abort?: AbortSignal): Promise<void> {
    const started = performance.now();
    let lastLog = 0;
    while (this.liveWorkers().length < count) {
      if (abort?.aborted) throw abort.reason;
      const waited = performance.now() - started;
      if (maxWaitMs > 0 && waited >= maxWaitMs) {
        throw new EnvironmentError(
          "CICADA_ERR_WORKERS_MISSING",
          `only ${this.liveWorkers().length} of ${count} expected worker(s) connected within ${maxWaitMs / 1000} s`,
          {
            hint:
              `Start workers with: cicada -f <locustfile> --worker --master-host <this machine> --master-port ${this.port}` +
              " (check firewalls), or lower --expect-workers / raise --expect-workers-max-wait",
          },
        );
      }
      if (waited - lastLog >= 1000) {
        lastLog = waited;
        this.environment.logger.info(
          `Waiting for workers to be ready, ${this.liveWorkers().length} of ${count} connected`,
        );
      }
      await sleep(50);
    }
  }

  /** Starts a test or changes the running one; resolves when the ramp is done. */
  async start(userCount: number, spawnRate: number, options: StartOptions = {}): Promise<void> {
    if (this.hasQuit) throw new Error("the runner has quit");
    if (this.liveWorkers().length === 0) {
      this.environment.logger.warning("no worker is connected: cannot start a test before one is ready");
      return;
    }
    if (!(await this.beginStart(userCount, spawnRate, options))) return;
    const workers = this.liveWorkers().length;
    this.environment.logger.info(
      `Sending spawn jobs of ${this.targetUserCount} users at ${spawnRate} spawn rate to ${workers} ready worker(s)`,
    );
    await this.ramp(++this.rampToken);
  }

  /** Steps from the dispatched count to the target, one spawn message per worker per step. */
  private async ramp(token: number): Promise<void> {
    const { usersPerStep, intervalMs } = rampPlan(this.spawnRate);
    const started = performance.now();
    let steps = 0;
    while (this.dispatchedCount !== this.targetUserCount) {
      if (token !== this.rampToken) return;
      this.dispatchedCount = nextRampCount(this.dispatchedCount, this.targetUserCount, usersPerStep);
      this.dispatch();
      steps++;
      if (this.dispatchedCount === this.targetUserCount) break;
      // Paced from the ramp's start, so slow sends do not stretch the ramp.
      await sleep(Math.max(0, started + steps * intervalMs - performance.now()));
    }
    if (token !== this.rampToken || this.state !== "spawning") return;
    this.setState("running");
    const deadline = performance.now() + REPORT_WAIT_MS;
    while (this.userCount !== this.targetUserCount && performance.now() < deadline) await sleep(10);
    if (token !== this.rampToken) return;
    const prefix =
      this.userCount === this.targetUserCount
        ? "All users spawned"
        : "Spawning is complete, but not every worker has reported its users yet";
    this.environment.events.spawningComplete.fire({ userCount: this.targetUserCount });
    this.environment.logger.info(
      `${prefix}: ${JSON.stringify(this.userClassesCount)} (${this.userCount} total users)`,
    );
  }

  /** Sends every live worker its absolute per-class counts for the dispatched user count. */
  private dispatch(): void {
    const order = orderWorkers(this.liveWorkers().map((node) => node.id));
    const plan = dispatchUsers(order, this.sequence, this.classNames, this.dispatchedCount);
    // Strictly increasing: a worker drops a spawn not newer than its last one.
    this.lastSpawnTimestamp = Math.max(Date.now() / 1000, this.lastSpawnTimestamp + 0.001);
    // The custom arguments as they are now (the web form may have set them for this test).
    const parsedOptions = { ...this.options.parsedOptions, ...this.environment.customOptionValues() };
    for (const [id, counts] of plan) {
      this.inbox.send(id, "spawn", {
        timestamp: this.lastSpawnTimestamp,
        user_classes_count: counts,
        host: this.environment.host ?? null,
        stop_timeout: this.stopTimeoutMs > 0 ? this.stopTimeoutMs / 1000 : null,
        parsed_options: parsedOptions,
      });
    }
  }

  private onWorkersChanged(): void {
    this.workersChanged.fire(this.liveWorkers().length);
    // During a ramp the next step includes the new worker anyway.
    if (this.rebalancing && this.state === "running") this.dispatch();
  }

  private onWorkerLost(node: WorkerNode, why: "missing" | "quit"): void {
    this.workersChanged.fire(this.liveWorkers().length);
    if (this.state !== "spawning" && this.state !== "running") return;
    if (this.liveWorkers().length === 0) {
      this.environment.logger.info(
        `The last worker ${why === "quit" ? "quit" : "went missing"}: stopping the test`,
      );
      this.stop();
      return;
    }
    if (this.rebalancing && this.state === "running") {
      this.environment.logger.info(`Re-dispatching the users of ${node.id} over the remaining workers`);
      this.dispatch();
    }
  }

  /** A new test also starts new per-worker totals. */
  protected override async beginTest(): Promise<boolean> {
    this.inbox.resetReported();
    this.classNames = this.environment.activeUserClassInfos.map((info) => info.name);
    return super.beginTest();
  }

  protected async stopUsers(): Promise<void> {
    this.rampToken++;
    this.dispatchedCount = 0;
    await this.inbox.stopWorkers(this.stopTimeoutMs + STOP_GRACE_MS);
  }

  /** Stops, tells every worker to quit, waits for their final reports, closes the socket. */
  protected override async closeOnQuit(): Promise<void> {
    await this.inbox.quitWorkers(QUIT_WAIT_MS + this.stopTimeoutMs);
    for (const [id, sums] of this.inbox.reportedByWorker()) {
      this.environment.logger.info(
        `Worker ${id} reported ${sums.requests} requests and ${sums.failures} failures`,
      );
    }
    await this.inbox.close();
  }
}
