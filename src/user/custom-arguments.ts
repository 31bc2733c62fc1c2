/**
 * Custom command-line arguments, Locust's `init_command_line_parser`: a locustfile adds
 * its own options, which then come from the command line, `CICADA_*` (or their own)
 * environment variables and `cicada.conf`, show in the web UI's start form, and reach
 * workers in the `spawn` messages' `parsed_options`.
 *
 * @example
 * events.initCommandLineParser.addListener((parser) => {
 *   parser.addArgument("--my-argument", { default: "", help: "It's working" });
 * });
 * // in a task: this.environment.parsedOptions.myArgument (or .my_argument, Locust's name)
 *
 * One option has two keys in `parsedOptions`: the camelCase name of Cicada's own options
 * (`myArgument`) and Locust's `dest` (`my_argument`), which is also its name on the wire
 * and in `POST /swarm`. This file holds the definitions and the value checks shared by
 * the CLI, the web server and the worker.
 */
import type { EventHook } from "../shared/event-hook.js";

/** How a value is read: text (default), a number, or an on/off switch. */
export type ArgumentType = "string" | "number" | "boolean";

/** A value of a custom argument once parsed. */
export type ArgumentValue = string | number | boolean | string[];

/** The settings of `parser.addArgument(flag, settings)` (Locust's keyword arguments, in camelCase). */
export interface ArgumentOptions {
  /** "string" (default), "number", or "boolean" (a switch: `--verbose`, no value). */
  type?: ArgumentType;
  /** The value when none is given (a boolean defaults to false, a multiple to []). */
  default?: ArgumentValue;
  /** Shown in `--help` and in the web form. */
  help?: string;
  /** Another environment variable to read it from, besides CICADA_<FLAG> (Locust's env_var). */
  envVar?: string;
  /** The allowed values: a select in the web form; anything else is a usage error. */
  choices?: readonly string[];
  /** A password field in the web form; its value is never sent to the browser. */
  isSecret?: boolean;
  /** The run cannot start without a value (checked by --headless/--autostart and the web form). */
  isRequired?: boolean;
  /** Several of the choices (a multi-select); the value is a string[]. Needs `choices`. */
  isMultiple?: boolean;
  /** False hides it from the web form (default true). */
  includeInWebUi?: boolean;
}

/** One custom argument as defined by the locustfile. */
export interface CustomArgument {
  /** The long flag without dashes, e.g. "my-argument" (also its cicada.conf key). */
  readonly name: string;
  /** A one-letter short flag, e.g. "m" for "-m", if given. */
  readonly short: string | undefined;
  /** Locust's dest, e.g. "my_argument": the wire name and the /swarm field. */
  readonly dest: string;
  /** The camelCase key, e.g. "myArgument". */
  readonly key: string;
  readonly type: ArgumentType;
  readonly defaultValue: ArgumentValue | undefined;
  readonly help: string;
  readonly envVar: string | undefined;
  readonly choices: readonly string[] | undefined;
  readonly isSecret: boolean;
  readonly isRequired: boolean;
  readonly isMultiple: boolean;
  readonly includeInWebUi: boolean;
}

const FLAG = /^(?:-([A-Za-z])\s*,\s*)?--([A-Za-z0-9][A-Za-z0-9-]*)$/;

/** "my-argument" -> "myArgument". */
export function camelCase(name: string): string {
  return name.toLowerCase().replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The parser a `initCommandLineParser` listener receives. A mistake in an `addArgument`
 * call is collected (the listener keeps going) and reported as one locustfile error.
 */
export class ArgumentParser {
  private readonly defined: CustomArgument[] = [];
  private readonly mistakes: string[] = [];

  /**
   * Adds an option: `"--my-argument"`, or `"-m, --my-argument"` with a short flag.
   * The value is `environment.parsedOptions.myArgument` (and `.my_argument`).
   */
  addArgument(flag: string, options: ArgumentOptions = {}): void {
    const match = FLAG.exec(String(flag).trim());
    if (!match) {
      this.mistakes.push(
        `addArgument("${flag}"): the flag must look like "--my-option" (or "-m, --my-option")`,
      );
      return;
    }
    const name = match[2]!.toLowerCase();
    const argument: CustomArgument = {
      name,
      short: match[1],
      dest: name.replaceAll("-", "_"),
      key: camelCase(name),
      type: options.type ?? "string",
      defaultValue: options.default,
      help: options.help ?? "",
      envVar: options.envVar,
      choices: options.choices ? [...options.choices].map(String) : undefined,
      isSecret: options.isSecret === true,
      isRequired: options.isRequired === true,
      isMultiple: options.isMultiple === true,
      includeInWebUi: options.includeInWebUi !== false,
    };
    const problem = definitionProblem(argument, this.defined);
    if (problem) this.mistakes.push(`addArgument("${flag}"): ${problem}`);
    else this.defined.push(argument);
  }

  /** The arguments added so far, in order. */
  get arguments(): readonly CustomArgument[] {
    return this.defined;
  }

  /** The mistakes of `addArgument` calls (empty when every call was fine). */
  get problems(): readonly string[] {
    return this.mistakes;
  }
}

function definitionProblem(argument: CustomArgument, before: readonly CustomArgument[]): string | undefined {
  if (!["string", "number", "boolean"].includes(argument.type))
    return `type must be "string", "number" or "boolean", got '${String(argument.type)}'`;
  const same = before.find(
    (a) => a.name === argument.name || a.dest === argument.dest || (a.short && a.short === argument.short),
  );
  if (same) return `--${same.name} is already defined`;
  if (argument.isMultiple && !argument.choices)
    return "isMultiple needs choices (the values the web form offers)";
  if (argument.choices && argument.type === "boolean") return "a boolean takes no choices";
  if (argument.choices && argument.choices.length === 0) return "choices is empty";
  if (argument.envVar !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(argument.envVar))
    return `envVar must be an environment variable name, got '${argument.envVar}'`;
  if (argument.defaultValue !== undefined) {
    try {
      convertArgumentValue(argument, argument.defaultValue);
    } catch (error) {
      return `the default does not fit: ${(error as Error).message}`;
    }
  }
  return undefined;
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

function listOf(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : [raw];
  return items
    .flatMap((item) =>
      String(item)
        .replace(/^\[|\]$/g, "")
        .split(","),
    )
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * Converts a raw value (text from a flag, env var, config line or form; or an already
 * typed value from JSON or a spawn message) to the argument's type, checking choices.
 * Throws an Error whose message names the flag (or `flag`, e.g. a form field), what it
 * got and what it expects.
 */
export function convertArgumentValue(
  argument: CustomArgument,
  raw: unknown,
  flag = `--${argument.name}`,
): ArgumentValue {
  if (argument.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    const word = String(raw).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new Error(`${flag} must be true or false, got '${String(raw)}'`);
  }
  if (argument.isMultiple) {
    const values = listOf(raw);
    const bad = values.filter((value) => !argument.choices!.includes(value));
    if (bad.length > 0)
      throw new Error(`${flag} must be among ${choiceList(argument)}, got '${bad.join(", ")}'`);
    return values;
  }
  const text = (Array.isArray(raw) ? String(raw[raw.length - 1] ?? "") : String(raw)).trim();
  if (argument.type === "number") {
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) throw new Error(`${flag} must be a number, got '${text}'`);
    if (argument.choices && !argument.choices.includes(text))
      throw new Error(`${flag} must be one of ${choiceList(argument)}, got '${text}'`);
    return value;
  }
  if (argument.choices && !argument.choices.includes(text))
    throw new Error(`${flag} must be one of ${choiceList(argument)}, got '${text}'`);
  return text;
}

function choiceList(argument: CustomArgument): string {
  return argument.choices!.map((c) => `'${c}'`).join(", ");
}

/** The value an argument starts with when none is given. */
export function defaultArgumentValue(argument: CustomArgument): ArgumentValue | undefined {
  if (argument.defaultValue !== undefined) return convertArgumentValue(argument, argument.defaultValue);
  if (argument.type === "boolean") return false;
  if (argument.isMultiple) return [];
  return undefined;
}

/** Whether a value counts as given for `isRequired` (an empty text or list does not). */
export function hasArgumentValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Writes a value under both of the argument's keys (camelCase and Locust's dest). */
export function setArgumentValue(
  target: Record<string, unknown>,
  argument: CustomArgument,
  value: ArgumentValue | undefined,
): void {
  target[argument.key] = value;
  target[argument.dest] = value;
}

/**
 * Fires `initCommandLineParser` and returns what the listeners defined, with every
 * mistake (a bad `addArgument` call, or a listener that threw). Listeners run
 * synchronously: the CLI needs the options before it parses the command line.
 */
export function collectCustomArguments(hook: EventHook<ArgumentParser>): {
  arguments: readonly CustomArgument[];
  problems: string[];
} {
  const parser = new ArgumentParser();
  const thrown: string[] = [];
  const previous = hook.onListenerError;
  hook.onListenerError = (error) =>
    thrown.push(
      `an initCommandLineParser listener threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  try {
    hook.fire(parser);
  } finally {
    hook.onListenerError = previous;
  }
  return { arguments: parser.arguments, problems: [...parser.problems, ...thrown] };
}
