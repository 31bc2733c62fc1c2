import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResponseHead } from "../../../src/http/response-head.js";
import { MAX_HEAD_BYTES, ResponseParseError, ResponseParser } from "../../../src/http/response-parser.js";
import { cicadaVerdict, type Verdict } from "./llhttp-oracle.js";

interface Parsed {
  head?: ResponseHead;
  body: string;
  ends: boolean[];
}

/** Feeds `text` to a parser in pieces of `size` bytes (all sizes from 1 up when `size` is 0). */
function parse(text: string, size: number, isHead = false): { parsed: Parsed; parser: ResponseParser } {
  const parsed: Parsed = { body: "", ends: [] };
  const parser = new ResponseParser({
    onResponseHead: (head) => {
      parsed.head = head;
    },
    onResponseBody: (chunk) => {
      parsed.body += chunk.toString("latin1");
    },
    onResponseEnd: (keepAlive) => parsed.ends.push(keepAlive),
  });
  parser.expect(isHead);
  const bytes = Buffer.from(text, "latin1");
  for (let at = 0; at < bytes.length; at += size) parser.execute(bytes.subarray(at, at + size));
  return { parsed, parser };
}

/** Parses `text` split at every possible piece size, checking each gives the same result. */
function parseEverySplit(text: string, isHead = false): Parsed {
  const whole = parse(text, text.length, isHead).parsed;
  for (let size = 1; size < text.length; size++) {
    const split = parse(text, size, isHead).parsed;
    assert.equal(split.body, whole.body, `body with pieces of ${size}`);
    assert.deepEqual(split.ends, whole.ends, `ends with pieces of ${size}`);
    assert.equal(split.head?.status, whole.head?.status);
  }
  return whole;
}

describe("ResponseParser", () => {
  it("reads a Content-Length response, whatever the pieces it arrives in", () => {
    const parsed = parseEverySplit(
      "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\nhello",
    );
    assert.equal(parsed.head?.status, 200);
    assert.equal(parsed.head?.statusText, "OK");
    assert.equal(parsed.body, "hello");
    assert.deepEqual(parsed.ends, [true]);
    assert.equal(parsed.head?.hasSetCookie, true);
    assert.equal(parsed.head?.get("server"), "test");
    assert.deepEqual(parsed.head?.getAll("x-twice"), ["1", "2"]);
    assert.deepEqual(parsed.head?.toRecord(), {
      server: "test",
      "content-length": "5",
      "set-cookie": ["a=1"],
      "x-twice": ["1", "2"],
    });
  });

  it("decodes chunked bodies with extensions and trailers", () => {
    const parsed = parseEverySplit(
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;ext=1\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    assert.equal(parsed.head?.statusText, "Created");
    assert.equal(parsed.body, "hello abcdefghijklmnopqrstuvwxy");
    assert.deepEqual(parsed.ends, [true]);
  });

  it("reads until the connection closes when there is no length, and says not to keep it", () => {
    const { parsed, parser } = parse("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body", 7);
    assert.equal(parsed.body, "some body");
    assert.deepEqual(parsed.ends, []);
    assert.equal(parser.readsUntilClose, true);
    assert.equal(parser.finishOnClose(), true);
    assert.deepEqual(parsed.ends, [false]);
  });

  it("follows the keep-alive rules of HTTP/1.0 and 1.1 and the Connection header", () => {
    const ends = (text: string) => parse(text, text.length).parsed.ends;
    assert.deepEqual(ends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), [true]);
    assert.deepEqual(ends("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), [false]);
    assert.deepEqual(ends("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n"), [
      false,
    ]);
    assert.deepEqual(ends("HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nContent-Length: 0\r\n\r\n"), [
      false,
    ]);
    // llhttp reads a token followed by a tab as another token: the connection stays open.
    assert.deepEqual(ends("HTTP/1.1 200 OK\r\nConnection: close\t\r\nContent-Length: 0\r\n\r\n"), [true]);
    assert.deepEqual(ends("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), [false]);
    assert.deepEqual(ends("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"), [true]);
    // A trailer can close the connection too.
    assert.deepEqual(
      ends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n\r\n"),
      [false],
    );
  });

  it("reads no body for HEAD, 204 and 304, and skips 1xx interim responses", () => {
    const head = parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 4, true).parsed;
    assert.equal(head.body, "");
    assert.deepEqual(head.ends, [true]);
    assert.deepEqual(parseEverySplit("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n").ends, [true]);
    assert.deepEqual(parseEverySplit("HTTP/1.1 304 Not Modified\r\n\r\n").ends, [true]);
    const interim = parseEverySplit(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    );
    assert.equal(interim.head?.status, 200);
    assert.equal(interim.body, "ok");
  });

  it("accepts a status line without a reason phrase, and empty lines before it", () => {
    const parsed = parseEverySplit("\r\n\r\nHTTP/1.1 404\r\nContent-Length: 2\r\n\r\nno");
    assert.equal(parsed.head?.status, 404);
    assert.equal(parsed.head?.statusText, "");
    assert.equal(parsed.head?.httpVersion, "1.1");
    assert.equal(parsed.body, "no");
  });

  it("keeps header values as sent, without the spaces and tabs around them", () => {
    const parsed = parseEverySplit(
      "HTTP/1.1 200 OK\r\nX:  a b \t\r\nY: caf\xe9\xa0\r\nZ:\r\nContent-Length: 0\r\n\r\n",
    );
    assert.deepEqual(parsed.head?.list(), ["x", "a b", "y", "caf\xe9\xa0", "z", "", "content-length", "0"]);
  });

  it("reports bytes after a complete response as unexpected", () => {
    const parser = new ResponseParser({ onResponseHead() {}, onResponseBody() {}, onResponseEnd() {} });
    parser.expect(false);
    assert.equal(parser.execute(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")), true);
    assert.equal(parser.execute(Buffer.from("extra")), false);
  });

  it("rejects what is not HTTP/1.x framing", () => {
    const bad = (text: string, message: RegExp) =>
      assert.throws(
        () => parse(text, text.length),
        (error: unknown) => {
          assert.ok(error instanceof ResponseParseError);
          assert.match(error.message, message);
          return true;
        },
      );
    bad("SSH-2.0-OpenSSH_9.2\r\n\r\n", /not an HTTP\/1.x status line/);
    bad("HTTP/1.1 2x0 OK\r\n\r\n", /invalid status code/);
    bad("HTTP/1.1 2000 OK\r\n\r\n", /invalid status code/);
    bad("HTTP/1.3 200 OK\r\n\r\n", /unsupported HTTP version 1.3/);
    bad("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", /missing CR/);
    bad("HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n", /whitespace before the colon/);
    bad("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", /invalid header line/);
    bad("HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n", /invalid character 0x00 in header X/);
    bad("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", /more than one Content-Length/);
    bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /invalid Content-Length/);
    bad("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", /Content-Length too large/);
    bad("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", /in the same response/);
    bad("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", /folding/);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /invalid chunk size/);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\n", /invalid chunk size/);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b c\r\n", /invalid chunk extension/);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", /longer than its size/);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", /chunk size too large/);
    bad(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
      /switched protocols/,
    );
    const huge = `HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(MAX_HEAD_BYTES)}`;
    assert.throws(() => parse(huge, 1024), /response head over 64 KiB/);
  });

  it("stops a pass when a callback resets it (the session closed mid-response)", () => {
    let bodies = 0;
    const parser: ResponseParser = new ResponseParser({
      onResponseHead: () => parser.reset(),
      onResponseBody: () => bodies++,
      onResponseEnd: () => assert.fail("no end after a reset"),
    });
    parser.expect(false);
    parser.execute(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assert.equal(bodies, 0);
    assert.equal(parser.busy, false);
  });
});

/**
 * Header lines of about 8 KB filling `headerBytes` exactly (at least 20), for heads and
 * trailer blocks of an exact size.
 */
function fillerLines(headerBytes: number): string {
  let lines = "";
  for (let i = 0; headerBytes - lines.length > 8200; i++) lines += `X-Fill-${i}: ${"v".repeat(8000)}\r\n`;
  const last = "X-Last: \r\n";
  return `${lines}X-Last: ${"w".repeat(headerBytes - lines.length - last.length)}\r\n`;
}

/** `bytes` cut in two at many places (all near either end, every 61st between), and whole. */
function verdictsOverSplits(bytes: Buffer, region: number): Verdict[] {
  const verdicts = [cicadaVerdict(bytes, "GET", []), cicadaVerdict(bytes, "GET", [], true)];
  for (let at = 1; at < region; at++) {
    if (at < 200 || at > region - 200 || at % 61 === 0) verdicts.push(cicadaVerdict(bytes, "GET", [at]));
  }
  const third = Math.floor(region / 3);
  verdicts.push(cicadaVerdict(bytes, "GET", [third, 2 * third], true));
  return verdicts;
}

describe("the response head limit (MAX_HEAD_BYTES), however the bytes arrive", () => {
  const statusLine = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
  /** A response whose head (status line to blank line, both included) is `size` bytes. */
  const withHead = (size: number) =>
    Buffer.from(`${statusLine}${fillerLines(size - statusLine.length - 2)}\r\nok`, "latin1");

  it("accepts a head of exactly MAX_HEAD_BYTES, and rejects one byte more, wherever it is split", () => {
    const fits = withHead(MAX_HEAD_BYTES);
    for (const verdict of verdictsOverSplits(fits, MAX_HEAD_BYTES)) {
      assert.equal(verdict.accepted, true, verdict.reason);
      assert.equal(verdict.body, "ok");
    }
    const over = withHead(MAX_HEAD_BYTES + 1);
    for (const verdict of verdictsOverSplits(over, MAX_HEAD_BYTES + 1)) {
      assert.deepEqual(verdict, { accepted: false, reason: "response head over 64 KiB" });
    }
  });

  it("rejects an 85 KB head in one piece as in two (it used to be accepted in one)", () => {
    const big = withHead(85_000);
    assert.equal(cicadaVerdict(big, "GET", []).reason, "response head over 64 KiB");
    assert.equal(cicadaVerdict(big, "GET", [40_000]).reason, "response head over 64 KiB");
  });

  it("does not count empty lines before the head", () => {
    const fits = Buffer.concat([Buffer.from("\r\n\r\n"), withHead(MAX_HEAD_BYTES)]);
    for (const verdict of verdictsOverSplits(fits, 300)) assert.equal(verdict.accepted, true, verdict.reason);
  });

  it("limits a trailer block the same way", () => {
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n";
    const withTrailers = (size: number) => Buffer.from(`${chunked}${fillerLines(size - 2)}\r\n`, "latin1");
    for (const verdict of verdictsOverSplits(withTrailers(MAX_HEAD_BYTES), MAX_HEAD_BYTES)) {
      assert.equal(verdict.accepted, true, verdict.reason);
    }
    for (const verdict of verdictsOverSplits(withTrailers(MAX_HEAD_BYTES + 1), MAX_HEAD_BYTES)) {
      assert.deepEqual(verdict, { accepted: false, reason: "response trailers over 64 KiB" });
    }
  });
});
