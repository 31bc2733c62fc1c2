/**
 * URL handling for the session. The hot path is a relative path on the base origin, so
 * the base URL is parsed once and relative paths are joined as strings: no `URL`
 * object is built per request unless the URL is absolute.
 */

import { urlProblem } from "../shared/url.js";

/** Query parameters: a record (arrays repeat the key) or a ready `URLSearchParams`. */
export type QueryParams =
  | Record<string, string | number | boolean | ReadonlyArray<string | number | boolean>>
  | URLSearchParams;

/** Where a request goes: the origin (connection key) and the request path with its query. */
export interface Target {
  /** `http://host:port`, as `URL.origin` spells it (the default port omitted). */
  origin: string;
  /** Starts with "/", includes the query string, no fragment. */
  path: string;
  /** `Basic ...` when the URL carried credentials (`http://user:pass@host`). */
  authorization: string | undefined;
}

/** The parsed base URL of a session. */
export interface BaseUrl extends Target {
  /** The base URL as given. */
  href: string;
  /** The base path without a trailing "/" ("" for a bare origin), prefixed to relative URLs. */
  pathPrefix: string;
}

const absoluteUrl = /^https?:\/\//i;

/** True when `url` starts with `http://` or `https://` (any case). */
export function isAbsoluteUrl(url: string): boolean {
  return absoluteUrl.test(url);
}

/** Parses a session's base URL; throws a clear `Error` when it is not an http(s) URL. */
export function parseBaseUrl(baseUrl: string): BaseUrl {
  const target = parseAbsoluteUrl(baseUrl);
  const pathOnly = target.path.split("?")[0] ?? "";
  const pathPrefix = pathOnly.endsWith("/") ? pathOnly.slice(0, -1) : pathOnly;
  return { ...target, href: baseUrl, pathPrefix };
}

/** Parses an absolute http(s) URL into a `Target`; throws a clear `Error` otherwise. */
export function parseAbsoluteUrl(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const problem = isAbsoluteUrl(url) ? urlProblem(url) : undefined;
    throw new Error(`invalid URL "${url}": ${problem ?? "expected an absolute http:// or https:// URL"}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`unsupported URL "${url}": only http:// and https:// URLs can be requested`);
  }
  const authorization =
    parsed.username || parsed.password
      ? basicAuthorization(decodeURIComponent(parsed.username), decodeURIComponent(parsed.password))
      : undefined;
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, authorization };
}

/** Resolves a redirect's `Location` against the URL that answered it. */
export function resolveLocation(location: string, currentUrl: string): Target {
  let resolved: string;
  try {
    resolved = new URL(location, currentUrl).href;
  } catch {
    throw new Error(urlProblem(location) ?? "it is not a valid URL");
  }
  return parseAbsoluteUrl(resolved);
}

/**
 * Joins a relative URL to the base path, as Locust concatenates host and path, without
 * doubling the "/" between them.
 */
export function joinBasePath(pathPrefix: string, url: string): string {
  if (url.charCodeAt(0) === 47 /* "/" */) return pathPrefix === "" ? url : pathPrefix + url;
  return `${pathPrefix}/${url}`;
}

/** `Basic base64(user:password)`. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/** Appends query parameters to a path that may already carry a query string. */
export function appendQuery(path: string, query: QueryParams): string {
  const encoded = query instanceof URLSearchParams ? query.toString() : encodeQueryRecord(query);
  if (encoded === "") return path;
  return `${path}${path.includes("?") ? "&" : "?"}${encoded}`;
}

function encodeQueryRecord(query: Exclude<QueryParams, URLSearchParams>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === undefined) continue;
    const name = encodeURIComponent(key);
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${name}=${encodeURIComponent(String(item))}`);
    } else {
      parts.push(`${name}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join("&");
}

const needsEncoding = /[^\u0021-\u007e]|#/;
const unsafeRun = /[^\u0021-\u007e]+/g;

/**
 * Makes a path safe to put on the request line: drops a `#fragment` and percent-encodes
 * spaces and non-ASCII characters (they may not appear on a request line), leaving existing `%xx` alone.
 * One regex test on the hot path when nothing needs changing.
 */
export function toRequestPath(path: string): string {
  if (!needsEncoding.test(path)) return path;
  const hash = path.indexOf("#");
  const withoutFragment = hash === -1 ? path : path.slice(0, hash);
  return withoutFragment.replace(unsafeRun, (run) => encodeURIComponent(run));
}
