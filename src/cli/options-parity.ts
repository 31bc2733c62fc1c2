/**
 * Options from Locust (and locust-plugins) that a ported locustfile's users expect:
 * -i/--iterations, --reset-stats, configurable percentiles, and debugging one user
 * (Locust's `run_single_user`) with --debug-user, optionally under a debugger (--inspect).
 * Appended to OPTION_TABLE; `parityOptionsOf` gives their checked values.
 */
import { UsageError } from "../shared/errors.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const common = "Common options";
const stats = "Stats and report options";
const debug = "Debugging options";

export const PARITY_OPTIONS: OptionSpec[] = [
  {
    flags: "-i, --iterations <count>",
    key: "iterations",
    kind: "int",
    group: common,
    description:
      "Run exactly this many tasks in the whole test (all users, all Cicada workers; none starts past it), then stop (users only: not with --arrival-rate)",
  },
  {
    flags: "--reset-stats",
    key: "resetStats",
    kind: "boolean",
    group: stats,
    description:
      "Reset the statistics when the ramp-up is complete (on a master; its Cicada workers follow it); with --arrival-rate A:B --ramp D, when the rate's ramp is done",
  },
  {
    flags: "--percentiles <list>",
    key: "percentiles",
    kind: "list",
    group: stats,
    description:
      "Response-time percentiles to show, e.g. 50,90,99,99.9: console tables, CSV files, HTML report and the web UI's columns (default: Locust's 50 to 100; the UI 95 and 99)",
  },
  {
    flags: "--debug-user [class]",
    key: "debugUser",
    kind: "string",
    group: debug,
    description:
      "Run one user of this class (default: the locustfile's only one) without statistics tables, printing each request; ends with -t, -i, Ctrl-C or the user's StopUser",
    cliOnly: true,
  },
  {
    flags: "--debug-payload",
    key: "debugPayload",
    kind: "boolean",
    group: debug,
    description: "With --debug-user: print each response's headers and body too",
    cliOnly: true,
  },
  {
    flags: "--inspect [address]",
    key: "inspect",
    kind: "string",
    group: debug,
    description:
      "Open Node's inspector on [host:]port (default 127.0.0.1:9229) and wait for a debugger before the test starts",
    cliOnly: true,
  },
];

/** The checked values of {@link PARITY_OPTIONS}. */
export interface ParityOptions {
  iterations: number | undefined;
  resetStats: boolean;
  /** 0..1, in the order given; undefined for the defaults. */
  percentiles: number[] | undefined;
  /** --debug-user: the class name, or null to pick the only class; undefined without the flag. */
  debugUser: string | null | undefined;
  debugPayload: boolean;
  /** --inspect: where the inspector listens. */
  inspect: { host: string; port: number } | undefined;
}

/** A flag given without its optional value reaches the table as `true`, i.e. the text "true". */
const NO_VALUE = "true";

/** Reads and checks the options; a bad value is a UsageError naming the flag. */
export function parityOptionsOf(options: CliOptions): ParityOptions {
  const iterations = options.iterations as number | undefined;
  if (iterations !== undefined && iterations < 1) {
    throw new UsageError(
      "CICADA_ERR_OPTIONS",
      `--iterations must be a whole number ≥ 1, got '${iterations}'`,
      {
        hint: "For example -i 100: exactly 100 tasks in the whole test",
      },
    );
  }
  const debugUser = options.debugUser as string | undefined;
  return {
    iterations,
    resetStats: options.resetStats === true,
    percentiles: percentilesOf(options.percentiles as string[] | undefined),
    debugUser: debugUser === undefined ? undefined : debugUser === NO_VALUE ? null : debugUser,
    debugPayload: options.debugPayload === true,
    inspect: inspectAddress(options.inspect as string | undefined),
  };
}

function percentilesOf(list: string[] | undefined): number[] | undefined {
  if (list === undefined) return undefined;
  const values = list.map((text) => {
    const value = Number(text.replace(/%$/, ""));
    if (text === "" || !Number.isFinite(value) || value <= 0 || value > 100) {
      throw new UsageError(
        "CICADA_ERR_OPTIONS",
        `--percentiles: '${text}' is not a percentile above 0 and at most 100`,
        {
          hint: "Give percentages, comma-separated: --percentiles 50,90,99,99.9",
        },
      );
    }
    return value / 100;
  });
  if (values.length === 0) {
    throw new UsageError("CICADA_ERR_OPTIONS", "--percentiles needs at least one percentile", {
      hint: "For example --percentiles 50,90,99,99.9",
    });
  }
  return [...new Set(values)];
}

function inspectAddress(value: string | undefined): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  if (value === NO_VALUE) return { host: "127.0.0.1", port: 9229 };
  const match = /^(?:(.+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535) {
    throw new UsageError("CICADA_ERR_OPTIONS", `--inspect: '${value}' is not a [host:]port`, {
      hint: "For example --inspect 9229 or --inspect 127.0.0.1:9229 (0 picks a free port)",
    });
  }
  return { host: match[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1", port };
}
