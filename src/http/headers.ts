/**
 * Request header assembly. Headers go to the connection as a flat `[name, value, ...]`
 * array with lower-case names, so lookups are plain comparisons. When a request needs
 * nothing beyond the session's default headers, the same prepared array is reused and
 * nothing is allocated (and the connection reuses the request head it built for it).
 */
import type { SessionCookies } from "./cookies.js";

/** CSRF settings with defaults applied. */
export interface CsrfSettings {
  cookieName: string;
  /** Lower-case header name. */
  headerName: string;
}

/** What the header builder needs to know about one hop of a request. */
export interface HopHeaders {
  method: string;
  origin: string;
  path: string;
  /** `Basic ...` for this hop (from the URL's or the base URL's credentials). */
  authorization: string | undefined;
  /** The request's own headers, as the user wrote them. */
  userHeaders: Record<string, string> | undefined;
  /** Content type implied by `json`/`form`, when the hop sends that body. */
  contentType: string | undefined;
  /** A redirect turned the request into a GET: drop the body's headers. */
  bodyDropped: boolean;
  /** The hop left the first request's origin: drop the user's `Authorization`. */
  crossOrigin: boolean;
}

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** RFC 9110 token: what a header name or a method may be made of. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node's own HTTP client accepts in a header value: no line breaks or NUL, latin1 only. */
const invalidValue = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Checks header names and values a locustfile gave, so a typo fails the request with a
 * clear message instead of sending a malformed (or smuggled) request.
 * @throws Error naming the bad header
 */
export function checkHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (!token.test(name)) {
      throw new Error(
        `invalid header key ${JSON.stringify(name)}: a header name is letters, digits and !#$%&'*+-.^_\`|~`,
      );
    }
    if (value !== undefined && (typeof value !== "string" || invalidValue.test(value))) {
      throw new Error(
        `invalid header value for ${JSON.stringify(name)}: expected a string without line breaks or characters beyond latin1`,
      );
    }
  }
}

/** True when `method` is a valid HTTP method token. */
export function isMethodToken(method: string): boolean {
  return token.test(method);
}

/** Builds each hop's headers from the defaults, the request's headers, auth, cookies and CSRF. */
export class HeaderBuilder {
  private readonly defaults: string[] | undefined;

  constructor(
    defaultHeaders: Record<string, string> | undefined,
    private readonly csrf: CsrfSettings | null,
    private readonly cookies: SessionCookies,
  ) {
    if (defaultHeaders !== undefined) checkHeaders(defaultHeaders);
    const flat = defaultHeaders === undefined ? [] : flatten(defaultHeaders);
    this.defaults = flat.length === 0 ? undefined : flat;
  }

  /** The hop's headers as a flat array, or undefined when there are none. */
  build(hop: HopHeaders): string[] | undefined {
    const needsCookies = !this.cookies.isEmpty;
    const needsCsrf = this.csrf !== null && unsafeMethods.has(hop.method);
    if (
      hop.userHeaders === undefined &&
      hop.authorization === undefined &&
      hop.contentType === undefined &&
      !needsCookies &&
      !needsCsrf
    ) {
      return this.defaults;
    }
    const out = hop.userHeaders === undefined ? [] : userHeaderList(hop);
    if (this.defaults !== undefined) addMissing(out, this.defaults);
    if (hop.contentType !== undefined) addIfMissing(out, "content-type", hop.contentType);
    if (hop.authorization !== undefined) addIfMissing(out, "authorization", hop.authorization);
    const url = needsCookies || needsCsrf ? hop.origin + hop.path : "";
    if (needsCookies) addCookies(out, this.cookies.headerFor(url));
    if (needsCsrf) this.addCsrf(out, hop, url);
    return out.length === 0 ? undefined : out;
  }

  private addCsrf(out: string[], hop: HopHeaders, url: string): void {
    const csrf = this.csrf!;
    if (indexOfHeader(out, csrf.headerName) === -1) {
      const token = this.cookies.get(csrf.cookieName, url);
      if (token !== undefined) out.push(csrf.headerName, token);
    }
    // Django checks the Referer on HTTPS and rejects an unsafe request without one.
    if (hop.origin.startsWith("https:")) addIfMissing(out, "referer", `${hop.origin}/`);
  }
}

/** The index of header `name` (lower-case) in a flat list, or -1. */
export function indexOfHeader(list: readonly string[], name: string): number {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return i;
  return -1;
}

function userHeaderList(hop: HopHeaders): string[] {
  const out: string[] = [];
  const headers = hop.userHeaders!;
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    const name = key.toLowerCase();
    if (hop.bodyDropped && (name === "content-type" || name === "content-length")) continue;
    if (hop.crossOrigin && name === "authorization") continue;
    const at = indexOfHeader(out, name);
    if (at === -1) out.push(name, value);
    else out[at + 1] = value;
  }
  return out;
}

function flatten(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value !== undefined) addIfMissing(out, key.toLowerCase(), value);
  }
  return out;
}

function addMissing(out: string[], list: readonly string[]): void {
  for (let i = 0; i < list.length; i += 2) addIfMissing(out, list[i]!, list[i + 1]!);
}

function addIfMissing(out: string[], name: string, value: string): void {
  if (indexOfHeader(out, name) === -1) out.push(name, value);
}

/** Jar cookies join a `Cookie` header the user set themselves. */
function addCookies(out: string[], cookieHeader: string): void {
  if (cookieHeader === "") return;
  const at = indexOfHeader(out, "cookie");
  if (at === -1) out.push("cookie", cookieHeader);
  else out[at + 1] = `${out[at + 1]}; ${cookieHeader}`;
}
