/**
 * The status line and headers of one response, kept as the bytes that arrived. The
 * parser only looks at the few headers that frame the message (content-length,
 * transfer-encoding, connection) and notes whether a `set-cookie` is present; everything
 * else is decoded on first use, so a response nobody inspects costs no strings.
 */

/** The head of a response: status, reason phrase and the raw header block. */
export class ResponseHead {
  /** The status code. */
  readonly status: number;
  /** The reason phrase ("OK"), "" when the server sent none. */
  readonly statusText: string;
  /** True when at least one `set-cookie` header is present. */
  readonly hasSetCookie: boolean;
  private pairs: string[] | undefined;

  /**
   * @param source the header lines (not the status line): bytes, or already a latin1 string
   * @param start offset of the first header line in `source`
   * @param end offset of the blank line that ends the head
   */
  constructor(
    status: number,
    statusText: string,
    hasSetCookie: boolean,
    private readonly source: Uint8Array | string,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.status = status;
    this.statusText = statusText;
    this.hasSetCookie = hasSetCookie;
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

/** Decodes header lines ("Name: value\r\n") between `start` and `end` as latin1. */
function decodeHeaderLines(source: Uint8Array | string, start: number, end: number): string[] {
  const text = typeof source === "string" ? source.slice(start, end) : latin1(source, start, end);
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.push(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/** Bytes as a latin1 string (each byte one character, as HTTP header bytes are defined). */
export function latin1(source: Uint8Array, start: number, end: number): string {
  return Buffer.from(source.buffer, source.byteOffset + start, end - start).toString("latin1");
}
