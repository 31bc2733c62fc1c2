/**
 * The locustfile's custom arguments (`events.initCommandLineParser`) on the command line:
 * their flags and `--help` group, their values from `cicada.conf` < `CICADA_<FLAG>` < their
 * own `envVar` < the command line (then the default), and the checks of a run that starts
 * at once (a required argument without a value). Values are written under both keys
 * (`myArgument` and Locust's `my_argument`).
 */
import { type Command, Option } from "commander";
import { LocustfileError } from "../shared/errors.js";
import {
  type ArgumentValue,
  type CustomArgument,
  convertArgumentValue,
  defaultArgumentValue,
  hasArgumentValue,
  setArgumentValue,
} from "../user/index.js";
import type { ConfigEntry } from "./config-file.js";
import { longName, OPTION_TABLE } from "./option-table.js";

export const CUSTOM_GROUP = "Custom arguments (from the locustfile)";

/** CICADA_MY_ARGUMENT for --my-argument. */
export function customEnvName(argument: CustomArgument): string {
  return `CICADA_${argument.name.replaceAll("-", "_").toUpperCase()}`;
}

/**
 * Checks the definitions against Cicada's own options and throws one LocustfileError
 * listing every mistake (including those `addArgument` collected).
 */
export function checkCustomArguments(
  arguments_: readonly CustomArgument[],
  problems: readonly string[],
): void {
  const all = [...problems];
  const longNames = new Set(OPTION_TABLE.map(longName));
  const shorts = new Set(
    OPTION_TABLE.map((spec) => /^-([A-Za-z]),/.exec(spec.flags)?.[1]).filter((s) => s !== undefined),
  );
  const keys = new Set([...OPTION_TABLE.map((spec) => spec.key), "userClasses"]);
  for (const reserved of ["help", "version"]) longNames.add(reserved);
  for (const reserved of ["h", "V"]) shorts.add(reserved);
  for (const argument of arguments_) {
    if (longNames.has(argument.name) || keys.has(argument.key) || keys.has(argument.dest))
      all.push(`--${argument.name} is one of Cicada's own options`);
    else if (argument.short && shorts.has(argument.short))
      all.push(`-${argument.short} (of --${argument.name}) is one of Cicada's own short flags`);
  }
  if (all.length > 0) {
    throw new LocustfileError(
      "CICADA_ERR_CUSTOM_ARGUMENT",
      `the locustfile's custom arguments are wrong:\n${all.map((p) => `✖ ${p}`).join("\n")}`,
      {
        hint: 'Call parser.addArgument("--my-option", { default: "x", help: "..." }) with a flag of your own (docs/locustfile.md)',
      },
    );
  }
}

function describe(argument: CustomArgument): string {
  const parts = [argument.help];
  if (argument.choices)
    parts.push(`(${argument.isMultiple ? "any of" : "one of"}: ${argument.choices.join(", ")})`);
  const defaultValue = defaultArgumentValue(argument);
  if (argument.isRequired) parts.push("(required)");
  else if (hasArgumentValue(defaultValue) && argument.type !== "boolean")
    parts.push(`(default: ${argument.isSecret ? "***" : String(defaultValue)})`);
  parts.push(`[env ${[customEnvName(argument), argument.envVar].filter(Boolean).join(", ")}]`);
  return parts.filter((p) => p !== "").join(" ");
}

/** Adds the custom arguments' flags to the commander program (a --help group of their own). */
export function addCustomFlags(program: Command, arguments_: readonly CustomArgument[]): void {
  for (const argument of arguments_) {
    const short = argument.short ? `-${argument.short}, ` : "";
    const value = argument.type === "boolean" ? "" : argument.isMultiple ? " <values>" : " <value>";
    const option = new Option(`${short}--${argument.name}${value}`, describe(argument)).helpGroup(
      CUSTOM_GROUP,
    );
    // Stored under the dest so a flag's camelCase form never clashes with commander's own naming.
    option.attributeName = () => `custom:${argument.dest}`;
    if (argument.isMultiple)
      option.argParser((item: string, previous: string[] | undefined) => [...(previous ?? []), item]);
    program.addOption(option);
  }
}

interface RawValue {
  raw: unknown;
  where: string;
}

/**
 * Reads every custom argument's value into `options` (both keys), after the defaults.
 * Returns the problems, each naming the source of the bad value.
 */
export function readCustomValues(
  arguments_: readonly CustomArgument[],
  sources: {
    env: Readonly<Record<string, string | undefined>>;
    config: readonly ConfigEntry[];
    program: Command;
  },
  options: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const argument of arguments_) {
    let given: RawValue | undefined;
    for (const entry of sources.config)
      if (entry.key === argument.name) given = { raw: entry.value, where: entry.where };
    for (const name of [customEnvName(argument), argument.envVar]) {
      const value = name === undefined ? undefined : sources.env[name];
      if (value !== undefined && value !== "") given = { raw: value, where: name! };
    }
    const attribute = `custom:${argument.dest}`;
    if (sources.program.getOptionValueSource(attribute) === "cli")
      given = { raw: sources.program.opts()[attribute], where: `--${argument.name}` };
    let value: ArgumentValue | undefined;
    try {
      value = given ? convertArgumentValue(argument, given.raw) : defaultArgumentValue(argument);
    } catch (error) {
      problems.push(`✖ ${(error as Error).message}\n  → at ${given?.where ?? "the default"}`);
    }
    setArgumentValue(options, argument, value);
  }
  return problems;
}

/** The required custom arguments without a value, as problems (a run that starts at once needs them). */
export function missingRequired(
  arguments_: readonly CustomArgument[],
  options: Record<string, unknown>,
): string[] {
  return arguments_
    .filter((argument) => argument.isRequired && !hasArgumentValue(options[argument.key]))
    .map(
      (argument) =>
        `✖ --${argument.name} is required (${argument.help || "a custom argument of the locustfile"})\n` +
        `  → give it as --${argument.name} <value>, ${[customEnvName(argument), argument.envVar].filter(Boolean).join(" or ")}, or '${argument.name} = ...' in cicada.conf`,
    );
}
