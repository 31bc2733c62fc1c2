/**
 * Compression of what the web UI downloads: the app's files are compressed once at build
 * time (scripts/build.mjs writes .br and .gz beside them; @fastify/static picks one),
 * JSON and HTML answers are compressed as they are sent, and each live stream has its own
 * gzip stream, flushed after every event so nothing waits in a buffer. A stream's
 * compression context spans its events, so a tick that repeats the names of the last one
 * costs little.
 */
import type { ServerResponse } from "node:http";
import { brotliCompressSync, constants, createGzip, type Gzip, gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";

/** Smaller answers are sent as they are (compression would not pay). */
const MIN_BYTES = 1024;

export type Encoding = "br" | "gzip";

/** The encoding to use for an Accept-Encoding header (br, then gzip), or undefined. */
export function chooseEncoding(
  acceptEncoding: string | string[] | undefined,
  allowBrotli = true,
): Encoding | undefined {
  const header = (
    Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : (acceptEncoding ?? "")
  ).toLowerCase();
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (allowBrotli && ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return undefined;
}

/** Compresses JSON, HTML, CSV and text answers the routes send as strings or buffers. */
export function registerCompression(app: FastifyInstance): void {
  app.addHook("onSend", async (req, reply, payload) => {
    if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return payload;
    if (reply.hasHeader("content-encoding")) return payload;
    const type = String(reply.getHeader("content-type") ?? "");
    if (!/json|html|text|csv|javascript/.test(type)) return payload;
    const body = typeof payload === "string" ? Buffer.from(payload) : payload;
    reply.header("vary", "accept-encoding");
    if (body.length < MIN_BYTES) return payload;
    const encoding = chooseEncoding(req.headers["accept-encoding"]);
    if (encoding === undefined) return payload;
    // Quality 5 of 11: most of brotli's gain at a fraction of its cost, for a live answer.
    const compressed =
      encoding === "br"
        ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : gzipSync(body, { level: 6 });
    reply.header("content-encoding", encoding);
    reply.header("content-length", compressed.length);
    return compressed;
  });
}

/**
 * A writer for one Server-Sent Events response: gzip when the browser accepts it (every
 * one does), flushed after each write. Returns the headers to add and the write/end pair.
 */
export function eventStreamWriter(
  raw: ServerResponse,
  acceptEncoding: string | string[] | undefined,
): {
  headers: Record<string, string>;
  write: (text: string) => void;
  end: () => void;
  /** Bytes waiting to be sent (compressed or not). */
  pending: () => number;
} {
  if (chooseEncoding(acceptEncoding, false) !== "gzip") {
    return {
      headers: {},
      write: (text) => raw.write(text),
      end: () => raw.end(),
      pending: () => raw.writableLength,
    };
  }
  const gzip: Gzip = createGzip({ level: 6 });
  // A browser that went away ends the response; its stream's errors have no one to tell.
  gzip.on("error", () => raw.destroy());
  gzip.pipe(raw);
  return {
    headers: { "content-encoding": "gzip", vary: "accept-encoding" },
    write: (text) => {
      if (gzip.destroyed || raw.destroyed) return;
      gzip.write(text);
      gzip.flush(constants.Z_SYNC_FLUSH);
    },
    end: () => gzip.end(),
    pending: () => raw.writableLength + gzip.writableLength,
  };
}
