/**
 * Locust's HTTP API (locust/web.py) with the same paths, methods and JSON fields, so
 * scripts written against Locust drive Cicada unchanged. docs/http-api.md lists them.
 */
import type { FastifyInstance } from "fastify";
import type { CommandResponse } from "./api-types.js";
import type { WebContext } from "./context.js";
import { registerCsvRoutes } from "./downloads.js";
import { locustExceptions, locustLogs, locustRequestsReport, locustTasks } from "./locust-json.js";
import { currentWindowEndMs } from "./rows.js";
import { applySwarm, parseSwarm } from "./swarm.js";

/** How long `GET /stop` waits for users to stop before it answers (the stop goes on after). */
const STOP_WAIT_MS = 2000;

/** Stops the test; resolves when the users have stopped or after `STOP_WAIT_MS`. */
export async function stopTest(context: WebContext): Promise<CommandResponse> {
  const runner = context.runner;
  if (runner.state === "ready" || runner.state === "stopped") {
    return { success: true, message: "No test is running" };
  }
  runner.environment.logger.info("Stopping the test (web UI)");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_WAIT_MS);
  });
  const stopped = runner.stopAndWait().catch((error: unknown) => {
    runner.environment.logger.error(`stopping failed: ${String(error)}`);
  });
  await Promise.race([stopped, waited]);
  clearTimeout(timer);
  return { success: true, message: "Test stopped" };
}

/** Clears the statistics, failures, exceptions and history (Locust's reset). */
export function resetStats(context: WebContext): CommandResponse {
  const environment = context.runner.environment;
  environment.events.resetStats.fire(undefined);
  environment.stats.reset(environment.now());
  context.feed.requestFull();
  environment.logger.info("Statistics reset (web UI)");
  return { success: true, message: "Statistics reset" };
}

/** Parses and applies a /swarm body; shared by the form, JSON scripts and the UI. */
export function swarm(context: WebContext, body: unknown): { status: number; response: CommandResponse } {
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
    return {
      status: 400,
      response: {
        success: false,
        message: "the body must be a JSON object or a form with user_count, spawn_rate, ...",
      },
    };
  }
  const parsed = parseSwarm((body ?? {}) as Record<string, unknown>, context.runner, {
    classPicker: context.classPicker,
    distributed: context.distributed,
  });
  if ("problems" in parsed) {
    return {
      status: 400,
      response: {
        success: false,
        message: parsed.problems.map((p) => p.message).join("; "),
        errors: parsed.problems,
        host: context.runner.environment.host,
      },
    };
  }
  return applySwarm(parsed.command, context.runner, context.openModelDefaults);
}

export function registerLocustRoutes(app: FastifyInstance, context: WebContext): void {
  const base = context.basePath;
  const runner = context.runner;
  const stats = runner.environment.stats;
  const now = () => runner.environment.now();

  app.post(`${base}/swarm`, (req, reply) => {
    const { status, response } = swarm(context, req.body);
    return reply.code(status).send(response);
  });
  app.get(`${base}/stop`, () => stopTest(context));
  app.get(`${base}/stats/reset`, (_req, reply) => {
    resetStats(context);
    return reply.type("text/plain; charset=utf-8").send("ok");
  });
  app.get(`${base}/stats/requests`, () =>
    locustRequestsReport(runner, stats.snapshot(currentWindowEndMs(runner)), context.distributed),
  );
  app.get(`${base}/exceptions`, () => locustExceptions(stats.snapshot(now())));
  app.get(`${base}/tasks`, () => locustTasks(runner));
  app.get(`${base}/logs`, () => locustLogs(context.logs));
  app.get(`${base}/worker-count`, () => ({ worker_count: runner.workers().length }));
  registerCsvRoutes(app, context);
}
