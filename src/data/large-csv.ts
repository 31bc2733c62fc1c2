/**
 * A CSV larger than the in-memory limit, never loaded whole: scanned once (every row
 * checked, rows counted, and for random mode each row's byte offset kept: 8 bytes a
 * row), then streamed forward from disk (unique, sequential) or read a row at a time at
 * its offset (random).
 */
import { type FileHandle, open } from "node:fs/promises";
import { CsvParser } from "./csv-parser.js";
import {
  CsvRecords,
  checkNotEmpty,
  type DataSpec,
  missingFile,
  parseError,
  type RowSource,
} from "./sources.js";

const CHUNK_BYTES = 64 * 1024;

/** Scans a large CSV and returns the source that reads it in `spec`'s mode. */
export async function openLargeCsv(spec: DataSpec): Promise<RowSource> {
  const scan = await scanCsv(spec, spec.mode === "random");
  return spec.mode === "random" ? new IndexedRows(spec, scan) : new StreamRows(spec, scan);
}

/** What one pass over a large CSV learned. */
interface CsvScan {
  header: string[];
  rows: number;
  /** Byte offsets of the data rows, then the file's size (random mode only). */
  offsets: Float64Array | undefined;
  /** Where the first data row starts. */
  firstRowOffset: number;
}

/** Reads a large CSV once: checks every row and counts them (and keeps their offsets for random mode). */
async function scanCsv(spec: DataSpec, keepOffsets: boolean): Promise<CsvScan> {
  const records = new CsvRecords();
  let rows = 0;
  let firstRowOffset = -1;
  let offsets: Float64Array | undefined = keepOffsets ? new Float64Array(1 << 16) : undefined;
  let size = 0;
  let parser: CsvParser | undefined;
  await forEachChunk(
    spec,
    0,
    (chunk, chunkParser) => {
      parser = chunkParser;
      size += chunk.length;
      chunkParser.push(chunk, onRow);
    },
    (chunkParser) => chunkParser.end(onRow),
  );
  function onRow(fields: string[], offset: number, line: number): void {
    // Only the header's names are needed: the rows' width is checked without decoding them.
    if (records.header === undefined) {
      records.record(fields, line);
      if (parser !== undefined) parser.decodeFields = false;
    } else {
      if (fields.length !== records.header.length) records.record(fields, line);
      if (firstRowOffset < 0) firstRowOffset = offset;
      if (offsets !== undefined) {
        if (rows + 1 >= offsets.length) offsets = grow(offsets);
        offsets[rows] = offset;
      }
      rows++;
    }
  }
  checkNotEmpty(spec, rows, undefined);
  if (offsets !== undefined) offsets[rows] = size;
  return { header: records.header!, rows, offsets, firstRowOffset };
}

function grow(array: Float64Array): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Reads a file from `offset` in chunks through a CsvParser; parse errors become DataParseErrors. */
async function forEachChunk(
  spec: DataSpec,
  offset: number,
  onChunk: (chunk: Uint8Array, parser: CsvParser) => void,
  onEnd: (parser: CsvParser) => void,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(spec.file, "r");
  } catch (error) {
    throw missingFile(spec, error);
  }
  try {
    const parser = new CsvParser(offset);
    const buffer = new Uint8Array(CHUNK_BYTES);
    let position = offset;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      onChunk(buffer.subarray(0, bytesRead), parser);
    }
    onEnd(parser);
  } catch (error) {
    throw parseError(spec, error);
  } finally {
    await handle.close();
  }
}

/** A large CSV on disk, checked by a scan: what its two readers share. */
abstract class FileRows implements RowSource {
  protected readonly records = new CsvRecords();
  private handle: FileHandle | undefined;

  constructor(
    protected readonly spec: DataSpec,
    protected readonly scan: CsvScan,
  ) {
    this.records.header = scan.header;
  }

  get rowCount(): number {
    return this.scan.rows;
  }

  abstract take(count: number): Promise<unknown[]>;
  abstract reset(): void;

  /** The open file (opened on first use, kept until close). */
  protected async file(): Promise<FileHandle> {
    this.handle ??= await open(this.spec.file, "r").catch((error: unknown) => {
      throw missingFile(this.spec, error);
    });
    return this.handle;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** A large CSV read forward from disk as rows are asked for (unique and sequential modes). */
class StreamRows extends FileRows {
  private parser: CsvParser | undefined;
  private position = 0;
  private atEnd = false;
  private ready: unknown[] = [];
  private readonly buffer = new Uint8Array(CHUNK_BYTES);

  constructor(spec: DataSpec, scan: CsvScan) {
    super(spec, scan);
    this.reset();
  }

  async take(count: number): Promise<unknown[]> {
    const out: unknown[] = [];
    while (out.length < count) {
      if (this.ready.length === 0) {
        if (this.atEnd) {
          if (!this.spec.wrap) break;
          this.reset();
        }
        await this.readChunk();
        continue;
      }
      out.push(...this.ready.splice(0, count - out.length));
    }
    return out;
  }

  reset(): void {
    this.position = this.scan.firstRowOffset;
    this.parser = new CsvParser(this.position);
    this.atEnd = false;
    this.ready = [];
  }

  private async readChunk(): Promise<void> {
    const handle = await this.file();
    const parser = this.parser!;
    const onRow = (fields: string[], _offset: number, line: number) => {
      this.ready.push(this.records.record(fields, line));
    };
    const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, this.position);
    try {
      if (bytesRead === 0) {
        parser.end(onRow);
        this.atEnd = true;
      } else {
        this.position += bytesRead;
        parser.push(this.buffer.subarray(0, bytesRead), onRow);
      }
    } catch (error) {
      // The scan read this file whole: it changed since.
      throw parseError(this.spec, error);
    }
  }
}

/** A large CSV read a row at a time at random (random mode), at the offsets of the scan. */
class IndexedRows extends FileRows {
  async take(count: number): Promise<unknown[]> {
    const handle = await this.file();
    const offsets = this.scan.offsets!;
    const out: unknown[] = [];
    for (let k = 0; k < count; k++) {
      const row = Math.floor(Math.random() * this.scan.rows);
      const start = offsets[row]!;
      const bytes = new Uint8Array(offsets[row + 1]! - start);
      await handle.read(bytes, 0, bytes.length, start);
      const parser = new CsvParser(start);
      const onRow = (fields: string[], _offset: number, line: number) => {
        out.push(this.records.record(fields, line));
      };
      try {
        parser.push(bytes, onRow);
        parser.end(onRow);
      } catch (error) {
        throw parseError(this.spec, error);
      }
    }
    return out;
  }

  reset(): void {}
}
