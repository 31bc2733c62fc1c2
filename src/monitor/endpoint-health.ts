/**
 * How often an endpoint failed, and the warning rule: one warning line per endpoint and
 * kind of failure for the whole test (the report says how often), one line when it
 * answers again after failing.
 */
import type { Logger } from "../shared/logger.js";
import type { ScrapeFailure } from "./fetch-text.js";
import { type EndpointHealth, SCRAPE_FAILURE_KINDS, type ScrapeFailureKind } from "./types.js";

const WHAT: Record<ScrapeFailureKind, string> = {
  unreachable: "cannot be reached",
  slow: "answers slower than the monitoring interval",
  http: "answers with an error status",
  garbage: "does not answer in the Prometheus format",
};

export class HealthTracker {
  readonly health: EndpointHealth;
  private readonly warned = new Set<ScrapeFailureKind>();
  private failingInARow = 0;

  constructor(
    label: string,
    url: string,
    kind: EndpointHealth["kind"],
    private readonly logger: Logger,
  ) {
    const byKind = Object.fromEntries(SCRAPE_FAILURE_KINDS.map((k) => [k, 0])) as Record<
      ScrapeFailureKind,
      number
    >;
    this.health = { label, url, kind, scrapes: 0, failures: 0, byKind, lastError: null, lastErrorAtMs: null };
  }

  attempt(): void {
    this.health.scrapes++;
  }

  /**
   * A scrape still in flight when the test ended: it neither failed nor succeeded, so it
   * is not counted (an endpoint that never answered reads "5 of 5 failed", not "4 of 5").
   */
  cutShort(): void {
    this.health.scrapes--;
  }

  fail(failure: ScrapeFailure, timeMs: number): void {
    const h = this.health;
    h.failures++;
    h.byKind[failure.kind]++;
    h.lastError = failure.message;
    h.lastErrorAtMs = timeMs;
    this.failingInARow++;
    if (this.warned.has(failure.kind)) return;
    this.warned.add(failure.kind);
    this.logger.warning(
      `monitor: ${h.url} (${h.label}) ${WHAT[failure.kind]}: ${failure.message}. The test goes on; ` +
        "its charts show a gap, and the report counts the failures (further ones of this kind are not logged).",
    );
  }

  succeed(): void {
    if (this.failingInARow > 0 && this.warned.size > 0) {
      this.logger.info(
        `monitor: ${this.health.url} (${this.health.label}) answers again after ${this.failingInARow} failed scrape(s)`,
      );
    }
    this.failingInARow = 0;
  }
}
