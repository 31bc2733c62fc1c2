/**
 * The Server-Sent Events stream format (WHATWG HTML, "Parsing an event stream"), on
 * bytes: lines end with CRLF, LF or CR; `data`, `event`, `id` and `retry` fields; lines
 * starting with ":" are comments; a blank line dispatches the event. Lines are decoded
 * as UTF-8 once complete, so a character split across chunks is never broken.
 * Tested against undici's EventSource parser (test/unit/http/sse-parser.test.ts).
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, or "message". */
  event: string;
  /** The `data` lines joined with "\n". */
  data: string;
  /** The last event ID seen on the stream so far ("" before any). */
  id: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** Default cap of one event's size (its lines before the blank line), bytes. */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** An event larger than the cap: the stream is unusable (a server bug or an endless line). */
export class EventTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`an event exceeded ${maxBytes} bytes`);
    this.name = "SseError";
  }
}

/** Parses a stream pushed in chunks; calls `onEvent` for each dispatched event. */
export class EventStreamParser {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private eventBytes = 0;
  private afterCR = false;
  private atStart = true;
  private data: string | undefined;
  private eventType = "";
  private lastEventId = "";
  private retryMs: number | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxEventBytes = MAX_EVENT_BYTES,
  ) {}

  /** The reconnection time the server last asked for (`retry:`), ms. */
  get retry(): number | undefined {
    return this.retryMs;
  }

  /** Feeds bytes; throws EventTooLargeError when one event grows past the cap. */
  push(chunk: Uint8Array): void {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.atStart) bytes = this.skipBom(bytes);
    let lineStart = 0;
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!;
      if (byte !== LF && byte !== CR) continue;
      if (byte === LF && this.afterCR && index === lineStart && this.partialBytes === 0) {
        // The LF of a CRLF whose CR ended the previous line.
        this.afterCR = false;
        lineStart = index + 1;
        continue;
      }
      this.line(this.takeLine(bytes, lineStart, index));
      this.afterCR = byte === CR;
      lineStart = index + 1;
    }
    if (lineStart < bytes.length) {
      this.afterCR = false;
      this.keepPartial(bytes.subarray(lineStart));
    }
  }

  private skipBom(bytes: Buffer): Buffer {
    // The BOM may itself arrive split across chunks: keep the bytes until three are known.
    const head = this.partialBytes > 0 ? Buffer.concat([...this.partial, bytes]) : bytes;
    if (head.length < 3 && head.every((byte, i) => byte === [0xef, 0xbb, 0xbf][i])) {
      this.partial = [head];
      this.partialBytes = head.length;
      return Buffer.alloc(0);
    }
    this.atStart = false;
    this.partial = [];
    this.partialBytes = 0;
    return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  }

  private keepPartial(bytes: Buffer): void {
    this.partial.push(bytes);
    this.partialBytes += bytes.length;
    if (this.eventBytes + this.partialBytes > this.maxEventBytes)
      throw new EventTooLargeError(this.maxEventBytes);
  }

  private takeLine(bytes: Buffer, start: number, end: number): Buffer {
    if (this.partialBytes === 0) return bytes.subarray(start, end);
    const line = Buffer.concat([...this.partial, bytes.subarray(start, end)]);
    this.partial = [];
    this.partialBytes = 0;
    return line;
  }

  private line(line: Buffer): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    this.eventBytes += line.length + 1;
    if (this.eventBytes > this.maxEventBytes) throw new EventTooLargeError(this.maxEventBytes);
    if (line[0] === COLON) return;
    const colon = line.indexOf(COLON);
    const field = (colon === -1 ? line : line.subarray(0, colon)).toString("utf8");
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (valueStart < line.length && line[valueStart] === SPACE) valueStart++;
    const value = line.toString("utf8", valueStart);
    switch (field) {
      case "data":
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.eventType === "" ? "message" : this.eventType;
    this.data = undefined;
    this.eventType = "";
    this.eventBytes = 0;
    if (data !== undefined) this.onEvent({ event, data, id: this.lastEventId });
  }
}
