import type { Logger } from "../shared/logger.js";
import type { RequestStats } from "../stats/index.js";
import type { Events } from "./events.js";

/** Runner states, Locust's names. */
export type RunnerState = "ready" | "spawning" | "running" | "stopping" | "stopped" | "missing";

/** A custom message between a master and its workers (Locust's `Message`). */
export interface CustomMessage<T = unknown> {
  readonly type: string;
  /** What the sender passed to `sendMessage` (maps arrive as plain objects). */
  readonly data: T;
  /** On a master, the worker that sent it; on a worker, its own id; "local" without workers. */
  readonly nodeId: string;
}

/** A listener of `registerMessage`: called with each message of its type. */
export type MessageListener<T = unknown> = (
  message: CustomMessage<T>,
  environment: UserEnvironment,
) => void | Promise<void>;

/**
 * What a user's code may ask of the runner. `stop()` and `quit()` only *request* the end
 * of the test and return at once: a task that waited for the whole test to stop would
 * wait for itself.
 */
export interface RunnerControl {
  readonly state: RunnerState;
  readonly userCount: number;
  /** Stop every user (headless: the run ends; web UI: the test stops and a new one can start). */
  stop(): void;
  /** Stop every user and end Cicada. */
  quit(): void;
  /**
   * Sends a custom message (Locust's `send_message`): from a worker to its master, from a
   * master to the worker `clientId` (or to every worker), and without workers to this
   * process's own listener. `data` must be msgpack-able (JSON-like values, bytes).
   * Cicada and Locust peers alike receive it.
   */
  sendMessage(type: string, data?: unknown, clientId?: string): void;
  /**
   * Calls `listener` for every custom message of `type` this process receives (Locust's
   * `register_message`). One listener per type; the protocol's own types are refused.
   */
  registerMessage<T = unknown>(type: string, listener: MessageListener<T>): void;
}

/** What users and task sets see as `this.environment`. The runner layer implements it. */
export interface UserEnvironment {
  readonly events: Events;
  /**
   * The statistics of the run (Locust's `environment.stats`): `stats.total.failRatio`,
   * `stats.total.percentile(0.95)`, `stats.get("GET", "/items")`... On a master, every
   * worker's requests; on a worker, those since its last report.
   */
  readonly stats: RequestStats;
  /** The runner, once one exists. */
  readonly runner: RunnerControl | undefined;
  /** The host given with -H or the web form; it wins over a class's `host`. */
  readonly host: string | undefined;
  /**
   * Every option of this run (flags, env, config file), by camelCase name; the locustfile's
   * custom arguments also by Locust's snake_case dest (`myArgument` and `my_argument`).
   */
  readonly parsedOptions: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /**
   * The process's environment variables, when the run has them (the CLI's); the HTTP
   * client reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY from it.
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Task filters from --tags / --exclude-tags. */
  readonly tags: readonly string[] | undefined;
  readonly excludeTags: readonly string[] | undefined;
  /**
   * The exit code Cicada ends with, when set (Locust's `process_exit_code`): it wins over
   * the one Cicada would choose (failures, thresholds). Set it from a task or a `quitting`
   * listener; a whole number from 0 to 255.
   */
  processExitCode: number | undefined;
  /** Records an exception thrown by user code (the exceptions table) and fires `userError`. */
  reportUserError(user: import("./user.js").User, error: unknown): void;
}
