/**
 * Where a data set's rows come from in the process that owns its file (a single process,
 * or the master of a distributed test): one copy per process, whatever the number of
 * users. A file up to {@link inMemoryLimitBytes} is read once and held as records; a
 * larger CSV is never loaded whole: it is scanned once (checked, rows counted), then
 * streamed from disk (unique and sequential modes), or read a row at a time at offsets
 * kept from the scan (random mode: 8 bytes per row).
 */
import { readFile, stat } from "node:fs/promises";
import { CsvParser, CsvSyntaxError } from "./csv-parser.js";
import { DataFileError, DataParseError } from "./errors.js";
import { openLargeCsv } from "./large-csv.js";

/** How rows are handed out (see docs/api.md#test-data). */
export type DataMode = "unique" | "sequential" | "random";

/** What a data set is: its file, format and mode. */
export interface DataSpec {
  kind: "csv" | "json";
  /** The path as the locustfile wrote it (messages, the key workers use). */
  path: string;
  /** The absolute path on this machine. */
  file: string;
  mode: DataMode;
  /** Start again at the first row when the rows run out (unique never does). */
  wrap: boolean;
}

/** Rows handed out by the owner of a data set. */
export interface RowSource {
  /** Rows in the file (known once opened). */
  readonly rowCount: number;
  /** Up to `count` rows; fewer (maybe none) once every row was handed out (never with wrap or random). */
  take(count: number): Promise<unknown[]>;
  /** Back to the first row (a new test). */
  reset(): void;
  close(): Promise<void>;
}

let memoryLimit = 64 * 1024 * 1024;

/** Files up to this size are held in memory; larger CSV files are streamed. */
export function inMemoryLimitBytes(): number {
  return memoryLimit;
}

/** Changes {@link inMemoryLimitBytes} (tests stream small files with it); returns the previous value. */
export function setInMemoryLimitBytes(bytes: number): number {
  const previous = memoryLimit;
  memoryLimit = bytes;
  return previous;
}

/**
 * Opens a data set's file: reads and checks it (every row, so a file that does not parse
 * is reported before the test), and returns its source.
 * @throws DataFileError when it cannot be read, DataParseError when it does not parse or has no rows.
 */
export async function openSource(spec: DataSpec): Promise<RowSource> {
  let size: number;
  try {
    size = (await stat(spec.file)).size;
  } catch (error) {
    throw missingFile(spec, error);
  }
  if (spec.kind === "json") return new MemoryRows(await readJsonRows(spec), spec);
  if (size <= memoryLimit) return new MemoryRows(await readCsvRows(spec), spec);
  return openLargeCsv(spec);
}

/** The error for a data file that cannot be read. */
export function missingFile(spec: Pick<DataSpec, "path" | "file">, cause?: unknown): DataFileError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT" ? "not found" : "unreadable";
  return new DataFileError(
    `the data file ${spec.path} is ${reason} (looked for ${spec.file})`,
    "Paths are relative to the locustfile's folder; a worker started with its own locustfile needs the file at the same place (or start it with -f - to get rows from the master)",
    cause,
  );
}

/** A CSV's header and records, from the whole file. */
async function readCsvRows(spec: DataSpec): Promise<unknown[]> {
  const rows: unknown[] = [];
  const reader = new CsvRecords();
  try {
    const parser = new CsvParser();
    const onRow = (fields: string[], _offset: number, line: number) => {
      const record = reader.record(fields, line);
      if (record !== undefined) rows.push(record);
    };
    parser.push(await readFile(spec.file), onRow);
    parser.end(onRow);
  } catch (error) {
    throw parseError(spec, error);
  }
  return checkNotEmpty(spec, rows.length, rows);
}

/** Turns CSV rows into records keyed by the header (the first row), checking each row's width. */
export class CsvRecords {
  header: string[] | undefined;

  /** The record of a row, or undefined for the header itself. */
  record(fields: string[], line: number): Record<string, string> | undefined {
    const header = this.header;
    if (header === undefined) {
      this.header = checkHeader(fields, line);
      return undefined;
    }
    if (fields.length !== header.length) {
      throw new CsvSyntaxError(
        line,
        1,
        `${fields.length} field${fields.length === 1 ? "" : "s"} where the header has ${header.length}`,
      );
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) record[header[i]!] = fields[i]!;
    return record;
  }
}

function checkHeader(fields: string[], line: number): string[] {
  const seen = new Set<string>();
  fields.forEach((name, i) => {
    if (name.trim() === "") throw new CsvSyntaxError(line, 1, `column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new CsvSyntaxError(line, 1, `the header names the column "${name}" twice`);
    if (name === "__proto__") throw new CsvSyntaxError(line, 1, 'a column cannot be named "__proto__"');
    seen.add(name);
  });
  return fields;
}

async function readJsonRows(spec: DataSpec): Promise<unknown[]> {
  const text = await readFile(spec.file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    const where = position === null ? "" : `${lineAndColumn(text, Number(position[1]))}: `;
    const problem = (error as Error).message.replace(/ in JSON at position \d+.*$/, "");
    throw new DataParseError(
      `the data file ${spec.path} is not valid JSON: ${where}${problem}`,
      'data.json() reads a JSON array of records: [{ "username": "u1" }, ...]',
      error,
    );
  }
  if (!Array.isArray(value)) {
    throw new DataParseError(
      `the data file ${spec.path} holds ${value === null ? "null" : typeof value}, not a JSON array`,
      "data.json() reads a JSON array: one element per row",
    );
  }
  return checkNotEmpty(spec, value.length, value);
}

/** "line L, column C" of a character offset (both 1-based). */
export function lineAndColumn(text: string, position: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${position - lineStart + 1}`;
}

export function checkNotEmpty<T>(spec: DataSpec, count: number, value: T): T {
  if (count === 0) {
    throw new DataParseError(
      `the data file ${spec.path} has no rows${spec.kind === "csv" ? " (a CSV's first line is its header)" : ""}`,
      "A data set needs at least one row",
    );
  }
  return value;
}

export function parseError(spec: Pick<DataSpec, "path">, error: unknown): Error {
  if (!(error instanceof CsvSyntaxError)) return error as Error;
  return new DataParseError(
    `the data file ${spec.path} does not parse: ${error.message}`,
    "A CSV has a header line, then one line per row, fields separated by commas; quote a field holding commas, quotes or line breaks",
    error,
  );
}

/** Rows held in memory (a file up to the limit, or any JSON file). */
class MemoryRows implements RowSource {
  private cursor = 0;

  constructor(
    private readonly rows: readonly unknown[],
    private readonly spec: DataSpec,
  ) {}

  get rowCount(): number {
    return this.rows.length;
  }

  async take(count: number): Promise<unknown[]> {
    const rows = this.rows;
    if (this.spec.mode === "random") {
      return Array.from({ length: count }, () => rows[Math.floor(Math.random() * rows.length)]);
    }
    const out: unknown[] = [];
    while (out.length < count) {
      if (this.cursor >= rows.length) {
        if (!this.spec.wrap) break;
        this.cursor = 0;
      }
      out.push(rows[this.cursor++]);
    }
    return out;
  }

  reset(): void {
    this.cursor = 0;
  }

  async close(): Promise<void> {}
}
