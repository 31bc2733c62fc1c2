/**
 * Generated HTTP/1.x responses for the parser's differential fuzz: mostly well-formed
 * messages built from a small grammar whose every part has odd and broken variants
 * (status lines, header names and values, every framing, chunk extensions, trailers),
 * then sometimes mutated byte by byte. Seeded, so a failing case can be regenerated.
 */

/** The seeded PRNG of the tests (mulberry32). */
export { seededRandom as random } from "../stats/samples.js";

export interface GeneratedCase {
  bytes: Buffer;
  method: "GET" | "HEAD";
}

type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
/**
 * Mostly the first (well-formed) item, sometimes one of the others. How often is set per
 * case (`oddness`), so that about half the cases stay valid and exercise the paths that
 * accept, and the others break in one or several places.
 */
let oddness = 1;
const usually = <T>(rng: Rng, items: readonly T[], odds = 0.75): T =>
  rng() < 1 - (1 - odds) * oddness ? items[0]! : pick(rng, items);

const protocols = ["HTTP", "RTSP", "ICE", "HTTPS", "http", "HTT", "XTTP"];
const versions = ["1.1", "1.0", "2.0", "0.9", "1.2", "2.1", "1.x", "11", "1."];
const statuses = [
  "200",
  "201",
  "204",
  "304",
  "404",
  "100",
  "101",
  "103",
  "150",
  "000",
  "099",
  "999",
  "2000",
  "20",
  "2x0",
];
const reasons = [
  " OK",
  "",
  " ",
  " Not Found",
  "  Two spaces",
  " w\x00eird",
  " caf\xe9",
  "\tTab",
  " a\rb",
  " a\nb",
];
const lineEnds = ["\r\n", "\n", "\r\r", "\r", "\r\n"];
const separators = [" ", "  ", "\t", ""];

const names = [
  "X-Test",
  "Server",
  "Set-Cookie",
  "Content-Type",
  "Content-Encoding",
  "Upgrade",
  "x_under",
  "X Space",
  "X-Test ",
  "X\tTab",
  "",
  "X\x00Nul",
  "X(paren)",
  "\xe9t\xe9",
  "X@at",
];
const values = [
  "value",
  "",
  "  lead and trail  ",
  "trail\t",
  "\tlead",
  "a\x00b",
  "a\x7fb",
  "caf\xe9 \xff",
  "a\rb",
  "a\x01b",
  'quoted "x", y',
  "a\x0bb",
];

function headerLine(rng: Rng): string {
  return `${usually(rng, names, 0.5)}:${usually(rng, [" ", "", "\t", "  "])}${usually(rng, values, 0.5)}`;
}

const contentLengthValues = (length: number) => [
  String(length),
  `${length} `,
  `${length}\t`,
  ` ${length}`,
  `+${length}`,
  `0${length}`,
  `${length}${length}`,
  `${length} ${length}`,
  "",
  "x",
  "-1",
  "18446744073709551615",
  "18446744073709551616",
  "000000000000000000000000005",
];
const transferEncodings = [
  "chunked",
  "Chunked",
  "CHUNKED",
  "gzip, chunked",
  "chunked, gzip",
  "chunked ",
  "chunked\t",
  " chunked",
  "gzip,chunked",
  "gzip ,  chunked",
  "chunked,",
  "chunkedx",
  "identity",
  "",
];
const connections = [
  "keep-alive",
  "close",
  "Close",
  "Keep-Alive",
  "close ",
  "close\t",
  "upgrade",
  "x, close",
  "closex",
  "keep-alive, close",
  "",
];

function chunkedBody(rng: Rng, body: string): string {
  let out = "";
  let rest = body;
  while (rest.length > 0) {
    const size = Math.min(rest.length, 1 + Math.floor(rng() * 9));
    const hex = size.toString(16);
    const sizeText = usually(rng, [
      hex,
      hex.toUpperCase(),
      `00${hex}`,
      `${hex} `,
      `${hex}\t`,
      "",
      `${hex}g`,
      "0x1",
    ]);
    const extension = usually(rng, [
      "",
      ";a",
      ";a=b",
      ';a="q \\" d"',
      ";a=",
      "; a",
      ";",
      ";;a",
      ";a=b c",
      ';a="x',
      ";a=b;c",
      ';a="x"y',
      ";a\x00",
    ]);
    out += `${sizeText}${extension}${usually(rng, ["\r\n", "\n", "\r"])}${rest.slice(0, size)}`;
    out += usually(rng, ["\r\n", "\n", "\r", "x\r\n", ""], 0.85);
    rest = rest.slice(size);
  }
  const trailers = usually(rng, [
    "",
    "X-Trailer: t\r\n",
    "Content-Length: 3\r\n",
    "Connection: close\r\n",
    "Bad Trailer\r\n",
    " fold\r\n",
  ]);
  return `${out}${usually(rng, ["0", "00", "0;ext=1"])}\r\n${trailers}${usually(rng, ["\r\n", "\n", ""], 0.9)}`;
}

/** One generated response (and the method of the request it answers). */
export function generateResponse(rng: Rng): GeneratedCase {
  oddness = pick(rng, [0.05, 0.15, 0.4, 1]);
  const body = "hello world".slice(0, Math.floor(rng() * 12));
  let text = rng() < 0.1 ? pick(rng, ["\r\n", "\n", "\r\n\r\n"]) : "";
  text += `${usually(rng, protocols, 0.85)}/${usually(rng, versions, 0.8)}${usually(rng, separators, 0.9)}`;
  text += `${usually(rng, statuses, 0.6)}${usually(rng, reasons, 0.7)}${usually(rng, lineEnds, 0.9)}`;
  if (rng() < 0.1 * oddness) text += `HTTP/1.1 200 OK\r\n`.replace("HTTP", rng() < 0.5 ? "HTTP" : " HTTP");
  const headers: string[] = [];
  for (let i = Math.floor(rng() * 3); i > 0; i--) headers.push(headerLine(rng));
  const framing = pick(rng, ["length", "length", "chunked", "chunked", "both", "none", "twoLengths"]);
  if (framing === "length" || framing === "both" || framing === "twoLengths") {
    headers.push(`Content-Length: ${usually(rng, contentLengthValues(body.length))}`);
  }
  if (framing === "twoLengths") headers.push(`content-length: ${usually(rng, [String(body.length), "1"])}`);
  if (framing === "chunked" || framing === "both") {
    headers.push(
      `${usually(rng, ["Transfer-Encoding", "transfer-encoding", "Transfer-Encoding "])}: ${usually(rng, transferEncodings)}`,
    );
  }
  if (rng() < 0.3)
    headers.push(
      `${usually(rng, ["Connection", "Proxy-Connection", "connection"])}: ${pick(rng, connections)}`,
    );
  if (rng() < 0.1 * oddness) headers.push(" folded continuation");
  for (let i = headers.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [headers[i], headers[j]] = [headers[j]!, headers[i]!];
  }
  for (const header of headers) text += `${header}${usually(rng, ["\r\n", "\n", "\r"], 0.95)}`;
  text += usually(rng, ["\r\n", "\n", "\r", ""], 0.95);
  text += framing === "chunked" || framing === "both" ? chunkedBody(rng, body) : body;
  if (rng() < 0.2) text += pick(rng, ["HTTP/1.1 200 OK\r\n\r\n", "junk", "\r\n", "x"]);
  if (rng() < 0.3 * oddness) text = mutate(rng, text);
  return { bytes: Buffer.from(text, "latin1"), method: rng() < 0.1 ? "HEAD" : "GET" };
}

const interesting = '\r\n \t:;="\\\x00\x7f\x80\xff0Az,';

/** A few random byte edits: replace, insert, delete or repeat. */
export function mutate(rng: Rng, text: string): string {
  let out = text;
  for (let edits = 1 + Math.floor(rng() * 3); edits > 0 && out.length > 0; edits--) {
    const at = Math.floor(rng() * out.length);
    const char = rng() < 0.7 ? pick(rng, [...interesting]) : String.fromCharCode(Math.floor(rng() * 256));
    const kind = Math.floor(rng() * 4);
    if (kind === 0) out = out.slice(0, at) + char + out.slice(at + 1);
    else if (kind === 1) out = out.slice(0, at) + char + out.slice(at);
    else if (kind === 2) out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 4) + out.slice(at);
  }
  return out;
}
