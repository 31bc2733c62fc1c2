/**
 * Where the CLI's log lines go: stderr, or --logfile (checked before the run, like the
 * report paths), and the web UI's Logs tab.
 */
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnvironmentError } from "../shared/errors.js";
import { formatLogRecord, Logger } from "../shared/logger.js";
import type { LogBuffer } from "../web/log-buffer.js";
import type { CliIO } from "./io.js";
import type { CliOptions } from "./options.js";
import { unwritableReason } from "./output-paths.js";

/**
 * The run's logger.
 * @throws EnvironmentError (exit code 4) when --logfile cannot be written.
 */
export function createLogger(options: CliOptions, io: CliIO, logs: LogBuffer): Logger {
  const sink = options.logfile
    ? logfileSink(resolve(io.cwd, options.logfile), io)
    : (line: string) => {
        io.stderr.write(line);
      };
  return new Logger((record) => {
    sink(`${formatLogRecord(record)}\n`);
    logs.add(record); // the web UI's Logs tab
  }, options.loglevel);
}

/**
 * Appends log lines to --logfile, checked before the run like the report paths (a missing
 * folder is exit code 4, not a crash at the first line). A file that fails later (a full
 * disk) sends the lines to stderr instead, saying so once.
 * @throws EnvironmentError when the file cannot be written.
 */
function logfileSink(path: string, io: CliIO): (line: string) => void {
  const reason = unwritableReason(path);
  if (reason !== undefined) {
    throw new EnvironmentError("CICADA_ERR_OUTPUT_PATH", `cannot write the log file ${path}: ${reason}`, {
      hint: "Create the folder first, or choose a --logfile in a folder you can write to",
    });
  }
  let failed = false;
  return (line) => {
    if (!failed) {
      try {
        appendFileSync(path, line);
        return;
      } catch (error) {
        failed = true;
        io.stderr.write(`could not write to ${path} (${(error as Error).message}): logging to stderr\n`);
      }
    }
    io.stderr.write(line);
  };
}
