/**
 * Per-user-class settings, Locust's `POST /user` (its class picker's gear icon): a JSON
 * body `{"user_class_name": "Reader", "host": "...", "weight": 3, "fixed_count": 0}`
 * changes that class's host, weight or fixed count for the next tests. Fields left out
 * keep their value; an empty host removes the class's own host. Unlike Locust, which sets
 * any attribute it is sent, every field is checked and a bad one is refused with a message
 * naming it, a change while a test runs is refused (one test never mixes two plans), and
 * `tasks` (Locust's task list editor) is not supported.
 */
import type { FastifyInstance } from "fastify";
import type { Environment, Runner, UserClassOverride } from "../runner/index.js";
import type { CommandResponse, UserClassSettings } from "./api-types.js";
import type { WebContext } from "./context.js";
import { type FieldProblem, hostFieldProblem } from "./swarm.js";

/** The settings of every class of the locustfile, as the start form shows them. */
export function userClassSettings(environment: Environment): UserClassSettings[] {
  return environment.userClassInfos.map((info) => ({
    name: info.name,
    host: info.host ?? null,
    weight: info.weight,
    fixedCount: info.fixedCount,
  }));
}

function isRunning(runner: Runner): boolean {
  return runner.state === "spawning" || runner.state === "running";
}

/** Checks a body; returns the class and its new settings, or the problems. */
export function parseUserClassSettings(
  body: unknown,
  environment: Environment,
): { name: string; settings: UserClassOverride } | { problems: FieldProblem[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      problems: [{ field: "body", message: 'send a JSON object: {"user_class_name": ..., "weight": ...}' }],
    };
  }
  const fields = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const known = environment.userClassInfos.map((info) => info.name);
  const name = fields.user_class_name;
  if (typeof name !== "string" || !known.includes(name)) {
    problems.push({
      field: "user_class_name",
      message: `user_class_name must name a user class of this locustfile (${known.join(", ")}), got '${String(name)}'`,
    });
  }
  const settings: UserClassOverride = {};
  const { host, weight, fixed_count: fixedCount } = fields;
  if (host !== undefined) {
    const text = host === null ? "" : String(host).trim();
    const problem = text === "" ? undefined : hostFieldProblem(text);
    if (problem !== undefined)
      problems.push({ field: "host", message: `${problem}; leave it empty for no host of its own` });
    else settings.host = text === "" ? null : text;
  }
  if (weight !== undefined) {
    const value = Number(weight);
    if (weight === "" || !Number.isFinite(value) || value < 0) {
      problems.push({ field: "weight", message: `weight must be a number ≥ 0, got '${String(weight)}'` });
    } else settings.weight = value;
  }
  if (fixedCount !== undefined) {
    const value = Number(fixedCount);
    if (fixedCount === "" || !Number.isInteger(value) || value < 0) {
      problems.push({
        field: "fixed_count",
        message: `fixed_count must be a whole number ≥ 0, got '${String(fixedCount)}'`,
      });
    } else settings.fixedCount = value;
  }
  if (fields.tasks !== undefined) {
    problems.push({
      field: "tasks",
      message: "tasks cannot be changed here: choose them in the locustfile (or with --tags)",
    });
  }
  if (problems.length > 0) return { problems };
  const after = environment.userClassInfos.map((info) =>
    info.name === name ? { ...info, ...withoutHost(settings) } : info,
  );
  if (!after.some((info) => info.weight > 0 || info.fixedCount > 0)) {
    return {
      problems: [
        {
          field: "weight",
          message: "every class would have weight 0 and no fixed count: no user could start",
        },
      ],
    };
  }
  return { name: name as string, settings };
}

function withoutHost(settings: UserClassOverride): { weight?: number; fixedCount?: number } {
  const { host: _host, ...rest } = settings;
  return rest;
}

/** Registers `POST /user`. */
export function registerUserClassRoute(app: FastifyInstance, context: WebContext): void {
  const runner = context.runner;
  const environment = runner.environment;
  app.post(`${context.basePath}/user`, (req, reply) => {
    const parsed = parseUserClassSettings(req.body, environment);
    if ("problems" in parsed) {
      const response: CommandResponse = {
        success: false,
        message: parsed.problems.map((p) => p.message).join("; "),
        errors: parsed.problems,
      };
      return reply.code(400).send(response);
    }
    if (isRunning(runner)) {
      const response: CommandResponse = {
        success: false,
        message:
          "user class settings cannot change while a test runs: stop it first (they apply to the next test)",
      };
      return reply.code(409).send(response);
    }
    environment.overrideUserClass(parsed.name, parsed.settings);
    const info = environment.userClassInfos.find((i) => i.name === parsed.name)!;
    environment.logger.info(
      `User class ${info.name}: host ${info.host ?? "(the test's)"}, weight ${info.weight}, fixedCount ${info.fixedCount}`,
    );
    // Every browser's form shows the new settings.
    context.feed.requestFull();
    // Locust answers 201.
    return reply.code(201).send({ success: true, message: `${info.name} updated` } satisfies CommandResponse);
  });
}
