/**
 * Builds the table rows and the status the UI shows, straight from the live statistics:
 * cheaper than a full StatsSnapshot (three percentiles per row instead of eleven plus a
 * current window), and cached per row while it receives no request.
 */

import {
  formatAbortedRequests,
  formatAbortedUnsentRequests,
  formatResentRequests,
} from "../reports/index.js";
import {
  latestRequest,
  overloadLabel,
  overloadWarning,
  type Runner,
  type TestRecord,
} from "../runner/index.js";
import type { CicadaError } from "../shared/errors.js";
import { formatTimespan } from "../shared/timespan.js";
import { isScoreRow, type StatsEntry } from "../stats/index.js";
import type {
  ArrivalFields,
  GeneratorWarning,
  HistoryPoint,
  OpenModelStatus,
  RunState,
  RunStatus,
  StatsRow,
  TestSummary,
  WireRow,
  WorkerRow,
} from "./api-types.js";

/** The table's percentiles besides the median (Locust's PERCENTILES_TO_STATISTICS). */
export const DEFAULT_TABLE_PERCENTILES: readonly number[] = [0.95, 0.99];

const round2 = (value: number): number => Math.round(value * 100) / 100;
/** A score (a CLS row) keeps 4 decimals: 0.105 and 0.0049 must not read 0.11 and 0. */
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
const orNull =
  (round: (value: number) => number) =>
  (value: number | null): number | null =>
    value === null ? null : round(value);
const roundOrNull = orNull(round2);

/** The identity of a row across updates. */
export function rowKey(method: string, name: string): string {
  return `${method}\t${name}`;
}

interface CachedPercentiles {
  startTimeMs: number;
  numRequests: number;
  intendedCount: number;
  /** The median first, then the table's percentiles, rounded. */
  values: Array<number | null>;
  /** The same from the intended start; undefined when the row has none. */
  intended: Array<number | null> | undefined;
}

/**
 * Turns StatsEntry objects into StatsRow objects. Percentiles (of the service times and,
 * in an arrival-rate test, of the times from the intended start) are recomputed only for
 * rows whose counts changed since the last call, so a run of 1,000 mostly idle names
 * costs little per tick.
 */
export class RowBuilder {
  private cache = new WeakMap<StatsEntry, CachedPercentiles>();
  /** The median first, then the table's percentiles. */
  private readonly percentileList: readonly number[];

  constructor(tablePercentiles: readonly number[] = DEFAULT_TABLE_PERCENTILES) {
    this.percentileList = [0.5, ...tablePercentiles];
  }

  /**
   * The row of `entry` at `nowMs` (current rates use the 10 s window ending then). Numbers
   * are rounded to what the table can show (times to 0.01 ms, rates to 0.01/s), which
   * halves the payload of a tick; the exact values are in /stats/requests and the CSVs.
   */
  row(entry: StatsEntry, nowMs: number): StatsRow {
    const { values, intended } = this.percentilesOf(entry);
    const [medianMs = null, ...percentilesMs] = values;
    const time = isScoreRow(entry.method, entry.name) ? round4 : round2;
    const timeOrNull = orNull(time);
    const row: StatsRow = {
      key: rowKey(entry.method, entry.name),
      method: entry.method,
      name: entry.name,
      numRequests: entry.numRequests,
      numFailures: entry.numFailures,
      medianMs,
      percentilesMs,
      avgMs: time(entry.avgResponseTimeMs),
      minMs: timeOrNull(entry.minResponseTimeMs),
      maxMs: time(entry.maxResponseTimeMs),
      avgContentLength: round2(entry.avgContentLength),
      currentRps: round2(entry.currentRps(nowMs)),
      currentFailPerSec: round2(entry.currentFailPerSec(nowMs)),
    };
    if (intended !== undefined) {
      const [intendedMedianMs = null, ...intendedPercentilesMs] = intended;
      row.intendedMedianMs = intendedMedianMs;
      row.intendedPercentilesMs = intendedPercentilesMs;
    }
    return row;
  }

  private percentilesOf(entry: StatsEntry): CachedPercentiles {
    const intendedCount = entry.intended?.count ?? 0;
    const cached = this.cache.get(entry);
    if (
      cached !== undefined &&
      cached.numRequests === entry.numRequests &&
      cached.intendedCount === intendedCount &&
      cached.startTimeMs === entry.startTimeMs
    ) {
      return cached;
    }
    const fresh: CachedPercentiles = {
      startTimeMs: entry.startTimeMs,
      numRequests: entry.numRequests,
      intendedCount,
      values: entry
        .percentiles(this.percentileList)
        .map(isScoreRow(entry.method, entry.name) ? orNull(round4) : roundOrNull),
      intended:
        intendedCount > 0 ? entry.intended?.percentiles(this.percentileList).map(roundOrNull) : undefined,
    };
    this.cache.set(entry, fresh);
    return fresh;
  }
}

/** The row as the live stream sends it (the intended-start times only when the row has them). */
export function toWire(row: StatsRow): WireRow {
  const wire: WireRow = [
    row.method,
    row.name,
    row.numRequests,
    row.numFailures,
    row.medianMs,
    row.percentilesMs,
    row.avgMs,
    row.minMs,
    row.maxMs,
    row.avgContentLength,
    row.currentRps,
    row.currentFailPerSec,
  ];
  if (row.intendedPercentilesMs !== undefined) {
    wire.push([row.intendedMedianMs ?? null, ...row.intendedPercentilesMs]);
  }
  return wire;
}

/** True when two rows would render the same. */
export function sameRow(a: StatsRow, b: StatsRow): boolean {
  return (
    a.numRequests === b.numRequests &&
    a.numFailures === b.numFailures &&
    a.currentRps === b.currentRps &&
    a.currentFailPerSec === b.currentFailPerSec &&
    a.medianMs === b.medianMs &&
    sameValues(a.percentilesMs, b.percentilesMs) &&
    a.intendedMedianMs === b.intendedMedianMs &&
    sameValues(a.intendedPercentilesMs, b.intendedPercentilesMs) &&
    a.avgMs === b.avgMs &&
    a.minMs === b.minMs &&
    a.maxMs === b.maxMs &&
    a.avgContentLength === b.avgContentLength
  );
}

function sameValues(a: Array<number | null> | undefined, b: Array<number | null> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** The header bar's data. */
export function runStatus(runner: Runner, distributed: boolean): RunStatus {
  const environment = runner.environment;
  const total = environment.stats.total;
  const nowMs = environment.now();
  return {
    state: runner.state,
    host: environment.host ?? singleClassHost(runner),
    userCount: runner.userCount,
    targetUserCount: runner.targetUserCount,
    spawnRate: runner.spawnRate,
    workerCount: distributed ? runner.workers().length : null,
    totalRps: total.currentRps(currentWindowEndMs(runner)),
    failRatio: total.failRatio,
    startedAtMs: runner.startedAtMs ?? null,
    userClassesCount: runner.userClassesCount,
    generatorOverloaded: environment.generatorMonitor?.state.overloaded ?? false,
    generatorWarning: generatorWarning(runner),
    lastTest: lastTest(runner),
    loadModel: runner.loadModel,
    openModel: openModelStatus(runner, nowMs),
    capacity: environment.capacity?.progress() ?? null,
    requestNotes: [
      ...formatResentRequests(environment.stats),
      ...formatAbortedRequests(environment.stats, runner.stopTimeoutMs, runner.stopCutShort),
      ...formatAbortedUnsentRequests(environment.stats),
    ].filter((line) => line !== ""),
    clusterProblem: clusterProblem(runner.clusterProblem),
  };
}

/** The banner's text for a cluster that does not run the test as asked: the message and its hint. */
function clusterProblem(problem: CicadaError | undefined): string | null {
  if (problem === undefined) return null;
  return problem.hint === undefined ? problem.message : `${problem.message}. ${problem.hint}`;
}

/** The overload badge's label and advice, worded by cause and role; null when all is well. */
function generatorWarning(runner: Runner): GeneratorWarning | null {
  const load = runner.environment.generatorMonitor?.state;
  if (!load?.overloaded || load.cause === null || load.last === null) return null;
  return {
    label: overloadLabel(load.role, load.cause),
    advice: overloadWarning(load.role, load.cause, load.last),
  };
}

function lastTest(runner: Runner): TestSummary | null {
  const test = runner.tests.current;
  if (test === undefined) return null;
  const { users, spawnRate } = latestRequest(test);
  return {
    number: test.number,
    startTimeMs: test.startTimeMs,
    endTimeMs: test.endTimeMs,
    users,
    spawnRate,
    runTime: test.runTimeMs === null ? "" : formatTimespan(test.runTimeMs),
    shape: test.shape,
    arrival: arrivalFields(test),
  };
}

/** The arrival rate the test asks for now (after its changes) and its limits, as the form's fields. */
function arrivalFields(test: TestRecord): ArrivalFields | null {
  const rate = test.arrivalChanges.at(-1) ?? test.arrivalRate;
  if (rate === null || test.openModel === null) return null;
  return {
    arrivalRate: rate.to === null ? String(rate.from) : `${rate.from}:${rate.to}`,
    // In seconds, as the form's defaults: a time span in whole seconds would round 0.5 s away.
    ramp: rate.rampMs === null ? "" : `${rate.rampMs / 1000}s`,
    maxUsers: test.openModel.maxUsers,
    maxQueueTime: `${test.openModel.maxQueueMs / 1000}s`,
  };
}

/** The open model's part of the status; null unless the test runs (or ran) at an arrival rate. */
function openModelStatus(runner: Runner, nowMs: number): OpenModelStatus | null {
  const stats = runner.environment.stats;
  if (!stats.iterations.active) return null;
  const it = stats.iterations.snapshot(nowMs);
  const [p50 = null, p95 = null, p99 = null] = stats.total.intended?.percentiles([0.5, 0.95, 0.99]) ?? [];
  return {
    // A stopped test asks for no iterations: 0, as the users count reads 0 after a stop.
    targetRate: isActive(runner.state) ? (runner.arrivalRate ?? it.targetRate) : 0,
    currentRate: round2(it.currentRate),
    totalRate: round2(it.totalRate),
    started: it.started,
    completed: it.completed,
    inFlight: it.inFlight,
    dropped: it.dropped,
    droppedAtStop: it.droppedAtStop,
    currentDroppedPerSec: round2(it.currentDroppedPerSec),
    waiting: it.waiting,
    lostWithWorkers: it.lostWithWorkers,
    intendedP50Ms: roundOrNull(p50),
    intendedP95Ms: roundOrNull(p95),
    intendedP99Ms: roundOrNull(p99),
  };
}

/** With no -H/form host, the host the classes use when they all agree (else undefined). */
function singleClassHost(runner: Runner): string | undefined {
  const hosts = new Set(runner.environment.activeUserClassInfos.map((info) => info.host));
  const [only] = hosts;
  return hosts.size === 1 ? only : undefined;
}

/** The Workers tab. */
export function workerRows(runner: Runner): WorkerRow[] {
  return runner.workers().map((worker) => ({
    id: worker.id,
    state: worker.state,
    userCount: worker.userCount,
    cpuPercent: worker.cpuPercent,
    memoryBytes: worker.memoryBytes,
  }));
}

/** States in which the runner samples history (and the charts get a point). */
export function isActive(state: RunState): boolean {
  return state === "spawning" || state === "running";
}

/**
 * Where the rows' current window (current req/s, failures/s, percentiles) ends: now while a
 * test runs; once it has stopped, its end, as Locust's current RPS ends at the last request:
 * a stopped test's rates stay as they were instead of decaying to 0 over 10 s while the
 * header says Stopped.
 */
export function currentWindowEndMs(runner: Runner): number {
  const now = runner.environment.now();
  const end = runner.tests.current?.endTimeMs ?? null;
  return end === null || isActive(runner.state) ? now : Math.min(now, end);
}

/** The chart point of the Aggregated row now, like the history sampler's. */
export function totalPoint(runner: Runner): HistoryPoint {
  const environment = runner.environment;
  const total = environment.stats.total;
  const nowMs = environment.now();
  const [p50 = null, p95 = null, p99 = null] = total.currentPercentiles([0.5, 0.95, 0.99], nowMs);
  return {
    timeMs: nowMs,
    userCount: runner.userCount,
    rps: total.currentRps(nowMs),
    failPerSec: total.currentFailPerSec(nowMs),
    p50,
    p95,
    p99,
    avgResponseTimeMs: total.avgResponseTimeMs,
  };
}
