/**
 * A refusal to listen as a user's error (exit 4): the port is taken, below 1024, or the
 * address is not this machine's. Shared by the web UI and the --metrics-port server.
 */
import { EnvironmentError } from "../shared/errors.js";

/** What could not listen, for the messages. */
export interface Listener {
  /** The error codes of a port in use and of a port below 1024. */
  inUseCode: string;
  deniedCode: string;
  /** Ends "..., so X cannot start", e.g. "the web UI". */
  what: string;
  /** The hint for a port in use, naming the flag. */
  inUseHint: string;
  /** The hint for a port below 1024, naming the flag. */
  deniedHint: string;
}

export function listenError(error: unknown, host: string, port: number, listener: Listener): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new EnvironmentError(
      listener.inUseCode,
      `port ${port} on ${host} is already in use, so ${listener.what} cannot start`,
      { hint: listener.inUseHint, cause: error },
    );
  }
  if (code === "EACCES") {
    return new EnvironmentError(listener.deniedCode, `not allowed to listen on port ${port} of ${host}`, {
      hint: listener.deniedHint,
      cause: error,
    });
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new EnvironmentError("CICADA_ERR_WEB_HOST", `cannot listen on ${host}: no such local address`, {
      hint: "Give --web-host an address of this machine, e.g. 127.0.0.1 (the default) or 0.0.0.0",
      cause: error,
    });
  }
  return error;
}
