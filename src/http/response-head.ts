/**
 * The status line and headers of one response. An HTTP/1.1 head is kept as the bytes
 * that arrived: the parser only looks at the few headers that frame the message and
 * notes whether a `set-cookie` is present, and everything else is decoded on first use,
 * so a response nobody inspects costs no strings. An HTTP/2 head arrives decoded
 * (`fromHeaderList`).
 */
import { latin1 } from "./syntax-bytes.js";

export { latin1 } from "./syntax-bytes.js";

/** The head of a response: status, reason phrase and the header block. */
export class ResponseHead {
  /** The status code. */
  readonly status: number;
  /** The reason phrase ("OK"), "" when the server sent none (always for HTTP/2). */
  readonly statusText: string;
  /** "1.1", "1.0" or "2.0". */
  readonly httpVersion: string;
  /** True when at least one `set-cookie` header is present. */
  readonly hasSetCookie: boolean;
  /** The Content-Encoding header's value, when there is one. */
  readonly contentEncoding: string | undefined;
  /**
   * The body length its Content-Length announced, when that header frames the body (no
   * chunked or other Transfer-Encoding); -1 otherwise. A HEAD, 204 or 304 response carries
   * none, whatever it says.
   */
  contentLength = -1;
  private pairs: string[] | undefined;

  /**
   * @param source the header lines (not the status line): validated bytes, or a latin1 string
   * @param start offset of the first header line in `source`
   * @param end offset of the blank line that ends the head
   */
  constructor(
    status: number,
    statusText: string,
    httpVersion: string,
    hasSetCookie: boolean,
    contentEncoding: string | undefined,
    private readonly source: Uint8Array | string,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.status = status;
    this.statusText = statusText;
    this.httpVersion = httpVersion;
    this.hasSetCookie = hasSetCookie;
    this.contentEncoding = contentEncoding;
  }

  /** A head whose headers are already decoded (HTTP/2): flat `[name, value, ...]`, lower-case names. */
  static fromHeaderList(status: number, list: string[], httpVersion: string): ResponseHead {
    let hasSetCookie = false;
    let contentEncoding: string | undefined;
    let contentLength = -1;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === "set-cookie") hasSetCookie = true;
      else if (list[i] === "content-encoding") contentEncoding = list[i + 1];
      else if (list[i] === "content-length") contentLength = Number(list[i + 1]);
    }
    const head = new ResponseHead(status, "", httpVersion, hasSetCookie, contentEncoding, "", 0, 0);
    head.pairs = list;
    if (Number.isSafeInteger(contentLength) && contentLength >= 0) head.contentLength = contentLength;
    return head;
  }

  /** Header names (lower-case) and values as a flat `[name, value, ...]` list, in order. */
  list(): readonly string[] {
    this.pairs ??= decodeHeaderLines(this.source, this.start, this.end);
    return this.pairs;
  }

  /** The first value of header `name` (lower-case), or undefined. */
  get(name: string): string | undefined {
    const list = this.list();
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
    return undefined;
  }

  /** Every value of header `name` (lower-case), in order. */
  getAll(name: string): string[] {
    const list = this.list();
    const values: string[] = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) values.push(list[i + 1]!);
    return values;
  }

  /** Headers with lower-case names; a repeated header becomes an array, `set-cookie` always is one. */
  toRecord(): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    const list = this.list();
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i]!;
      const value = list[i + 1]!;
      const existing = headers[name];
      if (existing === undefined) headers[name] = name === "set-cookie" ? [value] : value;
      else if (Array.isArray(existing)) existing.push(value);
      else headers[name] = [existing, value];
    }
    return headers;
  }
}

/**
 * Decodes validated header lines ("Name: value\r\n") between `start` and `end` as latin1.
 * Values lose the spaces and tabs around them, and nothing else (as Node's client).
 */
function decodeHeaderLines(source: Uint8Array | string, start: number, end: number): string[] {
  const text = typeof source === "string" ? source.slice(start, end) : latin1(source, start, end);
  const out: string[] = [];
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.push(line.slice(0, colon).toLowerCase(), trimWhitespace(line.slice(colon + 1)));
  }
  return out;
}

function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}
