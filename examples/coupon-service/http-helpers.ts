/**
 * Small node:http helpers for the coupon service: cookies, bounded body parsing and
 * JSON/HTML/redirect replies. No framework on purpose: the demo target has no
 * dependencies, so what Cicada measures is the service, not a library.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Request bodies above this size are refused with 413: the service only ever expects tiny forms. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An error that becomes a JSON reply `{ error: message }` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Extra response headers; `set-cookie` may be a list. */
export type Headers = Record<string, string | string[]>;

/** Parses a `Cookie` request header; the first value of a repeated name wins, as in browsers. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(eq + 1).trim());
  }
  return cookies;
}

/** A `Set-Cookie` value scoped to the whole site. `maxAgeS: 0` deletes the cookie. */
export function cookie(name: string, value: string, options: { httpOnly?: boolean; maxAgeS?: number } = {}) {
  const parts = [`${name}=${value}`, "Path=/", "SameSite=Lax"];
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.maxAgeS !== undefined) parts.push(`Max-Age=${options.maxAgeS}`);
  return parts.join("; ");
}

/** Reads a form-urlencoded or JSON body into string fields; anything else reads as no fields. */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(raw));
  if (type !== "application/json") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, "invalid JSON body");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, "JSON body must be an object");
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string" || typeof value === "number") fields[key] = String(value);
  }
  return fields;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Replies with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  send(res, status, "application/json", JSON.stringify(body), headers);
}

/** Replies with an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Headers = {}): void {
  send(res, status, "text/html; charset=utf-8", html, headers);
}

/** Replies `302 Found` to `location` with an empty body, as a sign-in form post does. */
export function redirect(res: ServerResponse, location: string, headers: Headers = {}): void {
  res.writeHead(302, { ...headers, location, "content-length": "0" });
  res.end();
}

function send(res: ServerResponse, status: number, type: string, text: string, headers: Headers): void {
  const length = String(Buffer.byteLength(text));
  res.writeHead(status, { ...headers, "content-type": type, "content-length": length });
  res.end(text);
}
