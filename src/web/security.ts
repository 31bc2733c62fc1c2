/**
 * The web UI can make this machine send load anywhere, so every request passes three
 * checks (docs/web-ui.md, "Security"):
 *
 * 1. Host: while listening on loopback only and without a login, the Host header must
 *    name a loopback address, so a web page cannot reach the UI through DNS rebinding.
 * 2. Login: with `--web-login user:password` or a token (`CICADA_WEB_TOKEN`), HTTP Basic
 *    credentials (or `Authorization: Bearer <token>`) are required.
 * 3. Cross-site requests that change state (any POST, and Locust's `GET /stop` and
 *    `GET /stats/reset`) are refused: the browser's `Sec-Fetch-Site` must say
 *    same-origin (or none: typed in the address bar); browsers without it are checked by
 *    `Origin`, then `Referer`, against the Host (or X-Forwarded-Host). A script such as
 *    curl sends none of them and passes.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Credentials the UI requires; empty means none. */
export interface WebAuth {
  username?: string | undefined;
  password?: string | undefined;
  /** Accepted as `Authorization: Bearer <token>` or as the Basic password with any user name. */
  token?: string | undefined;
}

/** A refusal: the status and the JSON message to send. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** True for a name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    bare === "localhost" ||
    bare.endsWith(".localhost") ||
    bare === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) ||
    bare === "::ffff:127.0.0.1"
  );
}

/** The warning printed when the UI listens beyond loopback without a login; undefined when safe. */
export function exposureWarning(webHost: string, hasLogin: boolean): string | undefined {
  if (isLoopbackHost(webHost) || hasLogin) return undefined;
  const where = webHost === "0.0.0.0" || webHost === "::" ? "on every network interface" : `on ${webHost}`;
  return (
    `The web UI listens ${where} without a login: anyone who can reach it can make this machine send load anywhere. ` +
    "Protect it with --web-login user:password (or CICADA_WEB_LOGIN) or CICADA_WEB_TOKEN, or listen on 127.0.0.1 (the default)."
  );
}

/** The host name of a Host header ("127.0.0.1:8089" → "127.0.0.1", "[::1]:80" → "::1"). */
export function hostName(hostHeader: string): string {
  const trimmed = hostHeader.trim();
  if (trimmed.startsWith("[")) return trimmed.slice(1, trimmed.indexOf("]"));
  const colon = trimmed.lastIndexOf(":");
  return colon > 0 && trimmed.indexOf(":") === colon ? trimmed.slice(0, colon) : trimmed;
}

/** Checks the Host header when the server listens on loopback only. */
export function checkHost(hostHeader: string | undefined, listenHost: string): Refusal | undefined {
  if (!isLoopbackHost(listenHost)) return undefined;
  if (hostHeader !== undefined && isLoopbackHost(hostName(hostHeader))) return undefined;
  return {
    status: 421,
    message: `the web UI listens on ${listenHost} and answers only to loopback host names, not '${hostHeader ?? ""}'`,
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Checks the Authorization header against the configured login; undefined when allowed. */
export function checkLogin(authorization: string | undefined, auth: WebAuth): Refusal | undefined {
  const needsPassword = auth.username !== undefined && auth.password !== undefined;
  if (!needsPassword && auth.token === undefined) return undefined;
  const refusal: Refusal = {
    status: 401,
    message: "log in first: HTTP Basic credentials (curl -u user:password) or Authorization: Bearer <token>",
    headers: { "www-authenticate": 'Basic realm="Cicada", charset="UTF-8"' },
  };
  if (authorization === undefined) return refusal;
  const [scheme = "", value = ""] = authorization.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === "bearer") {
    return auth.token !== undefined && sameSecret(value, auth.token) ? undefined : refusal;
  }
  if (scheme.toLowerCase() !== "basic") return refusal;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return refusal;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Evaluate both checks always, so timing does not tell which part was wrong.
  const byPassword =
    needsPassword && sameSecret(user, auth.username!) && sameSecret(password, auth.password!);
  const byToken = auth.token !== undefined && sameSecret(password, auth.token);
  return byPassword || byToken ? undefined : refusal;
}

/** Paths (below the base path) that change state although Locust serves them with GET. */
export const STATE_CHANGING_GETS = new Set(["/stop", "/stats/reset"]);

/** True when the request changes something and needs the cross-site check. */
export function changesState(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return STATE_CHANGING_GETS.has(path);
  return true;
}

function originHost(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Refuses a state-changing request that a browser sent from another origin. */
export function checkCrossSite(headers: {
  host?: string | undefined;
  forwardedHost?: string | undefined;
  origin?: string | undefined;
  referer?: string | undefined;
  secFetchSite?: string | undefined;
}): Refusal | undefined {
  const refuse = (why: string): Refusal => ({
    status: 403,
    message: `cross-site request refused (${why}): commands must come from the Cicada UI itself or from a script`,
  });
  const site = headers.secFetchSite?.toLowerCase();
  if (site !== undefined) {
    // Set by the browser itself, and right behind a reverse proxy too. "none": typed into
    // the address bar or opened from a bookmark, so the user asked for it.
    return site === "same-origin" || site === "none" ? undefined : refuse(`Sec-Fetch-Site: ${site}`);
  }
  const ours = new Set([headers.host, headers.forwardedHost].flatMap((h) => (h ? [h.toLowerCase()] : [])));
  if (headers.origin !== undefined) {
    const from = originHost(headers.origin);
    return from !== undefined && ours.has(from) ? undefined : refuse(`Origin: ${headers.origin}`);
  }
  if (headers.referer !== undefined) {
    const from = originHost(headers.referer);
    return from !== undefined && ours.has(from) ? undefined : refuse("Referer from another origin");
  }
  return undefined;
}
