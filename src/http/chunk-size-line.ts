/**
 * The size line of one chunk of a chunked body ("1a;name=value;name=\"quoted\"\r\n"),
 * read byte by byte across reads and checked as llhttp 9 checks it: hex digits (up to
 * 2^64 - 1), no space before the CRLF, extensions made of tokens and quoted strings, at
 * most 16 KiB of them (Node's limit, its fix for CVE-2024-22019).
 */
import { CR, exceedsUint64, FIELD_VALUE, LF, ResponseParseError, SP, TOKEN } from "./syntax-bytes.js";

/** Largest chunk extension text per chunk, as Node. */
export const MAX_CHUNK_EXTENSION_BYTES = 16 * 1024;

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

/** One chunk-size line in progress. */
export class ChunkSizeLine {
  /** The chunk's size, once the line is read (0: the last chunk). */
  size = 0;
  private state = SIZE_FIRST;
  /** The digits, kept past 2^48 for an exact check against 2^64 - 1. */
  private digits: number[] | null = null;
  private extensionBytes = 0;

  /** Ready for the next chunk's line. */
  reset(): void {
    this.size = 0;
    this.state = SIZE_FIRST;
    this.digits = null;
    this.extensionBytes = 0;
  }

  /**
   * Reads the line from `pos`; returns the offset after its LF, or -1 when every byte up
   * to `end` was consumed and the line goes on in the next read.
   */
  parse(source: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const byte = source[pos++]!;
      switch (this.state) {
        case SIZE_FIRST:
        case SIZE_DIGITS: {
          const digit = hexValue(byte);
          if (digit !== -1) {
            this.addSizeDigit(digit);
            this.state = SIZE_DIGITS;
            break;
          }
          if (this.state === SIZE_FIRST) throw new ResponseParseError("invalid chunk size");
          if (byte === CR) this.state = SIZE_LF;
          else if (byte === SEMICOLON) this.state = EXT_START;
          else
            throw new ResponseParseError(
              byte === LF ? "missing CR after the chunk size" : "invalid chunk size",
            );
          break;
        }
        case SIZE_LF:
          if (byte !== LF) throw new ResponseParseError("expected LF after the chunk size");
          return pos;
        default:
          this.chunkExtension(byte);
      }
    }
    return -1;
  }

  /** One byte of the chunk extensions (`;name`, `;name=token`, `;name="quoted"`). */
  private chunkExtension(byte: number): void {
    if (++this.extensionBytes > MAX_CHUNK_EXTENSION_BYTES)
      throw new ResponseParseError("chunk extensions too long");
    switch (this.state) {
      case EXT_START:
        if (byte === SP || byte === CR) throw new ResponseParseError("invalid chunk extension");
        this.state = EXT_NAME;
        this.extensionName(byte);
        return;
      case EXT_NAME:
        this.extensionName(byte);
        return;
      case EXT_VALUE:
        if (byte === QUOTE) this.state = EXT_QUOTED;
        else if (TOKEN[byte] !== 1) this.extensionEnd(byte);
        return;
      case EXT_QUOTED:
        if (byte === QUOTE) this.state = EXT_QUOTED_DONE;
        else if (byte === BACKSLASH) this.state = EXT_QUOTED_PAIR;
        else if (FIELD_VALUE[byte] !== 1 || byte === 127)
          throw new ResponseParseError("invalid chunk extension");
        return;
      case EXT_QUOTED_PAIR:
        if (FIELD_VALUE[byte] !== 1) throw new ResponseParseError("invalid chunk extension");
        this.state = EXT_QUOTED;
        return;
      case EXT_QUOTED_DONE:
        this.extensionEnd(byte);
        return;
    }
  }

  private extensionName(byte: number): void {
    if (TOKEN[byte] === 1) return;
    if (byte === EQUALS) this.state = EXT_VALUE;
    else this.extensionEnd(byte);
  }

  /** After a name or value: `;` starts another extension, CR ends the line. */
  private extensionEnd(byte: number): void {
    if (byte === SEMICOLON) this.state = EXT_START;
    else if (byte === CR) this.state = SIZE_LF;
    else
      throw new ResponseParseError(
        byte === LF ? "missing CR after the chunk size" : "invalid chunk extension",
      );
  }

  private addSizeDigit(digit: number): void {
    if (this.digits !== null) {
      this.digits.push(digit);
      if (exceedsUint64(Uint8Array.from(this.digits, hexChar), 0, this.digits.length, 16)) {
        throw new ResponseParseError("chunk size too large");
      }
      return;
    }
    this.size = this.size * 16 + digit;
    // Past 2^48 keep the digits for an exact check against 2^64 - 1 (llhttp's limit).
    if (this.size >= 2 ** 48) this.digits = [...hexDigitsOf(this.size)];
  }
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
