/**
 * From parsed options to a ready Environment: loads the locustfiles, picks the user
 * classes, checks hosts and tags, so every mistake is reported before anything starts.
 */

import { checkBrowserSupport } from "../browser/index.js";
import {
  collectTags,
  describeUserClasses,
  Environment,
  locustSpellingWarnings,
  type UserClassInfo,
} from "../runner/index.js";
import { LocustfileError, UsageError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { schemeUrlProblem } from "../shared/url.js";
import {
  acceptsHost,
  BrowserUser,
  createUser,
  exampleHostOf,
  GrpcUser,
  grpcProtoProblem,
  hostSchemesOf,
  needsHost,
  PROTO_HOW,
  type UserClass,
} from "../user/index.js";
import { type LoadedLocustfile, loadLocustfiles, resolveLocustfilePaths } from "./locustfile.js";
import type { CliOptions } from "./options.js";
import { checkCapacityShape } from "./options-capacity.js";
import { parityOptionsOf } from "./options-parity.js";
import { runApi } from "./run-api.js";

export interface PreparedRun {
  environment: Environment;
  locustfile: LoadedLocustfile;
  /** The locustfile paths as given, for reports. */
  locustfileLabel: string;
}

/**
 * Loads the locustfiles named by the options. Each run gets its own `events` object: the
 * one the locustfile imports is the one its environment fires.
 */
export async function loadFromOptions(options: CliOptions, cwd: string): Promise<LoadedLocustfile> {
  const paths = resolveLocustfilePaths(options.locustfile, cwd);
  const loaded = await loadLocustfiles(paths, runApi({ worker: options.worker === true }), cwd);
  if (loaded.userClasses.length === 0) {
    throw new LocustfileError(
      "CICADA_ERR_NO_USER_CLASS",
      `no user class found in ${loaded.bundles.map((b) => b.filename).join(", ")}`,
      {
        hint: "Export a class that extends User or HttpUser: `export class MyUser extends HttpUser { ... }`",
      },
    );
  }
  return loaded;
}

function selectClasses(all: readonly UserClass[], wanted: readonly string[]): UserClass[] {
  if (wanted.length === 0) return [...all];
  const byName = new Map(all.map((cls) => [cls.name, cls]));
  const unknown = wanted.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new UsageError("CICADA_ERR_UNKNOWN_USER_CLASS", `unknown user class(es): ${unknown.join(", ")}`, {
      hint: `The locustfile defines: ${all.map((c) => c.name).join(", ")}`,
    });
  }
  return wanted.map((name) => byName.get(name)!);
}

/** Builds the environment and checks everything that can be checked before a test starts. */
export function prepareEnvironment(
  options: CliOptions,
  loaded: LoadedLocustfile,
  logger: Logger,
  extra: {
    requireHost: boolean;
    nodeName?: string;
    currentWindowLagSeconds?: number;
    /** The process's environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY for the HTTP client). */
    env?: Readonly<Record<string, string | undefined>>;
  },
): Environment {
  const userClasses = selectClasses(loaded.userClasses, options.userClasses);
  checkShapes(options, loaded);
  checkCapacityShape(options, loaded.shapeClass?.name);
  const parity = parityOptionsOf(options);
  const environment = new Environment({
    events: loaded.events,
    userClasses,
    shapeClass: loaded.shapeClass,
    availableShapeClasses: loaded.shapeClasses,
    host: options.host,
    tags: options.tags,
    excludeTags: options.excludeTags,
    parsedOptions: options,
    customArguments: loaded.customArguments,
    logger,
    env: extra.env,
    ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    ...(extra.currentWindowLagSeconds ? { currentWindowLagSeconds: extra.currentWindowLagSeconds } : {}),
    resetStatsAfterRamp: parity.resetStats,
  });
  if (parity.percentiles) environment.stats.setPercentiles(parity.percentiles);
  let unfiltered: ReturnType<typeof describeUserClasses>;
  try {
    unfiltered = describeUserClasses(userClasses, environment, {});
  } catch (error) {
    throw new LocustfileError("CICADA_ERR_USER_CLASS", (error as Error).message, {
      hint: "Fix the user class settings in the locustfile",
      cause: error,
    });
  }
  for (const info of unfiltered) {
    if (info.plan.tasks.length === 0) {
      throw new LocustfileError("CICADA_ERR_NO_TASKS", `${info.name} has no tasks`, {
        hint: "Add @task to a method, or set a `tasks` field: tasks = [this.browse]",
      });
    }
  }
  for (const warning of locustSpellingWarnings(userClasses, environment)) logger.warning(warning);
  checkTags(options, userClasses, environment);
  if (environment.userClassInfos.length === 0) {
    throw new UsageError(
      "CICADA_ERR_NO_TASKS_AFTER_TAGS",
      "no task is left to run after applying --tags/--exclude-tags",
      {
        hint: "Loosen the tag filters",
      },
    );
  }
  for (const info of environment.userClassInfos) checkHosts(info, options.host, extra.requireHost);
  checkGrpcProtos(environment);
  if (extra.requireHost) checkBrowsers(environment);
  return environment;
}

/** The class's own host and -H: usable by this kind of user, and one of them given when the run needs it. */
function checkHosts(info: UserClassInfo, cliHost: string | undefined, requireHost: boolean): void {
  const schemes = hostSchemesOf(info.cls);
  const schemeList = schemes.map((s) => s.replace(":", "")).join(", ");
  const hint = `Write it like ${exampleHostOf(info.cls)}`;
  if (info.host !== undefined) {
    const problem = schemeUrlProblem(info.host, schemes);
    if (problem !== undefined) {
      throw new LocustfileError(
        "CICADA_ERR_BAD_HOST",
        `${info.name}.host '${info.host}' cannot be used: ${problem}`,
        {
          hint,
        },
      );
    }
    if (!acceptsHost(info.cls, info.host)) {
      throw new LocustfileError(
        "CICADA_ERR_BAD_HOST",
        `${info.name}.host must be a URL of ${schemeList}, got '${info.host}'`,
        { hint },
      );
    }
  }
  if (cliHost !== undefined && !acceptsHost(info.cls, cliHost)) {
    throw new UsageError(
      "CICADA_ERR_BAD_HOST",
      `--host '${cliHost}' cannot be the host of ${info.name} (${schemeList})`,
      {
        hint: "Leave -H out and give each class its own `host`, or use a host every class accepts",
      },
    );
  }
  if (requireHost && needsHost(info.cls) && cliHost === undefined && info.host === undefined) {
    throw new UsageError("CICADA_ERR_NO_HOST", `no host to test for ${info.name}`, {
      hint: `Give one with -H ${exampleHostOf(info.cls)}, CICADA_HOST, or \`host = ...\` in the class`,
    });
  }
}

/** A GrpcUser without its .proto could not make a single call: say so before the test, not at each call. */
function checkGrpcProtos(environment: Environment): void {
  for (const info of environment.userClassInfos) {
    if (!(info.cls.prototype instanceof GrpcUser)) continue;
    const problem = grpcProtoProblem(createUser(info.cls, environment) as GrpcUser); // reads its instance fields, runs nothing
    if (problem !== undefined) {
      throw new LocustfileError("CICADA_ERR_USER_CLASS", problem, {
        hint: `Give the class the .proto of its service: ${PROTO_HOW}`,
      });
    }
  }
}

/** Browser users need playwright-core and a Chromium: say so before the test, not in every user. */
function checkBrowsers(environment: Environment): void {
  for (const info of environment.userClassInfos) {
    if (!(info.cls.prototype instanceof BrowserUser)) continue;
    const probe = createUser(info.cls, environment) as BrowserUser; // reads its instance fields, runs nothing
    checkBrowserSupport({ executablePath: probe.executablePath });
  }
}

/**
 * One load shape, unless the web UI's class picker lets the user choose among several.
 * A worker runs no shape (its master does), so it takes any number.
 */
function checkShapes(options: CliOptions, loaded: LoadedLocustfile): void {
  const shapes = loaded.shapeClasses;
  if (shapes.length <= 1 || options.worker === true) return;
  if (options.classPicker === true && options.headless !== true) return;
  throw new LocustfileError(
    "CICADA_ERR_MULTIPLE_SHAPES",
    `more than one LoadTestShape is exported (${shapes.map((s) => s.name).join(", ")})`,
    {
      hint: "Export a single LoadTestShape class, or run the web UI with --class-picker to choose one per test",
    },
  );
}

function checkTags(options: CliOptions, classes: readonly UserClass[], environment: Environment): void {
  const requested = [...(options.tags ?? []), ...(options.excludeTags ?? [])];
  if (requested.length === 0) return;
  const known = collectTags(classes, environment);
  const unknown = requested.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new UsageError("CICADA_ERR_UNKNOWN_TAG", `tag(s) matching no task: ${unknown.join(", ")}`, {
      hint:
        known.size > 0
          ? `Tags used in the locustfile: ${[...known].sort().join(", ")}`
          : "The locustfile tags no task (use @tag)",
    });
  }
  // Locust's users of such a class fail ("No tasks defined"); Cicada gives their share to the others: said.
  const running = new Set(environment.userClassInfos.map((info) => info.name));
  const idle = classes.filter((cls) => !running.has(cls.name)).map((cls) => cls.name);
  if (idle.length > 0 && running.size > 0 && options.worker !== true) {
    environment.logger.info(
      `${idle.join(", ")} ${idle.length === 1 ? "has" : "have"} no task left by -T/-E: ` +
        `${idle.length === 1 ? "it runs" : "they run"} no users, and the users go to ${[...running].join(", ")}`,
    );
  }
}
