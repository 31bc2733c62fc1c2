/**
 * Parses the command line, `CICADA_*` environment variables and config files into typed
 * options, with Locust's precedence: config files < environment < command line. Every
 * problem is collected and reported at once, each naming where the value came from.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { closest } from "../shared/closest.js";
import { UsageError } from "../shared/errors.js";
import { type LogLevel, LogLevels } from "../shared/logger.js";
import { parseTimespan } from "../shared/timespan.js";
import { isTargetUrl, schemeUrlProblem } from "../shared/url.js";
import type { CustomArgument } from "../user/index.js";
import { type ConfigEntry, readConfigFile } from "./config-file.js";
import { addCustomFlags, missingRequired, readCustomValues } from "./custom-options.js";
import { locustConfigKeyHint, locustFlagHint } from "./locust-habits.js";
import { envName, longName, OPTION_TABLE, type OptionSpec } from "./option-table.js";
import { validateCapacity } from "./options-capacity.js";
import { validateOpenModel } from "./options-open-model.js";

/** The options of a run. Values not given are undefined (or the table's default). */
export interface CliOptions {
  locustfile?: string;
  config?: string;
  host?: string;
  users?: number;
  spawnRate?: number;
  runTime?: number;
  list?: boolean;
  headless?: boolean;
  tags?: string[];
  excludeTags?: string[];
  onlySummary?: boolean;
  loglevel: LogLevel;
  logfile?: string;
  stopTimeout?: number;
  /** --stall-timeout (ms): the watchdog ends a run whose event loop is blocked this long. */
  stallTimeout?: number;
  exitCodeOnError: number;
  showTaskRatio?: boolean;
  showTaskRatioJson?: boolean;
  /** Positional arguments: user class names to run. */
  userClasses: string[];
  [key: string]: unknown;
}

export interface OptionSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home?: string | undefined;
}

export interface ParseResult {
  options: CliOptions;
  /** Set when --help or --version printed something and the process should exit 0. */
  printed?: string;
  /** Early parse only: -h/--help was given (the full parse prints the help, custom arguments included). */
  help?: boolean;
}

export interface ParseSettings {
  /** The locustfile's custom arguments: flags of their own, and a --help group. */
  customArguments?: readonly CustomArgument[];
  /**
   * The parse before the locustfile is loaded (it must find the locustfile, and its
   * custom flags are not known yet): unknown flags and config keys are let through,
   * and --help is only noted.
   */
  early?: boolean;
}

/** -h or --help among the flags (before a `--`). */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "-h" || arg === "--help");
}

export function buildProgram(version: string, customArguments: readonly CustomArgument[] = []): Command {
  const program = new Command("cicada")
    .description("Load testing in TypeScript, the Locust way.")
    .usage("[options] [UserClass ...]")
    .argument("[userClasses...]", "user classes to run (default: all of them)")
    .version(version, "-V, --version", "Print the version and exit")
    .helpOption("-h, --help", "Show this help and exit")
    .allowExcessArguments(true)
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      "after",
      "\nEvery option can also be set as CICADA_<FLAG> (e.g. CICADA_USERS=10) or as 'flag = value' in\n" +
        "cicada.conf. Docs: docs/options.md; exit codes: docs/exit-codes.md.",
    );
  for (const spec of OPTION_TABLE) {
    const option = new Option(spec.flags, helpText(spec)).helpGroup(spec.group);
    if (spec.hidden) option.hideHelp();
    if (spec.kind === "list" || spec.kind === "entries")
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    program.addOption(option);
  }
  addCustomFlags(program, customArguments);
  return program;
}

/** An option's --help line: its description, with its default when it has one (docs/options.md has a column). */
function helpText(spec: OptionSpec): string {
  const value = spec.defaultValue;
  if (typeof value !== "string" || /\bdefault\b/i.test(spec.description)) return spec.description;
  return `${spec.description} (default ${value})`;
}

interface RawValue {
  raw: unknown;
  where: string;
}

/** Parses all sources into options, or throws one UsageError listing every problem. */
export function parseOptions(
  sources: OptionSources,
  version: string,
  settings: ParseSettings = {},
): ParseResult {
  const customArguments = settings.customArguments ?? [];
  const program = buildProgram(version, customArguments);
  const early = settings.early === true;
  const help = early && asksForHelp(sources.argv);
  if (early) program.allowUnknownOption().helpOption(false);
  let printed = "";
  program.configureOutput({
    writeOut: (text) => {
      printed += text;
    },
    writeErr: () => {},
    outputError: () => {},
  });
  try {
    program.parse([...sources.argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return { options: defaults(), printed };
      }
      throw commanderToUsageError(error);
    }
    throw error;
  }

  const cliValues = program.opts();
  const raw = new Map<string, RawValue>();
  const configEntries = readConfigs(sources, cliValues.config as string | undefined);
  for (const entry of configEntries) {
    const spec = OPTION_TABLE.find((s) => longName(s) === entry.key);
    if (!spec) {
      if (early || customArguments.some((argument) => argument.name === entry.key)) continue;
      throw unknownConfigKey(entry, customArguments);
    }
    if (!spec.cliOnly) raw.set(spec.key, { raw: entry.value, where: entry.where });
  }
  for (const spec of OPTION_TABLE) {
    const value = sources.env[envName(spec)];
    if (value !== undefined && value !== "" && !spec.cliOnly)
      raw.set(spec.key, { raw: value, where: envName(spec) });
  }
  for (const spec of OPTION_TABLE) {
    if (program.getOptionValueSource(spec.key) === "cli") {
      raw.set(spec.key, { raw: cliValues[spec.key], where: `--${longName(spec)}` });
    }
  }

  const problems: string[] = [];
  const options = defaults();
  for (const spec of OPTION_TABLE) {
    const given = raw.get(spec.key);
    if (!given) continue;
    try {
      options[spec.key] = convert(spec, given.raw);
    } catch (error) {
      problems.push(`✖ ${(error as Error).message}\n  → at ${given.where}`);
    }
  }
  options.userClasses = program.args;
  problems.push(...validate(options, raw));
  problems.push(
    ...readCustomValues(customArguments, { env: sources.env, config: configEntries, program }, options),
  );
  if (startsAtOnce(options)) problems.push(...missingRequired(customArguments, options));
  if (help) return { options, help };
  if (problems.length > 0) {
    throw new UsageError("CICADA_ERR_OPTIONS", `invalid options:\n${problems.join("\n")}`, {
      hint: "Run cicada --help for every option and its format",
    });
  }
  return { options };
}

/**
 * Whether the run starts a test by itself, so a required custom argument must have a
 * value now (otherwise the web form asks, or the worker gets it from its master).
 */
function startsAtOnce(options: CliOptions): boolean {
  const informational =
    options.list || options.showTaskRatio || options.showTaskRatioJson || options.locustStub === true;
  return (
    !informational && options.worker !== true && (options.headless === true || options.autostart === true)
  );
}

function defaults(): CliOptions {
  return { loglevel: "INFO", exitCodeOnError: 1, userClasses: [] };
}

function readConfigs(sources: OptionSources, cliConfig: string | undefined): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  if (sources.home) {
    const homeFile = join(sources.home, ".cicada.conf");
    if (existsSync(homeFile)) entries.push(...readConfigFile(homeFile, "~/.cicada.conf"));
  }
  const localFile = join(sources.cwd, "cicada.conf");
  if (existsSync(localFile)) entries.push(...readConfigFile(localFile, "cicada.conf"));
  const explicit = cliConfig ?? sources.env.CICADA_CONFIG;
  if (explicit) entries.push(...readConfigFile(resolve(sources.cwd, explicit), explicit));
  return entries;
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

function convert(spec: OptionSpec, raw: unknown): unknown {
  const flag = `--${longName(spec)}`;
  if (spec.kind === "boolean") {
    if (typeof raw === "boolean") return raw;
    const word = String(raw).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new Error(`${flag} must be true or false, got '${String(raw)}'`);
  }
  if ((spec.kind === "entries" || spec.kind === "list") && Array.isArray(raw)) {
    // `--monitor ""` (a shell variable left empty) monitored nothing, without a word.
    const placeholder = /<[^>]+>/.exec(spec.flags)?.[0] ?? "a value";
    if (raw.some((item) => String(item).trim() === ""))
      throw new Error(`${flag} was given an empty value: expected ${placeholder} (an empty shell variable?)`);
  }
  if (spec.kind === "entries") {
    // Repeated flags arrive as an array; an env var or config value may hold several, split at ";".
    const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(";");
    return items.map((t) => t.trim()).filter((t) => t !== "");
  }
  if (spec.kind === "list") {
    const items = Array.isArray(raw) ? raw.map(String) : [String(raw).replace(/^\[|\]$/g, "")];
    return items
      .flatMap((item) => item.split(","))
      .map((t) => t.trim())
      .filter((t) => t !== "");
  }
  const text = String(raw).trim();
  switch (spec.kind) {
    case "string":
      return text;
    case "int":
      if (!/^-?\d+$/.test(text)) throw new Error(`${flag} must be a whole number, got '${text}'`);
      return Number(text);
    case "number": {
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) throw new Error(`${flag} must be a number, got '${text}'`);
      return value;
    }
    case "timespan": {
      const ms = parseTimespan(text);
      if (ms === undefined)
        throw new Error(
          `${flag} must be a time span such as 30, 30s, 0.5s, 500ms, 5m or 1h30m, got '${text}'`,
        );
      return ms;
    }
    case "level": {
      const level = text.toUpperCase();
      if (!(LogLevels as readonly string[]).includes(level)) {
        throw new Error(`${flag} must be one of ${LogLevels.join(", ")}, got '${text}'`);
      }
      return level;
    }
  }
}

function validate(options: CliOptions, raw: Map<string, RawValue>): string[] {
  const problems: string[] = [];
  const at = (key: string) => raw.get(key)?.where ?? key;
  if (options.users !== undefined && options.users < 1) {
    problems.push(`✖ --users must be a whole number ≥ 1, got '${options.users}'\n  → at ${at("users")}`);
  }
  if (options.spawnRate !== undefined && !(options.spawnRate > 0)) {
    problems.push(
      `✖ --spawn-rate must be a number > 0, got '${options.spawnRate}'\n  → at ${at("spawnRate")}`,
    );
  }
  if (options.runTime !== undefined && options.runTime <= 0) {
    problems.push(`✖ --run-time must be longer than 0 s\n  → at ${at("runTime")}`);
  }
  if (options.exitCodeOnError < 0 || options.exitCodeOnError > 255) {
    problems.push(
      `✖ --exit-code-on-error must be 0 to 255, got '${options.exitCodeOnError}'\n  → at ${at("exitCodeOnError")}`,
    );
  }
  const hostProblem = options.host === undefined ? undefined : schemeUrlProblem(options.host);
  if (hostProblem !== undefined) {
    problems.push(`✖ --host '${options.host}' cannot be used: ${hostProblem}\n  → at ${at("host")}`);
  } else if (options.host !== undefined && !isTargetUrl(options.host)) {
    problems.push(
      `✖ --host must be an http(s) URL such as http://127.0.0.1:8080 (or ws(s)://, grpc(s)://), got '${options.host}'\n  → at ${at("host")}`,
    );
  }
  problems.push(...validateOpenModel(options, at, (key) => raw.has(key)));
  problems.push(...validateCapacity(options, at));
  return problems;
}

function commanderToUsageError(error: CommanderError): UsageError {
  const lines = error.message.replace(/^error: /, "").split("\n");
  const suggestion = lines.find((l) => l.startsWith("(Did you mean"));
  const message = lines.filter((l) => !l.startsWith("(Did you mean")).join(" ");
  const unknown = error.code === "commander.unknownOption" ? /'([^']+)'/.exec(message)?.[1] : undefined;
  const locustHint = unknown === undefined ? undefined : locustFlagHint(unknown);
  return new UsageError("CICADA_ERR_OPTIONS", message, {
    hint:
      locustHint ??
      (suggestion ? suggestion.replace(/^\(|\)$/g, "") : "Run cicada --help for the list of options"),
    cause: error,
  });
}

function unknownConfigKey(entry: ConfigEntry, customArguments: readonly CustomArgument[]): UsageError {
  const known = [
    ...OPTION_TABLE.filter((s) => !s.cliOnly).map(longName),
    ...customArguments.map((a) => a.name),
  ];
  const nearest = closest(entry.key, known);
  const locustHint = locustConfigKeyHint(entry.key);
  return new UsageError("CICADA_ERR_CONFIG_KEY", `${entry.where}: unknown option '${entry.key}'`, {
    hint:
      locustHint ??
      (nearest
        ? `Did you mean '${nearest}'?`
        : "Config keys are the long flag names, e.g. 'users' or 'spawn-rate'"),
  });
}
