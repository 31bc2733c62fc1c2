/**
 * A small leveled logger. Layers below cli/ receive a Logger and never write to the
 * console themselves; cli/ decides where lines go (stderr or --logfile).
 */
export const LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type LogLevel = (typeof LogLevels)[number];

export interface LogRecord {
  level: LogLevel;
  message: string;
  timeMs: number;
}

export class Logger {
  private readonly threshold: number;

  constructor(
    private readonly sink: (record: LogRecord) => void,
    level: LogLevel = "INFO",
    private readonly now: () => number = Date.now,
  ) {
    this.threshold = LogLevels.indexOf(level);
  }

  isEnabled(level: LogLevel): boolean {
    return LogLevels.indexOf(level) >= this.threshold;
  }

  log(level: LogLevel, message: string): void {
    if (this.isEnabled(level)) this.sink({ level, message, timeMs: this.now() });
  }

  debug(message: string): void {
    this.log("DEBUG", message);
  }
  info(message: string): void {
    this.log("INFO", message);
  }
  warning(message: string): void {
    this.log("WARNING", message);
  }
  error(message: string): void {
    this.log("ERROR", message);
  }
}

/** A logger that drops everything: the default for library use and tests. */
export const silentLogger = new Logger(() => {}, "CRITICAL");

/** Formats a record like Locust's default log format: `[time] LEVEL/name: message`. */
export function formatLogRecord(record: LogRecord, source = "cicada"): string {
  const time = new Date(record.timeMs).toISOString().replace("T", " ").replace("Z", "");
  return `[${time}] ${record.level}/${source}: ${record.message}`;
}
