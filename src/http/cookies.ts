/**
 * The cookie jar of one session (RFC 6265, tough-cookie's synchronous API). Each
 * virtual user has its own jar, so a login in one user never leaks into another.
 *
 * The hot path is a request from a user that holds no cookies: `isEmpty` lets the
 * session skip the jar entirely until a `Set-Cookie` has been stored.
 */
import { createRequire } from "node:module";
import type { CookieJar } from "tough-cookie";

/**
 * tough-cookie, loaded with the first cookie (synchronously: its CommonJS build): a run
 * whose users never receive a cookie does not load it (about 6 MB of RSS with its
 * public-suffix list).
 */
let CookieJarClass: typeof CookieJar | undefined;
function newJar(): CookieJar {
  CookieJarClass ??= (createRequire(import.meta.url)("tough-cookie") as typeof import("tough-cookie"))
    .CookieJar;
  return new CookieJarClass(undefined, { looseMode: true });
}

/** The cookie API a locustfile sees as `this.client.cookies`. */
export class SessionCookies {
  /** Created with the first cookie: most load-test users never receive one, and a jar is not small. */
  private jar: CookieJar | undefined;
  private stored = false;

  /** @param session gives the URL used when `get`/`set` are called without one (its base URL). */
  constructor(private readonly session: { defaultCookieUrl(): string | undefined }) {}

  /**
   * The value of cookie `name` that would be sent to `url` (default: the base URL). With
   * no URL at all, the first stored cookie of that name, whatever its domain.
   */
  get(name: string, url?: string): string | undefined {
    if (!this.stored) return undefined;
    const target = url ?? this.session.defaultCookieUrl();
    if (target === undefined) return this.all().find((cookie) => cookie.key === name)?.value;
    return this.jar!.getCookiesSync(target).find((cookie) => cookie.key === name)?.value;
  }

  /** Stores a cookie given as a `Set-Cookie` header value, as if `url` (default: the base URL) had sent it. */
  set(setCookieHeader: string, url?: string): void {
    const target = url ?? this.session.defaultCookieUrl();
    if (target === undefined) {
      throw new Error("cookies.set() needs a URL when the session has no base URL (host)");
    }
    this.store(setCookieHeader, target);
  }

  /** Forgets every cookie. */
  clear(): void {
    this.jar = undefined;
    this.stored = false;
  }

  /** How many cookies the jar holds (expired ones included until they are next looked up). */
  get count(): number {
    return this.stored ? this.all().length : 0;
  }

  /** True while no cookie was ever stored: requests then skip the jar. */
  get isEmpty(): boolean {
    return !this.stored;
  }

  /** Stores one `Set-Cookie` value received from `url`; invalid cookies are ignored, as browsers do. */
  store(setCookieHeader: string, url: string): void {
    this.jar ??= newJar();
    const cookie = this.jar.setCookieSync(setCookieHeader, url, { ignoreError: true });
    if (cookie !== undefined) this.stored = true;
  }

  /** The `Cookie` header value for `url`, "" when no cookie matches. */
  headerFor(url: string): string {
    return this.stored ? this.jar!.getCookieStringSync(url) : "";
  }

  private all(): Array<{ key: string; value: string }> {
    const cookies = this.jar?.serializeSync()?.cookies ?? [];
    return cookies.map((cookie) => ({ key: String(cookie.key ?? ""), value: String(cookie.value ?? "") }));
  }
}
