/**
 * A tiny cookie-keeping test client for the coupon service: one instance is one
 * browser (its own cookie jar). Redirects are not followed, so tests see the 302.
 */

/** A response with its body already read. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** What a request sends: a form or JSON body, and whether to echo the CSRF cookie in `X-CSRFToken`. */
export interface RequestOptions {
  form?: Record<string, string>;
  json?: unknown;
  csrf?: boolean;
  headers?: Record<string, string>;
}

/** One simulated browser: a cookie jar and fetch with manual redirects. */
export class Browser {
  private readonly jar = new Map<string, string>();
  /** Every raw `Set-Cookie` header received, newest last (tests inspect attributes). */
  readonly setCookies: string[] = [];

  constructor(private readonly baseUrl: string) {}

  /** The current value of a cookie, if the jar holds it. */
  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  /** Sends one request with the jar's cookies and stores the cookies it sets. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (options.csrf) headers["x-csrftoken"] = this.jar.get("csrftoken") ?? "";
    let body: string | undefined;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.store(line);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  }

  /** GET /signin for the CSRF cookie, then POST the credentials with the token in the header. */
  async signIn(username: string, password = "cicada"): Promise<Reply> {
    await this.request("GET", "/signin");
    return this.request("POST", "/signin", { form: { username, password }, csrf: true });
  }

  private store(setCookie: string): void {
    this.setCookies.push(setCookie);
    const [pair = "", ...attributes] = setCookie.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const deleted = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (deleted) this.jar.delete(name);
    else this.jar.set(name, pair.slice(eq + 1).trim());
  }
}
