/**
 * The one seam between anything that makes requests and the statistics: every request,
 * HTTP or any protocol a user writes, is reported as a `RequestEvent` on
 * `environment.events.request` (Locust's `request` event). The HTTP client fires it;
 * the runner feeds it to the stats. Neither side imports the other.
 */
export interface RequestEvent {
  /** "GET", "POST", ... for HTTP; any short label for other protocols ("grpc", "sql"). */
  requestType: string;
  /** The stats grouping name: the URL path, or the `name` option. */
  name: string;
  /** Time from sending to the end of the response body, in milliseconds (fractional). */
  responseTimeMs: number;
  /** Bytes of the response body. */
  responseLength: number;
  /** Set when the request failed: a message or an error. Null or undefined means success. */
  exception?: Error | string | null;
  /** Free-form data from the user (`context` option or `User.context()`). */
  context?: Record<string, unknown>;
  /** When the request started, epoch milliseconds. */
  startTimeMs?: number;
  /** The full URL, when there is one. */
  url?: string;
  /** The protocol response object, when there is one (the HTTP client's `HttpResponse`). */
  response?: unknown;
}

/** The text recorded in the failures table for a request event's exception. */
export function describeFailure(exception: Error | string): string {
  if (typeof exception === "string") return exception;
  const name = exception.name && exception.name !== "Error" ? `${exception.name}: ` : "";
  return `${name}${exception.message}`;
}
