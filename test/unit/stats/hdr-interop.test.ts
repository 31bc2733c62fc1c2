// Our V2 encoding against the hdr-histogram-js package (a port of Java's HdrHistogram),
// through the standard *compressed* V2 form: cookie 0x1c849314, int32 length, deflate.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deflateSync, inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { V2_COMPRESSED_ENCODING_COOKIE } from "../../../src/stats/hdr-encoding.js";
import { Histogram } from "../../../src/stats/histogram.js";
import { lognormalSamples } from "./samples.js";

function compress(uncompressed: Uint8Array): string {
  const deflated = deflateSync(uncompressed);
  const out = new Uint8Array(8 + deflated.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, V2_COMPRESSED_ENCODING_COOKIE);
  view.setInt32(4, deflated.length);
  out.set(deflated, 8);
  return Buffer.from(out).toString("base64");
}

function uncompress(base64: string): Uint8Array {
  const bytes = Buffer.from(base64, "base64");
  const length = bytes.readInt32BE(4);
  return new Uint8Array(inflateSync(bytes.subarray(8, 8 + length)));
}

const samples = [...lognormalSamples(20_000, 11, 40_000, 1.5, 50, 60_000_000), 1, 3.6e9, 2 ** 40];
const PERCENTILES = [1, 25, 50, 90, 95, 99, 99.9, 99.99];

/** Two values are "equivalent" when they fall in the same HdrHistogram slot. */
function assertEquivalent(ours: Histogram, value: number, percentile: number, theirs: number): void {
  const probe = new Histogram();
  probe.record(value);
  probe.record(theirs);
  let slots = 0;
  probe.forEachBucket(() => slots++);
  assert.equal(
    slots,
    1,
    `p${percentile}: ${value} and ${theirs} are in different slots (ours n=${ours.totalCount})`,
  );
}

describe("HdrHistogram V2 interop with hdr-histogram-js", () => {
  it("hdr-histogram-js decodes what we encode", () => {
    const ours = new Histogram();
    for (const value of samples) ours.record(value);
    const theirs = hdr.decodeFromCompressedBase64(compress(ours.encode()), 64);
    assert.equal(theirs.totalCount, ours.totalCount);
    for (const p of PERCENTILES)
      assertEquivalent(ours, ours.valueAtPercentile(p), p, theirs.getValueAtPercentile(p));
    assertEquivalent(ours, ours.maxValue, 100, theirs.maxValue);
  });

  it("we decode what hdr-histogram-js encodes", () => {
    const theirs = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    for (const value of samples) theirs.recordValue(value);
    const ours = Histogram.decode(uncompress(hdr.encodeIntoCompressedBase64(theirs)));
    assert.equal(ours.totalCount, theirs.totalCount);
    for (const p of PERCENTILES)
      assertEquivalent(ours, ours.valueAtPercentile(p), p, theirs.getValueAtPercentile(p));
  });

  it("our counts payload is byte-identical to hdr-histogram-js's", () => {
    const ours = new Histogram();
    const theirs = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    for (const value of samples) {
      ours.record(value);
      theirs.recordValue(value);
    }
    const theirBytes = uncompress(hdr.encodeIntoCompressedBase64(theirs));
    const ourBytes = ours.encode();
    // The header differs only where hdr-histogram-js departs from Java (it writes 1 as the
    // normalizing offset and the integer 1 as the double ratio) and in highestTrackableValue.
    assert.deepEqual(Buffer.from(ourBytes.subarray(40)), Buffer.from(theirBytes.subarray(40)));
    assert.deepEqual(Buffer.from(ourBytes.subarray(0, 8)), Buffer.from(theirBytes.subarray(0, 8)));
  });
});
