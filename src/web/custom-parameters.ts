/**
 * The locustfile's custom arguments in the web UI ("Custom parameters", as Locust): what
 * the start form shows, and the fields of `POST /swarm` that set them for the next test,
 * named by Locust's dest (`my_argument`). Arguments defined with `includeInWebUi: false`
 * are neither shown nor accepted. A secret's value never goes to the browser: an empty
 * secret field keeps the value it has.
 */
import type { Environment } from "../runner/index.js";
import {
  type ArgumentValue,
  type CustomArgument,
  convertArgumentValue,
  hasArgumentValue,
} from "../user/index.js";
import type { CustomParameter } from "./api-types.js";
import type { FieldProblem } from "./swarm.js";

function visible(environment: Environment): CustomArgument[] {
  return environment.customArguments.filter((argument) => argument.includeInWebUi);
}

function kindOf(argument: CustomArgument): CustomParameter["kind"] {
  if (argument.isMultiple) return "multiselect";
  if (argument.choices) return "select";
  if (argument.type === "boolean") return "boolean";
  if (argument.isSecret) return "secret";
  return argument.type === "number" ? "number" : "text";
}

/** The start form's custom parameters with their current values. */
export function customParameters(environment: Environment): CustomParameter[] {
  return visible(environment).map((argument) => {
    const value = environment.parsedOptions[argument.key] as ArgumentValue | undefined;
    const shown =
      argument.isSecret || value === undefined
        ? argument.type === "boolean"
          ? false
          : argument.isMultiple
            ? []
            : ""
        : typeof value === "number"
          ? String(value)
          : value;
    return {
      name: argument.dest,
      flag: `--${argument.name}`,
      help: argument.help,
      kind: kindOf(argument),
      choices: [...(argument.choices ?? [])],
      required: argument.isRequired,
      value: shown,
      hasValue: hasArgumentValue(value),
    };
  });
}

function isEmpty(raw: unknown): boolean {
  if (raw === null) return true;
  if (typeof raw === "string") return raw.trim() === "";
  return Array.isArray(raw) && raw.every((item) => String(item).trim() === "");
}

/** An empty field is false, [], "" or (a number) no value; anything else is converted and checked. */
function fieldValue(argument: CustomArgument, raw: unknown, field: string): ArgumentValue | undefined {
  if (isEmpty(raw)) {
    if (argument.type === "boolean") return false;
    if (argument.isMultiple) return [];
    return argument.type === "number" ? undefined : "";
  }
  return convertArgumentValue(argument, raw, field);
}

/**
 * Reads the custom fields of a start; problems (a bad choice or number, a required one
 * left without a value) are added to `problems`. Fields the body leaves out keep their
 * values. Returns the values to set.
 */
export function parseCustomParameters(
  body: Record<string, unknown>,
  environment: Environment,
  problems: FieldProblem[],
): Array<[CustomArgument, ArgumentValue | undefined]> {
  const changes: Array<[CustomArgument, ArgumentValue | undefined]> = [];
  for (const argument of visible(environment)) {
    const field = argument.dest;
    const raw = body[field];
    let value = environment.parsedOptions[argument.key] as ArgumentValue | undefined;
    if (raw !== undefined && !(argument.isSecret && isEmpty(raw))) {
      try {
        value = fieldValue(argument, raw, field);
        changes.push([argument, value]);
      } catch (error) {
        problems.push({ field, message: (error as Error).message });
        continue;
      }
    }
    if (argument.isRequired && !hasArgumentValue(value)) {
      problems.push({
        field,
        message: `${field} is required${argument.help ? ` (${argument.help})` : ""}: give it a value`,
      });
    }
  }
  return changes;
}

/** For the log: "env=staging, api_key=***". */
export function describeChanges(changes: ReadonlyArray<[CustomArgument, ArgumentValue | undefined]>): string {
  return changes
    .map(
      ([argument, value]) => `${argument.dest}=${argument.isSecret ? "***" : JSON.stringify(value ?? null)}`,
    )
    .join(", ");
}
