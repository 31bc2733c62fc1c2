/**
 * Decoding compressed response bodies (Content-Encoding gzip, deflate, br) with
 * `node:zlib`, as the body arrives: each piece goes to the decoder when it is read, and
 * the decoded bytes are counted as they come out, so a decompression bomb is stopped at
 * the cap (a `DecompressionError`) instead of filling the memory.
 */
import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import { bodyTooLargeError, HttpRequestError } from "./errors.js";

/** What Cicada asks for by default, as browsers and Locust's FastHttpUser do. */
export const DEFAULT_ACCEPT_ENCODING = "gzip, deflate, br";
/** Default cap on a decoded body. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

type Coding = "gzip" | "deflate" | "br";

/** The codings of a Content-Encoding value, in the order they were applied; null when one is unknown. */
export function parseContentEncoding(value: string): Coding[] | null {
  const codings: Coding[] = [];
  for (const raw of value.split(",")) {
    const coding = raw.trim().toLowerCase();
    if (coding === "" || coding === "identity") continue;
    if (coding === "gzip" || coding === "x-gzip") codings.push("gzip");
    else if (coding === "deflate" || coding === "br") codings.push(coding);
    else return null; // e.g. zstd: left as it arrived
  }
  return codings;
}

/** Told once how decoding ended: the decoded body, or why it failed. */
export type DecodeDone = (body: Buffer | null, error: HttpRequestError | null) => void;

/** Decodes one response body as it arrives. */
export class BodyDecoder {
  private first: Transform | null = null;
  private readonly chunks: Buffer[] = [];
  private decodedBytes = 0;
  private encodedBytes = 0;
  private ended = false;
  private finished = false;

  /**
   * @param codings as applied by the server (decoded in the reverse order)
   * @param maxBytes the most decoded bytes accepted
   */
  constructor(
    private readonly codings: Coding[],
    private readonly maxBytes: number,
    private readonly done: DecodeDone,
  ) {}

  /** A piece of the body as it came off the wire. */
  write(chunk: Buffer): void {
    if (this.finished) return;
    this.encodedBytes += chunk.length;
    this.first ??= this.pipeline(chunk);
    this.first.write(chunk);
    // zlib decodes off the main thread: a body arriving faster than it decodes waits in
    // the stream's buffer, which counts against the limit too.
    if (this.first.writableLength > this.maxBytes) this.stop(bodyTooLargeError(this.maxBytes));
  }

  /** The whole body has arrived. */
  end(): void {
    if (this.finished || this.ended) return;
    this.ended = true;
    // An empty body decodes to an empty body (zlib would call it truncated).
    if (this.first === null) this.finish(Buffer.alloc(0), null);
    else this.first.end();
  }

  /** Stops decoding; `done` is not called. */
  abort(): void {
    this.finished = true;
    this.first?.destroy();
  }

  /** The decoders, last coding first; a zlib-wrapped or raw deflate stream is told by its first bytes. */
  private pipeline(firstChunk: Buffer): Transform {
    const stages = [...this.codings].reverse().map((coding, index) => {
      if (coding === "gzip") return createGunzip();
      if (coding === "br") return createBrotliDecompress();
      // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate, which browsers accept.
      return index === 0 && !isZlibHeader(firstChunk) ? createInflateRaw() : createInflate();
    });
    for (let i = 0; i < stages.length; i++) {
      stages[i]!.on("error", (error: Error) => this.fail(error));
      if (i + 1 < stages.length) stages[i]!.pipe(stages[i + 1]!);
    }
    const last = stages[stages.length - 1]!;
    last.on("data", (chunk: Buffer) => this.onDecoded(chunk));
    last.on("end", () => this.finish(Buffer.concat(this.chunks, this.decodedBytes), null));
    return stages[0]!;
  }

  private onDecoded(chunk: Buffer): void {
    if (this.finished) return;
    this.decodedBytes += chunk.length;
    if (this.decodedBytes > this.maxBytes) {
      const message =
        `the decoded body exceeds ${this.maxBytes} bytes (maxResponseBodySize) after ` +
        `${this.encodedBytes} bytes on the wire: a decompression bomb, or raise maxResponseBodySize`;
      this.stop(new HttpRequestError("DecompressionError", message));
      return;
    }
    this.chunks.push(chunk);
  }

  private fail(error: Error): void {
    const codings = this.codings.join(", ");
    this.stop(
      new HttpRequestError(
        "DecompressionError",
        `the ${codings} body could not be decoded: ${error.message}`,
        { cause: error },
      ),
    );
  }

  private stop(error: HttpRequestError): void {
    if (this.finished) return;
    this.abort();
    this.done(null, error);
  }

  private finish(body: Buffer, error: HttpRequestError | null): void {
    if (this.finished) return;
    this.finished = true;
    this.done(body, error);
  }
}

/** A zlib stream starts with CMF/FLG: compression method 8 and a header checksum divisible by 31. */
function isZlibHeader(chunk: Buffer): boolean {
  if (chunk.length < 2) return true;
  return (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
}
