/**
 * A master: runs no users itself, dispatches them over workers (Cicada or Locust's
 * Python workers) in Locust's protocol, and merges their reports into its Environment's
 * stats. It implements the Runner interface, so the headless CLI and the web UI drive it
 * like a local runner.
 */

import {
  type ArrivalRateStart,
  ArrivalSchedule,
  BaseRunner,
  checkArrivalRate,
  type Environment,
  isProtocolMessageType,
  type StartOptions,
  type WorkerSummary,
} from "../runner/index.js";
import { EnvironmentError } from "../shared/errors.js";
import { EventHook } from "../shared/event-hook.js";
import {
  arrivalShares,
  describeUserSplit,
  dispatchUsers,
  nextRampCount,
  orderWorkers,
  rampPlan,
  splitUsers,
} from "./dispatch.js";
import { ITERATIONS_DONE, IterationLedger, PERMITS, PERMITS_REQUEST } from "./iteration-leases.js";
import { MasterInbox } from "./master-inbox.js";
import { MasterSocket } from "./transport.js";
import { checkWorkerClasses, unrunUsersNote } from "./worker-classes.js";
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
  locustfiles?: Array<{ filename: string; code: string; dir?: string | undefined }>;
  /** Options sent in spawn messages (Locust workers read tags and custom options from them); the environment's custom arguments are added. */
  parsedOptions?: Record<string, unknown>;
  /** -i/--iterations: exactly this many tasks in each test, over all Cicada workers. */
  iterations?: number | undefined;
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
  /**
   * Fired once, just before the workers are told to quit (the master's quit): a worker
   * process that exits with 0 from then on is ending, not failing (cli/distributed.ts).
   */
  readonly quittingWorkers = new EventHook<void>();

  private readonly inbox: MasterInbox;
  /** The classes of the current test (all, or the class picker's choice): spawn messages name only these. */
  private classNames: string[];
  private readonly rebalancing: boolean;
  readonly stopTimeoutMs: number;
  private dispatchedCount = 0;
  private rampToken = 0;
  private lastSpawnTimestamp = 0;
  /** The arrival-rate test's rate over time (performance.now() ms); the workers run their shares of it. */
  private arrival: ArrivalSchedule | undefined;
  /**
   * Each Cicada worker's part of the arrival rate (its users over --max-users) and since
   * when it has had one (performance.now() ms), to estimate what a worker that goes
   * missing takes with it. A worker with no users (fewer users than workers) has none.
   */
  private readonly arrivalParts = new Map<string, { fraction: number; sinceMs: number }>();
  /** The Cicada workers last told that they get no users of the arrival rate (said once per change). */
  private idleArrivalWorkers = "";
  /** Locust workers already told that they get no share of an arrival rate. */
  private readonly warnedLocustWorkers = new Set<string>();
  /** The iteration budget of the current test (-i), lent to workers. */
  private ledger: IterationLedger | undefined;
  /** Workers the last dispatch gave users to. */
  private workersWithUsers: string[] = [];
  /** Why the cluster did not run the test as asked (a worker lacks user classes); the CLI exits with its code. */
  clusterProblem: EnvironmentError | undefined;

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
      onWorkerClasses: (node) => this.checkWorkerClasses(node),
      onOtherMessage: (type, data, node) => this.onOtherMessage(type, data, node),
    });
  }

  /**
   * Sends a custom message to the worker `clientId`, or to every worker (Locust's
   * `send_message`); Cicada and Locust workers alike receive it.
   */
  sendMessage(type: string, data?: unknown, clientId?: string): void {
    if (isProtocolMessageType(type)) {
      throw new RangeError(`sendMessage: "${type}" is a message type of the protocol itself`);
    }
    const ids = clientId === undefined ? this.inbox.nodes().map((node) => node.id) : [clientId];
    for (const id of ids) {
      this.environment.logger.debug(`Sending ${type} message to worker ${id}`);
      this.inbox.send(id, type, data ?? null);
    }
  }

  /** A message outside Locust's protocol: Cicada's iteration leases, or a custom message. */
  private onOtherMessage(type: string, data: unknown, node: WorkerNode): boolean {
    if (type === PERMITS_REQUEST) {
      const users = (data as { users?: unknown } | null)?.users;
      const lease = this.ledger?.lend(typeof users === "number" ? users : 1, this.liveWorkers().length) ?? {
        granted: 0,
        exhausted: true,
      };
      this.inbox.send(node.id, PERMITS, lease);
      if (lease.exhausted && this.ledger !== undefined && this.state === "spawning") {
        // No user started from now on would run a task.
        this.rampToken++;
        this.setState("running");
      }
      return true;
    }
    if (type === ITERATIONS_DONE) {
      this.ledger?.markDone(node.id);
      this.checkIterationsFinished();
      return true;
    }
    return this.messages.deliver(type, data, node.id);
  }

  /** Stops the test once the iteration budget is spent and every worker's users have finished. */
  private checkIterationsFinished(): void {
    if (this.ledger === undefined || (this.state !== "running" && this.state !== "spawning")) return;
    const live = new Set(
      this.liveWorkers()
        .filter((node) => node.cicadaVersion !== undefined)
        .map((n) => n.id),
    );
    if (this.ledger.finished(this.workersWithUsers.filter((id) => live.has(id)))) {
      this.environment.logger.info(
        `The iteration limit (${this.ledger.limit}) is reached and every worker's users have finished: stopping`,
      );
      this.stop();
    }
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
              // Never the secret itself: this line ends up in logs and CI output.
              (this.options.secret === undefined ? "" : " --cluster-secret <the same secret>") +
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
    // The same count with other classes (a shape's tick): the ramp has no step to take, but
    // the workers must get the new split.
    if (this.dispatchedCount === this.targetUserCount && this.dispatchedCount > 0) this.dispatch();
    const workers = this.liveWorkers().length;
    this.environment.logger.info(
      `Sending spawn jobs of ${this.targetUserCount} users at ${spawnRate} spawn rate to ${workers} ready worker(s)`,
    );
    await this.ramp(++this.rampToken);
  }

  get arrivalRate(): number | undefined {
    return this.arrival?.rateAt(performance.now());
  }

  /**
   * Starts an arrival-rate test, or changes the rate of the running one: each Cicada
   * worker runs its share of the rate (and of --max-users), and gets a new share when a
   * worker joins or leaves. Locust workers know only user counts: they get none of it.
   */
  async startArrivalRate(start: ArrivalRateStart): Promise<void> {
    if (this.hasQuit) throw new Error("the runner has quit");
    const refusal = this.arrivalRateRefusal();
    if (refusal !== undefined) throw refusal;
    if (!(await this.beginArrivalRate(start))) return;
    const now = performance.now();
    if (this.arrival === undefined) {
      const arrival = new ArrivalSchedule(now, start.rate);
      this.arrival = arrival;
      // The target per second, read beside the workers' started counts.
      this.environment.stats.iterations.followSchedule((epochMs) =>
        arrival.countAt(epochMs - performance.timeOrigin),
      );
    } else this.arrival.changeRate(now, start.rate);
    if (start.rampTo !== undefined && (start.rampMs ?? 0) > 0)
      this.arrival.changeRate(now, start.rampTo, start.rampMs);
    this.environment.stats.iterations.setTargetRate(start.rate);
    const workers = this.liveWorkers().filter((node) => node.cicadaVersion !== undefined).length;
    // --max-users split exactly (dispatch.ts): the workers' caps add up to it, never more.
    const users = splitUsers(this.openModel.maxUsers, workers);
    this.environment.logger.info(
      `Sending ${start.rate} iterations per second${start.rampTo === undefined ? "" : ` (ramping to ${start.rampTo})`} ` +
        `to ${workers} Cicada worker${workers === 1 ? "" : "s"}, ${describeUserSplit(users)}` +
        `${new Set(users).size > 1 ? "; each worker's share of the rate follows its users" : ""}`,
    );
    this.dispatchArrival();
  }

  /**
   * Refused, not ignored, with no Cicada worker: nothing would run, a headless run would
   * wait forever for a test that never started (its -t never armed), and the web form
   * would say it started.
   */
  override arrivalRateRefusal(): EnvironmentError | undefined {
    if (this.liveWorkers().some((node) => node.cicadaVersion !== undefined)) return undefined;
    return new EnvironmentError(
      "CICADA_ERR_NO_CICADA_WORKER",
      "an arrival rate runs only on Cicada workers, and none is connected (Locust workers take user counts)",
      {
        hint: "Start Cicada workers (cicada --worker ...), or run a number of users (-u) instead of --arrival-rate",
      },
    );
  }

  setArrivalRate(rate: number, rampMs = 0): void {
    if (this.arrival === undefined) throw new Error("no arrival-rate test is running");
    checkArrivalRate(rate);
    this.arrival.changeRate(performance.now(), rate, rampMs);
    this.dispatchArrival();
  }

  /** Sends every live Cicada worker its share of the rate now, and of the ramp in progress. */
  private dispatchArrival(): void {
    const arrival = this.arrival;
    if (arrival === undefined) return;
    const live = this.liveWorkers();
    for (const node of live) {
      if (node.cicadaVersion !== undefined || this.warnedLocustWorkers.has(node.id)) continue;
      this.warnedLocustWorkers.add(node.id);
      this.environment.logger.warning(
        `Worker ${node.id} is a Locust worker: it cannot run an arrival rate and gets no share of it`,
      );
    }
    const now = performance.now();
    const rampEnd = arrival.rampEndAfter(now);
    const shares = arrivalShares(
      orderWorkers(live.filter((node) => node.cicadaVersion !== undefined).map((node) => node.id)),
      {
        rate: arrival.rateAt(now),
        rampTo: rampEnd === undefined ? undefined : arrival.finalRate,
        rampMs: rampEnd === undefined ? 0 : rampEnd - now,
        maxUsers: this.openModel.maxUsers,
        maxQueueMs: this.openModel.maxQueueMs,
      },
    );
    const timestamp = this.nextSpawnTimestamp();
    const counts = Object.fromEntries(this.classNames.map((name) => [name, 0]));
    const maxUsers = this.openModel.maxUsers;
    for (const [id, share] of shares) {
      if (share.max_users === 0) {
        this.arrivalParts.delete(id);
        continue;
      }
      const sinceMs = this.arrivalParts.get(id)?.sinceMs ?? now;
      this.arrivalParts.set(id, { fraction: share.max_users / maxUsers, sinceMs });
    }
    this.noteIdleArrivalWorkers(shares);
    for (const [id, share] of shares) {
      this.inbox.send(id, "spawn", {
        ...this.spawnBase(timestamp),
        user_classes_count: counts,
        cicada_arrival: share,
      });
      this.noteSent(id, counts);
    }
  }

  /**
   * With fewer --max-users than Cicada workers, some get no users and rate 0: says which,
   * once, and again only when that changes (a worker joined or left).
   */
  private noteIdleArrivalWorkers(shares: ReadonlyMap<string, { max_users: number }>): void {
    const idle = [...shares].filter(([, share]) => share.max_users === 0).map(([id]) => id);
    const key = idle.join(" ");
    if (key === this.idleArrivalWorkers) return;
    this.idleArrivalWorkers = key;
    if (idle.length === 0) return;
    const maxUsers = this.openModel.maxUsers;
    const busy = shares.size - idle.length;
    this.environment.logger.warning(
      `--max-users ${maxUsers} is fewer than the ${shares.size} Cicada workers: ` +
        `${idle.length === 1 ? `worker ${idle[0]} gets` : `workers ${idle.join(", ")} get`} no users and no share ` +
        `of the arrival rate (rate 0); the rate runs on the ${busy === 1 ? "other worker" : `other ${busy} workers`}. ` +
        "Raise --max-users or run fewer workers to use them",
    );
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
    // Each worker's classes as sent, not only its total: a shape's tick may change the split alone.
    const settled = () =>
      this.liveWorkers().every((node) =>
        Object.entries(node.sentClassesCount).every(([name, n]) => (node.userClassesCount[name] ?? 0) === n),
      );
    while ((this.userCount !== this.targetUserCount || !settled()) && performance.now() < deadline)
      await sleep(10);
    if (token !== this.rampToken) return;
    const behind = this.liveWorkers()
      .filter((node) => node.userCount !== node.sentUserCount)
      .map((node) => `${node.id}: ${node.userCount} of ${node.sentUserCount}`);
    const prefix =
      this.userCount === this.targetUserCount
        ? "All users spawned"
        : `Spawning is complete, but not every worker has reported its users yet (${behind.join(", ")})`;
    this.environment.events.spawningComplete.fire({ userCount: this.targetUserCount });
    // As Locust ≥ 2.29: the workers fire spawningComplete once, with the test's total.
    for (const node of this.inbox.nodes()) {
      if (node.wantsSpawningComplete)
        this.inbox.send(node.id, "spawning_complete", { user_count: this.targetUserCount });
    }
    this.environment.logger.info(
      `${prefix}: ${JSON.stringify(this.userClassesCount)} (${this.userCount} total users)`,
    );
  }

  /** Sends every live worker its absolute per-class counts for the dispatched user count. */
  private dispatch(): void {
    const order = orderWorkers(this.liveWorkers().map((node) => node.id));
    const plan = dispatchUsers(order, this.sequence, this.classNames, this.dispatchedCount);
    const timestamp = this.nextSpawnTimestamp();
    this.workersWithUsers = [...plan]
      .filter(([, counts]) => Object.values(counts).some((n) => n > 0))
      .map(([id]) => id);
    for (const [id, counts] of plan) {
      this.inbox.send(id, "spawn", { ...this.spawnBase(timestamp), user_classes_count: counts });
      this.noteSent(id, counts);
    }
  }

  /** Remembers what a worker was sent, and checks it against the classes the worker defines. */
  private noteSent(id: string, counts: Record<string, number>): void {
    const node = this.inbox.nodes().find((n) => n.id === id);
    if (node === undefined) return;
    node.sentClassesCount = counts;
    this.checkWorkerClasses(node);
  }

  /** Warns about a worker that lacks this test's classes; users it cannot run make the run's clusterProblem. */
  private checkWorkerClasses(node: WorkerNode): void {
    // Every class of the locustfile, those -T/-E leave without tasks too: a worker defining one is no mismatch.
    const masterClasses = this.environment.userClasses.map((cls) => cls.name);
    this.clusterProblem ??= checkWorkerClasses(node, this.classNames, masterClasses, this.environment.logger);
  }

  /** Strictly increasing: a worker drops a spawn not newer than its last one. */
  private nextSpawnTimestamp(): number {
    this.lastSpawnTimestamp = Math.max(Date.now() / 1000, this.lastSpawnTimestamp + 0.001);
    return this.lastSpawnTimestamp;
  }

  /** The fields of a spawn message besides what the worker runs. */
  private spawnBase(timestamp: number) {
    const classHosts = this.userClassHosts();
    return {
      timestamp,
      host: this.environment.host ?? null,
      stop_timeout: this.stopTimeoutMs > 0 ? this.stopTimeoutMs / 1000 : null,
      parsed_options: this.parsedOptions(),
      ...(classHosts ? { cicada_user_class_hosts: classHosts } : {}),
    };
  }

  /**
   * The custom arguments as they are now (the web form may have set them for this test),
   * with -i and --reset-stats, which Cicada workers read from there.
   */
  private parsedOptions(): Record<string, unknown> {
    const parsedOptions: Record<string, unknown> = {
      ...this.options.parsedOptions,
      ...this.environment.customOptionValues(),
    };
    if (this.options.iterations !== undefined) parsedOptions.iterations = this.options.iterations;
    if (this.environment.resetStatsAfterRamp) parsedOptions.reset_stats = true;
    return parsedOptions;
  }

  /** Hosts the web form set per class (POST /user), for the workers; undefined when none. */
  private userClassHosts(): Record<string, string | null> | undefined {
    const hosts: Record<string, string | null> = {};
    for (const name of this.classNames) {
      const host = this.environment.userClassHostOverride(name);
      if (host !== undefined) hosts[name] = host;
    }
    return Object.keys(hosts).length > 0 ? hosts : undefined;
  }

  /** Sends the workers what they run now: their users, or their share of the arrival rate. */
  private redispatch(): void {
    if (this.loadModel === "arrival-rate") this.dispatchArrival();
    else this.dispatch();
  }

  private onWorkersChanged(): void {
    this.workersChanged.fire(this.liveWorkers().length);
    // During a ramp the next step includes the new worker anyway.
    if (this.rebalancing && this.state === "running") this.redispatch();
  }

  private onWorkerLost(node: WorkerNode, why: "missing" | "quit"): void {
    this.workersChanged.fire(this.liveWorkers().length);
    this.checkIterationsFinished();
    if (this.state !== "spawning" && this.state !== "running") return;
    if (why === "missing") this.countIterationsLostWith(node);
    const unrun = unrunUsersNote(node, why);
    if (unrun !== undefined) this.environment.logger.warning(unrun);
    if (this.liveWorkers().length === 0) {
      this.environment.logger.info(
        `The last worker ${why === "quit" ? "quit" : "went missing"}: stopping the test`,
      );
      this.stop();
      return;
    }
    if (
      this.loadModel === "arrival-rate" &&
      !this.liveWorkers().some((worker) => worker.cicadaVersion !== undefined)
    ) {
      // Locust workers take no share of a rate: with no Cicada worker left it runs nowhere.
      this.environment.logger.warning(
        `The last Cicada worker ${why === "quit" ? "quit" : "went missing"}: the arrival rate runs nowhere now (Locust workers take user counts); stopping the test`,
      );
      this.stop();
      return;
    }
    if (this.rebalancing && this.state === "running") {
      this.environment.logger.info(
        this.loadModel === "arrival-rate"
          ? `Moving the arrival rate of ${node.id} to the remaining Cicada workers`
          : `Re-dispatching the users of ${node.id} over the remaining workers`,
      );
      this.redispatch();
    }
  }

  /**
   * A worker that went missing (not one that quit: that one sent its last report) takes
   * with it the iterations of its part of the rate since its last report: those it ran
   * are in no report, and since it died no one ran its part until now, when the rate
   * moves. Estimated from the master's schedule, counted and said, so that the totals
   * (dropped = scheduled − started) are not read as the whole schedule.
   */
  private countIterationsLostWith(node: WorkerNode): void {
    const part = this.arrivalParts.get(node.id);
    this.arrivalParts.delete(node.id);
    const arrival = this.arrival;
    if (this.loadModel !== "arrival-rate" || arrival === undefined || part === undefined) return;
    const now = performance.now();
    // The report's time is on the environment's clock, the schedule's on performance.now().
    const reportAtMs = node.lastReportAtMs;
    const sinceReportMs =
      reportAtMs === undefined ? Number.POSITIVE_INFINITY : this.environment.now() - reportAtMs;
    const fromMs = Math.max(part.sinceMs, now - sinceReportMs);
    const lost = Math.round((arrival.countAt(now) - arrival.countAt(fromMs)) * part.fraction);
    if (lost <= 0) return;
    this.environment.stats.iterations.countLostWithWorker(lost);
    this.environment.logger.warning(
      `Worker ${node.id} went missing: about ${lost} iterations of its part of the arrival rate are in no count ` +
        `(those due in the ${((now - fromMs) / 1000).toFixed(1)} s since its last report: the ones it ran were never reported, ` +
        "and after it died no worker ran its part until now)",
    );
  }

  /** A new test also starts new per-worker totals. */
  protected override async beginTest(): Promise<boolean> {
    this.inbox.resetReported();
    this.classNames = this.environment.activeUserClassInfos.map((info) => info.name);
    this.clusterProblem = undefined;
    for (const node of this.inbox.nodes()) node.startTest();
    if (this.options.iterations !== undefined) {
      this.ledger = new IterationLedger(this.options.iterations);
      if (this.liveWorkers().some((node) => node.cicadaVersion === undefined)) {
        this.environment.logger.warning(
          "Locust workers do not take part in --iterations: their tasks are not counted",
        );
      }
    }
    return super.beginTest();
  }

  /**
   * Nothing: the users are the workers'. A master told to exit at once (a second Ctrl-C)
   * does not wait for their last reports; each worker counts what its own stop aborts.
   */
  interruptUsers(): void {}

  protected async stopUsers(): Promise<void> {
    this.rampToken++;
    this.dispatchedCount = 0;
    this.arrival = undefined;
    this.arrivalParts.clear();
    this.idleArrivalWorkers = "";
    await this.inbox.stopWorkers(this.stopTimeoutMs + STOP_GRACE_MS);
  }

  /** Stops, tells every worker to quit, waits for their final reports, closes the socket. */
  protected override async closeOnQuit(): Promise<void> {
    this.quittingWorkers.fire();
    await this.inbox.quitWorkers(QUIT_WAIT_MS + this.stopTimeoutMs);
    for (const [id, sums] of this.inbox.reportedByWorker()) {
      this.environment.logger.info(
        `Worker ${id} reported ${sums.requests} requests and ${sums.failures} failures`,
      );
    }
    await this.inbox.close();
  }
}
