/**
 * HdrHistogram's compressed V2 encoding as base64, the form Java's
 * `encodeIntoCompressedByteBuffer`, HdrHistogram_c and hdr-histogram-js
 * (`encodeIntoCompressedBase64`) exchange: int32 cookie 0x1c849314, int32 length of the
 * deflated bytes, then the zlib deflate of the uncompressed V2 payload (Histogram.encode()).
 */
import { deflateSync, inflateSync } from "node:zlib";
import { Histogram, V2_COMPRESSED_ENCODING_COOKIE } from "../stats/index.js";
import { HISTOGRAM_ENCODING, type JsonEntry, type JsonHistogram } from "./json-schema.js";

const HEADER_BYTES = 8;

/** The compressed V2 encoding of `histogram`, base64. */
export function encodeHistogramBase64(histogram: Histogram): string {
  const deflated = deflateSync(histogram.encode());
  const out = Buffer.alloc(HEADER_BYTES + deflated.length);
  out.writeInt32BE(V2_COMPRESSED_ENCODING_COOKIE, 0);
  out.writeInt32BE(deflated.length, 4);
  deflated.copy(out, HEADER_BYTES);
  return out.toString("base64");
}

/**
 * Decodes a compressed V2 base64 histogram (ours, or any HdrHistogram implementation's
 * with 3 significant digits). `exactRange` restores the exact min and max, which the
 * encoding rounds to bucket bounds.
 * @throws Error when the text is not a compressed V2 histogram.
 */
export function decodeHistogramBase64(base64: string, exactRange?: { min: number; max: number }): Histogram {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length < HEADER_BYTES)
    throw new Error("HdrHistogram: compressed encoding shorter than its header");
  // Implementations differ in the "word size" bits (0x10..0xf0) of the cookie; compare the rest.
  if ((bytes.readInt32BE(0) & ~0xf0) !== (V2_COMPRESSED_ENCODING_COOKIE & ~0xf0)) {
    throw new Error("HdrHistogram: no compressed V2 encoding cookie found");
  }
  const length = bytes.readInt32BE(4);
  if (length < 0 || HEADER_BYTES + length > bytes.length) {
    throw new Error("HdrHistogram: compressed payload is truncated");
  }
  const payload = inflateSync(bytes.subarray(HEADER_BYTES, HEADER_BYTES + length));
  return Histogram.decode(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), exactRange);
}

/** The JSON form of a histogram of microseconds; null when it is empty. */
export function toJsonHistogram(histogram: Histogram): JsonHistogram | null {
  if (histogram.totalCount === 0) return null;
  return {
    encoding: HISTOGRAM_ENCODING,
    unit: "us",
    minUs: histogram.minValue,
    maxUs: histogram.maxValue,
    data: encodeHistogramBase64(histogram),
  };
}

/** The histogram of a JSON report's histogram field, with its exact min and max. */
export function decodeJsonHistogram(json: JsonHistogram): Histogram {
  if (json.encoding !== HISTOGRAM_ENCODING) throw new Error(`unknown histogram encoding '${json.encoding}'`);
  return decodeHistogramBase64(json.data, { min: json.minUs, max: json.maxUs });
}

/**
 * One histogram (µs) of several report entries, e.g. the same name in two runs or in
 * reports of several machines: counts add up exactly, so its percentiles are those of
 * all the requests together. Entries without a histogram add nothing.
 */
export function mergeEntryHistograms(entries: readonly Pick<JsonEntry, "histogram">[]): Histogram {
  const merged = new Histogram();
  for (const entry of entries) if (entry.histogram) merged.add(decodeJsonHistogram(entry.histogram));
  return merged;
}

/**
 * Percentiles (each p in 0..1) of a merged histogram, in ms, as a report would show them:
 * null when it is empty.
 */
export function histogramPercentilesMs(histogram: Histogram, ps: readonly number[]): Array<number | null> {
  if (histogram.totalCount === 0) return ps.map(() => null);
  return histogram.valuesAtPercentiles(ps.map((p) => p * 100)).map((us) => us / 1000);
}
