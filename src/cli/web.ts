/**
 * A run with the web UI (no --headless): serve the UI, wait for the form (or start at
 * once with --autostart), and run until Ctrl-C/SIGTERM, --autoquit or a user's quit().
 * Then print Locust's final blocks and return the result, as a headless run does (the
 * CLI then writes the reports and judges the thresholds).
 */
import type { MetricsCollector } from "../metrics/index.js";
import { formatFinalSummary } from "../reports/console.js";
import type { Environment, Runner } from "../runner/index.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import {
  exposureWarning,
  type MonitorSource,
  registerMonitorRoute,
  startWebServer,
  toColumns,
  type WebServer,
  type WebServerOptions,
} from "../web/index.js";
import type { LogBuffer } from "../web/log-buffer.js";
import { exitCodeFor } from "./headless.js";
import { watchInterrupts } from "./interrupts.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import { capacityFormDefaults } from "./options-capacity.js";
import { readWebOptions, type WebOptions } from "./options-web.js";
import type { RunOutputs, RunResult } from "./outputs.js";
import { startTest } from "./start-test.js";
import { reportRoutes } from "./web-reports.js";

export interface WebRunArgs {
  environment: Environment;
  runner: Runner;
  options: CliOptions;
  io: CliIO;
  logs: LogBuffer;
  /** The run's report files and thresholds: the Download tab serves the reports live. */
  outputs: RunOutputs;
  version: string;
  /** True when the runner is a master (the Workers tab applies). */
  distributed?: boolean;
  /** Waits for --expect-workers before --autostart starts a distributed test. */
  waitForWorkers?: () => Promise<void>;
  /** The series /metrics serves. */
  metrics?: MetricsCollector;
  /** The target's monitor, when --monitor or --prometheus is given (the Target tab). */
  monitor?: MonitorSource | undefined;
}

export async function runWebUi(args: WebRunArgs): Promise<RunResult> {
  const { environment, runner, options, io } = args;
  // With --json, stdout carries only the JSON document.
  const out = options.json === true ? io.stderr : io.stdout;
  const logger = environment.logger;
  let web: WebOptions;
  let server: WebServer;
  try {
    web = readWebOptions(options);
    server = await startWebServer(serverOptions(args, web));
  } catch (error) {
    // Nothing ran yet, but the runner's timers would keep an embedding process alive.
    await runner.quitAndWait();
    throw error;
  }
  // On stdout, not in the log: with --logfile the user must still see where to go.
  out.write(`Starting web interface at ${server.url}\n`);
  const warning = exposureWarning(web.host, web.login !== undefined || web.token !== undefined);
  if (warning) logger.warning(warning);

  const interrupts = watchInterrupts(io, logger, runner, "users and the web UI");

  let autoquitTimer: TimerHandle | undefined;
  const removeAutoquit =
    web.autoquit === undefined
      ? () => {}
      : runner.stateChanged.addListener((state) => {
          stopTimer(autoquitTimer);
          autoquitTimer = undefined;
          if (state !== "stopped") return;
          logger.info(`The test has ended: quitting in ${web.autoquit} s (--autoquit)`);
          autoquitTimer = startTimer(() => runner.quit(), web.autoquit! * 1000);
        });

  try {
    if (web.autostart) {
      await args.waitForWorkers?.();
      autostart(runner, options);
    }
    await Promise.race([runner.whenQuit, interrupts.forced]);
  } finally {
    stopTimer(autoquitTimer);
    removeAutoquit();
    interrupts.dispose();
    await server.close();
  }

  const snapshot = environment.stats.snapshot(environment.now());
  if (runner.startedAtMs !== undefined)
    out.write(`${formatFinalSummary(snapshot, runner.stopTimeoutMs).join("\n")}\n`);
  await environment.events.quitting.fireAsync({ environment });
  return {
    snapshot,
    exitCode: exitCodeFor(snapshot, options, environment),
    interrupted: interrupts.interrupted,
    interruptedBy: interrupts.signal,
  };
}

function serverOptions(args: WebRunArgs, web: WebOptions): WebServerOptions {
  const { runner, options } = args;
  const reports = reportRoutes(args.outputs, runner.environment);
  return {
    runner,
    host: web.host,
    port: web.port,
    basePath: web.basePath,
    auth: { username: web.login?.username, password: web.login?.password, token: web.token },
    logs: args.logs,
    version: args.version,
    locustfile: args.outputs.meta(null, runner.environment.now()).locustfile,
    defaults: {
      userCount: options.users,
      spawnRate: options.spawnRate,
      runTimeMs: options.runTime,
      arrivalRate: options.arrivalRate as string | undefined,
      rampMs: options.ramp as number | undefined,
      capacity: capacityFormDefaults(options),
    },
    distributed: args.distributed ?? false,
    classPicker: web.classPicker,
    metrics: args.metrics,
    // The reports of issue #3: the Download tab's HTML and JSON report, and the full-history CSV.
    ...reports,
    // The Target tab's data (issue 13): always answered, "not configured" without --monitor.
    extraRoutes: (app, base) => {
      reports.extraRoutes?.(app, base);
      registerMonitorRoute(app, base, args.monitor, () =>
        toColumns(runner.environment.stats.history.totalSeries()),
      );
    },
  };
}

function autostart(runner: Runner, options: CliOptions): void {
  runner.environment.logger.info("Starting the test (--autostart)");
  startTest(runner.environment, runner, options);
}
