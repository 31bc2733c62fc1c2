/**
 * The `cicada` command. `run(io)` is the whole CLI with its world injected (tests call it
 * in-process); `main()` wires it to the real process. This folder is the only part of
 * Cicada that touches `process`.
 */
import { cpus, homedir } from "node:os";
import { fileURLToPath } from "node:url";
import type { TargetMonitor } from "../monitor/target-monitor.js";
import { calibrateLoopClock, GeneratorMonitor, LocalRunner, type Runner } from "../runner/index.js";
import { ExitCode } from "../shared/errors.js";
import { LogBuffer } from "../web/log-buffer.js";
import { debugUserClass, runDebugUser } from "./debug-user.js";
import type { DistributedRun } from "./distributed.js";
import { withProcessExitCode } from "./exit-code.js";
import { formatError } from "./format-error.js";
import { runHeadless } from "./headless.js";
import { tuneHeapGrowing } from "./heap-tuning.js";
import { openInspector } from "./inspector.js";
import type { CliIO, SignalName } from "./io.js";
import {
  absorbSignalEchoes,
  followLauncher,
  RELAUNCHED_ENV,
  SignalEchoes,
  WATCHDOG_FD_ENV,
} from "./launcher.js";
import { listUserClasses, taskRatioJson, taskRatioText } from "./list.js";
import { warnAboutJsonSuffix, warnAboutLocustSettings } from "./locust-habits.js";
import { createLogger } from "./logging.js";
import { type MetricsExport, startMetricsExport, warnMetricsOnWorker } from "./metrics-export.js";
import { distributedOptions, isMasterRun, PROCESSES_CHILD_ENV } from "./options-distributed.js";
import { hasMonitorOptions, monitorConfigOf } from "./options-monitor.js";
import { openModelSettingsOf } from "./options-open-model.js";
import { parityOptionsOf } from "./options-parity.js";
import { RunOutputs, type RunResult } from "./outputs.js";
import { parseWithLocustfile } from "./parse-with-locustfile.js";
import { loadFromOptions, prepareEnvironment } from "./prepare.js";
import { proxyNotices } from "./proxy-notice.js";
import { watchForStalls } from "./stalled-run.js";
import { catchUnhandledErrors, UnhandledErrors } from "./unhandled-errors.js";
import { checkUserMemory } from "./user-memory.js";
import { VERSION } from "./version.js";
import { DEFAULT_STALL_TIMEOUT_MS, earlyStallTimeout, startWatchdog } from "./watchdog.js";

/** Runs the CLI and returns the exit code. Never throws. */
export async function run(io: CliIO): Promise<number> {
  const unhandled = new UnhandledErrors(io);
  try {
    return await runWith(io, unhandled);
  } finally {
    unhandled.dispose();
  }
}

async function runWith(io: CliIO, unhandled: UnhandledErrors): Promise<number> {
  // Where libuv's millisecond boundaries fall: the open model's timer aims at them.
  calibrateLoopClock(Number(process.hrtime.bigint()) / 1e6 - performance.now());
  try {
    const parsed = await parseWithLocustfile(io);
    if (parsed.printed !== undefined) {
      io.stdout.write(parsed.printed);
      return ExitCode.ok;
    }
    let options = parsed.options;
    const parity = parityOptionsOf(options);
    const logs = new LogBuffer();
    const logger = createLogger(options, io, logs);
    // Once per run: --processes children have the same environment and folder.
    if (io.env[PROCESSES_CHILD_ENV] !== "1") {
      warnAboutLocustSettings(io.env, io.cwd, logger, options.config ?? io.env.CICADA_CONFIG);
      warnAboutJsonSuffix(options.jsonFile, logger, io.cwd);
    }
    const dist = distributedOptions(options, io.cpuCount(), io.env[PROCESSES_CHILD_ENV] === "1");
    // Loaded on demand: a local run does not pay for ZeroMQ and msgpack (about 10 MB of RSS).
    if (dist.worker) {
      warnMetricsOnWorker(options, logger);
      if (hasMonitorOptions(options)) {
        logger.warning(
          "--monitor, --prometheus and their options are ignored on a worker: the master scrapes the target",
        );
      }
      const workers = await import("./distributed.js");
      if (dist.processes !== undefined) return await workers.runWorkerGroup(dist, io, logger);
      return await workers.runWorker({ options, dist, io, logger, unhandled, preloaded: parsed.loaded });
    }
    const informational = Boolean(
      options.list || options.showTaskRatio || options.showTaskRatioJson || dist.locustStub,
    );
    const loaded = parsed.loaded ?? (await loadFromOptions(options, io.cwd));
    if (parity.debugUser !== undefined && !informational) {
      options = { ...options, userClasses: [debugUserClass(parity.debugUser, loaded.userClasses)] };
    }
    // The web form can give the host; only a run that starts by itself needs one now.
    const startsAtOnce =
      options.headless === true || options.autostart === true || parity.debugUser !== undefined;
    const environment = prepareEnvironment(options, loaded, logger, {
      requireHost: !informational && startsAtOnce,
      env: io.env,
      ...(isMasterRun(dist) ? { currentWindowLagSeconds: 3 } : {}),
    });
    unhandled.attach(environment);
    // Users run here (not on workers): -u must fit in this process's memory.
    if (startsAtOnce && !informational && !isMasterRun(dist) && !environment.shapeClass) {
      checkUserMemory(options.users ?? 1, logger);
    }

    if (options.list) {
      io.stdout.write(`${listUserClasses(environment).join("\n")}\n`);
      return ExitCode.ok;
    }
    if (options.showTaskRatioJson) {
      io.stdout.write(`${taskRatioJson(environment)}\n`);
      return ExitCode.ok;
    }
    if (options.showTaskRatio) {
      io.stdout.write(`${taskRatioText(environment).join("\n")}\n`);
      return ExitCode.ok;
    }
    if (dist.locustStub) {
      (await import("./distributed.js")).printLocustStub(environment, options, io);
      return ExitCode.ok;
    }

    if (parity.debugUser !== undefined) {
      await environment.events.init.fireAsync({ environment });
      if (parity.inspect) openInspector(parity.inspect, io);
      return withProcessExitCode(environment, await runDebugUser(environment, options, parity, io));
    }

    const monitorConfig = monitorConfigOf(options);
    const outputs = RunOutputs.prepare({ options, loaded, environment, io, monitor: monitorConfig });
    // Loaded on demand: a run without monitoring loads no scraping code.
    const monitoring = monitorConfig ? await import("./monitor-output.js") : undefined;
    if (monitorConfig) await monitoring?.checkPrometheusQueries(monitorConfig, environment.now());
    logger.info(`Starting Cicada ${VERSION}`);
    // Remote workers read their own environment and say it in their own logs; --processes
    // workers share this one, and their logs are not shown, so this process says it.
    if (!dist.master || dist.processes !== undefined) {
      for (const notice of proxyNotices(environment)) logger.info(notice);
    }
    let distributed: DistributedRun | undefined;
    let metrics: MetricsExport | undefined;
    try {
      if (isMasterRun(dist)) {
        const { startMaster } = await import("./distributed.js");
        distributed = await startMaster(environment, loaded, options, dist, io);
      }
      const runner: Runner =
        distributed?.runner ??
        new LocalRunner(environment, {
          stopTimeoutMs: options.stopTimeout ?? 0,
          iterations: parity.iterations,
        });
      runner.openModel = openModelSettingsOf(options);
      // Watches this process while users run: a master merging many workers can be the bottleneck too.
      environment.generatorMonitor = new GeneratorMonitor({
        cpuUsageMicros: io.cpuUsageMicros,
        logger,
        role: distributed ? "master" : "generator",
        isActive: () => runner.state === "spawning" || runner.state === "running",
      });
      metrics = await startMetricsExport({ runner, options, io, logger, distributed: !!distributed }).catch(
        async (error: unknown) => {
          await runner.quitAndWait();
          throw error;
        },
      );
      const targetMonitor: TargetMonitor | undefined = monitorConfig
        ? monitoring?.setUpMonitoring(monitorConfig, environment, runner, outputs, distributed !== undefined)
        : undefined;
      await environment.events.init.fireAsync({ environment });
      if (parity.inspect) openInspector(parity.inspect, io);
      // A headless run waits for --expect-workers here; the web UI serves the form at once
      // and waits only before --autostart.
      if (options.headless) await distributed?.waitForWorkers();
      outputs.begin(runner);
      environment.generatorMonitor.start();
      const disarmWatchdog = watchForStalls(io, { environment, outputs, runner, options });
      let exitCode: number;
      try {
        let result: RunResult;
        if (options.headless) {
          result = await runHeadless(environment, runner, options, io);
        } else {
          // Loaded on demand: a headless run does not pay for Fastify.
          const { runWebUi } = await import("./web.js");
          result = await runWebUi({
            environment,
            runner,
            options,
            io,
            logs,
            outputs,
            version: VERSION,
            distributed: distributed !== undefined,
            waitForWorkers: () => distributed?.waitForWorkers() ?? Promise.resolve(),
            metrics: metrics.collector,
            monitor: targetMonitor,
          });
        }
        disarmWatchdog();
        // Prometheus's range over the test, queried when it ended, goes into the reports.
        await targetMonitor?.settled();
        exitCode = withProcessExitCode(environment, await outputs.finish(result));
      } finally {
        disarmWatchdog();
        targetMonitor?.close();
        environment.generatorMonitor.stop();
        outputs.stop();
      }
      logger.info(`Shutting down (exit code ${exitCode})`);
      return exitCode;
    } finally {
      await metrics?.close();
      await distributed?.close();
    }
  } catch (error) {
    const { text, exitCode } = formatError(error);
    io.stderr.write(text);
    return exitCode;
  }
}

/** The signals that end a run gracefully (a closed terminal's SIGHUP too: the reports are still written). */
const STOP_SIGNALS: readonly SignalName[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The process entry point used by bin/cicada.js. */
export function main(): void {
  // Stack traces of locustfile code point into the .ts source (the bundle has an inline map).
  process.setSourceMapsEnabled(true);
  // Before any load: a bounded old generation (heap-tuning.ts).
  tuneHeapGrowing(process.execArgv);
  const unhandledErrors = catchUnhandledErrors();
  const relaunched = process.env[RELAUNCHED_ENV] === "1";
  const signalEchoes = new SignalEchoes(relaunched);
  if (relaunched) {
    absorbSignalEchoes(signalEchoes);
    followLauncher(() => {
      // The launcher was killed (SIGKILL: it could not forward anything): end with it.
      process.exit(ExitCode.internal);
    });
  }
  const io: CliIO = {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal(handler) {
      const listener = (signal: SignalName) => {
        // Under the launcher a terminal's Ctrl-C arrives twice (launcher.ts): one key press is one signal.
        if (!signalEchoes.isEcho(signal)) handler(signal);
      };
      for (const signal of STOP_SIGNALS) process.on(signal, listener);
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, listener);
      };
    },
    onUnhandledError: (handler) => unhandledErrors.subscribe(handler),
    cpuUsageMicros: () => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
    memoryBytes: () => process.memoryUsage.rss(),
    cpuCount: () => cpus().length,
    watchdog: startWatchdog({
      // Before the options are parsed (the locustfile loads first): read its flag or variable now.
      stallTimeoutMs: earlyStallTimeout(process.argv, process.env) ?? DEFAULT_STALL_TIMEOUT_MS,
      controlFd:
        process.env[WATCHDOG_FD_ENV] === undefined ? undefined : Number(process.env[WATCHDOG_FD_ENV]),
      stderr: process.stderr,
    }),
    cliScript: fileURLToPath(new URL("../../bin/cicada.js", import.meta.url)),
  };
  // Nothing left to do while the run has not ended: something it awaits can never settle
  // (a top-level await in the locustfile that never resolves). Node would exit 0, silently.
  let ended = false;
  process.once("beforeExit", () => {
    if (ended) return;
    process.stderr.write(
      "Error: Cicada stopped with nothing left to wait for before the run ended: the locustfile awaits something that never settles (a top-level await?)\n" +
        "Hint: check the locustfile's top-level awaits and the promises its hooks return\n",
    );
    process.exit(ExitCode.locustfile);
  });
  run(io).then(
    (code) => {
      ended = true;
      // Exit explicitly: open keep-alive sockets of stopped users must not hold the process.
      process.stdout.write("", () => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(formatError(error).text);
      process.exit(ExitCode.internal);
    },
  );
}
