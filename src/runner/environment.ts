import type { TestMonitor } from "../monitor/index.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { intendedResponseTimeMs, type RequestEvent } from "../shared/request-event.js";
import { describeThrown, stackOf } from "../shared/thrown.js";
import { RequestStats } from "../stats/index.js";
import {
  type ArgumentValue,
  type CustomArgument,
  createUser,
  Events,
  type LoadTestShape,
  type RunnerControl,
  setArgumentValue,
  type User,
  type UserClass,
  type UserEnvironment,
} from "../user/index.js";
import type { CapacitySearch } from "./capacity/search.js";
import type { GeneratorMonitor } from "./generator-monitor.js";
import { recordScripting } from "./scripting.js";
import { describeUserClasses, type UserClassInfo } from "./user-classes.js";

/** A LoadTestShape subclass. */
export type ShapeClass = new () => LoadTestShape;

/**
 * A user class's settings changed for the next tests (the web form, Locust's `POST /user`).
 * `host: null` removes the class's own host (its users then use the test's host).
 */
export interface UserClassOverride {
  host?: string | null;
  weight?: number;
  fixedCount?: number;
}

export interface EnvironmentOptions {
  userClasses: readonly UserClass[];
  shapeClass?: ShapeClass | undefined;
  /** Every LoadTestShape the locustfile exports, for the class picker (default: `shapeClass` alone). */
  availableShapeClasses?: readonly ShapeClass[] | undefined;
  events?: Events;
  /** -H: wins over every class's host. */
  host?: string | undefined;
  tags?: readonly string[] | undefined;
  excludeTags?: readonly string[] | undefined;
  /** The options of the run; custom arguments' values are written into this object. */
  parsedOptions?: Record<string, unknown>;
  /** The locustfile's custom arguments (`events.initCommandLineParser`). */
  customArguments?: readonly CustomArgument[];
  logger?: Logger;
  /** The process's environment variables (the HTTP client's proxy settings come from them). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Name of this process in exception tables ("local", or a worker id). */
  nodeName?: string;
  /** Passed to RequestStats. */
  currentWindowLagSeconds?: number;
  /** --reset-stats: reset the statistics each time a ramp completes. */
  resetStatsAfterRamp?: boolean;
}

/** Epoch ms with sub-millisecond precision, on the same clock as request events' `startTimeMs`. */
const preciseNow = (): number => performance.timeOrigin + performance.now();
/** How an error escaped the locustfile's code: a promise nobody awaited, or a callback of a timer or an event. */
export type UnhandledErrorKind = "rejection" | "exception";

/**
 * How the exceptions table marks an error no task awaited, so a master can tell them from
 * the rows of its workers too (the row's message starts with it).
 */
export const UNHANDLED_ERROR_PREFIXES: Readonly<Record<UnhandledErrorKind, string>> = {
  rejection: "Unhandled promise rejection: ",
  exception: "Uncaught exception: ",
};

/** True when an exceptions-table row is an unhandled error (see {@link UNHANDLED_ERROR_PREFIXES}). */
export function isUnhandledErrorMessage(message: string): boolean {
  return Object.values(UNHANDLED_ERROR_PREFIXES).some((prefix) => message.startsWith(prefix));
}

/** Cicada's own code (src/ when run from source, dist/ when built). */
const CICADA_CODE = [new URL("../", import.meta.url).pathname, new URL("../", import.meta.url).href];

/**
 * The stack of a user's exception without Cicada's own frames. Those differ between the
 * first run of a task and later ones (sync vs async frames), which would split one
 * exception into several rows; the user's frames are what they need to see.
 */
export function userTraceback(error: unknown, message: string): string {
  const frames = (stackOf(error) ?? "")
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .filter((line) => !CICADA_CODE.some((root) => line.includes(root)) && !line.includes("node:internal"));
  return [message, ...frames].join("\n");
}

/**
 * Everything one Cicada process knows about a run: the user classes, the events, the
 * statistics and the runner. It is what users see as `this.environment`.
 *
 * It wires the `request` event into the statistics, the only place the two meet.
 */
export class Environment implements UserEnvironment {
  readonly events: Events;
  readonly stats: RequestStats;
  readonly userClasses: readonly UserClass[];
  /** The load shape the next test follows (the web UI's class picker may change it between tests). */
  shapeClass: ShapeClass | undefined;
  /** Every load shape on offer (the class picker's choices). */
  readonly availableShapeClasses: readonly ShapeClass[];
  readonly parsedOptions: Readonly<Record<string, unknown>>;
  /** The locustfile's custom arguments: the web form shows them, spawn messages carry them. */
  readonly customArguments: readonly CustomArgument[];
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  /** -T and -E: the tasks run are those tagged so (a worker may take its master's: {@link setTags}). */
  tags: readonly string[] | undefined;
  excludeTags: readonly string[] | undefined;
  readonly now: () => number;
  readonly nodeName: string;
  /** Host from -H or the web form; wins over class hosts. */
  host: string | undefined;
  runner: (RunnerControl & object) | undefined;
  /** Watches this process's CPU and event-loop lag (set by the CLI); reports mark overloaded runs. */
  generatorMonitor: GeneratorMonitor | undefined;
  /** Scrapes the target's resources while a test runs (`--monitor`; set by the CLI, never on a worker). */
  targetMonitor: TestMonitor | undefined;
  /** The exit code a locustfile asked for (Locust's `process_exit_code`); wins when set. */
  processExitCode: number | undefined;
  /** --reset-stats: the statistics start again when a ramp completes. */
  resetStatsAfterRamp: boolean;
  /**
   * The failures table's text of a failed request. A worker under a Locust master words
   * HTTP errors as Locust does, so its rows merge with Python workers' rows.
   */
  failureText: (event: RequestEvent & { exception: Error | string }) => string = (event) =>
    describeThrown(event.exception);
  /** The current or last capacity search of this process (`--find-capacity`, the web form): reports and the UI read it. */
  capacity: CapacitySearch | undefined;
  private infos: UserClassInfo[] | undefined;
  private readonly overrides = new Map<string, UserClassOverride>();
  /** The class picker's choice of class names; undefined runs every class. */
  private selectedNames: ReadonlySet<string> | undefined;
  private readonly loggedTracebacks = new Set<string>();
  /** Unhandled rejections and uncaught exceptions so far (see reportUnhandledError). */
  unhandledErrorCount = 0;

  constructor(options: EnvironmentOptions) {
    this.events = options.events ?? new Events();
    this.userClasses = options.userClasses;
    this.shapeClass = options.shapeClass;
    this.availableShapeClasses =
      options.availableShapeClasses ?? (options.shapeClass ? [options.shapeClass] : []);
    this.host = options.host;
    this.tags = options.tags;
    this.excludeTags = options.excludeTags;
    this.parsedOptions = options.parsedOptions ?? {};
    this.customArguments = options.customArguments ?? [];
    this.logger = options.logger ?? silentLogger;
    this.env = options.env;
    this.now = options.now ?? Date.now;
    this.nodeName = options.nodeName ?? "local";
    this.resetStatsAfterRamp = options.resetStatsAfterRamp ?? false;
    this.stats = new RequestStats({
      nowMs: this.now(),
      onWarning: (message) => this.logger.warning(message),
      ...(options.currentWindowLagSeconds === undefined
        ? {}
        : { currentWindowLagSeconds: options.currentWindowLagSeconds }),
    });
    this.events.setListenerErrorHandler((error) =>
      this.logger.error(
        `an event listener failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
    );
    this.events.request.addListener((event) => {
      const error = event.exception
        ? this.failureText(event as RequestEvent & { exception: Error | string })
        : null;
      this.stats.record(
        event.requestType,
        event.name,
        event.responseTimeMs,
        event.responseLength,
        error,
        this.now(),
        intendedResponseTimeMs(event, preciseNow),
      );
    });
    recordScripting(this.events, this.stats, this.logger);
  }

  /**
   * The spawnable classes with their settings and task plans (computed once; a new array
   * when {@link overrideUserClass} changes a setting).
   */
  get userClassInfos(): readonly UserClassInfo[] {
    this.infos ??= describeUserClasses(this.userClasses, this, {
      include: this.tags ? new Set(this.tags) : undefined,
      exclude: this.excludeTags ? new Set(this.excludeTags) : undefined,
    })
      .filter((info) => info.plan.tasks.length > 0)
      .map((info) => this.withOverride(info));
    return this.infos;
  }

  /** Filters the tasks by these tags from the next test on (a worker taking its master's -T/-E). */
  setTags(tags: readonly string[] | undefined, excludeTags: readonly string[] | undefined): void {
    this.tags = tags;
    this.excludeTags = excludeTags;
    this.infos = undefined;
  }

  /**
   * Changes a class's host, weight or fixedCount for the tests that start from now on
   * (a running test keeps its plan: the runner reads the settings when a test starts).
   * @throws RangeError for a class name this environment does not run.
   */
  overrideUserClass(name: string, settings: UserClassOverride): void {
    if (!this.userClassInfos.some((info) => info.name === name)) {
      throw new RangeError(`no user class named ${name}`);
    }
    this.overrides.set(name, { ...this.overrides.get(name), ...settings });
    this.infos = undefined;
  }

  /** The host set for a class with {@link overrideUserClass} (null: none), or undefined if not set. */
  userClassHostOverride(name: string): string | null | undefined {
    return this.overrides.get(name)?.host;
  }

  /**
   * A new user of the class `info` describes, closed or open model alike: its static
   * settings adopted, and a host set in the web form (POST /user) winning over the class's own.
   */
  createUser(info: UserClassInfo): User {
    const user = createUser(info.cls, this);
    const host = this.userClassHostOverride(info.name);
    if (host !== undefined) user.host = host ?? undefined;
    return user;
  }

  private withOverride(info: UserClassInfo): UserClassInfo {
    const override = this.overrides.get(info.name);
    if (override === undefined) return info;
    return {
      ...info,
      host: override.host === undefined ? info.host : (override.host ?? undefined),
      weight: override.weight ?? info.weight,
      fixedCount: override.fixedCount ?? info.fixedCount,
    };
  }

  /** The classes a test runs: every class, or those the web UI's class picker chose. */
  get activeUserClassInfos(): readonly UserClassInfo[] {
    const selected = this.selectedNames;
    if (selected === undefined) return this.userClassInfos;
    return this.userClassInfos.filter((info) => selected.has(info.name));
  }

  /**
   * Chooses the classes of the next test (the class picker); undefined chooses them all.
   * The runner reads the choice when a test starts, so it never changes a running test.
   */
  selectUserClasses(names: readonly string[] | undefined): void {
    if (names === undefined) {
      this.selectedNames = undefined;
      return;
    }
    const known = new Set(this.userClassInfos.map((info) => info.name));
    const unknown = names.filter((name) => !known.has(name));
    if (unknown.length > 0) throw new RangeError(`no user class named ${unknown.join(", ")}`);
    if (names.length === 0) throw new RangeError("choose at least one user class");
    this.selectedNames = new Set(names);
  }

  /**
   * Sets a custom argument for the next test (the web form, a master's spawn message),
   * under both its keys. Users read `parsedOptions` when they run, so a value set before
   * a test starts is what its users see.
   */
  setCustomOption(argument: CustomArgument, value: ArgumentValue | undefined): void {
    setArgumentValue(this.parsedOptions as Record<string, unknown>, argument, value);
  }

  /** The custom arguments' values by Locust's dest name, as `parsed_options` carries them (unset ones left out). */
  customOptionValues(): Record<string, ArgumentValue> {
    const values: Record<string, ArgumentValue> = {};
    for (const argument of this.customArguments) {
      const value = this.parsedOptions[argument.key] as ArgumentValue | undefined;
      if (value !== undefined) values[argument.dest] = value;
    }
    return values;
  }

  /** Clears the statistics (the web UI's button, --reset-stats) and fires `resetStats`. */
  resetStats(): void {
    this.events.resetStats.fire(undefined);
    this.stats.reset(this.now());
  }

  reportUserError(user: User, error: unknown): void {
    const traceback = this.recordException(describeThrown(error), error);
    this.events.userError.fire({ user, exception: error, traceback });
    this.logOnce(`${user.constructor.name} raised`, traceback);
  }

  /**
   * Records an error no task awaited: a promise rejection nothing handled (a forgotten
   * `await`) or an exception thrown from a timer callback. It goes into the exceptions
   * table like a task's exception (its message starts with one of
   * {@link UNHANDLED_ERROR_PREFIXES}), and the run goes on.
   */
  reportUnhandledError(error: unknown, kind: UnhandledErrorKind): void {
    this.unhandledErrorCount++;
    const traceback = this.recordException(
      `${UNHANDLED_ERROR_PREFIXES[kind]}${describeThrown(error)}`,
      error,
    );
    this.logOnce("the locustfile's code failed outside any task:", traceback);
  }

  /**
   * Records that the watchdog found the event loop blocked: a row of the exceptions table
   * with the stack of the code that was running (`stack`: its "at ..." lines).
   */
  reportStall(message: string, stack: string): void {
    this.recordException(message, Object.assign(new Error(message), { stack: `${message}\n${stack}` }));
  }

  /** Adds an exceptions-table row; returns its traceback (the user's frames only). */
  private recordException(message: string, error: unknown): string {
    const traceback = userTraceback(error, message);
    this.stats.recordException(message, traceback, this.now(), this.nodeName);
    return traceback;
  }

  /** Logs each distinct failure once in full; repeats would drown the console. */
  private logOnce(what: string, traceback: string): void {
    if (!this.loggedTracebacks.has(traceback) && this.loggedTracebacks.size < 1000) {
      this.loggedTracebacks.add(traceback);
      this.logger.error(`${what} ${traceback}`);
    } else {
      this.logger.debug(`${what} ${traceback.split("\n", 1)[0]}`);
    }
  }
}
