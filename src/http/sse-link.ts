/**
 * What an event stream takes from its session (sse.ts's `EventStreamLink`), built from
 * the session's public surface and its options only, so the SSE module stays apart
 * from the request/response machinery.
 */
import { joinToBase, urlProblem } from "../shared/url.js";
import type { SessionCookies } from "./cookies.js";
import type { TimeoutSettings } from "./errors.js";
import type { HttpSessionOptions } from "./options.js";
import type { EventStreamLink } from "./sse.js";
import { tlsSettings } from "./tls-options.js";

/** The parts of a session a stream reads. */
export interface StreamingSession {
  readonly baseUrl: string | undefined;
  readonly cookies: SessionCookies;
  readonly limits: TimeoutSettings;
}

const links = new WeakMap<StreamingSession, EventStreamLink>();

/** The link of `session` (one per session, made on its first stream). */
export function sessionStreamLink(session: StreamingSession, options: HttpSessionOptions): EventStreamLink {
  let link = links.get(session);
  if (link === undefined) {
    link = {
      resolveUrl: (pathOrUrl) => {
        const url = joinToBase(session.baseUrl, pathOrUrl);
        const problem = /^https?:\/\//i.test(url) ? urlProblem(url) : "expected an http:// or https:// URL";
        if (problem !== undefined) throw new Error(`cannot open an event stream at "${url}": ${problem}`);
        return url;
      },
      headersFor: (url) => {
        const headers: Record<string, string> = { ...options.defaultHeaders };
        const cookie = session.cookies.headerFor(url);
        if (cookie !== "") headers.cookie = cookie;
        return headers;
      },
      storeCookie: (value, url) => session.cookies.store(value, url),
      connectionTimeoutMs: session.limits.connectionTimeoutMs,
      networkTimeoutMs: session.limits.networkTimeoutMs,
      // The same TLS as the user's requests (its CA, client certificate, server name).
      tls: tlsSettings(options.tls, options.insecure === true),
      onRequest: options.onRequest,
      context: options.context,
    };
    links.set(session, link);
  }
  return link;
}
