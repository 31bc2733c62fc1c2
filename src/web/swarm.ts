/**
 * `POST /swarm`: Locust's start/edit command, as a form or as JSON. Every field is
 * checked and every problem reported at once, each naming the field, what it got and what
 * it expects, so a script gets a useful 400 rather than a test that silently did not start.
 */
import {
  type OpenModelSettings,
  type Runner,
  type ShapeClass,
  SPREAD_USERS_HINT,
  type UserClassInfo,
  userMemoryVerdict,
} from "../runner/index.js";
import { parseTimespan } from "../shared/timespan.js";
import { isTargetUrl, schemeUrlProblem } from "../shared/url.js";
import { type ArgumentValue, type CustomArgument, HttpUser } from "../user/index.js";
import type { CommandResponse } from "./api-types.js";
import { activeClassNames, type ClassChoice, choiceConflict, parseClassChoice } from "./class-picker.js";
import { describeChanges, parseCustomParameters } from "./custom-parameters.js";
import { type ArrivalCommand, asksForArrivalRate, parseArrivalFields } from "./swarm-arrival.js";
import {
  asksForCapacity,
  type CapacityCommand,
  capacityConflict,
  capacityFields,
  startCapacity,
} from "./swarm-capacity.js";

/** A validated start (or edit) request. */
export interface SwarmCommand {
  userCount: number;
  spawnRate: number;
  /** A new host for the test; undefined keeps the current one. */
  host: string | undefined;
  runTimeMs: number | undefined;
  /** The class picker's choice (undefined when --class-picker is off: the body's fields are ignored). */
  classChoice?: ClassChoice | undefined;
  /** Custom arguments to set for the new test (none for an edit of a running test). */
  customValues?: Array<[CustomArgument, ArgumentValue | undefined]>;
  /** An arrival rate (the open model) instead of users; userCount and spawnRate are then 0. */
  arrival?: ArrivalCommand | undefined;
  /** A capacity search instead of a fixed load (`find_capacity`); userCount and spawnRate are then 0. */
  capacity?: CapacityCommand | undefined;
}

export type FieldProblem = { field: string; message: string };

/** Largest user count accepted from the web (a typo such as 1000000000 should not start). */
export const MAX_WEB_USERS = 1_000_000;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return text(value[value.length - 1]);
  if (typeof value === "number" || typeof value === "string") return String(value).trim();
  return "[object]";
}

function wholeNumber(field: string, value: unknown, problems: FieldProblem[]): number | undefined {
  const raw = text(value);
  if (raw === undefined || raw === "") {
    problems.push({ field, message: `${field} is required: a whole number of users, at least 1` });
    return undefined;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_WEB_USERS) {
    problems.push({
      field,
      message: `${field} must be a whole number from 1 to ${MAX_WEB_USERS}, got '${raw}'`,
    });
    return undefined;
  }
  return Number(raw);
}

function positiveNumber(field: string, value: unknown, problems: FieldProblem[]): number | undefined {
  const raw = text(value);
  if (raw === undefined || raw === "") {
    problems.push({ field, message: `${field} is required: users started per second, e.g. 10 or 0.5` });
    return undefined;
  }
  const number = Number(raw);
  if (!Number.isFinite(number) || number <= 0 || !/^[0-9.eE+-]+$/.test(raw)) {
    problems.push({ field, message: `${field} must be a number greater than 0, got '${raw}'` });
    return undefined;
  }
  return number;
}

/** Classes that need a host and have none of their own. */
function classesWithoutHost(infos: readonly UserClassInfo[]): string[] {
  return infos
    .filter((info) => info.host === undefined && info.cls.prototype instanceof HttpUser)
    .map((info) => info.name);
}

function isRunning(runner: Runner): boolean {
  return runner.state === "spawning" || runner.state === "running";
}

/**
 * What a choice means once applied: fields the body left out keep the running test's
 * classes and shape, or, before a new test, mean every class and no shape (Locust's
 * "Default": its picker form always sends the shape it shows).
 */
function resolveChoice(
  choice: ClassChoice,
  runner: Runner,
): { userClasses: readonly string[] | undefined; shape: ShapeClass | undefined } {
  const environment = runner.environment;
  if (isRunning(runner)) {
    return {
      userClasses: choice.userClasses ?? activeClassNames(environment),
      shape: choice.shape === undefined ? environment.shapeClass : (choice.shape ?? undefined),
    };
  }
  return { userClasses: choice.userClasses, shape: choice.shape ?? undefined };
}

/**
 * Users that cannot fit in this process's memory are a problem of the form (as -u is a
 * usage error of the command line), not an out-of-memory crash once the ramp gets there.
 */
function checkUsersFit(
  userCount: number,
  heapLimitBytes: number | undefined,
  runner: Runner,
  problems: FieldProblem[],
): void {
  const verdict = userMemoryVerdict(userCount, heapLimitBytes);
  if (verdict.refusal !== undefined) {
    problems.push({
      field: "user_count",
      message: `${verdict.refusal}; use fewer users: ${SPREAD_USERS_HINT}`,
    });
  } else if (verdict.warning !== undefined) {
    runner.environment.logger.warning(verdict.warning);
  }
}

/** Why a host typed in a form cannot be used (a scheme Cicada does not speak, a port out of range), or undefined. */
export function hostFieldProblem(rawHost: string): string | undefined {
  const problem = schemeUrlProblem(rawHost);
  if (problem !== undefined) return `host '${rawHost}' cannot be used: ${problem}`;
  if (isTargetUrl(rawHost)) return undefined;
  return `host must be an http(s) URL such as http://127.0.0.1:8080 (or ws(s)://, grpc(s)://), got '${rawHost}'`;
}

/** Checks a /swarm body; returns the command or the list of problems. */
export function parseSwarm(
  body: Record<string, unknown>,
  runner: Runner,
  options: {
    classPicker?: boolean;
    /** A master's users run on its workers: this process's memory does not bound them. */
    distributed?: boolean;
    /** The heap the users must fit in (default: this process's limit). */
    heapLimitBytes?: number;
  } = {},
): { command: SwarmCommand } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const environment = runner.environment;
  const classChoice = options.classPicker ? parseClassChoice(body, environment, problems) : undefined;
  const resolved = classChoice ? resolveChoice(classChoice, runner) : undefined;
  const chosenInfos = resolved?.userClasses
    ? environment.userClassInfos.filter((info) => resolved.userClasses!.includes(info.name))
    : classChoice && !isRunning(runner)
      ? environment.userClassInfos
      : environment.activeUserClassInfos;
  const usesShape = (resolved ? resolved.shape : environment.shapeClass) !== undefined;
  const searches = asksForCapacity(body);
  const capacity = searches ? capacityFields(body, problems, usesShape) : undefined;
  const open = !usesShape && !searches && asksForArrivalRate(body);
  const arrival = open ? parseArrivalFields(body, problems) : undefined;
  if (open && text(body.user_count)) {
    problems.push({
      field: "user_count",
      message:
        "give user_count (users, the closed model) or arrival_rate (iterations per second, the open model), not both",
    });
  }
  // A ramp without a rate is refused, as --ramp without --arrival-rate is, even beside
  // user_count (it was silently ignored there). Alone, it is an arrival-rate test missing its
  // rates, not a users test missing its users, so user_count is not asked for too.
  const rampWithoutRate = !usesShape && !searches && !open && Boolean(text(body.ramp));
  if (rampWithoutRate)
    problems.push({ field: "ramp", message: "ramp needs arrival_rate A:B (the rates it ramps between)" });
  // The caps alone, sent to a running arrival-rate test: say what they do, not "user_count is required".
  const capsAlone =
    !open &&
    !searches &&
    !text(body.user_count) &&
    runner.loadModel === "arrival-rate" &&
    isRunning(runner) &&
    (Boolean(text(body.max_users)) || Boolean(text(body.max_queue_time)));
  if (capsAlone)
    problems.push({
      field: text(body.max_users) ? "max_users" : "max_queue_time",
      message:
        "max_users and max_queue_time apply to a new arrival-rate test: stop this one to change them (arrival_rate alone changes its rate)",
    });
  const fixed = usesShape || open || searches || capsAlone || (rampWithoutRate && !text(body.user_count));
  const userCount = fixed ? 0 : wholeNumber("user_count", body.user_count, problems);
  if (userCount !== undefined && !options.distributed)
    checkUsersFit(userCount, options.heapLimitBytes, runner, problems);
  const spawnRate = fixed ? 0 : positiveNumber("spawn_rate", body.spawn_rate, problems);

  let host: string | undefined;
  const rawHost = text(body.host);
  if (rawHost !== undefined && rawHost !== "") {
    const problem = hostFieldProblem(rawHost);
    if (problem === undefined) host = rawHost;
    else problems.push({ field: "host", message: problem });
  } else if (environment.host === undefined) {
    const missing = classesWithoutHost(chosenInfos);
    if (missing.length > 0) {
      problems.push({
        field: "host",
        message: `host is required: ${missing.join(", ")} has no host of its own (give one like http://127.0.0.1:8080)`,
      });
    }
  }

  let runTimeMs: number | undefined;
  const rawRunTime = text(body.run_time);
  if (rawRunTime !== undefined && rawRunTime !== "") {
    runTimeMs = parseTimespan(rawRunTime);
    if (runTimeMs === undefined || runTimeMs <= 0) {
      runTimeMs = undefined;
      problems.push({
        field: "run_time",
        message: `run_time must be a time span such as 30s, 5m or 1h30m, got '${rawRunTime}'`,
      });
    }
  }

  // An edit changes users and spawn rate only: custom arguments apply to a new test.
  const customValues = isRunning(runner) ? [] : parseCustomParameters(body, environment, problems);

  if (problems.length > 0) return { problems };
  return {
    command: {
      userCount: userCount!,
      spawnRate: spawnRate!,
      host,
      runTimeMs,
      classChoice,
      customValues,
      arrival,
      capacity,
    },
  };
}

/**
 * Starts a test, or changes the running one (users and spawn rate). A new host applies
 * to the next test: changing it while one runs is refused, so the numbers of one test
 * never mix two targets.
 */
export function applySwarm(
  command: SwarmCommand,
  runner: Runner,
  openModelDefaults: OpenModelSettings,
): { status: number; response: CommandResponse } {
  const environment = runner.environment;
  const running = isRunning(runner);
  const choice = command.classChoice;
  const conflict = running && choice ? choiceConflict(choice, environment) : undefined;
  if (conflict !== undefined) {
    return { status: 409, response: { success: false, message: conflict, host: environment.host } };
  }
  if (running && command.host !== undefined && command.host !== environment.host) {
    return {
      status: 409,
      response: {
        success: false,
        message: `the host cannot change while a test runs (it targets ${environment.host ?? "the classes' hosts"}): stop the test first`,
        host: environment.host,
      },
    };
  }
  if (command.host !== undefined) environment.host = command.host;
  if (choice && !running) {
    // Read by the runner when the test starts (BaseRunner.beginTest).
    const { userClasses, shape } = resolveChoice(choice, runner);
    environment.selectUserClasses(userClasses);
    environment.shapeClass = shape;
    environment.logger.info(
      `Class picker: ${activeClassNames(environment).join(", ")}${shape ? ` with the load shape ${shape.name}` : ""}`,
    );
  }
  if (!running && command.customValues && command.customValues.length > 0) {
    for (const [argument, value] of command.customValues) environment.setCustomOption(argument, value);
    environment.logger.info(`Custom parameters: ${describeChanges(command.customValues)}`);
  }
  // Locust answers with the chosen classes, sorted.
  const picked = choice ? { user_classes: activeClassNames(environment).sort() } : {};
  const onError = (error: unknown) => environment.logger.error(`could not start the test: ${String(error)}`);
  if (command.capacity) {
    return startCapacity(command.capacity, command.runTimeMs, runner, running, openModelDefaults);
  }
  const searching = running ? capacityConflict(runner) : undefined;
  if (searching) return searching;
  if (environment.shapeClass) {
    if (running) {
      return {
        status: 409,
        response: { success: false, message: "a load shape controls this test: stop it to start again" },
      };
    }
    try {
      runner.startShape();
    } catch (error) {
      onError(error);
    }
    environment.logger.info(`Starting the load shape ${environment.shapeClass.name}`);
    return {
      status: 200,
      response: {
        success: true,
        message: "Swarming started using shape class",
        host: environment.host,
        ...picked,
      },
    };
  }
  const otherModel = command.arrival ? "users" : "arrival-rate";
  if (running && runner.loadModel === otherModel) {
    return {
      status: 409,
      response: {
        success: false,
        message:
          otherModel === "users"
            ? "a test with a number of users is running: stop it before starting an arrival rate"
            : "an arrival-rate test is running: change its arrival_rate, or stop it before starting users",
        host: environment.host,
      },
    };
  }
  const refusal = command.arrival ? runner.arrivalRateRefusal() : undefined;
  if (refusal !== undefined) {
    return {
      status: 409,
      response: {
        success: false,
        message: `${refusal.message}. ${refusal.hint ?? ""}`.trim(),
        host: environment.host,
      },
    };
  }
  if (command.arrival) {
    startArrivalRate(command.arrival, command.runTimeMs, runner, running, openModelDefaults).catch(onError);
  } else {
    environment.logger.info(
      running
        ? `Changing the test to ${command.userCount} users at ${command.spawnRate}/s`
        : `Ramping to ${command.userCount} users at a rate of ${command.spawnRate} per second`,
    );
    runner.start(command.userCount, command.spawnRate, { runTimeMs: command.runTimeMs }).catch(onError);
  }
  // An edit changes the rate only; say so rather than accept the caps in silence.
  const capsKept =
    running &&
    command.arrival &&
    (command.arrival.maxUsers !== undefined || command.arrival.maxQueueMs !== undefined);
  return {
    status: 200,
    response: {
      success: true,
      message: capsKept
        ? "Test changed: its arrival rate only (max_users and max_queue_time apply to a new test; stop it to change them)"
        : running
          ? "Test changed"
          : "Swarming started",
      host: environment.host,
      ...picked,
    },
  };
}

/** Starts an arrival-rate test (the form's caps apply to a new test), or changes the running one's rate. */
function startArrivalRate(
  arrival: ArrivalCommand,
  runTimeMs: number | undefined,
  runner: Runner,
  running: boolean,
  defaults: OpenModelSettings,
): Promise<void> {
  const { rate } = arrival;
  if (!running) {
    // A field left out takes the command line's value, not the previous test's.
    runner.openModel = {
      maxUsers: arrival.maxUsers ?? defaults.maxUsers,
      maxQueueMs: arrival.maxQueueMs ?? defaults.maxQueueMs,
    };
  }
  const ramp = rate.to === undefined ? "" : `, ramping to ${rate.to} over ${(arrival.rampMs ?? 0) / 1000} s`;
  runner.environment.logger.info(
    `${running ? "Changing the test to" : "Starting"} ${rate.from} iterations per second${ramp}`,
  );
  return runner.startArrivalRate({ rate: rate.from, rampTo: rate.to, rampMs: arrival.rampMs, runTimeMs });
}
