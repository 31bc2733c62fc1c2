/** True for an absolute http(s) URL with a host name: what `-H`, a class's `host` and the web form accept. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** The authority of an absolute URL, split loosely enough to find a port `new URL` rejects. */
const authorityRe = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]/?#]*\]?|[^:/?#]*)(?::([^/?#]*))?/i;

/**
 * What makes `text` unusable as an absolute URL to connect to, said for a user
 * ("its port 99999 is out of range (a port is 1 to 65535)", "it is not a valid URL"), or undefined when it is
 * one. The scheme is not checked: each caller knows which ones it takes.
 */
export function urlProblem(text: string): string | undefined {
  const port = authorityRe.exec(text)?.[1];
  if (port !== undefined && port !== "") {
    if (!/^\d+$/.test(port)) return `its port '${port}' is not a number (a port is 1 to 65535)`;
    if (Number(port) < 1 || Number(port) > 65535)
      return `its port ${port} is out of range (a port is 1 to 65535)`;
  }
  try {
    if (new URL(text).hostname === "") return "it has no host name";
  } catch {
    return "it is not a valid URL";
  }
  return undefined;
}

/** The URL schemes a host may have: HTTP, WebSocket (ws: upgrades over http:) and gRPC. */
const targetSchemes = new Set(["http:", "https:", "ws:", "wss:", "grpc:", "grpcs:"]);

/**
 * Why a URL that starts with one of `schemes` (`"http:"`, ...) still cannot be used, such
 * as a port out of range; undefined when it can, or when its scheme is another (the
 * caller's own message says which schemes it takes).
 */
export function schemeUrlProblem(
  text: string,
  schemes: Iterable<string> = targetSchemes,
): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || !new Set(schemes).has(scheme)) return undefined;
  return urlProblem(text);
}

/**
 * True for an absolute URL with a host name whose scheme some user class can test:
 * http(s), ws(s) or grpc(s). Which classes accept which scheme: `hostSchemesOf` in user/.
 */
export function isTargetUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return targetSchemes.has(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

const toHttp: Record<string, string> = {
  "ws:": "http:",
  "wss:": "https:",
  "grpc:": "http:",
  "grpcs:": "https:",
};
const toWs: Record<string, string> = { "http:": "ws:", "https:": "wss:" };

/** The same URL with an http(s) scheme: `ws://h/x` → `http://h/x` (others unchanged). */
export function toHttpScheme(url: string): string {
  return swapScheme(url, toHttp);
}

/** The same URL with a ws(s) scheme: `https://h/x` → `wss://h/x` (others unchanged). */
export function toWebSocketScheme(url: string): string {
  return swapScheme(url, toWs);
}

function swapScheme(url: string, table: Record<string, string>): string {
  const colon = url.indexOf(":");
  const scheme = colon > 0 ? url.slice(0, colon + 1).toLowerCase() : "";
  const replacement = table[scheme];
  return replacement === undefined ? url : replacement + url.slice(colon + 1);
}

/**
 * A path or absolute URL against a base URL, as the HTTP client joins them: an absolute
 * URL is kept, a path is appended to the base's path (`http://h/api` + `/feed` →
 * `http://h/api/feed`). Throws a clear Error when a path has no base.
 */
export function joinToBase(base: string | undefined, pathOrUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) return pathOrUrl;
  if (base === undefined) {
    throw new Error(
      `cannot open the relative URL "${pathOrUrl}": no host is set ` +
        "(set `host` on the User class, pass --host, or give an absolute URL)",
    );
  }
  const parsed = new URL(base);
  const prefix = parsed.pathname.endsWith("/") ? parsed.pathname.slice(0, -1) : parsed.pathname;
  const path = pathOrUrl.startsWith("/") ? pathOrUrl : `/${pathOrUrl}`;
  const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ""}@` : "";
  return `${parsed.protocol}//${auth}${parsed.host}${prefix}${path}`;
}
