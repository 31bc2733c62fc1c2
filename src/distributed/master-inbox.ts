/**
 * The master's side of the wire: receives every worker message, keeps the worker list
 * (joins, heartbeats, missing, quit), merges stats reports into the Environment's stats,
 * answers locustfile requests, and sends stop/quit to the workers. The MasterRunner
 * decides what to dispatch; this class knows the protocol.
 *
 * Anything malformed or unknown is logged and ignored: a bad peer never stops a master.
 */
import type { Environment } from "../runner/index.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { canonicalErrorText } from "./http-error-text.js";
import { fromCicadaIterations, fromLocustErrors, serializedFromLocust } from "./locust-stats.js";
import { cicadaVersionOf } from "./node-id.js";
import { decodeWorkerMessage, type Handlers, type WorkerMessage } from "./protocol.js";
import { statsReportProblem } from "./report-checks.js";
import type { MasterSocket } from "./transport.js";
import { toRunnerState, WorkerNode } from "./worker-nodes.js";

/** What the inbox needs from its MasterRunner. */
export interface InboxOptions {
  wireVersion: string;
  heartbeatIntervalMs: number;
  heartbeatLiveness: number;
  locustfiles: Array<{ filename: string; code: string; dir?: string | undefined }>;
  onWorkerJoined: (node: WorkerNode) => void;
  onWorkerLost: (node: WorkerNode, why: "missing" | "quit") => void;
  /** A worker reported its user classes and their counts. */
  onWorkerClasses: (node: WorkerNode) => void;
  /** A message of a type the protocol does not define (a custom message); false if nobody took it. */
  onOtherMessage: (type: string, data: unknown, node: WorkerNode) => boolean;
}

/** CPU % above which a worker, not the target, is likely the bottleneck (Locust: 90). */
const CPU_WARNING_PERCENT = 90;
/** Dropped reports logged as warnings per worker; the rest are logged at DEBUG (no log flood). */
const DROPPED_REPORTS_LOGGED = 5;
/** Heartbeat intervals after which a missing worker is forgotten (Locust: 60). */
const FORGET_MISSING_AFTER = 60;

/** The master's message handling and worker list (see the file comment). */
export class MasterInbox {
  private readonly workers = new Map<string, WorkerNode>();
  private readonly indexes = new Map<string, number>();
  /** Requests and failures each worker reported since the test started. */
  private readonly reported = new Map<string, { requests: number; failures: number }>();
  private readonly handlers: Handlers<WorkerMessage>;
  private readonly heartbeatTimer: ReturnType<typeof setInterval>;
  private readonly receiving: Promise<void>;
  /** Workers a stop or quit is waiting for, and what to call when none is left. */
  private waiting: { ids: Set<string>; done: () => void } | undefined;
  private readonly cicadaVersion: string | undefined;
  private readonly metricWarnings = new Set<string>();

  constructor(
    private readonly environment: Environment,
    private readonly socket: MasterSocket,
    private readonly o: InboxOptions,
  ) {
    this.cicadaVersion = cicadaVersionOf(o.wireVersion);
    this.handlers = {
      client_ready: (m) => this.onClientReady(m.nodeId, m.data),
      heartbeat: (m) => this.onHeartbeat(m.nodeId, m.data),
      stats: (m) => this.onStats(m.nodeId, m.data),
      spawning: (m) => {
        const node = this.workers.get(m.nodeId);
        if (node) node.state = "spawning";
      },
      spawning_complete: (m) => {
        const node = this.workers.get(m.nodeId);
        if (!node) return;
        node.state = "running";
        node.userClassesCount = m.data.user_classes_count;
        this.noteClasses(node, m.data.user_classes_count);
      },
      client_stopped: (m) => {
        const node = this.workers.get(m.nodeId);
        if (!node) return;
        node.state = "stopped";
        node.userClassesCount = {};
        this.settled(m.nodeId);
      },
      quit: (m) => this.onQuit(m.nodeId),
      exception: (m) =>
        this.environment.stats.mergeExceptions([
          { count: 1, message: m.data.msg, traceback: m.data.traceback, nodes: [m.nodeId] },
        ]),
      locustfile: (m) => this.onLocustfileRequest(m.nodeId, m.data.version),
      logs: (m) => {
        for (const line of m.data.logs) this.log.debug(`[${m.nodeId}] ${line}`);
      },
      cicada_data_request: (m) => void this.serveRows(m.nodeId, m.data),
    };
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), o.heartbeatIntervalMs);
    this.receiving = socket
      .receive((routingId, frames) => this.onFrames(routingId, frames))
      .catch((error: unknown) => this.log.error(`the master socket failed: ${String(error)}`));
  }

  private get log() {
    return this.environment.logger;
  }

  /** Every known worker, in join order. */
  nodes(): WorkerNode[] {
    return [...this.workers.values()];
  }

  /** Requests and failures each worker has reported since the last {@link resetReported}. */
  reportedByWorker(): Map<string, { requests: number; failures: number }> {
    return new Map([...this.reported].map(([id, sums]) => [id, { ...sums }]));
  }

  /** Starts counting each worker's reports from zero (a new test). */
  resetReported(): void {
    this.reported.clear();
  }

  /** Sends one message to a worker. */
  send(id: string, type: string, data: unknown): void {
    void this.socket.send(id, type, data);
  }

  private onFrames(routingId: string, frames: Buffer[]): void {
    if (frames.length !== 1) {
      this.log.warning(`ignoring a message of ${frames.length} frames from '${routingId}' (expected 1)`);
      return;
    }
    const decoded = decodeWorkerMessage(frames[0]!);
    if (!decoded.ok) {
      if (decoded.kind === "unknown") {
        const node = this.workers.get(routingId);
        if (node === undefined || !this.o.onOtherMessage(decoded.type, decoded.data, node)) {
          this.log.warning(`Unknown message type received from worker ${routingId}: ${decoded.type}`);
        }
        return;
      }
      this.log.warning(`ignoring a malformed message from '${routingId}': ${decoded.reason}`);
      // Locust's answer to an undecodable frame from a known worker: reset the connection.
      if (this.workers.has(routingId)) this.send(routingId, "reconnect", null);
      return;
    }
    const message = decoded.message;
    // The routing id is the socket's real identity (Locust workers make node_id equal to it).
    message.nodeId = routingId;
    try {
      (this.handlers[message.type] as (m: WorkerMessage) => void)(message);
    } catch (error) {
      this.log.error(
        `failed to handle ${message.type} from ${routingId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private onClientReady(id: string, version: string | number | null): void {
    const theirs = cicadaVersionOf(version);
    if (theirs !== undefined && theirs !== this.cicadaVersion) {
      this.log.warning(
        `refusing worker ${id}: it runs Cicada ${theirs}, this master runs ${this.cicadaVersion}`,
      );
      this.send(id, "cicada_refused", {
        reason: `the master runs Cicada ${this.cicadaVersion} and this worker runs ${theirs}; install the same version on both`,
      });
      return;
    }
    if (version === "" || version === null) {
      // Debian's python3-locust reports an empty version; Locust's master rejects it, Cicada does not.
      this.log.debug(`worker ${id} sent no version (Debian's Locust package does this): accepting it`);
    } else if (theirs === undefined && version !== -1) {
      this.log.info(`worker ${id} is a Locust worker (version ${String(version)})`);
    }
    const index = this.indexes.get(id) ?? this.indexes.size;
    this.indexes.set(id, index);
    const previous = this.workers.get(id);
    const node = new WorkerNode(id, index, version, this.o.heartbeatLiveness);
    if (previous) {
      node.cpuPercent = previous.cpuPercent;
      node.memoryBytes = previous.memoryBytes;
      node.cpuWarned = previous.cpuWarned;
    }
    this.workers.set(id, node);
    // The extra keys tell a Cicada worker that this master answers heartbeats and which
    // data sets it hands out rows of (Locust workers ignore them).
    this.send(id, "ack", {
      index,
      cicada_version: this.cicadaVersion,
      cicada_data: this.environment.events.dataSets.keys(),
    });
    const live = this.nodes().filter((n) => n.live).length;
    // A worker says ready again after every stop; only a new one is news.
    this.log.log(
      previous ? "DEBUG" : "INFO",
      `Worker ${id} (index ${index}) reported as ready. ${live} worker(s) connected.`,
    );
    this.o.onWorkerJoined(node);
  }

  private onHeartbeat(id: string, data: Extract<WorkerMessage, { type: "heartbeat" }>["data"]): void {
    const node = this.workers.get(id);
    if (!node) {
      this.log.debug(`heartbeat from unknown worker ${id}: ignored (it will send client_ready)`);
      return;
    }
    node.liveness = this.o.heartbeatLiveness;
    const wasMissing = node.state === "missing";
    node.state = toRunnerState(data.state, node.state === "missing" ? "ready" : node.state);
    node.cpuPercent = data.current_cpu_usage;
    if (data.current_memory_usage !== undefined) node.memoryBytes = data.current_memory_usage;
    if (!node.cpuWarned && node.cpuPercent > CPU_WARNING_PERCENT) {
      node.cpuWarned = true;
      this.log.warning(
        `Worker ${id} (index ${node.index}) is using ${node.cpuPercent.toFixed(0)} % CPU: the load generator, ` +
          "not the target, may be the bottleneck; add workers or processes (logged once per worker)",
      );
    }
    if (node.wantsHeartbeats) this.send(id, "heartbeat", null);
    if (wasMissing && node.live) {
      this.log.info(`Worker ${id} is back (heartbeat received), setting its state to ${node.state}`);
      this.o.onWorkerJoined(node);
    }
  }

  private onStats(id: string, report: Extract<WorkerMessage, { type: "stats" }>["data"]): void {
    const node = this.workers.get(id);
    if (!node) {
      this.log.info(`Discarded a report from unrecognized worker ${id}`);
      return;
    }
    const problem = statsReportProblem(report);
    if (problem !== undefined) {
      this.dropReport(node, problem);
      return;
    }
    const stats = this.environment.stats;
    const nowMs = this.environment.now();
    // A bad histogram throws before anything is merged: the whole report is rejected, not half of it.
    const rows = report.stats.map(serializedFromLocust);
    try {
      stats.mergeSerializedReport(rows, serializedFromLocust(report.stats_total), nowMs);
    } catch (error) {
      this.dropReport(node, error instanceof Error ? error.message : String(error));
      return;
    }
    // A Locust worker sends no HDR histogram, only its rounded buckets.
    if (
      report.stats_total.cicada_hdr === undefined &&
      report.stats_total.num_requests > report.stats_total.num_none_requests
    )
      stats.roundedTimes = true;
    // Locust's workers word HTTP errors their way: one row per failure needs one text.
    const errors = fromLocustErrors(report.errors, nowMs);
    for (const row of errors) row.error = canonicalErrorText(row.error);
    stats.mergeErrors(errors);
    if (report.cicada_iterations) {
      const iterations = stats.iterations;
      const waitedOut = () => iterations.dropped - iterations.droppedAtStop;
      const droppedBefore = waitedOut();
      iterations.merge(fromCicadaIterations(report.cicada_iterations));
      // The worker warned in its own log; the master's console must say it too (once a test).
      // Not for the iterations a worker's stop dropped: the stop ended their wait (the
      // runner's end-of-test note counts them).
      if (droppedBefore === 0 && waitedOut() > 0) {
        this.environment.logger.warning(
          `Dropping iterations (first on worker ${id}): every user it may create (--max-users, split over the workers) ` +
            "was busy for --max-queue-time. Dropped iterations are counted; raise --max-users, lower the rate, " +
            "or look at the target's response times",
        );
      }
    }
    if (report.cicada_resent_requests) stats.resentRequests += report.cicada_resent_requests;
    if (report.cicada_aborted_requests || report.cicada_aborted_unsent_requests) {
      stats.countAbortedRequests(
        report.cicada_aborted_requests ?? 0,
        report.cicada_aborted_unsent_requests ?? 0,
      );
    }
    if (report.cicada_checks) stats.checks.merge(report.cicada_checks);
    if (report.cicada_metrics) {
      for (const problem of stats.metrics.merge(id, report.cicada_metrics)) this.warnMetric(id, problem);
    }
    node.noteReport(report.stats_total.num_requests, nowMs);
    const sums = this.reported.get(id) ?? { requests: 0, failures: 0 };
    sums.requests += report.stats_total.num_requests;
    sums.failures += report.stats_total.num_failures;
    this.reported.set(id, sums);
    if (node.state !== "missing" && node.state !== "stopped")
      node.userClassesCount = report.user_classes_count;
    this.noteClasses(node, report.user_classes_count);
    const events = this.environment.events;
    if (events.workerReport.listenerCount > 0) {
      const { extra, ...standard } = report;
      events.workerReport.fire({ clientId: id, data: { ...extra, ...standard } });
    }
  }

  /** The classes a worker defines (every one is a key, at 0 when it runs none of it), and whether it runs users. */
  private noteClasses(node: WorkerNode, counts: Record<string, number>): void {
    node.reportedClasses = Object.keys(counts);
    if (Object.values(counts).some((count) => count > 0)) node.ranUsers = true;
    this.o.onWorkerClasses(node);
  }

  /** Drops a report with impossible numbers; the first few per worker are logged as warnings. */
  private dropReport(node: WorkerNode, problem: string): void {
    node.droppedReports++;
    const level = node.droppedReports <= DROPPED_REPORTS_LOGGED ? "WARNING" : "DEBUG";
    this.log.log(level, `dropped a stats report from worker ${node.id}: ${problem}`);
    if (node.droppedReports === DROPPED_REPORTS_LOGGED) {
      this.log.warning(
        `more reports from worker ${node.id} will be dropped without a warning (-L DEBUG shows them)`,
      );
    }
  }

  /** A worker's metric that clashes with this master's is left out, with one warning per metric. */
  private warnMetric(id: string, problem: string): void {
    if (this.metricWarnings.has(problem)) return;
    this.metricWarnings.add(problem);
    this.log.warning(
      `custom metric from worker ${id}: ${problem}; its values are left out. Give the master and its workers the same locustfile (-f - on the workers)`,
    );
  }

  /** Hands a worker rows of a data set (test data the master holds; data/registry.ts). */
  private async serveRows(
    id: string,
    request: Extract<WorkerMessage, { type: "cicada_data_request" }>["data"],
  ) {
    const reply = {
      id: request.id,
      data_set: request.data_set,
      rows: [] as unknown[],
      exhausted: true,
      error: null as string | null,
    };
    try {
      const served = await this.environment.events.dataSets.serve(request.data_set, request.count);
      if (!served.known) reply.error = `this master has no data set ${request.data_set}`;
      else {
        reply.rows = served.rows;
        reply.exhausted = served.exhausted;
        if (served.stopsTest && this.environment.runner?.state !== "stopping") {
          this.log.info(`The rows of ${request.data_set} ran out (onExhausted: stopTest): stopping the test`);
          this.environment.runner?.stop();
        }
      }
    } catch (error) {
      reply.error = error instanceof Error ? error.message : String(error);
    }
    this.send(id, "cicada_data_rows", reply);
  }

  private onQuit(id: string): void {
    const node = this.workers.get(id);
    if (!node) return;
    this.workers.delete(id);
    // Left: the workers still connected (after a test they are stopped, not gone), as Locust counts them.
    const left = this.nodes().filter((n) => n.state !== "missing").length;
    this.log.info(`Worker ${id} (index ${node.index}) quit. ${left} worker(s) left.`);
    this.settled(id);
    if (node.live) this.o.onWorkerLost(node, "quit");
  }

  private onLocustfileRequest(routingId: string, version: unknown): void {
    const theirs = cicadaVersionOf(version);
    let reply: Record<string, unknown>;
    if (theirs === undefined) {
      reply = {
        error:
          "this is a Cicada master: it can send its TypeScript locustfile only to Cicada workers; " +
          "give Locust workers their Python locustfile with -f",
      };
    } else if (theirs !== this.cicadaVersion) {
      reply = {
        error: `version mismatch: the master runs Cicada ${this.cicadaVersion} and this worker runs Cicada ${theirs}; install the same version on both`,
      };
    } else if (this.o.locustfiles.length === 0) {
      reply = { error: "the master has no locustfile to send" };
    } else {
      const { tags, excludeTags } = this.environment;
      reply = {
        locustfiles: this.o.locustfiles.map((f) => ({
          filename: f.filename,
          contents: f.code,
          ...(f.dir === undefined ? {} : { cicada_dir: f.dir }),
        })),
        cicada_version: this.cicadaVersion,
        cicada_settings: { tags: tags ?? null, exclude_tags: excludeTags ?? null },
      };
    }
    if (typeof reply.error === "string")
      this.log.warning(`locustfile request from ${routingId}: ${reply.error}`);
    else this.log.info(`Sending the locustfile to ${routingId}`);
    this.send(routingId, "locustfile", reply);
  }

  /** Once a second: each worker loses one liveness point; below zero it is missing. */
  private checkHeartbeats(): void {
    for (const node of [...this.workers.values()]) {
      node.liveness--;
      if (node.state === "missing") {
        if (node.liveness < -FORGET_MISSING_AFTER) {
          this.workers.delete(node.id);
          this.log.info(`Worker ${node.id} (index ${node.index}) has been missing too long: forgetting it`);
        }
        continue;
      }
      if (node.liveness >= 0) continue;
      const wasLive = node.live;
      node.state = "missing";
      node.userClassesCount = {};
      this.log.warning(`Worker ${node.id} (index ${node.index}) failed to send heartbeats: it is missing`);
      this.settled(node.id);
      if (wasLive) this.o.onWorkerLost(node, "missing");
    }
  }

  private settled(id: string): void {
    if (!this.waiting?.ids.delete(id)) return;
    if (this.waiting.ids.size === 0) this.waiting.done();
  }

  /** Waits until every worker in `ids` has answered (or gone), at most `timeoutMs`. */
  private async waitFor(ids: Set<string>, timeoutMs: number, what: string): Promise<void> {
    if (ids.size === 0) return;
    let timer: TimerHandle | undefined;
    await new Promise<void>((resolve) => {
      this.waiting = { ids, done: resolve };
      // Any length: -s 600h must not end the wait after 1 ms (shared/timers.ts).
      timer = startTimer(() => {
        this.log.warning(`timed out waiting for ${ids.size} worker(s) to ${what}: ${[...ids].join(", ")}`);
        resolve();
      }, timeoutMs);
    });
    stopTimer(timer);
    this.waiting = undefined;
  }

  /** Sends `stop` to every worker; resolves when each has answered `client_stopped` (or gone). */
  stopWorkers(timeoutMs: number): Promise<void> {
    const ids = new Set<string>();
    for (const node of this.workers.values()) {
      this.send(node.id, "stop", null);
      if (node.live) ids.add(node.id);
    }
    return this.waitFor(ids, timeoutMs, "stop");
  }

  /** Sends `quit` to every worker; resolves when each has sent its final report and `quit` (or gone). */
  quitWorkers(timeoutMs: number): Promise<void> {
    const ids = new Set<string>();
    for (const node of this.workers.values()) {
      this.send(node.id, "quit", null);
      if (node.state !== "missing") ids.add(node.id);
    }
    return this.waitFor(ids, timeoutMs, "quit");
  }

  /** Stops the heartbeat check and closes the socket (queued messages still leave). */
  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.socket.close();
    await this.receiving;
  }
}
