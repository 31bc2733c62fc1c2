/**
 * A worker: runs the users a master asks for, on a LocalRunner of its own, and reports
 * to the master in Locust's protocol, so the master may be Cicada or Locust.
 *
 * - `client_ready` (repeated until `ack`), heartbeats every second (state, CPU, memory),
 *   stats deltas every 3 s, each user exception as an `exception` message.
 * - `spawn` carries absolute per-class counts: applied at once (the master paces the
 *   ramp); a spawn not newer than the last one is dropped. Its stop_timeout (the
 *   master's --stop-timeout) becomes this worker's, as in Locust.
 * - `stop`: users stop, the last stats go out, then `client_stopped` and `client_ready`.
 * - `spawning_complete` (a Cicada master, or Locust ≥ 2.29, once the whole ramp is done):
 *   the worker fires its own spawningComplete event with the test's total.
 * - `quit`: users stop, the final stats go out at once, then `quit`, and the worker ends.
 * - Custom messages go both ways (LocalRunner.sendMessage / registerMessage); stats
 *   reports carry what `reportToMaster` listeners add.
 * - A master that stops answering heartbeats is lost: users stop, `client_ready` is
 *   retried, and the worker gives up after `masterTimeoutMs` without the master.
 */
import { type Environment, LocalRunner } from "../runner/index.js";
import { CicadaError } from "../shared/errors.js";
import { describeFailure } from "../shared/request-event.js";
import { describeThrown } from "../shared/thrown.js";
import { convertArgumentValue } from "../user/index.js";
import { locustErrorText } from "./http-error-text.js";
import { ITERATIONS_DONE, LeasedIterationGate, PERMITS, PERMITS_REQUEST } from "./iteration-leases.js";
import {
  type CicadaArrival,
  type Decoded,
  decodeMasterMessage,
  type Handlers,
  type MasterMessage,
} from "./protocol.js";
import { WorkerSocket } from "./transport.js";
import { WorkerDataClient } from "./worker-data.js";
import { WorkerStatsReporter, type WorkerTotals } from "./worker-stats.js";
import { describeTags, sameTags, type TagFilter, tagsForTest } from "./worker-tags.js";

/** How this process measures itself (only the CLI reads `process`). */
export interface ProcessProbe {
  /** CPU time used so far, µs. */
  cpuUsageMicros(): number;
  /** Resident memory, bytes. */
  memoryBytes(): number;
}

/** Settings of a {@link Worker}. */
export interface WorkerOptions {
  masterHost: string;
  masterPort: number;
  nodeId: string;
  /** Sent in client_ready (see node-id.ts wireVersion). */
  wireVersion: string;
  probe: ProcessProbe;
  stopTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  statsIntervalMs?: number;
  /** Resend client_ready this often until acknowledged. */
  readyRetryMs?: number;
  /** A master that sent heartbeats and then none for this long is lost (default 6 s). */
  masterLostMs?: number;
  /** Give up after this long without a master (default 60 s, as Locust). */
  masterTimeoutMs?: number;
  /** -i on the worker's own command line: its limit when the master sets none (a Locust master). */
  iterations?: number | undefined;
  /** The master's --cluster-secret (cluster-secret.ts). */
  secret?: string | undefined;
}

/** Why a worker ended. */
export type WorkerEnd =
  | { reason: "quit" }
  | { reason: "shutdown" }
  | { reason: "master-timeout"; everConnected: boolean }
  | { reason: "refused"; message: string }
  /** Something the worker needs is missing here (a data file it must read itself). */
  | { reason: "failed"; error: CicadaError };

type WireState = "ready" | "spawning" | "running";

/** A worker process's protocol side (see the file comment). */
export class Worker {
  readonly runner: LocalRunner;
  /** Settles when the worker has ended (quit by the master, shut down, or gave up). */
  readonly finished: Promise<WorkerEnd>;
  private readonly socket: WorkerSocket;
  private readonly reporter: WorkerStatsReporter;
  private readonly data: WorkerDataClient;
  private readonly handlers: Handlers<MasterMessage>;
  private resolveFinished!: (end: WorkerEnd) => void;
  private state: WireState = "ready";
  private acked = false;
  private everConnected = false;
  private lastSpawnTimestamp = 0;
  private masterSendsHeartbeats = false;
  private lastMasterContact = performance.now();
  /** When the worker last started waiting for an `ack` (start, or the master was lost). */
  private unackedSince = performance.now();
  private lost = false;
  private ending = false;
  private jobs: Promise<void> = Promise.resolve();
  private lastCpu: { micros: number; at: number };
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly o: Required<Omit<WorkerOptions, "stopTimeoutMs" | "iterations" | "secret">> &
    Pick<WorkerOptions, "secret">;
  /** The master is Cicada (its ack says so): it lends iteration permits and words errors our way. */
  private masterIsCicada = false;
  /** Iteration permits leased from the master in this test (-i on the master). */
  private leases: LeasedIterationGate | undefined;
  /** This worker's own -T and -E, as it started (undefined: not given; the master's then apply). */
  private readonly ownTags: TagFilter;
  private tagsWarned = false;

  constructor(
    readonly environment: Environment,
    options: WorkerOptions,
  ) {
    this.ownTags = { tags: environment.tags, excludeTags: environment.excludeTags };
    this.o = {
      heartbeatIntervalMs: 1000,
      statsIntervalMs: 3000,
      readyRetryMs: 5000,
      masterLostMs: 6000,
      masterTimeoutMs: 60_000,
      ...options,
    };
    this.runner = new LocalRunner(environment, {
      stopTimeoutMs: options.stopTimeoutMs ?? 0,
      iterations: options.iterations,
    });
    this.runner.messageTransport = (type, data) => void this.socket.send(type, data);
    this.runner.ownsTotals = false;
    this.runner.onIterationsDone = () => {
      if (this.leases !== undefined) void this.socket.send(ITERATIONS_DONE, null);
      else this.log.info("The iteration limit (-i) is reached: this worker's users have finished");
    };
    this.reporter = new WorkerStatsReporter(environment);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.lastCpu = { micros: options.probe.cpuUsageMicros(), at: performance.now() };
    this.handlers = {
      ack: (m) => {
        // A Cicada master answers every heartbeat, so its silence means something from the start.
        const cicadaMaster = m.data?.cicada_version !== undefined;
        this.masterIsCicada = cicadaMaster;
        if (cicadaMaster) this.masterSendsHeartbeats = true;
        // Under a Locust master, HTTP errors are worded as Locust's, so the rows merge there.
        environment.failureText = cicadaMaster
          ? (event) => describeThrown(event.exception)
          : (event) => locustErrorText(event, describeFailure);
        const firstAck = !this.acked;
        this.onAck(m.data?.index);
        // Before any spawn (jobs run in order): where the data sets' rows come from.
        if (firstAck) this.enqueue(() => this.connectData(cicadaMaster, m.data?.cicada_data ?? []));
      },
      spawn: (m) => this.enqueue(() => this.onSpawn(m.data)),
      spawning_complete: (m) =>
        this.enqueue(async () => {
          const userCount = m.data?.user_count ?? this.runner.userCount;
          this.environment.events.spawningComplete.fire({ userCount });
        }),
      heartbeat: () => {
        this.masterSendsHeartbeats = true;
      },
      stop: () => this.enqueue(() => this.onStop()),
      quit: () => this.enqueue(() => this.end({ reason: "quit" })),
      reconnect: () => {
        this.log.warning("the master asked for a reconnect: resetting the connection");
        this.socket.reset();
      },
      locustfile: () => {},
      update_user_class: () => this.log.debug("ignoring update_user_class (not supported by Cicada workers)"),
      cicada_refused: (m) => {
        this.enqueue(() => this.end({ reason: "refused", message: m.data.reason }));
      },
      cicada_data_rows: (m) => this.data.onRows(m.data),
    };
    this.socket = new WorkerSocket(
      options.masterHost,
      options.masterPort,
      options.nodeId,
      (frames) => this.onFrames(frames),
      (error) => this.log.debug(`a message to the master was dropped: ${String(error)}`),
      options.secret,
    );
    this.data = new WorkerDataClient((type, data) => void this.socket.send(type, data));
    environment.events.userError.addListener(({ exception, traceback }) => {
      const msg = describeThrown(exception);
      void this.socket.send("exception", { msg, traceback });
    });
  }

  private get log() {
    return this.environment.logger;
  }

  /** The node id (also the ZeroMQ routing id). */
  get nodeId(): string {
    return this.socket.nodeId;
  }

  /** What this worker has put in its stats reports so far. */
  get totals(): WorkerTotals {
    return this.reporter.totals;
  }

  /** Connects and starts heartbeats and reports. */
  start(): void {
    this.log.info(`Worker ${this.nodeId} connecting to the master at ${this.socket.endpoint}`);
    this.sendReady();
    this.timers.push(setInterval(() => this.heartbeat(), this.o.heartbeatIntervalMs));
    this.timers.push(setInterval(() => this.sendStats(), this.o.statsIntervalMs));
    this.timers.push(
      setInterval(() => {
        if (!this.acked) this.sendReady();
      }, this.o.readyRetryMs),
    );
  }

  /** Ends the worker from this side (Ctrl-C): stops users, sends the final stats and `quit`. */
  shutdown(): Promise<WorkerEnd> {
    this.enqueue(() => this.end({ reason: "shutdown" }));
    return this.finished;
  }

  private enqueue(job: () => Promise<void>): void {
    this.jobs = this.jobs.then(job).catch((error: unknown) => {
      this.log.error(
        `worker error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    });
  }

  private onFrames(frames: Buffer[]): void {
    this.lastMasterContact = performance.now();
    if (frames.length !== 1) {
      this.log.warning(`ignoring a message of ${frames.length} frames from the master`);
      return;
    }
    const decoded: Decoded<MasterMessage> = decodeMasterMessage(frames[0]!);
    if (!decoded.ok) {
      if (decoded.kind === "unknown") {
        if (!this.onOtherMessage(decoded.type, decoded.data))
          this.log.warning(`Unknown message type received: ${decoded.type}`);
      } else this.log.warning(`ignoring a malformed message from the master: ${decoded.reason}`);
      return;
    }
    const message = decoded.message;
    (this.handlers[message.type] as (m: MasterMessage) => void)(message);
  }

  /** A message outside the protocol: a lease of iteration permits, or a custom message. */
  private onOtherMessage(type: string, data: unknown): boolean {
    if (type === PERMITS) {
      const lease = data as { granted?: unknown; exhausted?: unknown } | null;
      const granted = typeof lease?.granted === "number" ? lease.granted : 0;
      this.leases?.received(granted, lease?.exhausted === true);
      return true;
    }
    return this.runner.messages.deliver(type, data, this.nodeId);
  }

  private sendReady(): void {
    void this.socket.send("client_ready", this.o.wireVersion);
  }

  private onAck(index: number | undefined): void {
    if (this.acked) return;
    this.acked = true;
    this.everConnected = true;
    if (this.lost) {
      this.lost = false;
      this.log.info("reconnected to the master");
    }
    this.log.info(`Connected to the master${index === undefined ? "" : ` (worker index ${index})`}`);
  }

  private heartbeat(): void {
    const now = performance.now();
    const micros = this.o.probe.cpuUsageMicros();
    const cpu = ((micros - this.lastCpu.micros) / ((now - this.lastCpu.at) * 1000)) * 100;
    this.lastCpu = { micros, at: now };
    void this.socket.send("heartbeat", {
      state: this.state,
      current_cpu_usage: Math.max(0, Math.round(cpu * 10) / 10),
      current_memory_usage: this.o.probe.memoryBytes(),
    });
    // A Locust master before 2.19 never answers heartbeats: its silence means nothing.
    const silentMs = now - this.lastMasterContact;
    if (!this.acked && now - this.unackedSince > this.o.masterTimeoutMs && !this.ending) {
      this.enqueue(() => this.end({ reason: "master-timeout", everConnected: this.everConnected }));
    } else if (this.masterSendsHeartbeats && this.acked && silentMs > this.o.masterLostMs && !this.lost) {
      this.enqueue(() => this.onMasterLost(silentMs));
    }
  }

  /** Where the data sets' rows come from; a file this worker must read and cannot ends it. */
  private async connectData(cicadaMaster: boolean, served: readonly string[]): Promise<void> {
    try {
      await this.data.connect(this.environment.events.dataSets, cicadaMaster, served);
    } catch (error) {
      if (!(error instanceof CicadaError)) throw error;
      await this.end({ reason: "failed", error });
    }
  }

  private async onMasterLost(silentMs: number): Promise<void> {
    if (this.lost || this.ending) return;
    this.lost = true;
    this.data.failAll("the connection to the master was lost");
    this.acked = false;
    this.unackedSince = performance.now();
    this.masterSendsHeartbeats = false;
    this.log.warning(
      `no heartbeat from the master for ${(silentMs / 1000).toFixed(1)} s: stopping users and waiting for it ` +
        `(giving up after ${this.o.masterTimeoutMs / 1000} s)`,
    );
    await this.runner.stopAndWait();
    this.sendStats();
    this.state = "ready";
    this.sendReady();
  }

  private sendStats(): void {
    const report = this.reporter.takeReport(this.runner.userClassesCount);
    const reportToMaster = this.environment.events.reportToMaster;
    if (reportToMaster.listenerCount > 0) {
      const data: Record<string, unknown> = {};
      reportToMaster.fire({ clientId: this.nodeId, data });
      for (const key of ["stats", "stats_total", "errors", "user_count", "user_classes_count"]) {
        if (key in data) {
          this.log.warning(
            `reportToMaster: the key ${key} is Cicada's own; the listener's value is not sent`,
          );
          delete data[key];
        }
      }
      if (Object.keys(data).length > 0) report.extra = data;
    }
    void this.socket.send("stats", report);
  }

  private async onSpawn(job: Extract<MasterMessage, { type: "spawn" }>["data"]): Promise<void> {
    void this.socket.send("spawning", null);
    if (job.timestamp <= this.lastSpawnTimestamp) {
      this.log.info("dropping a spawn message not newer than the previous one");
      return;
    }
    this.lastSpawnTimestamp = job.timestamp;
    if (this.ending) return;
    if (job.host !== null) this.environment.host = job.host;
    // As a Locust worker: the master's --stop-timeout, when it has one, is how long users
    // taken away (by a lower count or a stop) may finish their task; else this worker's own -s.
    if (job.stop_timeout !== null) this.runner.stopTimeoutMs = job.stop_timeout * 1000;
    this.applyCustomOptions(job.parsed_options);
    this.applyMasterTags(job.parsed_options);
    this.applyClassHosts(job.cicada_user_class_hosts);
    if (job.parsed_options.reset_stats === true) this.environment.resetStatsAfterRamp = true;
    this.takeLeases(job.parsed_options.iterations);
    this.state = "spawning";
    const arrival = job.cicada_arrival;
    if (arrival !== undefined) await this.applyArrival(arrival);
    else await this.runner.applyUserClassCounts(job.user_classes_count);
    this.state = "running";
    const counts = this.runner.userClassesCount;
    void this.socket.send("spawning_complete", {
      user_classes_count: counts,
      user_count: this.runner.userCount,
    });
  }

  /**
   * Runs this worker's share of an arrival rate (the open model): starts it, or changes
   * the rate of the running one. A test with users that runs here is stopped first.
   */
  private async applyArrival(arrival: CicadaArrival): Promise<void> {
    const runner = this.runner;
    if (runner.loadModel === "users" && (runner.state === "spawning" || runner.state === "running")) {
      await runner.stopAndWait();
    }
    runner.openModel = { maxUsers: arrival.max_users, maxQueueMs: arrival.max_queue_s * 1000 };
    const ramp = arrival.rate_to !== null && arrival.ramp_s > 0;
    await runner.startArrivalRate({
      rate: arrival.rate,
      rampTo: ramp ? arrival.rate_to! : undefined,
      rampMs: ramp ? arrival.ramp_s * 1000 : undefined,
    });
  }

  /**
   * Takes the master's values of this locustfile's custom arguments (by Locust's dest
   * name), before any user of the spawn starts. Other keys (Cicada's or Locust's own
   * options, arguments this locustfile does not define) are left alone.
   */
  private applyCustomOptions(parsedOptions: Record<string, unknown>): void {
    for (const argument of this.environment.customArguments) {
      const raw = parsedOptions[argument.dest];
      if (raw === undefined || raw === null) continue;
      try {
        this.environment.setCustomOption(argument, convertArgumentValue(argument, raw));
      } catch (error) {
        this.log.warning(`ignoring the master's value of --${argument.name}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * As a Locust worker does (runners.py), takes the master's -T and -E before a test starts,
   * each unless this worker was started with its own, which wins: then a warning says so
   * once when the two differ.
   */
  private applyMasterTags(parsedOptions: Record<string, unknown>): void {
    const state = this.runner.state;
    if (state === "spawning" || state === "running") return;
    const { tags, excludeTags, ownDiffers } = tagsForTest(this.ownTags, parsedOptions);
    if (ownDiffers !== undefined && !this.tagsWarned) {
      this.tagsWarned = true;
      this.log.warning(ownDiffers);
    }
    const environment = this.environment;
    if (sameTags(tags, environment.tags) && sameTags(excludeTags, environment.excludeTags)) return;
    environment.setTags(tags, excludeTags);
    this.log.info(`Running the tasks of the master's ${describeTags({ tags, excludeTags })}`);
    if (environment.userClassInfos.length === 0)
      this.log.warning(`no task of this worker's locustfile matches ${describeTags({ tags, excludeTags })}`);
  }

  /** Hosts the master's web form set per user class (POST /user), before the users start. */
  private applyClassHosts(hosts: Record<string, string | null> | undefined): void {
    for (const [name, host] of Object.entries(hosts ?? {})) {
      try {
        this.environment.overrideUserClass(name, { host });
      } catch (error) {
        this.log.warning(`ignoring the master's host for ${name}: ${(error as Error).message}`);
      }
    }
  }

  /** With -i on a Cicada master, this test's tasks run on permits leased from it. */
  private takeLeases(iterations: unknown): void {
    const wanted = this.masterIsCicada && typeof iterations === "number" && iterations >= 1;
    if (!wanted || this.leases !== undefined) return;
    this.leases = new LeasedIterationGate(
      () => void this.socket.send(PERMITS_REQUEST, { users: this.runner.userCount }),
      () => this.runner.iterationsSpent(),
    );
    this.runner.setIterationGate(this.leases);
  }

  private async onStop(): Promise<void> {
    this.leases = undefined;
    this.runner.setIterationGate(undefined);
    await this.runner.stopAndWait();
    // Everything measured reaches the master before it hears that this worker stopped.
    this.sendStats();
    void this.socket.send("client_stopped", null);
    this.state = "ready";
    this.sendReady();
  }

  private async end(end: WorkerEnd): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    for (const timer of this.timers) clearInterval(timer);
    // Said at INFO: the CLI ends a worker that stops for these reasons with the error itself
    // (what went wrong and a hint), which an ERROR line here only said a second time.
    if (end.reason === "refused") this.log.info(`the master refused this worker: ${end.message}`);
    if (end.reason === "failed") this.log.info(`this worker cannot run the test: ${end.error.message}`);
    if (end.reason === "master-timeout") {
      this.log.info(`no contact with the master for ${this.o.masterTimeoutMs / 1000} s: giving up`);
    }
    await this.runner.quitAndWait();
    this.sendStats(); // the final report, at once: a Locust master waits only 0.5 s for it
    void this.socket.send("quit", null);
    const { requests, failures } = this.totals;
    this.log.info(`Worker ${this.nodeId} reported ${requests} requests and ${failures} failures in all`);
    await this.socket.close();
    this.resolveFinished(end);
  }
}
