/**
 * The headers that frame an HTTP/1.x response, read as llhttp 9 reads them: Content-Length
 * (digits and trailing spaces, once, never beside Transfer-Encoding), Transfer-Encoding
 * (chunked only as the last coding), Connection and Proxy-Connection (close, keep-alive,
 * upgrade tokens), Upgrade; plus whether a Set-Cookie came and the Content-Encoding.
 */
import {
  ascii,
  equalsIgnoreCase,
  exceedsUint64,
  HT,
  latin1,
  ResponseParseError,
  SP,
  trimEnd,
} from "./syntax-bytes.js";

// Facts about the headers that decide how the body is framed (llhttp's flags).
export const F_CONTENT_LENGTH = 1;
export const F_TRANSFER_ENCODING = 2;
export const F_CHUNKED = 4;
export const F_CLOSE = 8;
export const F_KEEP_ALIVE = 16;
export const F_UPGRADE = 32;
export const F_CONNECTION_UPGRADE = 64;

/** What the header lines say about framing; reset before each attempt at a head. */
export class HeaderFacts {
  flags = 0;
  contentLength = 0;
  hasSetCookie = false;
  /** The Content-Encoding value (trimmed), when there is one. */
  contentEncoding: string | undefined = undefined;

  reset(): void {
    this.flags = 0;
    this.contentLength = 0;
    this.hasSetCookie = false;
    this.contentEncoding = undefined;
  }
}

const CONTENT_LENGTH = ascii("content-length");
const TRANSFER_ENCODING = ascii("transfer-encoding");
const CONNECTION = ascii("connection");
const PROXY_CONNECTION = ascii("proxy-connection");
const CONTENT_ENCODING = ascii("content-encoding");
const SET_COOKIE = ascii("set-cookie");
const UPGRADE = ascii("upgrade");

/**
 * Notes a header that frames the message (or a Set-Cookie). `valueEnd` is the CR, so the
 * value still has its trailing whitespace, which llhttp reads for these headers.
 */
export function noteHeader(
  src: Uint8Array,
  nameStart: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
  facts: HeaderFacts,
): void {
  // Only these seven names matter; their lengths and first letters rule out the rest.
  const length = nameEnd - nameStart;
  const first = src[nameStart]! | 0x20;
  if (first === 99 /* c */) {
    if (length === 14 && equalsIgnoreCase(src, nameStart, CONTENT_LENGTH)) {
      contentLength(src, valueStart, valueEnd, facts);
    } else if (length === 10 && equalsIgnoreCase(src, nameStart, CONNECTION)) {
      connectionTokens(src, valueStart, valueEnd, facts);
    } else if (length === 16 && equalsIgnoreCase(src, nameStart, CONTENT_ENCODING)) {
      facts.contentEncoding = latin1(src, valueStart, trimEnd(src, valueStart, valueEnd));
    }
  } else if (first === 116 /* t */) {
    if (length === 17 && equalsIgnoreCase(src, nameStart, TRANSFER_ENCODING)) {
      transferEncoding(src, valueStart, valueEnd, facts);
    }
  } else if (first === 115 /* s */) {
    if (length === 10 && equalsIgnoreCase(src, nameStart, SET_COOKIE)) facts.hasSetCookie = true;
  } else if (first === 112 /* p */) {
    if (length === 16 && equalsIgnoreCase(src, nameStart, PROXY_CONNECTION)) {
      connectionTokens(src, valueStart, valueEnd, facts);
    }
  } else if (first === 117 /* u */) {
    if (length === 7 && valueEnd > valueStart && equalsIgnoreCase(src, nameStart, UPGRADE)) {
      facts.flags |= F_UPGRADE;
    }
  }
}

/** Content-Length: digits, then only spaces; once; never beside Transfer-Encoding. */
function contentLength(src: Uint8Array, start: number, end: number, facts: HeaderFacts): void {
  if (facts.flags & F_TRANSFER_ENCODING) {
    throw new ResponseParseError("Content-Length and Transfer-Encoding in the same response");
  }
  if (start === end) throw new ResponseParseError("empty Content-Length");
  if (facts.flags & F_CONTENT_LENGTH) throw new ResponseParseError("more than one Content-Length header");
  let value = 0;
  let at = start;
  for (; at < end; at++) {
    const digit = src[at]! - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    // Up to 2^64 - 1, as llhttp; past 2^53 the exact value no longer matters.
    if (value > 9_007_199_254_740_991 && exceedsUint64(src, start, at + 1, 10)) {
      throw new ResponseParseError("Content-Length too large");
    }
  }
  if (at === start) throw new ResponseParseError("invalid Content-Length");
  for (; at < end; at++) if (src[at] !== SP) throw new ResponseParseError("invalid Content-Length");
  facts.flags |= F_CONTENT_LENGTH;
  facts.contentLength = value;
}

/** Transfer-Encoding: chunked counts when it is the last coding (followed only by spaces). */
function transferEncoding(src: Uint8Array, start: number, end: number, facts: HeaderFacts): void {
  if (facts.flags & F_CONTENT_LENGTH) {
    throw new ResponseParseError("Content-Length and Transfer-Encoding in the same response");
  }
  if (start === end) return; // llhttp ignores an empty value
  facts.flags = (facts.flags | F_TRANSFER_ENCODING) & ~F_CHUNKED;
  let tokenStart = start;
  for (
    let comma = indexOfByte(src, 44, start, end);
    comma !== -1;
    comma = indexOfByte(src, 44, tokenStart, end)
  ) {
    tokenStart = comma + 1;
  }
  while (tokenStart < end && (src[tokenStart] === SP || src[tokenStart] === HT)) tokenStart++;
  if (isWordThenSpaces(src, tokenStart, end, CHUNKED)) facts.flags |= F_CHUNKED;
}

const CHUNKED = ascii("chunked");
const CLOSE = ascii("close");
const KEEP_ALIVE = ascii("keep-alive");
const UPGRADE_TOKEN = UPGRADE;

/** Connection tokens: each one that is exactly close, keep-alive or upgrade (then spaces) sets its flag. */
function connectionTokens(src: Uint8Array, start: number, end: number, facts: HeaderFacts): void {
  let at = start;
  while (at <= end) {
    while (at < end && (src[at] === SP || src[at] === HT)) at++;
    let tokenEnd = indexOfByte(src, 44, at, end);
    if (tokenEnd === -1) tokenEnd = end;
    if (isWordThenSpaces(src, at, tokenEnd, CLOSE)) facts.flags |= F_CLOSE;
    else if (isWordThenSpaces(src, at, tokenEnd, KEEP_ALIVE)) facts.flags |= F_KEEP_ALIVE;
    else if (isWordThenSpaces(src, at, tokenEnd, UPGRADE_TOKEN)) facts.flags |= F_CONNECTION_UPGRADE;
    at = tokenEnd + 1;
  }
}

/** True when src[start, end) is `word` (any case) followed by nothing but spaces. */
function isWordThenSpaces(src: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start < word.length || !equalsIgnoreCase(src, start, word)) return false;
  for (let i = start + word.length; i < end; i++) if (src[i] !== SP) return false;
  return true;
}

function indexOfByte(src: Uint8Array, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (src[i] === byte) return i;
  return -1;
}
