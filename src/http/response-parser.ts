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
import {
  CR,
  exceedsUint64,
  F_CHUNKED,
  F_CLOSE,
  F_CONNECTION_UPGRADE,
  F_CONTENT_LENGTH,
  F_KEEP_ALIVE,
  F_TRANSFER_ENCODING,
  F_UPGRADE,
  FIELD_VALUE,
  HeaderFacts,
  LF,
  parseHeaderLines,
  parseStatusLine,
  ResponseParseError,
  SP,
  StatusLine,
  TOKEN,
} from "./head-syntax.js";
import { ResponseHead } from "./response-head.js";

export { ResponseParseError } from "./head-syntax.js";

/** Where the parser delivers a response. */
export interface ResponseSink {
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  /** The response is complete; `keepAlive` false means the connection must be closed. */
  onResponseEnd(keepAlive: boolean): void;
}

/** Largest response head accepted (status line and headers), and largest trailer block. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Largest chunk extension text per chunk, as Node (its fix for CVE-2024-22019). */
export const MAX_CHUNK_EXTENSION_BYTES = 16 * 1024;

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

// Sub-states of a chunk-size line ("1a;name=value;name="quoted"\r\n").
const SIZE_FIRST = 0;
const SIZE_DIGITS = 1;
const EXT_START = 2;
const EXT_NAME = 3;
const EXT_VALUE = 4;
const EXT_QUOTED = 5;
const EXT_QUOTED_PAIR = 6;
const EXT_QUOTED_DONE = 7;
const SIZE_LF = 8;

const SEMICOLON = 59;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;

/** Parses the responses of one connection, one request at a time. */
export class ResponseParser {
  private state = IDLE;
  private noBody = false;
  private pending: Buffer | null = null;
  private remaining = 0;
  private keepAlive = true;
  private chunkSize = 0;
  private sizeState = SIZE_FIRST;
  private sizeDigits: number[] | null = null;
  private extensionBytes = 0;
  private http11 = true;
  /** Bumped by `reset()`, so a sink callback that resets the parser stops the current pass. */
  private generation = 0;
  /** Set when a response ends, so the pass stops there (later bytes are not its answer). */
  private ended = false;
  private readonly facts = new HeaderFacts();
  private readonly line = new StatusLine();

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
          const next =
            this.state === HEAD ? this.parseHead(source, pos, end) : this.parseTrailers(source, pos, end);
          if (next === -1) {
            if (end - pos > MAX_HEAD_BYTES) throw new ResponseParseError("response head too large");
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
        case CHUNK_SIZE:
          pos = this.parseChunkSize(source, pos, end);
          break;
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

  /** Parses a whole head at `start`; returns the offset after it, or -1 if it is incomplete. */
  private parseHead(source: Buffer, start: number, end: number): number {
    // llhttp skips empty lines before a message.
    while (start < end && (source[start] === CR || source[start] === LF)) start++;
    if (start === end) return end;
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
      this.startChunkSize();
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

  private startChunkSize(): void {
    this.chunkSize = 0;
    this.sizeState = SIZE_FIRST;
    this.sizeDigits = null;
    this.extensionBytes = 0;
  }

  /** Reads a chunk-size line ("1a;ext=x\r\n"), possibly split across reads, as llhttp does. */
  private parseChunkSize(source: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const byte = source[pos++]!;
      switch (this.sizeState) {
        case SIZE_FIRST:
        case SIZE_DIGITS: {
          const digit = hexValue(byte);
          if (digit !== -1) {
            this.addSizeDigit(digit);
            this.sizeState = SIZE_DIGITS;
            break;
          }
          if (this.sizeState === SIZE_FIRST) throw new ResponseParseError("invalid chunk size");
          if (byte === CR) this.sizeState = SIZE_LF;
          else if (byte === SEMICOLON) this.sizeState = EXT_START;
          else
            throw new ResponseParseError(
              byte === LF ? "missing CR after the chunk size" : "invalid chunk size",
            );
          break;
        }
        case SIZE_LF:
          if (byte !== LF) throw new ResponseParseError("expected LF after the chunk size");
          this.endChunkSize();
          return pos;
        default:
          this.chunkExtension(byte);
      }
    }
    return pos;
  }

  /** One byte of the chunk extensions (`;name`, `;name=token`, `;name="quoted"`). */
  private chunkExtension(byte: number): void {
    if (++this.extensionBytes > MAX_CHUNK_EXTENSION_BYTES)
      throw new ResponseParseError("chunk extensions too long");
    switch (this.sizeState) {
      case EXT_START:
        if (byte === SP || byte === CR) throw new ResponseParseError("invalid chunk extension");
        this.sizeState = EXT_NAME;
        this.extensionName(byte);
        return;
      case EXT_NAME:
        this.extensionName(byte);
        return;
      case EXT_VALUE:
        if (byte === QUOTE) this.sizeState = EXT_QUOTED;
        else if (TOKEN[byte] !== 1) this.extensionEnd(byte);
        return;
      case EXT_QUOTED:
        if (byte === QUOTE) this.sizeState = EXT_QUOTED_DONE;
        else if (byte === BACKSLASH) this.sizeState = EXT_QUOTED_PAIR;
        else if (FIELD_VALUE[byte] !== 1 || byte === 127)
          throw new ResponseParseError("invalid chunk extension");
        return;
      case EXT_QUOTED_PAIR:
        if (FIELD_VALUE[byte] !== 1) throw new ResponseParseError("invalid chunk extension");
        this.sizeState = EXT_QUOTED;
        return;
      case EXT_QUOTED_DONE:
        this.extensionEnd(byte);
        return;
    }
  }

  private extensionName(byte: number): void {
    if (TOKEN[byte] === 1) return;
    if (byte === EQUALS) this.sizeState = EXT_VALUE;
    else this.extensionEnd(byte);
  }

  /** After a name or value: `;` starts another extension, CR ends the line. */
  private extensionEnd(byte: number): void {
    if (byte === SEMICOLON) this.sizeState = EXT_START;
    else if (byte === CR) this.sizeState = SIZE_LF;
    else
      throw new ResponseParseError(
        byte === LF ? "missing CR after the chunk size" : "invalid chunk extension",
      );
  }

  private addSizeDigit(digit: number): void {
    if (this.sizeDigits !== null) {
      this.sizeDigits.push(digit);
      if (exceedsUint64(Uint8Array.from(this.sizeDigits, hexChar), 0, this.sizeDigits.length, 16)) {
        throw new ResponseParseError("chunk size too large");
      }
      return;
    }
    this.chunkSize = this.chunkSize * 16 + digit;
    // Past 2^48 keep the digits for an exact check against 2^64 - 1 (llhttp's limit).
    if (this.chunkSize >= 2 ** 48) this.sizeDigits = [...hexDigitsOf(this.chunkSize)];
  }

  private endChunkSize(): void {
    if (this.chunkSize === 0) {
      this.state = TRAILERS;
    } else {
      this.state = CHUNK_DATA;
      this.remaining = this.chunkSize;
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
    this.startChunkSize();
    return pos + 1;
  }
}

/** "1.1" and the other versions llhttp accepts, without building a string per response. */
function httpVersionOf(major: number, minor: number): string {
  if (major === 1) return minor === 1 ? "1.1" : "1.0";
  return major === 2 ? "2.0" : "0.9";
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function hexChar(digit: number): number {
  return digit < 10 ? 48 + digit : 87 + digit;
}

function hexDigitsOf(value: number): number[] {
  return Array.from(value.toString(16), (c) => Number.parseInt(c, 16));
}
