/**
 * The master's view of its workers: state, liveness (heartbeats left before the worker
 * counts as missing), CPU, memory and the users each one reports.
 */
import type { ReportMark, WorkerSummary } from "../runner/index.js";
import type { RunnerState } from "../user/index.js";
import { cicadaVersionOf } from "./node-id.js";
import { parseLocustVersion } from "./python-compat.js";

const RUNNER_STATES: ReadonlySet<string> = new Set<RunnerState>([
  "ready",
  "spawning",
  "running",
  "stopping",
  "stopped",
  "missing",
]);

/** A heartbeat state as one of ours ("cleanup" and unknown strings keep the previous state). */
export function toRunnerState(state: string, previous: RunnerState): RunnerState {
  return RUNNER_STATES.has(state) ? (state as RunnerState) : previous;
}

/** One worker as the master knows it. */
export class WorkerNode {
  state: RunnerState = "ready";
  /** Heartbeat intervals left before the worker is missing. */
  liveness: number;
  cpuPercent = 0;
  memoryBytes = 0;
  cpuWarned = false;
  /** Stats reports dropped for impossible numbers (master-inbox.ts). */
  droppedReports = 0;
  /** Its last two reports as points of its running total of requests (see WorkerSummary.reports). */
  private lastReport: ReportMark | null = null;
  private previousReport: ReportMark | null = null;
  /** Users per class as the worker last reported them. */
  userClassesCount: Record<string, number> = {};
  /** The user classes the worker defines, from its last report (undefined before one). */
  reportedClasses: string[] | undefined;
  /** Users per class the master last sent it in this test. */
  sentClassesCount: Record<string, number> = {};
  /** Whether it has reported running users in this test. */
  ranUsers = false;
  /** The last class mismatch it was warned about (worker-classes.ts), so it is said once. */
  classWarning: string | undefined;
  /** Cicada version of a Cicada worker; undefined for a Locust (Python) worker. */
  readonly cicadaVersion: string | undefined;
  /** Whether the worker understands heartbeat replies (Cicada, or Locust ≥ 2.19). */
  readonly wantsHeartbeats: boolean;
  /**
   * Whether the worker waits for the master's `spawning_complete` (Cicada, or Locust ≥
   * 2.29); an older Locust worker would only log it as an unknown message.
   */
  readonly wantsSpawningComplete: boolean;

  constructor(
    readonly id: string,
    readonly index: number,
    version: unknown,
    liveness: number,
  ) {
    this.liveness = liveness;
    this.cicadaVersion = cicadaVersionOf(version);
    const locust = parseLocustVersion(version);
    const atLeast = (minor: number) =>
      locust !== undefined && (locust[0] > 2 || (locust[0] === 2 && locust[1] >= minor));
    this.wantsHeartbeats = this.cicadaVersion !== undefined || atLeast(19);
    this.wantsSpawningComplete = this.cicadaVersion !== undefined || atLeast(29);
  }

  /** Users the worker reports running. */
  get userCount(): number {
    return Object.values(this.userClassesCount).reduce((a, b) => a + b, 0);
  }

  /** Forgets what the last test sent it. */
  startTest(): void {
    this.sentClassesCount = {};
    this.ranUsers = false;
  }

  /** Users the master last sent it. */
  get sentUserCount(): number {
    return Object.values(this.sentClassesCount).reduce((a, b) => a + b, 0);
  }

  /** Whether users may be dispatched to it. */
  get live(): boolean {
    return this.state === "ready" || this.state === "spawning" || this.state === "running";
  }

  /** When its last stats report was merged (epoch ms); undefined before one. */
  get lastReportAtMs(): number | undefined {
    return this.lastReport?.atMs;
  }

  /** A stats report of `requests` was merged at `atMs` (epoch ms). */
  noteReport(requests: number, atMs: number): void {
    this.previousReport = this.lastReport;
    this.lastReport = { requests: (this.lastReport?.requests ?? 0) + requests, atMs };
  }

  summary(): WorkerSummary {
    return {
      id: this.id,
      state: this.state,
      userCount: this.userCount,
      cpuPercent: this.cpuPercent,
      memoryBytes: this.memoryBytes,
      ...(this.lastReport === null
        ? {}
        : { reports: { last: this.lastReport, previous: this.previousReport } }),
    };
  }
}
