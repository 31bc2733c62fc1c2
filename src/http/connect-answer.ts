/**
 * Reading a proxy's answer to CONNECT: a status line and header lines ending in an empty
 * line, arriving in any number of pieces (Debian's tinyproxy writes the status line and
 * the rest separately; a slow proxy may send a byte at a time). The syntax is the
 * response parser's, so strict as llhttp's. The bytes after the empty line are already
 * the tunnel's: the origin's first bytes (an HTTP/2 server's SETTINGS) may come in the
 * same read as the end of the answer, and must reach the protocol that takes it over.
 */
import { HeaderFacts } from "./framing-headers.js";
import { parseHeaderLines, parseStatusLine, StatusLine } from "./head-syntax.js";
import { CR, LF } from "./syntax-bytes.js";

/** What the bytes received so far hold. */
export type ConnectAnswer =
  | { readonly complete: false }
  | {
      readonly complete: true;
      readonly status: number;
      /** The status line, without its CRLF, for messages. */
      readonly statusLine: string;
      /** Length of the answer (status line, headers, empty line): the tunnel starts after it. */
      readonly length: number;
    };

const incomplete: ConnectAnswer = { complete: false };

/**
 * Reads the answer at the start of `received` (everything read so far). Throws
 * `ResponseParseError` at the first byte that can never make a valid answer.
 */
export function readConnectAnswer(received: Buffer): ConnectAnswer {
  const end = received.length;
  // As llhttp, empty lines before the status line are skipped.
  let start = 0;
  while (start < end && (received[start] === CR || received[start] === LF)) start++;
  const line = new StatusLine();
  const headersStart = parseStatusLine(received, start, end, line);
  if (headersStart === -1) return incomplete;
  const answerEnd = parseHeaderLines(received, headersStart, end, new HeaderFacts());
  if (answerEnd === -1) return incomplete;
  return {
    complete: true,
    status: line.status,
    statusLine: received.toString("latin1", start, headersStart - 2),
    length: answerEnd,
  };
}
