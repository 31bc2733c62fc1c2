/**
 * The syntax of an HTTP/1.x response head (status line and header lines), checked the
 * way llhttp 9 (Node's parser) checks it in strict mode, so a response Cicada accepts is
 * one Node's own client accepts, with the same status, headers and framing, and one it
 * rejects is rejected here too (test/unit/http/parser-differential.test.ts compares them):
 *
 * - status line: optional CR/LF before it, `HTTP`, `RTSP` or `ICE`, `/`, a version of
 *   0.9, 1.0, 1.1 or 2.0, one space, exactly three digits, then a space and any reason
 *   phrase, or the line end; every line ends with CRLF (a bare LF is an error);
 * - header names are tokens followed at once by `:` (no space before it); values may
 *   hold tab, space, visible ASCII and bytes 0x80-0xFF, nothing else (no NUL, no CR);
 *   a line starting with a space or tab (obsolete folding) is an error;
 * - Content-Length is digits and trailing spaces, once; Transfer-Encoding and
 *   Content-Length together are an error; chunked counts only as the last coding;
 *   Connection (and Proxy-Connection) tokens are `close`, `keep-alive`, `upgrade`.
 *
 * Every function works on bytes already received: it returns -1 when the head is not
 * complete yet (the caller calls again with more), and throws `ResponseParseError` at
 * the first byte that can never become valid.
 */

import { type HeaderFacts, noteHeader } from "./framing-headers.js";
import { COLON, CR, FIELD_VALUE, HT, LF, latin1, ResponseParseError, SP, TOKEN } from "./syntax-bytes.js";

export { ResponseParseError } from "./syntax-bytes.js";

/** The status line, as parsed. */
export class StatusLine {
  major = 1;
  minor = 1;
  status = 0;
  statusText = "";
}

const H = 72;
const T = 84;
const P = 80;
const SLASH = 47;
const DOT = 46;

/**
 * Parses the status line at `pos` (after any CR/LF before it, which the caller skips).
 * Returns the offset of the first header line, or -1 when the line is incomplete.
 */
export function parseStatusLine(src: Uint8Array, pos: number, end: number, out: StatusLine): number {
  let at: number;
  // The protocol: "HTTP/" in practice; llhttp also takes RTSP/ and ICE/.
  if (end - pos >= 5 && src[pos] === H && src[pos + 1] === T && src[pos + 2] === T && src[pos + 3] === P) {
    at = pos + 4;
  } else {
    at = matchProtocol(src, pos, end);
    if (at === -1) return -1;
  }
  if (end - at < 5) return needMore(src, at, end);
  if (src[at] !== SLASH) throw new ResponseParseError("expected HTTP/ at the start of the status line");
  const major = src[at + 1]! - 48;
  const minor = src[at + 3]! - 48;
  if (major < 0 || major > 9) throw new ResponseParseError("invalid major version in the status line");
  if (src[at + 2] !== DOT) throw new ResponseParseError("invalid HTTP version in the status line");
  if (minor < 0 || minor > 9) throw new ResponseParseError("invalid minor version in the status line");
  if (!(major === 1 ? minor <= 1 : major === 0 ? minor === 9 : major === 2 && minor === 0)) {
    throw new ResponseParseError(`unsupported HTTP version ${major}.${minor} in the status line`);
  }
  if (src[at + 4] !== SP) throw new ResponseParseError("expected a space after the HTTP version");
  at += 5;
  if (end - at < 4) return needDigits(src, at, end);
  const d1 = src[at]! - 48;
  const d2 = src[at + 1]! - 48;
  const d3 = src[at + 2]! - 48;
  if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) {
    throw new ResponseParseError("invalid status code (expected three digits)");
  }
  out.major = major;
  out.minor = minor;
  out.status = d1 * 100 + d2 * 10 + d3;
  at += 3;
  const after = src[at];
  let reasonEnd: number;
  if (after === SP) {
    reasonEnd = indexOfLineEnd(src, at + 1, end);
    if (reasonEnd === -1) return -1;
    const length = reasonEnd - at - 1;
    out.statusText =
      length === 2 && src[at + 1] === 79 && src[at + 2] === 75
        ? "OK"
        : length === 0
          ? ""
          : latin1(src, at + 1, reasonEnd);
  } else if (after === CR) {
    reasonEnd = at;
    out.statusText = "";
  } else {
    throw new ResponseParseError(
      after === LF
        ? "missing CR at the end of the status line"
        : "invalid status code (expected three digits)",
    );
  }
  // CR, then LF (llhttp also takes a second CR there).
  if (reasonEnd + 1 >= end) return -1;
  const next = src[reasonEnd + 1];
  if (next !== LF && next !== CR) throw new ResponseParseError("expected LF after CR in the status line");
  return reasonEnd + 2;
}

/** The end of a reason phrase: the offset of its CR, -1 if not there yet; a bare LF is an error. */
function indexOfLineEnd(src: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i < end; i++) {
    const byte = src[i];
    if (byte === CR) return i;
    if (byte === LF) throw new ResponseParseError("missing CR at the end of the status line");
  }
  return -1;
}

const protocols = ["HTTP", "RTSP", "ICE"].map((word) => Uint8Array.from(word, (c) => c.charCodeAt(0)));

/** The offset after the protocol name, -1 when the bytes so far are a prefix of one. */
function matchProtocol(src: Uint8Array, pos: number, end: number): number {
  for (const word of protocols) {
    let i = 0;
    while (i < word.length && pos + i < end && src[pos + i] === word[i]) i++;
    if (i === word.length) return pos + i;
    if (pos + i === end) return -1;
  }
  throw new ResponseParseError(
    `not an HTTP/1.x status line: ${JSON.stringify(latin1(src, pos, lineEnd(src, pos, end)))}`,
  );
}

/** Checks the version bytes present so far before waiting for more. */
function needMore(src: Uint8Array, at: number, end: number): number {
  const expected = [SLASH, -1, DOT, -1, SP];
  for (let i = 0; at + i < end; i++) {
    const byte = src[at + i]!;
    const want = expected[i]!;
    if (want === -1 ? byte < 48 || byte > 57 : byte !== want) {
      throw new ResponseParseError("invalid HTTP version in the status line");
    }
  }
  return -1;
}

/** Checks the status digits present so far before waiting for more. */
function needDigits(src: Uint8Array, at: number, end: number): number {
  for (let i = 0; at + i < end; i++) {
    const byte = src[at + i]!;
    if (i < 3 ? byte < 48 || byte > 57 : byte !== SP && byte !== CR) {
      throw new ResponseParseError("invalid status code (expected three digits)");
    }
  }
  return -1;
}

/**
 * Parses header lines from `pos` up to and including the blank line, noting the framing
 * headers in `facts` (also used for the trailers of a chunked body). Returns the offset
 * after the blank line, or -1 when the block is incomplete.
 */
export function parseHeaderLines(src: Uint8Array, pos: number, end: number, facts: HeaderFacts): number {
  for (;;) {
    if (pos >= end) return -1;
    if (src[pos] === CR) {
      if (pos + 1 >= end) return -1;
      if (src[pos + 1] !== LF) throw new ResponseParseError("expected LF after CR at the end of the headers");
      return pos + 2;
    }
    const nameStart = pos;
    while (pos < end && TOKEN[src[pos]!] === 1) pos++;
    if (pos >= end) return -1;
    if (src[pos] !== COLON || pos === nameStart) throw invalidHeaderLine(src, nameStart, pos, end);
    const nameEnd = pos++;
    while (pos < end && (src[pos] === SP || src[pos] === HT)) pos++;
    const valueStart = pos;
    while (pos < end && FIELD_VALUE[src[pos]!] === 1) pos++;
    if (pos + 2 >= end) return needLineEnd(src, pos, end);
    if (src[pos] !== CR) throw invalidValue(src, nameStart, nameEnd, src[pos]!);
    if (src[pos + 1] !== LF) throw new ResponseParseError("expected LF after CR in a header line");
    const next = src[pos + 2];
    if (next === SP || next === HT) throw new ResponseParseError("obsolete line folding in the headers");
    if (nameEnd - nameStart >= 7) noteHeader(src, nameStart, nameEnd, valueStart, pos, facts);
    pos += 2;
  }
}

/** A value ran to the end of the bytes received: wait, unless what is there is already wrong. */
function needLineEnd(src: Uint8Array, pos: number, end: number): number {
  if (pos < end && src[pos] !== CR) throw new ResponseParseError("invalid character in a header value");
  if (pos + 1 < end && src[pos + 1] !== LF)
    throw new ResponseParseError("expected LF after CR in a header line");
  return -1;
}

function invalidHeaderLine(src: Uint8Array, start: number, at: number, end: number): ResponseParseError {
  if (at === start && src[at] === LF) return new ResponseParseError("missing CR at the end of the headers");
  const line = JSON.stringify(latin1(src, start, lineEnd(src, start, end)));
  if (at === start && src[at] === COLON) return new ResponseParseError(`empty header name: ${line}`);
  if (at === start && (src[at] === SP || src[at] === HT)) {
    return new ResponseParseError("obsolete line folding in the headers");
  }
  let next = at;
  while (next < end && (src[next] === SP || src[next] === HT)) next++;
  if (next > at && src[next] === COLON)
    return new ResponseParseError(`whitespace before the colon of a header: ${line}`);
  return new ResponseParseError(`invalid header line: ${line}`);
}

function invalidValue(src: Uint8Array, nameStart: number, nameEnd: number, byte: number): ResponseParseError {
  const name = latin1(src, nameStart, nameEnd);
  if (byte === LF) return new ResponseParseError(`missing CR at the end of header ${name}`);
  return new ResponseParseError(
    `invalid character 0x${byte.toString(16).padStart(2, "0")} in header ${name}`,
  );
}

function lineEnd(src: Uint8Array, start: number, end: number): number {
  let at = start;
  while (at < end && at - start < 200 && src[at] !== CR && src[at] !== LF) at++;
  return at;
}
