/**
 * The one seam between anything that makes requests and the statistics: every request,
 * HTTP or any protocol a user writes, is reported as a `RequestEvent` on
 * `environment.events.request` (Locust's `request` event). The HTTP client fires it;
 * the runner feeds it to the stats. Neither side imports the other.
 */
import { EventHook } from "./event-hook.js";

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
  /**
   * Open model only: when the iteration this request belongs to was scheduled to start,
   * epoch milliseconds (`performance.timeOrigin + performance.now()`, like `startTimeMs`).
   * The stats then also record the response time from it: the send-to-response time plus
   * every wait before the send (for a free user, for earlier requests of the iteration).
   * An HttpUser's requests carry it by themselves; a User that fires `request` itself adds
   * `intendedStartMs: this.intendedStartMs`.
   */
  intendedStartMs?: number;
}

/**
 * The response time of a request measured from its iteration's intended start, ms, or
 * undefined when the event has no intended start. The request ended at
 * `startTimeMs + responseTimeMs` (or at `nowMs`, the precise time it is recorded, when the
 * event has no start time); never less than the service time itself.
 */
export function intendedResponseTimeMs(event: RequestEvent, nowMs: () => number): number | undefined {
  const intended = event.intendedStartMs;
  if (intended === undefined) return undefined;
  const end = event.startTimeMs === undefined ? nowMs() : event.startTimeMs + event.responseTimeMs;
  return Math.max(event.responseTimeMs, end - intended);
}

/** The text recorded in the failures table for a request event's exception. */
export function describeFailure(exception: Error | string): string {
  if (typeof exception === "string") return exception;
  const name = exception.name && exception.name !== "Error" ? `${exception.name}: ` : "";
  return `${name}${exception.message}`;
}

/**
 * What `events.request.measure()` reports, which the measured block may change before it
 * ends (Locust's `request_meta`): set `responseLength`, add to `context`, or set
 * `exception` to record a failure without throwing.
 */
export interface MeasuredRequest {
  requestType: string;
  name: string;
  responseLength: number;
  context: Record<string, unknown>;
  exception: Error | string | null;
  /** When the block started, epoch milliseconds. */
  readonly startTimeMs: number;
}

/**
 * The `request` event: an EventHook with Locust's `measure()`, which times any block of
 * code as one request.
 */
export class RequestEventHook extends EventHook<RequestEvent> {
  /**
   * Runs `block` and fires one request event for it: its duration is the response time,
   * and an error it throws is the request's failure. As in Locust, the error does not
   * propagate (the task goes on, and `undefined` is returned); set `meta.exception` to
   * record a failure without throwing.
   *
   * @example
   * const rows = await this.environment.events.request.measure("sql", "top products", async (meta) => {
   *   const result = await db.query("select ...");
   *   meta.responseLength = result.rows.length;
   *   return result.rows;
   * });
   */
  async measure<T>(
    requestType: string,
    name: string,
    block: (meta: MeasuredRequest) => T | Promise<T>,
  ): Promise<T | undefined> {
    const meta: MeasuredRequest = {
      requestType,
      name,
      responseLength: 0,
      context: {},
      exception: null,
      startTimeMs: Date.now(),
    };
    const started = performance.now();
    let result: T | undefined;
    try {
      result = await block(meta);
    } catch (error) {
      meta.exception = error instanceof Error || typeof error === "string" ? error : String(error);
    }
    this.fire({
      requestType: meta.requestType,
      name: meta.name,
      responseTimeMs: performance.now() - started,
      responseLength: meta.responseLength,
      exception: meta.exception,
      context: meta.context,
      startTimeMs: meta.startTimeMs,
    });
    return result;
  }
}
