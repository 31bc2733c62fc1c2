/**
 * Every command-line option, in one typed table: the flags (Locust's names), the help
 * text and group, how values parse, and the matching `CICADA_<FLAG>` environment variable
 * and `cicada.conf` key (the long flag without dashes). The commander program, the env
 * and config-file readers, and docs all come from this table, so they cannot drift apart.
 */
import { CAPACITY_OPTIONS } from "./options-capacity.js";
import { DISTRIBUTED_OPTIONS } from "./options-distributed.js";
import { METRICS_OPTIONS } from "./options-metrics.js";
import { MONITOR_OPTIONS } from "./options-monitor.js";
import { OPEN_MODEL_OPTIONS } from "./options-open-model.js";
import { PARITY_OPTIONS } from "./options-parity.js";
import { REPORT_OPTIONS } from "./options-reports.js";
import { WEB_OPTIONS } from "./options-web.js";

/**
 * "list": repeatable, and every value is also split at commas (`--tags a,b`); "entries":
 * repeatable, each value kept whole (it may hold commas, as PromQL does), several in one
 * environment variable or config value separated by ";".
 */
export type OptionKind = "string" | "int" | "number" | "boolean" | "timespan" | "list" | "entries" | "level";

export interface OptionSpec {
  /** commander flags, e.g. "-u, --users <count>". */
  readonly flags: string;
  /** camelCase key in the parsed options. */
  readonly key: string;
  readonly kind: OptionKind;
  readonly description: string;
  readonly group: string;
  readonly defaultValue?: string | boolean;
  /** Not read from env vars or config files (Locust: -l, --json). */
  readonly cliOnly?: boolean;
  /** Not shown in --help. */
  readonly hidden?: boolean;
}

const common = "Common options";
const logging = "Logging options";
const tags = "Tag options";
const stats = "Stats and report options";
const other = "Other options";

export const OPTION_TABLE: OptionSpec[] = [
  {
    flags: "-f, --locustfile <files>",
    key: "locustfile",
    kind: "string",
    group: common,
    description:
      "TypeScript or JavaScript locustfile(s), comma-separated. Default: locustfile.ts, then locustfile.js, in the current folder",
  },
  {
    flags: "--config <file>",
    key: "config",
    kind: "string",
    group: common,
    description:
      "Config file (key = value lines), also CICADA_CONFIG; ./cicada.conf and ~/.cicada.conf are read first",
    cliOnly: true,
  },
  {
    flags: "-H, --host <url>",
    key: "host",
    kind: "string",
    group: common,
    description: "Host to load test, e.g. http://127.0.0.1:8080 (wins over a class's host)",
  },
  {
    flags: "-u, --users <count>",
    key: "users",
    kind: "int",
    group: common,
    description: "Peak number of concurrent users (headless default 1)",
  },
  {
    flags: "-r, --spawn-rate <rate>",
    key: "spawnRate",
    kind: "number",
    group: common,
    description: "Users started per second (headless default 1)",
  },
  {
    flags: "-t, --run-time <time>",
    key: "runTime",
    kind: "timespan",
    group: common,
    description: "Stop after this long, e.g. 300s, 20m, 1h30m (default: run until stopped)",
  },
  {
    flags: "-l, --list",
    key: "list",
    kind: "boolean",
    group: common,
    description: "List the user classes and their tasks, then exit",
    cliOnly: true,
  },
  {
    flags: "--headless",
    key: "headless",
    kind: "boolean",
    group: common,
    description: "Run without the web UI and start the test at once",
  },
  {
    flags: "-T, --tags <tags...>",
    key: "tags",
    kind: "list",
    group: tags,
    description: "Run only tasks with any of these tags",
  },
  {
    flags: "-E, --exclude-tags <tags...>",
    key: "excludeTags",
    kind: "list",
    group: tags,
    description: "Do not run tasks with any of these tags (wins over --tags)",
  },
  {
    flags: "--only-summary",
    key: "onlySummary",
    kind: "boolean",
    group: stats,
    description: "Print only the final summary, not the table every 2 s",
  },
  {
    flags: "-L, --loglevel <level>",
    key: "loglevel",
    kind: "level",
    group: logging,
    description: "DEBUG, INFO, WARNING, ERROR or CRITICAL",
    defaultValue: "INFO",
  },
  {
    flags: "--logfile <file>",
    key: "logfile",
    kind: "string",
    group: logging,
    description: "Write logs to this file instead of stderr",
  },
  {
    flags: "-s, --stop-timeout <time>",
    key: "stopTimeout",
    kind: "timespan",
    group: other,
    description: "Let users finish their task for this long when stopping (default 0: stop at once)",
  },
  {
    flags: "--stall-timeout <time>",
    key: "stallTimeout",
    kind: "timespan",
    group: other,
    description:
      "End the run, with every report, when the locustfile's code blocks the event loop this long (CPU-bound code in a task); default 10s, 0: never for a stall alone (docs/reliability.md)",
  },
  {
    flags: "--exit-code-on-error <code>",
    key: "exitCodeOnError",
    kind: "int",
    group: other,
    description: "Exit code when requests failed or tasks threw",
    defaultValue: "1",
  },
  {
    flags: "--show-task-ratio",
    key: "showTaskRatio",
    kind: "boolean",
    group: other,
    description: "Print the task execution ratio of each user class, then exit",
    cliOnly: true,
  },
  {
    flags: "--show-task-ratio-json",
    key: "showTaskRatioJson",
    kind: "boolean",
    group: other,
    description: "The same as JSON",
    cliOnly: true,
  },
  ...OPEN_MODEL_OPTIONS,
  ...CAPACITY_OPTIONS,
  ...REPORT_OPTIONS,
  ...MONITOR_OPTIONS,
  ...DISTRIBUTED_OPTIONS,
  ...WEB_OPTIONS,
  ...METRICS_OPTIONS,
  ...PARITY_OPTIONS,
];

/** The long flag of an option, e.g. "spawn-rate". */
export function longName(spec: OptionSpec): string {
  const match = /--([a-z0-9-]+)/.exec(spec.flags);
  if (!match) throw new Error(`option without a long flag: ${spec.flags}`);
  return match[1]!;
}

/** The environment variable of an option, e.g. CICADA_SPAWN_RATE. */
export function envName(spec: OptionSpec): string {
  return `CICADA_${longName(spec).replaceAll("-", "_").toUpperCase()}`;
}
