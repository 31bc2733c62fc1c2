/**
 * The master/worker options (Locust's names), appended to OPTION_TABLE, and their typed,
 * validated view with defaults applied.
 */
import { UsageError } from "../shared/errors.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

/** Environment variable marking a worker started by `--processes` (it ignores --master/--processes from config files). */
export const PROCESSES_CHILD_ENV = "CICADA_INTERNAL_PROCESSES_CHILD";

/** Whether this run is a master (`--master` or `--processes`): its Environment needs the 3 s window lag. */
export function isMasterRun(dist: DistributedOptions): boolean {
  return dist.master || dist.processes !== undefined;
}

const master = "Master options";
const worker = "Worker options";

/** The master and worker options, in OPTION_TABLE's format (appended to it). */
export const DISTRIBUTED_OPTIONS: OptionSpec[] = [
  {
    flags: "--master",
    key: "master",
    kind: "boolean",
    group: master,
    description: "Run as the master: dispatch users to workers and merge their stats (runs no users itself)",
  },
  {
    flags: "--master-bind-host <host>",
    key: "masterBindHost",
    kind: "string",
    group: master,
    description: "Interface the master listens on for workers (default *: all of them)",
    defaultValue: "*",
  },
  {
    flags: "--master-bind-port <port>",
    key: "masterBindPort",
    kind: "int",
    group: master,
    description: "Port the master listens on for workers (default 5557; 0 = any free port)",
    defaultValue: "5557",
  },
  {
    flags: "--expect-workers <count>",
    key: "expectWorkers",
    kind: "int",
    group: master,
    description: "Headless master: wait until this many workers are connected, then start (default 1)",
    defaultValue: "1",
  },
  {
    flags: "--expect-workers-max-wait <time>",
    key: "expectWorkersMaxWait",
    kind: "timespan",
    group: master,
    description: "Give up waiting for --expect-workers after this long (default 0: wait forever)",
  },
  {
    flags: "--cluster-secret <secret>",
    key: "clusterSecret",
    kind: "string",
    group: master,
    description:
      "Master and workers: a shared secret; only Cicada nodes that know it can connect, and the traffic is encrypted (ZeroMQ CURVE). Locust nodes cannot join then. Prefer CICADA_CLUSTER_SECRET: a flag shows in ps",
  },
  {
    flags: "--disable-rebalancing",
    key: "disableRebalancing",
    kind: "boolean",
    group: master,
    description: "Do not move users to other workers when a worker joins, goes missing or quits mid-test",
  },
  {
    flags: "--worker",
    key: "worker",
    kind: "boolean",
    group: worker,
    description:
      "Run as a worker: run the users a master asks for (with -f -, the locustfile comes from the master)",
  },
  {
    flags: "--master-host <host>",
    key: "masterHost",
    kind: "string",
    group: worker,
    description: "Host or address of the master a worker connects to (default 127.0.0.1)",
    defaultValue: "127.0.0.1",
  },
  {
    flags: "--master-port <port>",
    key: "masterPort",
    kind: "int",
    group: worker,
    description: "Port of the master a worker connects to (default 5557)",
    defaultValue: "5557",
  },
  {
    flags: "--master-timeout <time>",
    key: "masterTimeout",
    kind: "timespan",
    group: worker,
    description: "A worker gives up after this long without its master (default 60s)",
    defaultValue: "60s",
  },
  {
    flags: "--processes <count>",
    key: "processes",
    kind: "int",
    group: worker,
    description:
      "Start this many worker processes on this machine (-1 = one per CPU core; at most one per core without --oversubscribe), and a master for them; with --worker, only the workers, joining --master-host",
  },
  {
    flags: "--oversubscribe",
    key: "oversubscribe",
    kind: "boolean",
    group: worker,
    description:
      "Allow --processes beyond this machine's CPU cores (the workers then share cores and slow each other down)",
  },
  {
    flags: "--locust-stub",
    key: "locustStub",
    kind: "boolean",
    group: "Other options",
    description: "Print a Python locustfile naming the user classes, for `locust --master`, then exit",
    cliOnly: true,
  },
];

/** The distributed options of a run, with defaults applied. */
export interface DistributedOptions {
  master: boolean;
  masterBindHost: string;
  masterBindPort: number;
  expectWorkers: number;
  /** 0 = forever. */
  expectWorkersMaxWaitMs: number;
  rebalancing: boolean;
  worker: boolean;
  masterHost: string;
  masterPort: number;
  masterTimeoutMs: number;
  /** Undefined without --processes; already resolved for -1. With `worker`, a group of workers. */
  processes: number | undefined;
  /** --cluster-secret: the master and its Cicada workers share it (cluster-secret.ts). */
  clusterSecret: string | undefined;
  locustStub: boolean;
}

function clusterSecret(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const secret = String(value);
  if (secret.trim() === "") {
    throw new UsageError("CICADA_ERR_OPTIONS", "--cluster-secret must not be empty", {
      hint: "Give the master and every worker the same passphrase, e.g. in CICADA_CLUSTER_SECRET",
    });
  }
  return secret;
}

function port(value: unknown, flag: string, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  const n = value as number;
  if (n < (allowZero ? 0 : 1) || n > 65535) {
    const range = allowZero ? "0-65535; 0 picks a free port" : "1-65535";
    throw new UsageError("CICADA_ERR_OPTIONS", `${flag} must be a port number (${range}), got '${n}'`, {
      hint: `For example ${flag} 5557`,
    });
  }
  return n;
}

/**
 * Reads and checks the distributed options; `cpuCount` resolves --processes -1. A worker
 * started by `--processes` (`processesChild`) ignores --master and --processes, which it may
 * read from the same cicada.conf as its parent.
 */
export function distributedOptions(
  options: CliOptions,
  cpuCount: number,
  processesChild = false,
): DistributedOptions {
  const worker = options.worker === true;
  const masterFlag = options.master === true && !processesChild;
  const rawProcesses = processesChild ? undefined : (options.processes as number | undefined);
  if (worker && masterFlag) {
    throw new UsageError("CICADA_ERR_OPTIONS", "--master and --worker cannot be used together", {
      hint: "Start the master and each worker as separate commands, or use --processes N for both at once",
    });
  }
  if (rawProcesses !== undefined && (rawProcesses === 0 || rawProcesses < -1)) {
    throw new UsageError(
      "CICADA_ERR_OPTIONS",
      `--processes must be a number of processes ≥ 1, or -1, got '${rawProcesses}'`,
      {
        hint: "--processes -1 starts one worker per CPU core",
      },
    );
  }
  if (rawProcesses !== undefined && rawProcesses > Math.max(1, cpuCount) && options.oversubscribe !== true) {
    throw new UsageError(
      "CICADA_ERR_OPTIONS",
      `--processes ${rawProcesses} is more than the ${cpuCount} CPU core(s) of this machine: the workers would share cores and measure each other's slowness`,
      { hint: "--processes -1 starts one worker per core; add --oversubscribe to start more anyway" },
    );
  }
  const expectWorkers = (options.expectWorkers as number | undefined) ?? 1;
  if (expectWorkers < 1) {
    throw new UsageError("CICADA_ERR_OPTIONS", `--expect-workers must be ≥ 1, got '${expectWorkers}'`, {
      hint: "The number of workers a headless master waits for before starting",
    });
  }
  return {
    master: masterFlag,
    masterBindHost: (options.masterBindHost as string | undefined) ?? "*",
    masterBindPort: port(options.masterBindPort, "--master-bind-port", 5557, true),
    expectWorkers,
    expectWorkersMaxWaitMs: (options.expectWorkersMaxWait as number | undefined) ?? 0,
    rebalancing: options.disableRebalancing !== true,
    worker,
    masterHost: (options.masterHost as string | undefined) ?? "127.0.0.1",
    masterPort: port(options.masterPort, "--master-port", 5557, false),
    masterTimeoutMs: (options.masterTimeout as number | undefined) ?? 60_000,
    processes: rawProcesses === -1 ? Math.max(1, cpuCount) : rawProcesses,
    locustStub: options.locustStub === true,
    clusterSecret: clusterSecret(options.clusterSecret),
  };
}
