/**
 * HdrHistogram's V2 *uncompressed* encoding (what Java's `encodeIntoByteBuffer` and
 * hdr-histogram-js write before deflating), big-endian:
 *
 * | bytes | field |
 * | --- | --- |
 * | 4 | cookie 0x1c849313 (V2 base 0x1c849303 with the 0x10 "word size" bits every implementation sets) |
 * | 4 | payload length in bytes |
 * | 4 | normalizingIndexOffset (0) |
 * | 4 | numberOfSignificantValueDigits (3) |
 * | 8 | lowestDiscernibleValue (1) |
 * | 8 | highestTrackableValue |
 * | 8 | integerToDoubleValueConversionRatio (float64 1.0) |
 * | n | counts 0..index(max) as ZigZag LEB128-64b9B varints; a run of k > 1 zeros is written as -k |
 *
 * The compressed form (cookie 0x1c849314, int32 length, zlib deflate of these bytes) is left
 * to callers that have zlib; this layer must also run in the browser.
 */

/** Cookie of the uncompressed V2 encoding as written by Java, C and JS HdrHistogram. */
export const V2_ENCODING_COOKIE = 0x1c849313;
/** Cookie of the compressed V2 encoding (deflate of the uncompressed bytes), for callers that wrap it. */
export const V2_COMPRESSED_ENCODING_COOKIE = 0x1c849314;
/** Size of the V2 header in bytes. */
export const V2_HEADER_SIZE = 40;

const V2_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const TWO_POW_32 = 4294967296;

/** What the decoder read from a V2 header. */
export interface V2Header {
  significantDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  normalizingIndexOffset: number;
}

/** A growable big-endian byte writer (encoding is not a hot path). */
class ByteWriter {
  bytes = new Uint8Array(256);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  /** ZigZag LEB128-64b9B: 7 bits per byte for 8 bytes, then a full 9th byte. */
  zigZag(value: number): void {
    let rest = value >= 0 ? value * 2 : -value * 2 - 1;
    for (let i = 0; i < 8; i++) {
      if (rest < 128) {
        this.byte(rest);
        return;
      }
      this.byte((rest % 128) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.byte(rest);
  }
}

/**
 * Encodes a counts array given by its non-zero entries (`indices` ascending, `counts`
 * parallel, `length` of them) and its length `countsLimit` as V2 uncompressed bytes.
 * Zero runs follow Java exactly: a single zero is the count 0, a run of k > 1 zeros is -k.
 */
export function encodeV2(
  indices: ArrayLike<number>,
  counts: ArrayLike<number>,
  length: number,
  countsLimit: number,
  highestTrackableValue: number,
): Uint8Array {
  const writer = new ByteWriter();
  writer.length = V2_HEADER_SIZE;
  let next = 0;
  for (let k = 0; k < length; k++) {
    const index = indices[k]!;
    writeZeros(writer, index - next);
    writer.zigZag(counts[k]!);
    next = index + 1;
  }
  writeZeros(writer, countsLimit - next);
  const bytes = writer.bytes.slice(0, writer.length);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, V2_ENCODING_COOKIE);
  view.setInt32(4, bytes.length - V2_HEADER_SIZE);
  view.setInt32(8, 0);
  view.setInt32(12, 3);
  setInt64(view, 16, 1);
  setInt64(view, 24, highestTrackableValue);
  view.setFloat64(32, 1.0);
  return bytes;
}

function writeZeros(writer: ByteWriter, zeros: number): void {
  if (zeros === 1) writer.zigZag(0);
  else if (zeros > 1) writer.zigZag(-zeros);
}

/**
 * Decodes V2 uncompressed bytes, calling `onCount(index, count)` for every non-zero count.
 * Throws on anything that is not a V2 uncompressed histogram with 3 significant digits and
 * a lowest discernible value of 1 (our layout). normalizingIndexOffset is ignored, as
 * hdr-histogram-js ignores it (and writes 1 there); it is only non-zero after Java's shift ops.
 */
export function decodeV2(bytes: Uint8Array, onCount: (index: number, count: number) => void): V2Header {
  if (bytes.length < V2_HEADER_SIZE) throw new Error("HdrHistogram V2: buffer shorter than the header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cookieBase = view.getInt32(0) & ~0xf0;
  if (cookieBase === V2_COMPRESSED_COOKIE_BASE) {
    throw new Error("HdrHistogram V2: compressed encoding; inflate it first (zlib is not available here)");
  }
  if (cookieBase !== V2_COOKIE_BASE) throw new Error("HdrHistogram V2: no V2 encoding cookie found");
  const payloadLength = view.getInt32(4);
  const header: V2Header = {
    normalizingIndexOffset: view.getInt32(8),
    significantDigits: view.getInt32(12),
    lowestDiscernibleValue: getInt64(view, 16),
    highestTrackableValue: getInt64(view, 24),
  };
  if (header.significantDigits !== 3 || header.lowestDiscernibleValue !== 1) {
    throw new Error(
      `HdrHistogram V2: only 3 significant digits and lowest value 1 are supported ` +
        `(got ${header.significantDigits} and ${header.lowestDiscernibleValue})`,
    );
  }
  const end = V2_HEADER_SIZE + payloadLength;
  if (payloadLength < 0 || end > bytes.length) throw new Error("HdrHistogram V2: truncated payload");
  readCounts(bytes, V2_HEADER_SIZE, end, onCount);
  return header;
}

function readCounts(
  bytes: Uint8Array,
  start: number,
  end: number,
  onCount: (index: number, count: number) => void,
): void {
  let position = start;
  let index = 0;
  while (position < end) {
    // One- and two-byte varints (counts below 8192 and zero runs up to 8192, nearly all of
    // them) in integer arithmetic; longer ones below.
    const first = bytes[position]!;
    let small = -1;
    if (first < 0x80) {
      small = first;
      position++;
    } else if (position + 1 < end && bytes[position + 1]! < 0x80) {
      small = (first & 0x7f) | (bytes[position + 1]! << 7);
      position += 2;
    }
    if (small >= 0) {
      if ((small & 1) === 1) index += (small + 1) >> 1;
      else {
        if (small !== 0) onCount(index, small >> 1);
        index++;
      }
      continue;
    }
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 9; i++) {
      if (position >= end) throw new Error("HdrHistogram V2: truncated varint");
      const byte = bytes[position++]!;
      if (i === 8) {
        raw += byte * scale;
        break;
      }
      raw += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (value < 0) {
      index -= value;
    } else {
      if (value > 0) onCount(index, value);
      index++;
    }
  }
}

function setInt64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / TWO_POW_32));
  view.setUint32(offset + 4, value % TWO_POW_32);
}

function getInt64(view: DataView, offset: number): number {
  return view.getInt32(offset) * TWO_POW_32 + view.getUint32(offset + 4);
}
