/**
 * One failure row per HTTP error, whichever worker saw it. Cicada words a status failure
 * `HTTPError: 500 Internal Server Error`; Locust's workers word the same failure
 * `HTTPError('500 Server Error: Internal Server Error for url: http://host/fail')` (HttpUser,
 * the URL, or the request's name when one was given) or
 * `BadStatusCode('http://host/fail', code=500)` (FastHttpUser). Rows are keyed by their
 * text, so the same failure would make two rows. The same holds for a `catchResponse`
 * failure: Cicada words `response.failure("no results")` as its reason, `no results`;
 * Locust's workers word it `CatchResponseError('no results')` (the repr of the exception
 * Locust wraps the reason in).
 *
 * Cicada's form is the canonical one: a Cicada master rewrites Locust's forms into it as
 * reports arrive. A Locust master cannot be taught that, so a Cicada worker under a
 * Locust master words its HTTP errors exactly as Locust's HttpUser does (same text, same
 * error key), and its rows merge with the Python workers' rows there.
 */
import { STATUS_CODES } from "node:http";
import { HttpResponse } from "../http/index.js";
import type { RequestEvent } from "../shared/request-event.js";
import { pythonRepr, pythonUnrepr } from "./python-compat.js";

const CICADA_FORM = /^HTTPError: (\d{3})(?: (.*))?$/s;
const LOCUST_HTTP_USER_FORM = /^HTTPError\((['"])(\d{3}) (?:Client|Server) Error: (.*) for url: (.*)\1\)$/s;
const LOCUST_FAST_HTTP_USER_FORM = /^(?:Locust)?BadStatusCode\((?:(['"]).*\1, )?code=(\d{3})\)$/s;
const LOCUST_CATCH_RESPONSE_FORM = /^CatchResponseError\((['"].*['"])\)$/s;

/**
 * Cicada's text for an error text from a Locust worker: its HTTP status failures become
 * `HTTPError: <status> <reason>`, its `catchResponse` failures their reason; anything else
 * is returned unchanged.
 */
export function canonicalErrorText(error: string): string {
  const caught = LOCUST_CATCH_RESPONSE_FORM.exec(error);
  // Python's repr of the reason, quotes and escapes as repr writes them, or not Locust's.
  if (caught) return pythonUnrepr(caught[1]!) ?? error;
  const http = LOCUST_HTTP_USER_FORM.exec(error);
  if (http) {
    // Only a text that is exactly Python's repr of its message is Locust's (no guessing at escapes).
    const inner = `${http[2]} ${Number(http[2]) < 500 ? "Client" : "Server"} Error: ${http[3]} for url: ${http[4]}`;
    if (`HTTPError(${pythonRepr(inner)})` === error) return `HTTPError: ${http[2]} ${http[3]}`.trimEnd();
    return error;
  }
  const fast = LOCUST_FAST_HTTP_USER_FORM.exec(error);
  if (fast) {
    const status = Number(fast[2]);
    const reason = STATUS_CODES[status];
    return reason ? `HTTPError: ${status} ${reason}` : `HTTPError: ${status}`;
  }
  return error;
}

/**
 * The failure text Locust's HttpUser gives a request event, for a Cicada worker under a
 * Locust master: an HTTP status failure of 400-599 in Locust's words, with the URL (or
 * the request's name when it was named), a `catchResponse` failure's reason as
 * `CatchResponseError('reason')`, anything else as Cicada words it (`describe`).
 */
export function locustErrorText(
  event: RequestEvent,
  describe: (exception: Error | string) => string,
): string {
  const exception = event.exception!;
  // response.failure("reason") reports the reason itself, a string, with its response.
  if (typeof exception === "string" && event.response instanceof HttpResponse)
    return `CatchResponseError(${pythonRepr(exception)})`;
  const text = describe(exception);
  const http = CICADA_FORM.exec(text);
  if (!http || typeof exception === "string") return text;
  const status = Number(http[1]);
  if (status < 400 || status > 599) return text;
  const response = event.response as { url?: unknown; statusText?: unknown } | undefined;
  const reason = typeof response?.statusText === "string" ? response.statusText : (http[2] ?? "");
  const finalUrl = typeof response?.url === "string" ? response.url : (event.url ?? event.name);
  const url = isDefaultName(event) ? finalUrl : event.name;
  const kind = status < 500 ? "Client" : "Server";
  return `HTTPError(${pythonRepr(`${status} ${kind} Error: ${reason} for url: ${url}`)})`;
}

/**
 * Whether the request kept its default name (the URL as given), as opposed to a `name`
 * option: Locust puts the name in its message only when one was given.
 */
function isDefaultName(event: RequestEvent): boolean {
  const url = event.url;
  if (url === undefined || url === event.name) return true;
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search === event.name;
  } catch {
    return false;
  }
}
