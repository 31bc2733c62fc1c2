import type { Logger } from "../shared/logger.js";
import type { Events } from "./events.js";

/** Runner states, Locust's names. */
export type RunnerState = "ready" | "spawning" | "running" | "stopping" | "stopped" | "missing";

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
}

/** What users and task sets see as `this.environment`. The runner layer implements it. */
export interface UserEnvironment {
  readonly events: Events;
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
  /** Records an exception thrown by user code (the exceptions table) and fires `userError`. */
  reportUserError(user: import("./user.js").User, error: unknown): void;
}
