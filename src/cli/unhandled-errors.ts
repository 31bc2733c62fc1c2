/**
 * Errors that escape the locustfile's code during a run: a rejected promise nothing awaits
 * (a forgotten `await`) or an exception thrown from a timer callback. Node would end the
 * process at once with a raw stack and no reports; Locust logs an unhandled greenlet
 * exception and finishes the run, and so does Cicada: each error becomes a row of the
 * exceptions table (with its stack), the run goes on, every report is written, and the
 * exit code says so (ExitCode.unhandledErrors, docs/exit-codes.md).
 */
import { type Environment, isUnhandledErrorMessage, type UnhandledErrorKind } from "../runner/index.js";
import { ExitCode } from "../shared/errors.js";
import { describeThrown, stackOf } from "../shared/thrown.js";
import type { StatsSnapshot } from "../stats/index.js";
import { formatError } from "./format-error.js";
import type { CliIO } from "./io.js";

/** One CLI run's subscription to unhandled errors. */
export class UnhandledErrors {
  private environment: Environment | undefined;
  /** Errors before the environment existed (while the locustfile loaded). */
  private readonly early: Array<{ error: unknown; kind: UnhandledErrorKind }> = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly io: CliIO) {
    this.unsubscribe = io.onUnhandledError?.((error, kind) => this.add(error, kind)) ?? (() => {});
  }

  /** From now on errors go into `environment`'s exceptions table (the earlier ones too). */
  attach(environment: Environment): void {
    this.environment = environment;
    for (const { error, kind } of this.early.splice(0)) environment.reportUnhandledError(error, kind);
  }

  /** Stops listening; errors no environment received are printed, so none is lost. */
  dispose(): void {
    this.unsubscribe();
    for (const { error, kind } of this.early.splice(0)) {
      const label = kind === "rejection" ? "Unhandled promise rejection" : "Uncaught exception";
      this.io.stderr.write(`${label}: ${stackOf(error) ?? describeThrown(error)}\n`);
    }
  }

  private add(error: unknown, kind: UnhandledErrorKind): void {
    if (this.environment) this.environment.reportUnhandledError(error, kind);
    else this.early.push({ error, kind });
  }
}

/**
 * True when a run had unhandled errors: counted by this process, or rows of the exceptions
 * table that a worker marked as such (a master learns of its workers' errors that way).
 */
export function hadUnhandledErrors(snapshot: StatsSnapshot, environment: Environment): boolean {
  return (
    environment.unhandledErrorCount > 0 ||
    snapshot.exceptions.some((row) => isUnhandledErrorMessage(row.message))
  );
}

type UnhandledErrorHandler = Parameters<NonNullable<CliIO["onUnhandledError"]>>[0];

/**
 * Catches what would end the process with a raw stack: rejections nothing handled and
 * exceptions thrown from callbacks. A run subscribed to them records them and goes on
 * (unhandled-errors.ts); with no subscriber (before or after a run) they are a bug of
 * Cicada's, printed with their stack (exit code 70).
 */
export function catchUnhandledErrors(): { subscribe(handler: UnhandledErrorHandler): () => void } {
  const handlers = new Set<UnhandledErrorHandler>();
  const dispatch: UnhandledErrorHandler = (error, kind) => {
    if (handlers.size === 0) {
      process.stderr.write(formatError(error).text);
      process.exit(ExitCode.internal);
    }
    for (const handler of handlers) handler(error, kind);
  };
  process.on("uncaughtException", (error) => dispatch(error, "exception"));
  process.on("unhandledRejection", (reason) => dispatch(reason, "rejection"));
  return {
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
