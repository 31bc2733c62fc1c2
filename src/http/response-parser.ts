/**
 * An incremental HTTP/1.x response parser for one keep-alive connection: bytes go in as
 * they arrive, in pieces of any size; the head, body pieces and the end of each response
 * come out through a sink. It accepts and rejects exactly what Node's own client (llhttp
 * 9) does (head-syntax.ts has the head's rules; test/unit/http/parser-differential.test.ts
 * compares the two on a corpus and on generated responses), and frames messages as it
 * does: no body for HEAD, 1xx, 204 and 304; chunked; Content-Length; else until the
 * connection closes. Only the headers that frame the message are decoded; the rest stay
 * bytes until asked for (ResponseHead).
 *
 * The usual response (a head and a small body in one read) costs one pass over the head
 * bytes (each checked with one table lookup) and one `subarray` for the body.
 */
import { ChunkSizeLine } from "./chunk-size-line.js";
import {
  F_CHUNKED,
  F_CLOSE,
  F_CONNECTION_UPGRADE,
  F_CONTENT_LENGTH,
  F_KEEP_ALIVE,
  F_TRANSFER_ENCODING,
  F_UPGRADE,
  HeaderFacts,
} from "./framing-headers.js";
import { parseHeaderLines, parseStatusLine, StatusLine } from "./head-syntax.js";
import { ResponseHead } from "./response-head.js";
import { CR, LF, ResponseParseError } from "./syntax-bytes.js";

export { ResponseParseError } from "./syntax-bytes.js";

/** Where the parser delivers a response. */
export interface ResponseSink {
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  /** The response is complete; `keepAlive` false means the connection must be closed. */
  onResponseEnd(keepAlive: boolean): void;
}

/**
 * Largest response head accepted, in bytes from the status line to the blank line that
 * ends the head (both included; empty lines before a response are skipped, not counted),
 * and largest trailer block. A head is only looked for within its first MAX_HEAD_BYTES,
 * so the verdict is the same however the bytes arrive.
 */
export const MAX_HEAD_BYTES = 64 * 1024;
const maxHeadText = `${MAX_HEAD_BYTES / 1024} KiB`;

const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_CR = 5;
const CHUNK_DATA_LF = 6;
const TRAILERS = 7;
const UNTIL_CLOSE = 8;
/** After an interim (1xx) response that closes the connection: only CR/LF may follow. */
const CLOSED = 9;

/** Parses the responses of one connection, one request at a time. */
export class ResponseParser {
  private state = IDLE;
  private noBody = false;
  private pending: Buffer | null = null;
  private remaining = 0;
  private keepAlive = true;
  private http11 = true;
  /** Bumped by `reset()`, so a sink callback that resets the parser stops the current pass. */
  private generation = 0;
  /** Set when a response ends, so the pass stops there (later bytes are not its answer). */
  private ended = false;
  private readonly facts = new HeaderFacts();
  private readonly line = new StatusLine();
  private readonly sizeLine = new ChunkSizeLine();

  /**
   * @param transient the bytes given to `execute` are reused after it returns (a shared
   *   read buffer): everything kept (body pieces, headers, a partial head) is copied out.
   */
  constructor(
    private readonly sink: ResponseSink,
    private readonly transient = false,
  ) {}

  /** True between `expect()` and the end of that response. */
  get busy(): boolean {
    return this.state !== IDLE;
  }

  /** True while reading a body that ends when the connection closes. */
  get readsUntilClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /** True once the head of the current response has been parsed. */
  get headDone(): boolean {
    return this.state !== IDLE && this.state !== HEAD && this.state !== CLOSED;
  }

  /** Prepares for the response to a request just sent; `isHead` for HEAD requests (no body). */
  expect(isHead: boolean): void {
    this.state = HEAD;
    this.noBody = isHead;
    this.pending = null;
    this.keepAlive = true;
  }

  /** Forgets any response in progress. */
  reset(): void {
    this.generation++;
    this.state = IDLE;
    this.pending = null;
  }

  /**
   * Parses `chunk`, up to the end of the current response. Returns false when bytes
   * follow that belong to no request sent (the server sent more than it was asked for):
   * the connection can no longer be trusted.
   * @throws ResponseParseError when the bytes are not HTTP/1.x as llhttp reads it
   */
  execute(chunk: Buffer, length = chunk.length): boolean {
    const generation = this.generation;
    this.ended = false;
    let pos = 0;
    let source = chunk;
    let end = length;
    if (this.pending !== null) {
      source = Buffer.concat([this.pending, chunk.subarray(0, length)]);
      end = source.length;
      this.pending = null;
    }
    while (pos < end) {
      switch (this.state) {
        case IDLE:
          return false;
        case HEAD:
        case TRAILERS: {
          const isHead = this.state === HEAD;
          // llhttp skips empty lines before a message.
          if (isHead) while (pos < end && (source[pos] === CR || source[pos] === LF)) pos++;
          if (pos === end) return true;
          const limit = end - pos > MAX_HEAD_BYTES ? pos + MAX_HEAD_BYTES : end;
          const next = isHead ? this.parseHead(source, pos, limit) : this.parseTrailers(source, pos, limit);
          if (next === -1) {
            if (limit - pos === MAX_HEAD_BYTES) {
              throw new ResponseParseError(`response ${isHead ? "head" : "trailers"} over ${maxHeadText}`);
            }
            this.pending = this.keep(source, pos, end);
            return true;
          }
          pos = next;
          break;
        }
        case LENGTH:
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - pos);
          this.remaining -= take;
          this.sink.onResponseBody(this.keep(source, pos, pos + take));
          if (generation !== this.generation) return true;
          pos += take;
          if (this.remaining === 0) {
            if (this.state === LENGTH) this.complete();
            else this.state = CHUNK_DATA_CR;
          }
          break;
        }
        case CHUNK_SIZE: {
          const next = this.sizeLine.parse(source, pos, end);
          if (next === -1) return true;
          pos = next;
          this.endChunkSize();
          break;
        }
        case CHUNK_DATA_CR:
        case CHUNK_DATA_LF:
          pos = this.parseChunkDataEnd(source, pos);
          break;
        case UNTIL_CLOSE:
          this.sink.onResponseBody(this.keep(source, pos, end));
          return true;
        case CLOSED: {
          const byte = source[pos++];
          if (byte !== CR && byte !== LF)
            throw new ResponseParseError("data after an interim response with Connection: close");
          break;
        }
      }
      if (generation !== this.generation) return true;
      if (this.ended) return pos === end;
    }
    return true;
  }

  /**
   * The connection closed. Returns true when that completed the response (a body read
   * until close); false when a response was cut short; undefined when none was expected.
   */
  finishOnClose(): boolean | undefined {
    if (this.state === IDLE) return undefined;
    if (this.state === UNTIL_CLOSE) {
      this.state = IDLE;
      this.sink.onResponseEnd(false);
      return true;
    }
    return false;
  }

  /** source[start, end) as a Buffer that stays valid: a copy when the input is transient. */
  private keep(source: Buffer, start: number, end: number): Buffer {
    if (!this.transient) return start === 0 && end === source.length ? source : source.subarray(start, end);
    const length = end - start;
    const copy = Buffer.allocUnsafe(length);
    // Small bodies byte by byte: Buffer#copy makes a temporary view, which costs more.
    if (length <= 64) for (let i = 0; i < length; i++) copy[i] = source[start + i]!;
    else source.copy(copy, 0, start, end);
    return copy;
  }

  private complete(): void {
    this.state = IDLE;
    this.ended = true;
    this.sink.onResponseEnd(this.keepAlive);
  }

  /** Parses a whole head at `start` (not an empty line); returns the offset after it, or -1 if it is incomplete. */
  private parseHead(source: Buffer, start: number, end: number): number {
    const line = this.line;
    const headersStart = parseStatusLine(source, start, end, line);
    if (headersStart === -1) return -1;
    const facts = this.facts;
    facts.reset();
    const headEnd = parseHeaderLines(source, headersStart, end, facts);
    if (headEnd === -1) return -1;
    const status = line.status;
    const flags = facts.flags;
    this.http11 = line.major > 0 && line.minor > 0;
    const persistent = this.http11 ? (flags & F_CLOSE) === 0 : (flags & F_KEEP_ALIVE) !== 0;
    const upgrade = status === 101 && (flags & F_UPGRADE) !== 0 && (flags & F_CONNECTION_UPGRADE) !== 0;
    if (upgrade) throw new ResponseParseError("the server switched protocols (101), which is not supported");
    if (status >= 100 && status < 200 && status !== 101) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows, unless
      // this one closed the connection, after which llhttp accepts nothing more.
      if (!persistent) this.state = CLOSED;
      return headEnd;
    }
    const headerBlockEnd = headEnd - 2;
    const version = httpVersionOf(line.major, line.minor);
    const head = this.transient
      ? new ResponseHead(
          status,
          line.statusText,
          version,
          facts.hasSetCookie,
          facts.contentEncoding,
          source.toString("latin1", headersStart, headerBlockEnd),
          0,
          headerBlockEnd - headersStart,
        )
      : new ResponseHead(
          status,
          line.statusText,
          version,
          facts.hasSetCookie,
          facts.contentEncoding,
          source,
          headersStart,
          headerBlockEnd,
        );
    if ((flags & (F_CONTENT_LENGTH | F_CHUNKED | F_TRANSFER_ENCODING)) === F_CONTENT_LENGTH)
      head.contentLength = facts.contentLength;
    const generation = this.generation;
    this.keepAlive = persistent;
    this.sink.onResponseHead(head);
    if (generation !== this.generation) return headEnd;
    if (this.noBody || status === 204 || status === 304 || status === 101) {
      // 101 without an upgrade: llhttp ends the message there; what follows is another protocol.
      if (status === 101) this.keepAlive = false;
      this.complete();
    } else if (flags & F_CHUNKED) {
      this.state = CHUNK_SIZE;
      this.sizeLine.reset();
    } else if (flags & F_TRANSFER_ENCODING || !(flags & F_CONTENT_LENGTH)) {
      this.keepAlive = false;
      this.state = UNTIL_CLOSE;
    } else if (facts.contentLength === 0) {
      this.complete();
    } else {
      this.state = LENGTH;
      this.remaining = facts.contentLength;
    }
    return headEnd;
  }

  /** The trailer block after the last chunk: header lines, checked as headers are. */
  private parseTrailers(source: Buffer, start: number, end: number): number {
    const facts = this.facts;
    const flags = facts.flags;
    const headEnd = parseHeaderLines(source, start, end, facts);
    if (headEnd === -1) {
      facts.flags = flags; // checked again from the start with more bytes
      return -1;
    }
    // A trailer can still say Connection: close (llhttp reads it too).
    if (this.http11 ? facts.flags & F_CLOSE : !(facts.flags & F_KEEP_ALIVE)) this.keepAlive = false;
    this.complete();
    return headEnd;
  }

  private endChunkSize(): void {
    const size = this.sizeLine.size;
    if (size === 0) {
      this.state = TRAILERS;
    } else {
      this.state = CHUNK_DATA;
      this.remaining = size;
    }
  }

  /** The CRLF after chunk data: exactly those two bytes. */
  private parseChunkDataEnd(source: Buffer, pos: number): number {
    const byte = source[pos]!;
    if (this.state === CHUNK_DATA_CR) {
      if (byte !== CR) {
        throw new ResponseParseError(
          byte === LF ? "missing CR after chunk data" : "chunk data longer than its size",
        );
      }
      this.state = CHUNK_DATA_LF;
      return pos + 1;
    }
    if (byte !== LF) throw new ResponseParseError("expected LF after chunk data");
    this.state = CHUNK_SIZE;
    this.sizeLine.reset();
    return pos + 1;
  }
}

/** "1.1" and the other versions llhttp accepts, without building a string per response. */
function httpVersionOf(major: number, minor: number): string {
  if (major === 1) return minor === 1 ? "1.1" : "1.0";
  return major === 2 ? "2.0" : "0.9";
}
