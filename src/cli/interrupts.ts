import type { Runner } from "../runner/index.js";
import type { Logger } from "../shared/logger.js";
import type { CliIO } from "./io.js";

/** How a run reacts to Ctrl-C and SIGTERM. */
export interface Interrupts {
  /** True once a first signal asked the run to end. */
  readonly interrupted: boolean;
  /** The signal that did (SIGINT, SIGTERM, SIGHUP), once one has. */
  readonly signal: string | undefined;
  /**
   * Settles on a second signal: exit without waiting for users any longer. The users were
   * interrupted just before (their requests in flight aborted and counted), so the reports
   * written then include them.
   */
  readonly forced: Promise<void>;
  /** Stops listening for signals. */
  dispose(): void;
}

/**
 * Locust's behaviour on signals: the first Ctrl-C/SIGTERM quits the runner gracefully (users
 * stop, the summary and reports are still written); a second one stops waiting for users,
 * after hard-stopping them: a user still finishing its task (`--stop-timeout`) has its
 * requests aborted then, and counted, as if the stop timeout had run out.
 * `what` names what is being stopped, for the log line.
 */
export function watchInterrupts(io: CliIO, logger: Logger, runner: Runner, what = "users"): Interrupts {
  let interrupted = false;
  let first: string | undefined;
  let forceQuit: () => void = () => {};
  const forced = new Promise<void>((resolve) => {
    forceQuit = resolve;
  });
  const dispose = io.onSignal((signal) => {
    if (!interrupted) {
      interrupted = true;
      first = signal;
      logger.info(`${signal} received: stopping ${what} (send it again to exit without waiting)`);
      runner.quit();
    } else {
      logger.warning(`${signal} received again: exiting without waiting for users`);
      // Synchronous: the requests it aborts are counted before the reports are written.
      runner.interruptUsers();
      forceQuit();
    }
  });
  return {
    get interrupted() {
      return interrupted;
    },
    get signal() {
      return first;
    },
    forced,
    dispose,
  };
}
