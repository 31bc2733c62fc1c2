/**
 * What a session sends by default (User-Agent, Accept-Encoding) and how it decodes
 * compressed bodies: every coding, streamed, capped, with the wire size kept as the
 * event's responseLength (as Locust) and the decoded size on the response.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, startServer } from "./helpers.js";

const version = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const json = Buffer.from(
  JSON.stringify({ greeting: "hello", items: Array.from({ length: 50 }, (_, i) => i) }),
);
const encoders: Record<string, (data: Buffer) => Buffer> = {
  gzip: gzipSync,
  "x-gzip": gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

describe("compression and default headers", () => {
  it("sends User-Agent: cicada/<version> and Accept-Encoding: gzip, deflate, br by default", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    const { session } = recordingSession({ baseUrl: server.url });
    await session.get("/");
    assert.equal(server.seen[0]!.headers["user-agent"], `cicada/${version}`);
    assert.equal(server.seen[0]!.headers["accept-encoding"], "gzip, deflate, br");
    await session.close();
    const custom = recordingSession({
      baseUrl: server.url,
      defaultHeaders: { "User-Agent": "my-agent" },
      acceptEncoding: "gzip",
    }).session;
    await custom.get("/");
    await custom.get("/", { headers: { "accept-encoding": "identity", "user-agent": "per-request" } });
    assert.equal(server.seen[1]!.headers["user-agent"], "my-agent");
    assert.equal(server.seen[1]!.headers["accept-encoding"], "gzip");
    assert.equal(server.seen[2]!.headers["user-agent"], "per-request");
    assert.equal(server.seen[2]!.headers["accept-encoding"], "identity");
    await custom.close();
    await server.close();
  });

  it("decodes gzip, x-gzip, deflate, raw deflate and br; responseLength stays the wire size", async () => {
    const server = await startServer((req, res) => {
      const coding = req.url!.slice(1);
      const body = coding === "raw-deflate" ? deflateRawSync(json) : encoders[coding]!(json);
      res.writeHead(200, {
        "content-encoding": coding === "raw-deflate" ? "deflate" : coding,
        "content-type": "application/json",
        "content-length": body.length,
      });
      res.end(body);
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    for (const coding of [...Object.keys(encoders), "raw-deflate"]) {
      const res = await session.get(`/${coding}`);
      assert.equal(res.error, null, `${coding}: ${res.error?.message}`);
      assert.deepEqual(res.json(), JSON.parse(json.toString()), coding);
      assert.equal(res.decodedBodySize, json.length);
      assert.ok(res.encodedBodySize < json.length, `${coding} arrived compressed`);
      assert.equal(events.at(-1)!.responseLength, res.encodedBodySize, "the event counts wire bytes");
    }
    await session.close();
    await server.close();
  });

  it("decodes a chunked body as its pieces arrive, and codings applied one after another", async () => {
    const big = Buffer.from("0123456789abcdef".repeat(20_000));
    const twice = gzipSync(deflateSync(big));
    const server = await startServer(async (req, res) => {
      if (req.url === "/twice") {
        res.writeHead(200, { "content-encoding": "deflate, gzip" });
        res.end(twice);
        return;
      }
      res.writeHead(200, { "content-encoding": "gzip" }); // chunked
      const compressed = gzipSync(big);
      for (let at = 0; at < compressed.length; at += 97) {
        res.write(compressed.subarray(at, at + 97));
        if (at % 970 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      res.end();
    });
    const { session } = recordingSession({ baseUrl: server.url });
    const chunked = await session.get("/chunked");
    assert.equal(chunked.error, null);
    assert.ok(Buffer.from(chunked.body).equals(big));
    const layered = await session.get("/twice");
    assert.equal(layered.error, null);
    assert.ok(Buffer.from(layered.body).equals(big));
    assert.equal(layered.encodedBodySize, twice.length);
    await session.close();
    await server.close();
  });

  it("stops a decompression bomb at maxDecodedBodySize with a DecompressionError", async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024)); // 32 MiB of zeros, about 32 KB on the wire
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": bomb.length });
      res.end(bomb);
    });
    const { session, events } = recordingSession({ baseUrl: server.url, maxDecodedBodySize: 1024 * 1024 });
    const res = await session.get("/bomb");
    assert.equal(res.status, 200);
    assert.equal(res.ok, false);
    assert.match(
      describeFailure(res.error!),
      /^DecompressionError: the decoded body exceeds 1048576 bytes \(maxResponseBodySize\) after \d+ bytes on the wire/,
    );
    assert.equal(res.body.byteLength, 0);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.exception, res.error);
    // The session carries on.
    const next = await session.get("/bomb", { headers: { "accept-encoding": "gzip" } });
    assert.equal(next.error?.name, "DecompressionError");
    await session.close();
    await server.close();
  });

  it("fails a corrupt body, and leaves unknown codings and acceptEncoding = false bodies as they came", async () => {
    const gzipped = gzipSync(json);
    const server = await startServer((req, res) => {
      if (req.url === "/corrupt") {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end(Buffer.from("this is not gzip"));
      } else if (req.url === "/zstd") {
        res.writeHead(200, { "content-encoding": "zstd" });
        res.end(Buffer.from("zstd bytes"));
      } else if (req.url === "/empty") {
        res.writeHead(200, { "content-encoding": "gzip", "content-length": 0 });
        res.end();
      } else {
        res.writeHead(200, { "content-encoding": "gzip", "content-length": gzipped.length });
        res.end(gzipped);
      }
    });
    const { session } = recordingSession({ baseUrl: server.url });
    const corrupt = await session.get("/corrupt");
    assert.match(
      describeFailure(corrupt.error!),
      /^DecompressionError: the gzip body could not be decoded: /,
    );
    const zstd = await session.get("/zstd");
    assert.equal(zstd.error, null);
    assert.equal(zstd.text(), "zstd bytes");
    const empty = await session.get("/empty");
    assert.equal(empty.error, null);
    assert.equal(empty.body.byteLength, 0);
    const head = await session.head("/gzip");
    assert.equal(head.error, null);
    await session.close();

    const raw = recordingSession({ baseUrl: server.url, acceptEncoding: false }).session;
    const res = await raw.get("/gzip");
    assert.equal(server.seen.at(-1)!.headers["accept-encoding"], undefined);
    assert.ok(Buffer.from(res.body).equals(gzipped), "left compressed");
    await raw.close();
    await server.close();
  });
});
