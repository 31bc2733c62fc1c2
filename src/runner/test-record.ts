/**
 * What each test of a session was: when it started and ended, what it was asked to run
 * (users, spawn rate, run time, or a load shape), against which host, with which user
 * classes. Reports describe the test they report from this record, not from the command
 * line, which the web form or `POST /swarm` may have overridden; the start form starts
 * from the last test's values.
 */
import type { OpenModelSettings } from "./open-model.js";
import type { UserClassInfo } from "./user-classes.js";

/** A user class as the test ran it. */
export interface TestUserClass {
  name: string;
  weight: number;
  fixedCount: number;
  host: string | null;
}

/** A change of the running test (the web UI's Edit, or POST /swarm while it runs). */
export interface TestChange {
  atMs: number;
  users: number;
  spawnRate: number;
}

/** The arrival rate an open-model test was asked for: a rate, or a ramp from one to another. */
export interface TestArrivalRate {
  from: number;
  /** The rate at the end of the ramp; null without a ramp. */
  to: number | null;
  /** How long the ramp takes, ms; null without a ramp. */
  rampMs: number | null;
}

/** One test of the session. */
export interface TestRecord {
  /** 1 for the session's first test, 2 for the next one, ... */
  number: number;
  /** Epoch ms. */
  startTimeMs: number;
  /** Epoch ms when it stopped; null while it runs. */
  endTimeMs: number | null;
  /** Users and spawn rate it started with; null when a load shape drives it. */
  users: number | null;
  spawnRate: number | null;
  /** The run-time limit, ms (the latest one given); null when unlimited. */
  runTimeMs: number | null;
  /** The host every user targets (-H or the form), or null when the classes have their own. */
  host: string | null;
  /** The LoadTestShape it follows. */
  shape: string | null;
  userClasses: TestUserClass[];
  /** Users and spawn rate changed while it ran, in order. */
  changes: TestChange[];
  /** The arrival rate it started with (an open-model test without a shape); else null. */
  arrivalRate: TestArrivalRate | null;
  /** The arrival rates asked for while it ran, in order. */
  arrivalChanges: Array<TestArrivalRate & { atMs: number }>;
  /** --max-users and --max-queue-time (or the form's) of an open-model test; else null. */
  openModel: OpenModelSettings | null;
}

/** The tests of a session: the current (or last) one and how many there were. */
export class TestLog {
  private latest: TestRecord | undefined;
  private count = 0;

  /** The test running now, or the last one; undefined before the first start. */
  get current(): TestRecord | undefined {
    return this.latest;
  }

  /** Tests started in this session. */
  get testCount(): number {
    return this.count;
  }

  /** A new test starts with these classes (users and rate follow with {@link requested}). */
  begin(
    startTimeMs: number,
    host: string | undefined,
    shape: string | undefined,
    classes: readonly UserClassInfo[],
  ): void {
    this.count++;
    this.latest = {
      number: this.count,
      startTimeMs,
      endTimeMs: null,
      users: null,
      spawnRate: null,
      runTimeMs: null,
      host: host ?? null,
      shape: shape ?? null,
      userClasses: classes.map((info) => ({
        name: info.name,
        weight: info.weight,
        fixedCount: info.fixedCount,
        host: info.host ?? null,
      })),
      changes: [],
      arrivalRate: null,
      arrivalChanges: [],
      openModel: null,
    };
  }

  /**
   * Users and spawn rate asked for, at the start or while running. A load shape asks on
   * every tick: its test records none of them (the shape is the plan).
   */
  requested(atMs: number, users: number, spawnRate: number, runTimeMs: number | undefined): void {
    const test = this.latest;
    if (test === undefined || test.endTimeMs !== null) return;
    if (runTimeMs !== undefined) test.runTimeMs = runTimeMs;
    if (test.shape !== null) return;
    if (test.users === null) {
      test.users = users;
      test.spawnRate = spawnRate;
      return;
    }
    const last = test.changes.at(-1) ?? { users: test.users, spawnRate: test.spawnRate };
    if (last.users !== users || last.spawnRate !== spawnRate) test.changes.push({ atMs, users, spawnRate });
  }

  /**
   * An arrival rate asked for, at the start or while running, with the limits the test
   * runs under. A load shape's ticks record only the run time and the limits.
   */
  requestedArrivalRate(
    atMs: number,
    rate: TestArrivalRate,
    openModel: OpenModelSettings,
    runTimeMs: number | undefined,
  ): void {
    const test = this.latest;
    if (test === undefined || test.endTimeMs !== null) return;
    if (runTimeMs !== undefined) test.runTimeMs = runTimeMs;
    test.openModel = { ...openModel };
    if (test.shape !== null) return;
    if (test.arrivalRate === null) test.arrivalRate = rate;
    else test.arrivalChanges.push({ atMs, ...rate });
  }

  /**
   * The test is limited to `runTimeMs` by its controller rather than by the runner's own
   * timer (a capacity search stops itself at -t): the reports say so, as for any -t.
   */
  limitRunTime(runTimeMs: number): void {
    const test = this.latest;
    if (test !== undefined && test.endTimeMs === null) test.runTimeMs = runTimeMs;
  }

  /** The test has stopped (its users are gone). */
  end(atMs: number): void {
    if (this.latest !== undefined && this.latest.endTimeMs === null) this.latest.endTimeMs = atMs;
  }
}

/** The users and spawn rate the test asks for now (after its changes). */
export function latestRequest(test: TestRecord): { users: number | null; spawnRate: number | null } {
  const last = test.changes.at(-1);
  return last
    ? { users: last.users, spawnRate: last.spawnRate }
    : { users: test.users, spawnRate: test.spawnRate };
}
