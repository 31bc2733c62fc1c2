/**
 * Errors that are the user's mistake (a bad flag, a bad locustfile, a port in use). They
 * carry a stable code, a hint and the process exit code; `cli/` prints them as one clear
 * message without a stack trace. Every other error reaching the CLI is a bug in Cicada.
 * Failures of the system under test are never thrown: they are data in the stats.
 *
 * docs/exit-codes.md and docs/errors.md list every code here; a test keeps them in sync.
 */
export const ExitCode = {
  /** The run finished and nothing failed. */
  ok: 0,
  /** Requests failed or tasks threw (the default of --exit-code-on-error). */
  requestFailures: 1,
  /** A bad flag, option value, config file or environment variable. */
  usage: 2,
  /** The locustfile is missing, does not compile, or defines no usable User class. */
  locustfile: 3,
  /** The machine refused something the run needs: a port in use, an unwritable output path, an unreachable master. */
  environment: 4,
  /**
   * The run finished, but the locustfile's code failed outside any task: a promise
   * rejection nothing handled, an exception thrown by a timer (Locust exits 2 for its
   * unhandled greenlet exceptions; Cicada's 2 already means a usage error).
   */
  unhandledErrors: 5,
  /** The watchdog ended the run: the locustfile's code blocked the event loop (CPU-bound, synchronous code). */
  stalled: 6,
  /** A bug in Cicada: an unexpected error (the stack is printed). */
  internal: 70,
  /** One or more thresholds were crossed. */
  thresholds: 99,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CicadaErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base class of every user-facing error. `code` is a stable `CICADA_ERR_*` identifier. */
export class CicadaError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, exitCode: ExitCodeValue, options: CicadaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = exitCode;
  }
}

/** A bad flag, value, config file or environment variable. */
export class UsageError extends CicadaError {
  constructor(code: string, message: string, options: CicadaErrorOptions = {}) {
    super(code, message, ExitCode.usage, options);
  }
}

/** A locustfile that is missing, does not compile or defines no usable users. */
export class LocustfileError extends CicadaError {
  constructor(code: string, message: string, options: CicadaErrorOptions = {}) {
    super(code, message, ExitCode.locustfile, options);
  }
}

/** Something the machine refused: a port in use, an unwritable file, an unreachable master. */
export class EnvironmentError extends CicadaError {
  constructor(code: string, message: string, options: CicadaErrorOptions = {}) {
    super(code, message, ExitCode.environment, options);
  }
}
