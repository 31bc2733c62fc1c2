/**
 * An incremental HTTP/1.x response parser for one keep-alive connection: bytes go in as
 * they arrive, in pieces of any size; the head, body pieces and the end of each response
 * come out through a sink. It frames messages the way RFC 9112 §6 says (no body for
 * HEAD, 1xx, 204 and 304; chunked; Content-Length; else until the connection closes) and
 * decodes only the headers that frame the message: the rest stay bytes until asked for
 * (see ResponseHead).
 *
 * The usual response (a head and a small body in one read) costs one pass over the head
 * bytes and one `subarray` for the body, with no string built unless the reason phrase
 * is not "OK".
 */
import { latin1, ResponseHead } from "./response-head.js";

/** Where the parser delivers a response. */
export interface ResponseSink {
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  /** The response is complete; `keepAlive` false means the connection must be closed. */
  onResponseEnd(keepAlive: boolean): void;
}

/** The response bytes break HTTP/1.1 framing. */
export class ResponseParseError extends Error {
  readonly code = "CICADA_NET_HTTP_PARSE";
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** Largest response head accepted (status line and headers), as Node's default. */
export const MAX_HEAD_BYTES = 64 * 1024;

const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_END = 5;
const TRAILERS = 6;
const UNTIL_CLOSE = 7;

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;

/** Lower-case ASCII bytes of a header name, to compare against. */
const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = bytes("content-length");
const TRANSFER_ENCODING = bytes("transfer-encoding");
const CONNECTION = bytes("connection");
const SET_COOKIE = bytes("set-cookie");
const CLOSE = bytes("close");
const KEEP_ALIVE = bytes("keep-alive");
const CHUNKED = bytes("chunked");

/** True when source[start, start + word.length) equals `word` ignoring ASCII case. */
function equalsIgnoreCase(source: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((source[start + i]! | 0x20) !== word[i]) return false;
  return true;
}

/** Parses the responses of one connection, one request at a time. */
export class ResponseParser {
  private state = IDLE;
  private noBody = false;
  private pending: Buffer | null = null;
  private remaining = 0;
  private keepAlive = true;
  private chunkSize = 0;
  private chunkSizeDigits = 0;
  private inChunkExtension = false;
  private lineLength = 0;
  /** Bumped by `reset()`, so a sink callback that resets the parser stops the current pass. */
  private generation = 0;
  /** Set when a response ends, so the pass stops there (later bytes are not its answer). */
  private ended = false;

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
    return this.state !== IDLE && this.state !== HEAD;
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
   * @throws ResponseParseError when the bytes are not HTTP/1.x
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
        case HEAD: {
          const next = this.parseHead(source, pos, end);
          if (next === -1) {
            if (end - pos > MAX_HEAD_BYTES) throw new ResponseParseError("response head too large");
            this.pending = this.keep(source, pos, end);
            return true;
          }
          pos = next;
          break;
        }
        case LENGTH: {
          const take = Math.min(this.remaining, end - pos);
          this.remaining -= take;
          this.sink.onResponseBody(this.keep(source, pos, pos + take));
          if (generation !== this.generation) return true;
          pos += take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case CHUNK_SIZE:
          pos = this.parseChunkSize(source, pos, end);
          break;
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - pos);
          this.remaining -= take;
          this.sink.onResponseBody(this.keep(source, pos, pos + take));
          if (generation !== this.generation) return true;
          pos += take;
          if (this.remaining === 0) {
            this.state = CHUNK_DATA_END;
            this.lineLength = 0;
          }
          break;
        }
        case CHUNK_DATA_END:
        case TRAILERS:
          pos = this.parseLineEnd(source, pos, end);
          break;
        case UNTIL_CLOSE:
          this.sink.onResponseBody(this.keep(source, pos, end));
          return true;
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
    let lineEnd = source.indexOf(LF, start);
    if (lineEnd === -1 || lineEnd >= end) return -1;
    const statusLineEnd = lineEnd > start && source[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    // "HTTP/1.x SSS reason"
    if (
      statusLineEnd - start < 12 ||
      source[start] !== 72 ||
      source[start + 1] !== 84 ||
      source[start + 2] !== 84 ||
      source[start + 3] !== 80 ||
      source[start + 4] !== 47 ||
      source[start + 5] !== 49 ||
      source[start + 6] !== 46 ||
      source[start + 8] !== SP
    ) {
      throw new ResponseParseError(
        `not an HTTP/1.x status line: ${JSON.stringify(latin1(source, start, statusLineEnd))}`,
      );
    }
    const minor = source[start + 7]! - 48;
    const d1 = source[start + 9]! - 48;
    const d2 = source[start + 10]! - 48;
    const d3 = source[start + 11]! - 48;
    if (minor < 0 || minor > 9 || d1 < 1 || d1 > 5 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) {
      throw new ResponseParseError(
        `bad status line: ${JSON.stringify(latin1(source, start, statusLineEnd))}`,
      );
    }
    const status = d1 * 100 + d2 * 10 + d3;
    let statusText = "";
    if (statusLineEnd > start + 13) {
      const reasonStart = start + 13;
      statusText =
        statusLineEnd - reasonStart === 2 && source[reasonStart] === 79 && source[reasonStart + 1] === 75
          ? "OK"
          : latin1(source, reasonStart, statusLineEnd);
    }

    let keepAlive = minor >= 1;
    let contentLength = -1;
    let chunked = false;
    let otherCoding = false;
    let hasSetCookie = false;
    const headersStart = lineEnd + 1;
    let pos = headersStart;
    for (;;) {
      lineEnd = source.indexOf(LF, pos);
      if (lineEnd === -1 || lineEnd >= end) return -1;
      const contentEnd = lineEnd > pos && source[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      if (contentEnd === pos) break; // the blank line
      // Only four headers frame the message; the first letter rules out the others.
      const first = source[pos]! | 0x20;
      if (first === 99 /* c */) {
        if (source[pos + 14] === COLON && equalsIgnoreCase(source, pos, pos + 14, CONTENT_LENGTH)) {
          const length = parseContentLength(source, pos + 15, contentEnd);
          if (contentLength !== -1 && contentLength !== length) {
            throw new ResponseParseError("conflicting Content-Length headers");
          }
          contentLength = length;
        } else if (source[pos + 10] === COLON && equalsIgnoreCase(source, pos, pos + 10, CONNECTION)) {
          keepAlive = connectionKeepAlive(source, pos + 11, contentEnd, keepAlive);
        }
      } else if (first === 116 /* t */) {
        if (source[pos + 17] === COLON && equalsIgnoreCase(source, pos, pos + 17, TRANSFER_ENCODING)) {
          chunked = isChunked(source, pos + 18, contentEnd);
          otherCoding = !chunked;
        }
      } else if (first === 115 /* s */) {
        if (source[pos + 10] === COLON && equalsIgnoreCase(source, pos, pos + 10, SET_COOKIE))
          hasSetCookie = true;
      } else if (first === (SP | 0x20) || first === (HT | 0x20)) {
        throw new ResponseParseError("obsolete header line folding");
      }
      pos = lineEnd + 1;
    }
    const headEnd = lineEnd + 1;
    if (status < 200) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      if (status === 101)
        throw new ResponseParseError("the server switched protocols (101), which is not supported");
      return headEnd;
    }
    this.keepAlive = keepAlive;
    const generation = this.generation;
    const head = this.transient
      ? new ResponseHead(
          status,
          statusText,
          hasSetCookie,
          source.toString("latin1", headersStart, pos),
          0,
          pos - headersStart,
        )
      : new ResponseHead(status, statusText, hasSetCookie, source, headersStart, pos);
    this.sink.onResponseHead(head);
    if (generation !== this.generation) return headEnd;
    if (this.noBody || status === 204 || status === 304) {
      this.complete();
    } else if (chunked) {
      // RFC 9112 §6.3: with both, chunked wins and the connection must close afterwards.
      if (contentLength !== -1) this.keepAlive = false;
      this.state = CHUNK_SIZE;
      this.chunkSize = 0;
      this.chunkSizeDigits = 0;
      this.inChunkExtension = false;
    } else if (otherCoding || contentLength === -1) {
      this.keepAlive = false;
      this.state = UNTIL_CLOSE;
    } else if (contentLength === 0) {
      this.complete();
    } else {
      this.state = LENGTH;
      this.remaining = contentLength;
    }
    return headEnd;
  }

  /** Reads a chunk-size line ("1a;ext=x\r\n"), possibly split across reads. */
  private parseChunkSize(source: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const byte = source[pos++]!;
      if (byte === LF) {
        if (this.chunkSizeDigits === 0) throw new ResponseParseError("missing chunk size");
        if (this.chunkSize === 0) {
          this.state = TRAILERS;
          this.lineLength = 0;
        } else {
          this.state = CHUNK_DATA;
          this.remaining = this.chunkSize;
        }
        return pos;
      }
      if (this.inChunkExtension || byte === CR) continue;
      if (byte === 59 /* ; */ || byte === SP || byte === HT) {
        this.inChunkExtension = true;
        continue;
      }
      const digit = hexValue(byte);
      if (digit === -1) throw new ResponseParseError("bad chunk size");
      this.chunkSize = this.chunkSize * 16 + digit;
      if (++this.chunkSizeDigits > 13) throw new ResponseParseError("chunk size too large");
    }
    return pos;
  }

  /** Reads to the end of a line: the CRLF after chunk data, or trailer lines up to the blank one. */
  private parseLineEnd(source: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const byte = source[pos++]!;
      if (byte === LF) {
        if (this.state === CHUNK_DATA_END) {
          if (this.lineLength !== 0) throw new ResponseParseError("chunk data longer than its size");
          this.state = CHUNK_SIZE;
          this.chunkSize = 0;
          this.chunkSizeDigits = 0;
          this.inChunkExtension = false;
          return pos;
        }
        if (this.lineLength === 0) {
          this.complete();
          return pos;
        }
        this.lineLength = 0;
      } else if (byte !== CR) {
        this.lineLength++;
        if (this.state === CHUNK_DATA_END) throw new ResponseParseError("chunk data longer than its size");
      }
    }
    return pos;
  }
}

/** True when a Transfer-Encoding value ends with the chunked coding ("chunked", "gzip, chunked"). */
function isChunked(source: Uint8Array, start: number, end: number): boolean {
  while (start < end && (source[start] === SP || source[start] === HT)) start++;
  while (end > start && (source[end - 1] === SP || source[end - 1] === HT)) end--;
  if (equalsIgnoreCase(source, start, end, CHUNKED)) return true;
  return /(?:^|,)\s*chunked$/.test(latin1(source, start, end).toLowerCase());
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function parseContentLength(source: Uint8Array, start: number, end: number): number {
  while (start < end && (source[start] === SP || source[start] === HT)) start++;
  while (end > start && (source[end - 1] === SP || source[end - 1] === HT)) end--;
  if (start === end || end - start > 15) throw new ResponseParseError("bad Content-Length");
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = source[i]! - 48;
    if (digit < 0 || digit > 9) throw new ResponseParseError("bad Content-Length");
    value = value * 10 + digit;
  }
  return value;
}

/** Applies a Connection header's tokens to the keep-alive default of the HTTP version. */
function connectionKeepAlive(source: Uint8Array, start: number, end: number, current: boolean): boolean {
  while (start < end && (source[start] === SP || source[start] === HT)) start++;
  while (end > start && (source[end - 1] === SP || source[end - 1] === HT)) end--;
  if (equalsIgnoreCase(source, start, end, KEEP_ALIVE)) return true;
  if (equalsIgnoreCase(source, start, end, CLOSE)) return false;
  const tokens = latin1(source, start, end)
    .toLowerCase()
    .split(",")
    .map((token) => token.trim());
  if (tokens.includes("close")) return false;
  if (tokens.includes("keep-alive")) return true;
  return current;
}
