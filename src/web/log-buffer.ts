/**
 * The last log lines of this process, for the Logs tab and `GET /logs`. A ring of fixed
 * size, so a chatty run cannot grow the server's memory.
 */
import type { LogRecord } from "../shared/logger.js";
import type { LogLine } from "./api-types.js";

/** Longest message kept per line (a huge traceback is cut). */
const MAX_MESSAGE_LENGTH = 10_000;

export class LogBuffer {
  private readonly lines: Array<LogLine | undefined>;
  private next = 0;
  private seq = 0;

  /** @param capacity lines kept (default 1000). */
  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a whole number >= 1");
    this.lines = new Array<LogLine | undefined>(capacity);
  }

  /** Appends a record (the logger's second sink). */
  add(record: LogRecord): void {
    const message =
      record.message.length > MAX_MESSAGE_LENGTH
        ? `${record.message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
        : record.message;
    this.seq++;
    this.lines[this.next] = { seq: this.seq, timeMs: record.timeMs, level: record.level, message };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Sequence number of the newest line (0 when empty). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Lines ever added that the ring no longer holds. */
  get dropped(): number {
    return Math.max(0, this.seq - this.capacity);
  }

  /** The held lines with a sequence number above `afterSeq`, oldest first. */
  since(afterSeq = 0): LogLine[] {
    const out: LogLine[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const line = this.lines[(this.next + i) % this.capacity];
      if (line !== undefined && line.seq > afterSeq) out.push(line);
    }
    return out;
  }
}
