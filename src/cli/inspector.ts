/**
 * `--inspect`: opens Node's inspector in the process that runs the users, and waits for
 * a debugger (Chrome's chrome://inspect, VS Code's "Attach") before the test starts, so
 * breakpoints set in the locustfile (its source map points at the .ts file) are hit from
 * the first task.
 */
import inspector from "node:inspector";
import { EnvironmentError } from "../shared/errors.js";
import type { CliIO } from "./io.js";

export function openInspector(address: { host: string; port: number }, io: CliIO): void {
  try {
    inspector.open(address.port, address.host, false);
  } catch (error) {
    throw new EnvironmentError(
      "CICADA_ERR_INSPECTOR",
      `cannot open the inspector on ${address.host}:${address.port}: ${(error as Error).message}`,
      { hint: "Another debugger may use that port: give another one, e.g. --inspect 9230", cause: error },
    );
  }
  io.stderr.write(
    `Debugger listening on ${inspector.url()}\nWaiting for a debugger to attach (chrome://inspect, or VS Code's "Attach")...\n`,
  );
  // The wait blocks JavaScript, so signal listeners could not run: without them, Ctrl-C
  // and SIGTERM end the process as usual while it waits (nothing has run yet).
  const signals = ["SIGINT", "SIGTERM"] as const;
  const listeners = signals.map((signal) => process.listeners(signal));
  for (const signal of signals) process.removeAllListeners(signal);
  try {
    inspector.waitForDebugger();
  } finally {
    signals.forEach((signal, i) => {
      for (const listener of listeners[i]!) process.on(signal, listener);
    });
  }
  io.stderr.write("Debugger attached.\n");
}
