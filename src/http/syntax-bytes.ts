/**
 * The byte-level vocabulary of HTTP/1.x responses, shared by the head, framing-header
 * and chunk-size parsers: the error they throw, the byte classes llhttp uses (tokens,
 * field values) and small helpers over byte ranges.
 */

/** The response bytes break HTTP/1.1 framing. */
export class ResponseParseError extends Error {
  readonly code = "CICADA_NET_HTTP_PARSE";
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HT = 9;
export const COLON = 58;

/** Byte classes, one table lookup per byte. */
function table(test: (byte: number) => boolean): Uint8Array {
  const out = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) out[byte] = test(byte) ? 1 : 0;
  return out;
}
const isAlphaNum = (b: number) => (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
/** RFC 9110 tchar. */
export const TOKEN = table((b) => isAlphaNum(b) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(b)));
/** HTAB, SP, VCHAR and obs-text: what a header value (and a chunk extension's quoted pair) may hold. */
export const FIELD_VALUE = table((b) => b === HT || (b >= 32 && b <= 126) || b >= 128);

/** True when the digits src[start, end) in `base` exceed 2^64 - 1 (the rare, exact check). */
export function exceedsUint64(src: Uint8Array, start: number, end: number, base: 10 | 16): boolean {
  const text = latin1(src, start, end);
  return BigInt(base === 16 ? `0x${text}` : text) > 0xffff_ffff_ffff_ffffn;
}

export function trimEnd(src: Uint8Array, start: number, end: number): number {
  while (end > start && (src[end - 1] === SP || src[end - 1] === HT)) end--;
  return end;
}

/** True when src[start, start + word.length) equals the lower-case `word` in any case. */
export function equalsIgnoreCase(src: Uint8Array, start: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if ((src[start + i]! | 0x20) !== word[i]) return false;
  return true;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Bytes as a latin1 string (each byte one character, as HTTP header bytes are defined). */
export function latin1(source: Uint8Array, start: number, end: number): string {
  return Buffer.from(source.buffer, source.byteOffset + start, end - start).toString("latin1");
}
