import { CicadaError, ExitCode } from "../shared/errors.js";

/**
 * How an error reaching the top of the CLI is shown. A user's mistake (CicadaError) is
 * one message and a hint, no stack. Anything else is a bug in Cicada: the stack, and a
 * request to report it.
 */
export function formatError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof CicadaError) {
    const hint = error.hint ? `\nHint: ${error.hint}` : "";
    return { text: `Error: ${error.message}${hint}\n`, exitCode: error.exitCode };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: `Internal error (a bug in Cicada, please report it with this output):\n${detail}\n`,
    exitCode: ExitCode.internal,
  };
}
