/**
 * The "run" part of a report (ReportMeta): the test the report covers, as it was asked
 * for. That is the runner's record of the latest test (started by the command line, the
 * web form or `POST /swarm`), not the command line's -u/-r/-t, which the form may have
 * overridden. A stopped test has a fixed end and duration; a report of the second or
 * later test of a session says that it covers that test only.
 */
import { formatUtc, type ReportCapacitySearch, type ReportFlag, type ReportMeta } from "../reports/index.js";
import {
  type Environment,
  type Runner,
  type TestArrivalRate,
  type TestRecord,
  taskRatioPerClass,
  taskRatioTotal,
} from "../runner/index.js";
import type { CliOptions } from "./options.js";
import { capacitySettingsOf } from "./options-capacity.js";
import { arrivalRateOf, openModelSettingsOf } from "./options-open-model.js";
import { VERSION } from "./version.js";

export interface ReportMetaInput {
  environment: Environment;
  runner: Runner | undefined;
  options: CliOptions;
  locustfile: string;
  /** Notes the run added (interrupted, aborted by a threshold, generator overloaded). */
  flags: readonly ReportFlag[];
  /** When the process stopped measuring (the end of a report written at exit), or null now. */
  endTimeMs: number | null;
  nowMs: number;
}

/** The report's metadata for the latest test of the run (or the command line's plan before any). */
export function buildReportMeta(input: ReportMetaInput): ReportMeta {
  const { environment, runner, options } = input;
  const test = runner?.tests.current;
  const shape = test ? test.shape : (environment.shapeClass?.name ?? null);
  const startTimeMs = test?.startTimeMs ?? environment.stats.total.startTimeMs;
  // A test that stopped ended then, however long the process stayed up afterwards.
  const endTimeMs = test?.endTimeMs ?? input.endTimeMs;
  const userClasses =
    test?.userClasses ??
    environment.activeUserClassInfos.map((i) => ({
      name: i.name,
      weight: i.weight,
      fixedCount: i.fixedCount,
      host: i.host ?? null,
    }));
  const classHosts = [...new Set(userClasses.map((c) => c.host).filter((h): h is string => h !== null))];
  const infos = environment.activeUserClassInfos.filter((i) => userClasses.some((c) => c.name === i.name));
  const search = capacitySearchMeta(environment, runner, options);
  const load = loadMeta(runner, options, shape !== null);
  // A search set the load step by step: no one users/spawn-rate pair or rate describes it.
  const closed = load.loadModel === "users" && search === null;
  return {
    startTimeMs,
    endTimeMs,
    durationMs: Math.max(0, (endTimeMs ?? input.nowMs) - startTimeMs),
    host:
      (test ? test.host : (environment.host ?? null)) ??
      (classHosts.length > 0 ? classHosts.join(", ") : null),
    locustfile: input.locustfile,
    loadModel: load.loadModel,
    users: shape || !closed ? null : test ? test.users : (options.users ?? 1),
    spawnRate: shape || !closed ? null : test ? test.spawnRate : (options.spawnRate ?? 1),
    arrivalRate: search === null ? load.arrivalRate : null,
    openModel: load.openModel,
    capacitySearch: search,
    runTimeMs: shape ? null : test ? test.runTimeMs : (options.runTime ?? null),
    shape,
    cicadaVersion: VERSION,
    userClasses,
    taskRatio: { perClass: taskRatioPerClass(infos), total: taskRatioTotal(infos) },
    flags: [...input.flags, ...(test ? testFlags(test, runner!, environment) : [])],
  };
}

/**
 * The capacity search the test is (the running search, or the one whose answer names this
 * test; before any test, the command line's --find-capacity), else null.
 */
function capacitySearchMeta(
  environment: Environment,
  runner: Runner | undefined,
  options: CliOptions,
): ReportCapacitySearch | null {
  const search = environment.capacity;
  const test = runner?.tests.current;
  if (search !== undefined && (search.running || search.result?.testNumber === (test?.number ?? null))) {
    const { settings } = search;
    const progress = search.progress();
    const loads = [
      ...progress.steps.map((step) => step.load),
      ...(progress.current ? [progress.current.load] : []),
    ];
    return {
      model: settings.model,
      start: settings.start,
      max: settings.max,
      highestLoad: loads.length === 0 ? null : Math.max(...loads),
      capacity: search.result?.capacity ?? null,
      outcome: search.result?.outcome ?? null,
    };
  }
  if (test !== undefined || options.findCapacity !== true) return null;
  const settings = capacitySettingsOf(options);
  return {
    model: settings.model,
    start: settings.start,
    max: settings.max,
    highestLoad: null,
    capacity: null,
    outcome: null,
  };
}

/**
 * How the test made load: users (closed) or an arrival rate (open, issue 12). A test that
 * ran is described by its record (whoever started it: the command line, the form or
 * `POST /swarm`); before any test, by the command line's plan.
 */
function loadMeta(
  runner: Runner | undefined,
  options: CliOptions,
  shape: boolean,
): Pick<ReportMeta, "loadModel" | "arrivalRate" | "openModel"> {
  const open = runner !== undefined ? runner.loadModel === "arrival-rate" : options.arrivalRate !== undefined;
  if (!open) return { loadModel: "users", arrivalRate: null, openModel: null };
  const test = runner?.tests.current;
  if (test !== undefined) {
    const settings = test.openModel ?? runner!.openModel;
    return {
      loadModel: "arrival-rate",
      arrivalRate: shape ? null : test.arrivalRate && { ...test.arrivalRate },
      openModel: { maxUsers: settings.maxUsers, maxQueueTimeMs: settings.maxQueueMs },
    };
  }
  const planned = shape ? undefined : arrivalRateOf(options);
  const settings = runner?.openModel ?? openModelSettingsOf(options);
  return {
    loadModel: "arrival-rate",
    arrivalRate:
      planned === undefined
        ? null
        : {
            from: planned.from,
            to: planned.to ?? null,
            rampMs: (options.ramp as number | undefined) ?? null,
          },
    openModel: { maxUsers: settings.maxUsers, maxQueueTimeMs: settings.maxQueueMs },
  };
}

const time = (ms: number) => formatUtc(ms).replace(" UTC", "");
const rateText = (rate: TestArrivalRate) =>
  rate.to === null ? `${rate.from}` : `${rate.from}:${rate.to} over ${(rate.rampMs ?? 0) / 1000} s`;

/** Notes on what else happened in the session: earlier tests, changes, a stats reset. */
export function testFlags(test: TestRecord, runner: Runner, environment: Environment): ReportFlag[] {
  const flags: ReportFlag[] = [];
  const count = runner.tests.testCount;
  if (count > 1) {
    flags.push({
      code: "latest-test",
      message:
        `This report covers test ${test.number} of ${count} in this session (started ${formatUtc(test.startTimeMs)}): ` +
        "each new test restarts the statistics, so the earlier tests are not in it.",
    });
  }
  const changes = [
    ...test.changes.map((c) => ({ atMs: c.atMs, text: `${c.users} users at ${c.spawnRate}/s` })),
    ...test.arrivalChanges.map((c) => ({ atMs: c.atMs, text: `${rateText(c)} iterations/s` })),
  ].map((c) => `${c.text} at ${time(c.atMs)}`);
  if (changes.length > 0) {
    flags.push({
      code: "test-changed",
      message: `The test was changed while it ran: to ${changes.join(", then ")}.`,
    });
  }
  // The statistics restart at the test's start; a later start means "Reset stats" was used.
  const statsStart = environment.stats.total.startTimeMs;
  if (statsStart - test.startTimeMs > 1000) {
    flags.push({
      code: "stats-reset",
      message: `The statistics were reset during the test, at ${formatUtc(statsStart)}: they cover the time since.`,
    });
  }
  return flags;
}
