/**
 * Cicada's response parser against Node's own (llhttp 9, through node:http over a raw
 * socket): the same bytes must get the same verdict, accepted with the same status,
 * reason, headers and body, or rejected, whatever pieces Cicada reads them in. A corpus
 * of valid, odd and malformed responses, each split at every position, then generated
 * ones for a bounded time (longer runs: `npm run fuzz:http`).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cicadaVerdict, comparable, type Oracle, show, startOracle, type Verdict } from "./llhttp-oracle.js";
import { generateResponse, random } from "./response-generator.js";

const ok = (head: string, body = "ok") => `HTTP/1.1 200 OK\r\n${head}\r\n${body}`;

/** [bytes, method]: responses to GET unless marked HEAD. */
const corpus: Array<[string, ("GET" | "HEAD")?]> = [
  // Ordinary and valid-but-odd.
  [ok("Content-Length: 2\r\n")],
  [
    "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\nhello",
  ],
  ["HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"],
  ["HTTP/1.1 200 OK\r\n\r\nno length"],
  ["HTTP/1.1 404\r\nContent-Length: 2\r\n\r\nno"],
  ["HTTP/1.1 404 \r\nContent-Length: 2\r\n\r\nno"],
  ["HTTP/1.1 200  Two spaces\r\nContent-Length: 0\r\n\r\n"],
  ["HTTP/1.1 200 w\x00eird \xe9\r\nContent-Length: 0\r\n\r\n"],
  ["\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 200 OK\r\rContent-Length: 2\r\n\r\nok"],
  ["HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["RTSP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["ICE/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 999 Nines\r\nContent-Length: 2\r\n\r\nok"],
  [ok("X:   spaced value \t \r\nY:\t\ttabs\r\nZ:\r\nEmpty: \r\nContent-Length: 2\r\n")],
  [ok("X: caf\xe9 \xa0nbsp\xa0\r\nContent-Length: 2\r\n")],
  [ok("X-!#$%&'*+-.^_`|~09az: tokens\r\nContent-Length: 2\r\n")],
  [ok("Content-Length: 2 \r\n")],
  [ok("Content-Length:\t 2\r\n")],
  [ok("Content-Length: 0000000000000000000000002\r\n")],
  [ok("content-LENGTH: 2\r\n")],
  [ok("Content-Length: 18446744073709551615\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: CHUNKED\r\n", '2;a;b=c;d="q \\" x"\r\nok\r\n0;e\r\nX-Trailer: t\r\n\r\n')],
  [ok("Transfer-Encoding: gzip, chunked\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked, gzip\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked \r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\t\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: gzip\r\n", "until close")],
  [ok("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\nTransfer-Encoding: \r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: \r\nContent-Length: 2\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "000002\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\nConnection: close\r\n\r\n")],
  [
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  ],
  ["HTTP/1.1 150 Odd\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 101 Switching\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"],
  ["HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"],
  ["HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "HEAD"],
  ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD"],
  [ok("Connection: close\r\nContent-Length: 2\r\n")],
  [ok("Connection: keep-alive, Upgrade\r\nProxy-Connection: close\r\nContent-Length: 2\r\n")],
  [`${ok("Content-Length: 2\r\n")}EXTRA BYTES`],
  [`${ok("Content-Length: 2\r\n")}HTTP/1.1 200 OK\r\n\r\n`],
  // Malformed: the cases first.
  [ok("Content-Length : 2\r\n")],
  ["HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok"],
  [ok("No colon here\r\nContent-Length: 2\r\n")],
  [ok("X: a\x00b\r\nContent-Length: 2\r\n")],
  // More malformed heads.
  ["HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok"],
  [ok("Content-Length: 2\n")],
  ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nok"],
  ["HTTP/1.1 200 OK\r\n Leading: space\r\nContent-Length: 2\r\n\r\nok"],
  [ok("A: 1\r\n folded\r\nContent-Length: 2\r\n")],
  [ok("A: 1\r\n\tfolded\r\nContent-Length: 2\r\n")],
  [ok(": empty name\r\nContent-Length: 2\r\n")],
  [ok("X\tTab: 1\r\nContent-Length: 2\r\n")],
  [ok("X(p): 1\r\nContent-Length: 2\r\n")],
  [ok("\xe9t\xe9: 1\r\nContent-Length: 2\r\n")],
  [ok("X: a\rb\r\nContent-Length: 2\r\n")],
  [ok("X: a\x7fb\r\nContent-Length: 2\r\n")],
  [ok("X: a\x0bb\r\nContent-Length: 2\r\n")],
  [ok("Content-Length: 2\r\nContent-Length: 2\r\n")],
  [ok("Content-Length: 1\r\nContent-Length: 2\r\n")],
  [ok("Content-Length: \r\n")],
  [ok("Content-Length: 2\t\r\n")],
  [ok("Content-Length: +2\r\n")],
  [ok("Content-Length: 2 2\r\n")],
  [ok("Content-Length: -1\r\n")],
  [ok("Content-Length: 18446744073709551616\r\n")],
  [ok("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", "2\r\nok\r\n0\r\n\r\n")],
  ["HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.x 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/11 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTPS/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1  200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 200\tOK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 200 OK\rX\nContent-Length: 2\r\n\r\nok"],
  ["SSH-2.0-OpenSSH_9.2\r\n\r\n"],
  ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"],
  ["HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  // Malformed chunked bodies and trailers.
  [ok("Transfer-Encoding: chunked\r\n", "zz\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2 \r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\t\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2; a\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2;\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2;a=b c\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", '2;a="x\r\nok\r\n0\r\n\r\n')],
  [ok("Transfer-Encoding: chunked\r\n", '2;a="x"y\r\nok\r\n0\r\n\r\n')],
  [ok("Transfer-Encoding: chunked\r\n", "2;;a\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2;a=\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nabc\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\nContent-Length: 2\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\nBad trailer\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n0\r\n\n")],
  [ok("Transfer-Encoding: chunked\r\n", "10000000000000000\r\nok\r\n0\r\n\r\n")],
  [ok("Transfer-Encoding: chunked\r\n", "ffffffffffffffff\r\nok")],
  // Cut short.
  [ok("Content-Length: 10\r\n", "short")],
  [ok("Transfer-Encoding: chunked\r\n", "2\r\nok\r\n")],
  ["HTTP/1.1 200 OK\r\nContent-Le"],
  [""],
  ["\r\n"],
];

/** Every two-piece split, one byte at a time, and the same through a reused read buffer. */
function cicadaVerdicts(bytes: Buffer, method: "GET" | "HEAD"): Array<[string, Verdict]> {
  const out: Array<[string, Verdict]> = [["whole", cicadaVerdict(bytes, method, [])]];
  for (let at = 1; at < bytes.length; at++) out.push([`split at ${at}`, cicadaVerdict(bytes, method, [at])]);
  const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
  out.push(["byte by byte", cicadaVerdict(bytes, method, everyByte)]);
  out.push(["byte by byte, reused buffer", cicadaVerdict(bytes, method, everyByte, true)]);
  return out;
}

function assertSame(bytes: Buffer, method: string, node: Verdict, cicada: Verdict, how: string): void {
  assert.deepEqual(
    comparable(cicada),
    comparable(node),
    `${method} ${show(bytes)} (${how}): node ${node.reason ?? "accepts"}, cicada ${cicada.reason ?? "accepts"}`,
  );
}

describe("response parser against llhttp (Node's own client)", () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(() => oracle.close());

  it("gives llhttp's verdict on the corpus, whatever the pieces", async () => {
    const verdicts = await Promise.all(
      corpus.map(([text, method = "GET"]) => oracle.verdict(Buffer.from(text, "latin1"), method)),
    );
    let accepted = 0;
    corpus.forEach(([text, method = "GET"], index) => {
      const bytes = Buffer.from(text, "latin1");
      const node = verdicts[index]!;
      if (node.accepted) accepted++;
      for (const [how, cicada] of cicadaVerdicts(bytes, method)) assertSame(bytes, method, node, cicada, how);
    });
    // The corpus holds both kinds (a harness that rejects everything would prove nothing).
    assert.ok(accepted > 30 && accepted < corpus.length - 40, `${accepted} of ${corpus.length} accepted`);
  });

  it("rejects what the issue found accepted or hanging", async () => {
    const bad = [
      ok("Content-Length : 2\r\n"),
      "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
      ok("No colon here\r\nContent-Length: 2\r\n"),
      ok("X: a\x00b\r\nContent-Length: 2\r\n"),
    ];
    for (const text of bad) {
      const bytes = Buffer.from(text, "latin1");
      assert.equal((await oracle.verdict(bytes)).accepted, false, `node accepts ${show(bytes)}`);
      assert.equal(cicadaVerdict(bytes, "GET", []).accepted, false, `cicada accepts ${show(bytes)}`);
    }
  });

  it("agrees with llhttp on generated responses (bounded fuzz)", async () => {
    const seed = Number(process.env.CICADA_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const rng = random(seed);
    const deadline = performance.now() + Number(process.env.CICADA_FUZZ_MS ?? 2500);
    let cases = 0;
    while (performance.now() < deadline) {
      const batch = Array.from({ length: 16 }, () => generateResponse(rng));
      const verdicts = await Promise.all(batch.map(({ bytes, method }) => oracle.verdict(bytes, method)));
      batch.forEach(({ bytes, method }, index) => {
        const cuts = [Math.floor(rng() * bytes.length), Math.floor(rng() * bytes.length)].sort(
          (a, b) => a - b,
        );
        const how = `seed ${seed}, cuts ${cuts.join(",")}`;
        assertSame(bytes, method, verdicts[index]!, cicadaVerdict(bytes, method, []), `seed ${seed}, whole`);
        assertSame(bytes, method, verdicts[index]!, cicadaVerdict(bytes, method, cuts, true), how);
      });
      cases += batch.length;
    }
    assert.ok(cases >= 200, `only ${cases} cases ran`);
  });
});
