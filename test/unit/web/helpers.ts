/** Helpers of the web server tests: a tiny target on loopback and a web app over a real runner. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { Environment, LocalRunner, type Runner, type WorkerSummary } from "../../../src/runner/index.js";
import type { CicadaError } from "../../../src/shared/errors.js";
import { Logger } from "../../../src/shared/logger.js";
import {
  type CustomArgument,
  constant,
  HttpUser,
  type LoadTestShape,
  task,
  type UserClass,
} from "../../../src/user/index.js";
import { buildWebApp, type LiveFeed, LogBuffer, type WebServerOptions } from "../../../src/web/index.js";

/** A target on 127.0.0.1: /ok answers 200, /fail 500, anything else 404. Counts requests. */
export interface Target {
  url: string;
  requests: number;
  /** Every path requested, in order. */
  paths: string[];
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const target = { url: "", requests: 0, paths: [] as string[], close: async () => {} };
  const server: Server = createServer((req, res) => {
    target.requests++;
    if (target.paths.length < 10_000) target.paths.push(req.url ?? "");
    if (req.url === "/ok") res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    else if (req.url === "/fail") res.writeHead(500, { "content-type": "text/plain" }).end("boom");
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

/** A user that requests /ok about 20 times a second and /fail now and then. */
export class SteadyUser extends HttpUser {
  override waitTime = constant(0.05);
  @task(9) async ok() {
    await this.client.get("/ok");
  }
  @task async fail() {
    await this.client.get("/fail");
  }
}

/** The same user without a host of its own: a test must give one. */
export class NoHostUser extends SteadyUser {}

export interface WebRun {
  environment: Environment;
  runner: LocalRunner;
  logs: LogBuffer;
  app: FastifyInstance;
  feed: LiveFeed;
  close(): Promise<void>;
}

/** An environment, a LocalRunner and the web app (not listening: use `app.inject`). */
export async function makeWebRun(
  options: {
    userClasses?: UserClass[];
    host?: string;
    shapeClass?: new () => LoadTestShape;
    availableShapeClasses?: Array<new () => LoadTestShape>;
    web?: Partial<WebServerOptions>;
    runner?: (environment: Environment) => LocalRunner;
    customArguments?: readonly CustomArgument[];
    parsedOptions?: Record<string, unknown>;
  } = {},
): Promise<WebRun> {
  const logs = new LogBuffer(100);
  const environment = new Environment({
    userClasses: options.userClasses ?? [SteadyUser],
    host: options.host,
    shapeClass: options.shapeClass,
    availableShapeClasses: options.availableShapeClasses,
    customArguments: options.customArguments,
    parsedOptions: options.parsedOptions,
    logger: new Logger((record) => logs.add(record), "DEBUG"),
  });
  const runner = options.runner?.(environment) ?? new LocalRunner(environment);
  const { app, feed, closeStreams } = await buildWebApp({
    runner,
    logs,
    version: "test",
    locustfile: "locustfile.ts",
    ...options.web,
  });
  return {
    environment,
    runner,
    logs,
    app,
    feed,
    close: async () => {
      closeStreams();
      await runner.quitAndWait();
      await app.close();
    },
  };
}

/** A LocalRunner that reports two workers, standing in for a master. */
export class FakeMasterRunner extends LocalRunner implements Runner {
  /** What a real master sets when a worker lacks user classes it was sent. */
  clusterProblem: CicadaError | undefined;

  override workers(): WorkerSummary[] {
    return [
      { id: "worker-a", state: "running", userCount: 3, cpuPercent: 42, memoryBytes: 50_000_000 },
      { id: "worker-b", state: "ready", userCount: 0, cpuPercent: 1.5, memoryBytes: 40_000_000 },
    ];
  }
}

/** Headers of a same-origin request from the UI, as Chromium sends them. */
export const SAME_ORIGIN = {
  "sec-fetch-site": "same-origin",
  origin: "http://localhost:80",
  host: "localhost:80",
};
