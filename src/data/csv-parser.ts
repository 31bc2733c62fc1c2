/**
 * An incremental CSV parser (RFC 4180, as Python's `csv` and spreadsheets write it):
 * comma-separated fields, fields in double quotes may hold commas, line breaks and
 * doubled quotes (`""`), rows end with LF, CRLF or CR, a leading UTF-8 BOM is skipped
 * and blank lines are ignored.
 *
 * It reads bytes, not text: the structural characters are ASCII, which never occur inside
 * a multi-byte UTF-8 character, so the byte offset of every row is known exactly. That is
 * what lets a large file be streamed, or read a row at a time at a known offset, instead
 * of being loaded whole. A malformed file throws a {@link CsvSyntaxError} with the line
 * and column (in characters, 1-based) of the problem.
 */

/** A CSV file that does not parse, with where. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
    this.name = "CsvSyntaxError";
  }
}

/** Receives each row: its fields, the byte offset where it starts, and its first line. */
export type RowHandler = (fields: string[], offset: number, line: number) => void;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

enum State {
  /** At the start of a field (nothing read yet). */
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: the end of the field, or the first of `""`. */
  QuotedQuote,
}

/** Parses CSV bytes pushed in chunks of any size (see the file comment). */
export class CsvParser {
  /**
   * False: fields are not decoded (each is ""): a pass that only checks a file's
   * structure and counts its rows, about twice as fast. May change between rows.
   */
  decodeFields = true;
  private state = State.FieldStart;
  private fields: string[] = [];
  /** Bytes of the current field from earlier chunks (copies: a reader may reuse its buffer). */
  private pieces: Uint8Array[] = [];
  /** The current field started with a quote (so `""` on a line of its own is a row). */
  private quotedField = false;
  /** In QuotedQuote, the quote was the previous chunk's last byte (not in any piece). */
  private heldQuote = false;
  /** A CR ended the last row: a LF right after it belongs to it. */
  private afterCr = false;
  /** A CR inside a quoted field: a LF right after it is the same line break. */
  private crInField = false;
  private offset = 0;
  private line = 1;
  /** Characters read on the current line (UTF-8 lead bytes), for error columns. */
  private column = 0;
  private rowOffset = 0;
  private rowLine = 1;
  /** Where the open quoted field started, for "never closed". */
  private quoteLine = 0;
  private quoteColumn = 0;
  private started = false;
  /** The first bytes, until there are 3 (a BOM split over chunks). */
  private head: Uint8Array | undefined;

  /** @param startOffset the byte offset of the first byte pushed (a read from the middle of a file). */
  constructor(startOffset = 0) {
    this.offset = startOffset;
    this.rowOffset = startOffset;
  }

  /** Parses `chunk`, calling `onRow` for every row it completes. */
  push(chunk: Uint8Array, onRow: RowHandler): void {
    let i = 0;
    if (!this.started) {
      // The first 3 bytes decide whether there is a BOM, whatever the chunks.
      const head = concat(this.head, chunk);
      if (head.length < 3) {
        this.head = head;
        return;
      }
      this.head = undefined;
      this.started = true;
      chunk = head;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        i = 3;
        this.rowOffset += 3;
      }
    }
    let segment = i;
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if ((byte & 0xc0) !== 0x80) this.column++;
      if (this.afterCr) {
        this.afterCr = false;
        if (byte === LF) {
          this.column = 0;
          this.rowOffset = this.offset + i + 1;
          segment = i + 1;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (byte === QUOTE) {
            this.state = State.Quoted;
            this.quotedField = true;
            this.quoteLine = this.line;
            this.quoteColumn = this.column;
            segment = i + 1;
          } else if (byte === COMMA) {
            this.fields.push("");
            segment = i + 1;
          } else if (byte === LF || byte === CR) {
            // After a comma, the line break ends an empty last field.
            if (this.fields.length > 0) this.fields.push("");
            this.endRow(onRow, byte, i);
            segment = i + 1;
          } else {
            this.state = State.Unquoted;
            segment = i;
          }
          break;
        case State.Unquoted:
          if (byte === COMMA || byte === LF || byte === CR) {
            this.endField(chunk, segment, i);
            if (byte !== COMMA) this.endRow(onRow, byte, i);
            segment = i + 1;
          } else if (byte === QUOTE) {
            throw new CsvSyntaxError(
              this.line,
              this.column,
              'a quote (") inside a field that does not start with one: quote the whole field and double the quotes inside ("a ""b"" c")',
            );
          }
          break;
        case State.Quoted:
          if (byte === QUOTE) this.state = State.QuotedQuote;
          else if (byte === CR) {
            this.newLineInField();
            this.crInField = true;
          } else if (byte === LF) {
            if (!this.crInField) this.newLineInField();
            this.crInField = false;
          } else this.crInField = false;
          break;
        case State.QuotedQuote:
          if (byte === QUOTE) {
            // `""`: keep one quote, skip the other.
            if (this.decodeFields)
              this.pieces.push(this.heldQuote ? Uint8Array.of(QUOTE) : chunk.slice(segment, i));
            this.heldQuote = false;
            segment = i + 1;
            this.state = State.Quoted;
          } else if (byte === COMMA || byte === LF || byte === CR) {
            this.endField(chunk, segment, this.heldQuote ? segment : i - 1);
            if (byte !== COMMA) this.endRow(onRow, byte, i);
            segment = i + 1;
          } else {
            throw new CsvSyntaxError(
              this.line,
              this.column,
              "text after the closing quote of a field: a quoted field ends at its quote (double the quotes inside it)",
            );
          }
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) {
      if (segment < chunk.length && this.decodeFields) this.pieces.push(chunk.slice(segment));
    } else if (this.state === State.QuotedQuote && !this.heldQuote) {
      // The quote is this chunk's last byte: the end of the field, or the first of `""`.
      if (segment < chunk.length - 1 && this.decodeFields)
        this.pieces.push(chunk.slice(segment, chunk.length - 1));
      this.heldQuote = true;
    }
    this.offset += chunk.length;
  }

  /** The end of the input: completes the last row. */
  end(onRow: RowHandler): void {
    if (!this.started) {
      // Fewer than 3 bytes in all: no BOM.
      this.started = true;
      const head = this.head ?? new Uint8Array(0);
      this.head = undefined;
      this.push(head, onRow);
    }
    if (this.state === State.Quoted) {
      throw new CsvSyntaxError(
        this.quoteLine,
        this.quoteColumn,
        "a quoted field that is never closed: its closing quote is missing",
      );
    }
    if (this.state !== State.FieldStart || this.fields.length > 0) {
      this.fields.push(this.takePieces());
      this.emit(onRow);
    }
    this.state = State.FieldStart;
    this.heldQuote = false;
  }

  private newLineInField(): void {
    this.line++;
    this.column = 0;
  }

  private endField(chunk: Uint8Array, start: number, end: number): void {
    let text: string;
    if (!this.decodeFields) {
      this.pieces = [];
      text = "";
    } else if (this.pieces.length === 0) text = decode(chunk.subarray(start, end));
    else {
      if (end > start) this.pieces.push(chunk.subarray(start, end));
      text = this.takePieces();
    }
    this.fields.push(text);
    this.state = State.FieldStart;
    this.quotedField = false;
    this.heldQuote = false;
  }

  private takePieces(): string {
    const pieces = this.pieces;
    this.pieces = [];
    if (pieces.length === 0) return "";
    if (pieces.length === 1) return decode(pieces[0]!);
    let length = 0;
    for (const piece of pieces) length += piece.length;
    const all = new Uint8Array(length);
    let at = 0;
    for (const piece of pieces) {
      all.set(piece, at);
      at += piece.length;
    }
    return decode(all);
  }

  /** A line break at `index` of the chunk ends the row (a blank line is skipped). */
  private endRow(onRow: RowHandler, byte: number, index: number): void {
    if (this.fields.length > 0 || this.quotedField) this.emit(onRow);
    this.state = State.FieldStart;
    this.quotedField = false;
    this.line++;
    this.column = 0;
    this.afterCr = byte === CR;
    this.rowOffset = this.offset + index + 1;
    this.rowLine = this.line;
  }

  private emit(onRow: RowHandler): void {
    const fields = this.fields;
    this.fields = [];
    onRow(fields, this.rowOffset, this.rowLine);
  }
}

const utf8 = new TextDecoder("utf-8");

function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (a === undefined || a.length === 0) return b;
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

function decode(bytes: Uint8Array): string {
  return bytes.length === 0 ? "" : utf8.decode(bytes);
}
