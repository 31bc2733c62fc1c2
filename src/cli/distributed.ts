/**
 * The distributed runs of the CLI: `--worker`, `--master` and `--processes N` (a master
 * plus N worker child processes on this machine), and `--locust-stub`.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  fetchLocustfile,
  locustStub,
  MasterRunner,
  makeNodeId,
  Worker,
  type WorkerEnd,
  wireVersion,
} from "../distributed/index.js";
import type { Environment } from "../runner/index.js";
import { EnvironmentError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { defaultArgumentValue, setArgumentValue } from "../user/index.js";
import { isLoopbackHost } from "../web/security.js";
import { withProcessExitCode } from "./exit-code.js";
import type { CliIO } from "./io.js";
import { type LoadedLocustfile, loadBundles } from "./locustfile.js";
import type { CliOptions } from "./options.js";
import { type DistributedOptions, PROCESSES_CHILD_ENV } from "./options-distributed.js";
import { parityOptionsOf } from "./options-parity.js";
import { loadFromOptions, prepareEnvironment } from "./prepare.js";
import { proxyNotices } from "./proxy-notice.js";
import { runApi } from "./run-api.js";
import type { UnhandledErrors } from "./unhandled-errors.js";
import { VERSION } from "./version.js";
import { startWorkerGroup, startWorkerProcesses, type WorkerProcesses } from "./worker-processes.js";

/** How long `--processes` waits for its workers by default. */
const PROCESSES_DEFAULT_WAIT_MS = 60_000;

/** The flags of the load itself, which a worker takes from its master instead. */
const LOAD_FLAGS = [["--arrival-rate"], ["-u", "--users"], ["-r", "--spawn-rate"], ["-t", "--run-time"]];

/** The warning for a master that anyone who reaches it may join. */
function exposureWarning(bindHost: string): string {
  return (
    `the master listens on ${bindHost === "*" ? "every interface" : bindHost} without --cluster-secret: anyone who reaches ` +
    "its port can download the locustfile (and the secrets in it), join as a worker or flood the log. " +
    "Give the master and its workers a shared secret (CICADA_CLUSTER_SECRET), or bind to 127.0.0.1 (--master-bind-host)"
  );
}

/** `--locust-stub`: the Python stub for `locust --master`. */
export function printLocustStub(environment: Environment, options: CliOptions, io: CliIO): void {
  io.stdout.write(
    locustStub(
      environment.userClassInfos,
      options.locustfile ?? "locustfile.ts",
      environment.customArguments,
    ),
  );
}

/**
 * `--worker --processes N`: N worker processes joining the master (each this same command
 * without --processes). Returns the highest of their exit codes, as Locust does.
 */
export async function runWorkerGroup(dist: DistributedOptions, io: CliIO, logger: Logger): Promise<number> {
  logger.info(
    `Starting ${dist.processes} worker processes for the master at ${dist.masterHost}:${dist.masterPort}`,
  );
  const group = startWorkerGroup(dist.processes!, io, logger, PROCESSES_CHILD_ENV);
  const unsubscribe = io.onSignal((signal) => {
    logger.info(`${signal} received: passing it on to the worker processes`);
    group.signal(signal);
  });
  try {
    return Math.max(0, ...(await group.exitCodes()));
  } finally {
    unsubscribe();
  }
}

/** `--worker`: joins a master and runs what it asks until it quits; returns the exit code. */
export async function runWorker(args: {
  options: CliOptions;
  dist: DistributedOptions;
  io: CliIO;
  logger: Logger;
  unhandled: UnhandledErrors;
  preloaded?: LoadedLocustfile | undefined;
}): Promise<number> {
  const { options, dist, io, logger, preloaded } = args;
  const host = hostname();
  const wire = wireVersion(VERSION);
  let loaded: LoadedLocustfile;
  let runOptions = options;
  if (options.locustfile === "-") {
    logger.info(`Fetching the locustfile from the master at ${dist.masterHost}:${dist.masterPort}`);
    const fetched = await fetchLocustfile({
      masterHost: dist.masterHost,
      masterPort: dist.masterPort,
      hostname: host,
      wireVersion: wire,
      timeoutMs: dist.masterTimeoutMs,
      secret: dist.clusterSecret,
    });
    loaded = await loadBundles(fetched.bundles, runApi({ worker: true }), io.cwd);
    runOptions = {
      ...options,
      tags: options.tags ?? fetched.tags,
      excludeTags: options.excludeTags ?? fetched.excludeTags,
    };
    // Custom arguments start at their defaults; the master's values come with each spawn.
    for (const argument of loaded.customArguments)
      setArgumentValue(runOptions, argument, defaultArgumentValue(argument));
  } else {
    loaded = preloaded ?? (await loadFromOptions(options, io.cwd));
  }
  const nodeId = makeNodeId(host);
  const environment = prepareEnvironment(runOptions, loaded, logger, {
    requireHost: false,
    nodeName: nodeId,
    env: io.env,
  });
  args.unhandled.attach(environment);
  logger.info(`Starting Cicada ${VERSION} worker`);
  for (const notice of proxyNotices(environment)) logger.info(notice);
  // The load is the master's to give: a load flag typed on a worker's command line is
  // ignored, so say so (values from cicada.conf or CICADA_* may be shared with the master
  // on purpose: those stay quiet, as in Locust).
  const loadFlags = LOAD_FLAGS.filter((flags) =>
    io.argv.some((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`))),
  );
  if (loadFlags.length > 0) {
    logger.warning(
      `${loadFlags.map((flags) => flags.join("/")).join(", ")} ignored on a worker: it runs the load its master sends; give them to the master`,
    );
  }
  const worker = new Worker(environment, {
    masterHost: dist.masterHost,
    masterPort: dist.masterPort,
    nodeId,
    wireVersion: wire,
    probe: { cpuUsageMicros: () => io.cpuUsageMicros(), memoryBytes: () => io.memoryBytes() },
    stopTimeoutMs: options.stopTimeout ?? 0,
    masterTimeoutMs: dist.masterTimeoutMs,
    iterations: parityOptionsOf(options).iterations,
    secret: dist.clusterSecret,
  });
  // As Locust's init: the runner exists (registerMessage in an init listener works).
  await environment.events.init.fireAsync({ environment });
  let forced: (end: WorkerEnd) => void = () => {};
  const forcedEnd = new Promise<WorkerEnd>((resolve) => {
    forced = resolve;
  });
  let signalled = false;
  const unsubscribe = io.onSignal((signal) => {
    if (!signalled) {
      signalled = true;
      logger.info(
        `${signal} received: stopping users and leaving the master (send it again to exit at once)`,
      );
      void worker.shutdown();
    } else {
      forced({ reason: "shutdown" });
    }
  });
  if (io.env[PROCESSES_CHILD_ENV] === "1") {
    // Started by --processes: the parent holds our stdin open; when it closes, the parent is gone.
    process.stdin.on("close", () => {
      logger.warning("the --processes parent is gone: shutting down");
      void worker.shutdown();
    });
    process.stdin.resume();
  }
  try {
    worker.start();
    const end = await Promise.race([worker.finished, forcedEnd]);
    await environment.events.quitting.fireAsync({ environment });
    return withProcessExitCode(environment, exitCodeOfWorker(end, dist));
  } finally {
    unsubscribe();
  }
}

function exitCodeOfWorker(end: WorkerEnd, dist: DistributedOptions): number {
  const where = `${dist.masterHost}:${dist.masterPort}`;
  switch (end.reason) {
    case "quit":
    case "shutdown":
      return 0;
    case "failed":
      throw end.error;
    case "refused":
      throw new EnvironmentError(
        "CICADA_ERR_VERSION_MISMATCH",
        `the master at ${where} refused this worker: ${end.message}`,
        {
          hint: "Run the same Cicada version on the master and every worker (npx cicada --version)",
        },
      );
    case "master-timeout":
      throw end.everConnected
        ? new EnvironmentError(
            "CICADA_ERR_MASTER_LOST",
            `lost the master at ${where} and it did not come back within ${dist.masterTimeoutMs / 1000} s`,
            { hint: "Restart the master, then the workers; --master-timeout sets how long workers wait" },
          )
        : new EnvironmentError(
            "CICADA_ERR_MASTER_UNREACHABLE",
            `no master answered at ${where} within ${dist.masterTimeoutMs / 1000} s`,
            {
              hint: "Start the master first, and check --master-host, --master-port, firewalls and that --cluster-secret is the same on both",
            },
          );
  }
}

/** A master run's runner, and what to release when the run ends. */
export interface DistributedRun {
  runner: MasterRunner;
  /** Resolves once the expected workers are connected (headless); rejects with a clear error otherwise. */
  waitForWorkers(): Promise<void>;
  /** Quits the workers and stops child processes; safe to call on every path. */
  close(): Promise<void>;
}

/** `--master` or `--processes`: binds the master (and starts the local workers). */
export async function startMaster(
  environment: Environment,
  loaded: LoadedLocustfile,
  options: CliOptions,
  dist: DistributedOptions,
  io: CliIO,
): Promise<DistributedRun> {
  const logger = environment.logger;
  const local = dist.processes !== undefined;
  // Local workers share a secret of their own: other users of this machine cannot join.
  const secret = dist.clusterSecret ?? (local ? randomBytes(24).toString("base64url") : undefined);
  const bindHost = local ? "127.0.0.1" : dist.masterBindHost;
  if (secret === undefined && !isLoopbackHost(bindHost)) logger.warning(exposureWarning(bindHost));
  const parsedOptions: Record<string, unknown> = {};
  if (options.tags) parsedOptions.tags = options.tags;
  if (options.excludeTags) parsedOptions.exclude_tags = options.excludeTags;
  const runner = await MasterRunner.start(environment, {
    bindHost,
    bindPort: local ? 0 : dist.masterBindPort,
    wireVersion: wireVersion(VERSION),
    rebalancing: dist.rebalancing,
    stopTimeoutMs: options.stopTimeout ?? 0,
    locustfiles: loaded.bundles,
    parsedOptions,
    iterations: parityOptionsOf(options).iterations,
    secret,
  });
  let children: WorkerProcesses | undefined;
  try {
    if (local) {
      const target = { port: runner.port, secret: secret! };
      children = startWorkerProcesses(dist.processes!, target, options, io, logger, PROCESSES_CHILD_ENV);
      // The master's quit ends the children, from wherever it is asked (a headless run's
      // end quits the runner before close() below): exiting with 0 then is no error. Set
      // only in close(), it raced the quit and a normal end logged "worker process 1 exited
      // with code 0" (3 of 12 runs with requests in flight at the stop, whose stop is slower).
      const processes = children;
      runner.quittingWorkers.addListener(() => processes.expectQuit());
    }
  } catch (error) {
    await runner.quitAndWait();
    throw error;
  }
  const expected = local ? dist.processes! : dist.expectWorkers;
  const maxWaitMs =
    local && dist.expectWorkersMaxWaitMs === 0 ? PROCESSES_DEFAULT_WAIT_MS : dist.expectWorkersMaxWaitMs;
  return {
    runner,
    async waitForWorkers() {
      const abort = new AbortController();
      const unsubscribe = io.onSignal((signal) =>
        abort.abort(
          new EnvironmentError("CICADA_ERR_WORKERS_MISSING", `${signal} received while waiting for workers`, {
            hint: `${runner.liveWorkers().length} of ${expected} worker(s) had connected`,
          }),
        ),
      );
      children?.onEarlyExit((error) => abort.abort(error));
      try {
        await runner.waitForWorkers(expected, maxWaitMs, abort.signal);
      } finally {
        unsubscribe();
        children?.onEarlyExit(undefined);
      }
    },
    async close() {
      children?.expectQuit();
      await runner.quitAndWait();
      await children?.stop();
    },
  };
}
