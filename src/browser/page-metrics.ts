/**
 * What a browser user's pages report: each navigation that loads, as a row of type `NAV`
 * timed from the navigation's start to the end of its load event, and the Web Vitals of
 * each page (FCP, LCP, CLS, TTFB) as rows of type `VITAL` named `FCP /path` and so on, so
 * they are in every report and thresholds read them like requests (`"VITAL LCP /": "p75<2500"`).
 *
 * A script added to every document watches the browser's own performance entries
 * (navigation timing, `paint`, `largest-contentful-paint`, `layout-shift` with the
 * session windows of web.dev's CLS) and calls a binding as each value becomes known
 * or grows. NAV, TTFB and FCP are recorded at once; LCP and CLS when the page leaves
 * the document (its next document reports, `goto()` is called, or the user stops), as
 * web-vitals reports them when a page is hidden. (A binding call from a page being
 * unloaded does not always arrive, so the page never has to speak last.)
 * CLS is a score, not a time: its row's "ms" columns hold the score (0.1 is "good").
 */
import type { BrowserContext, Page } from "playwright-core";
import type { RequestEvent } from "../shared/request-event.js";

/** What the page script sends. */
type PageReport = { path: string; url: string; doc: string } & (
  | { kind: "NAV"; loadMs: number; ttfbMs: number; status: number; bytes: number }
  | { kind: "FCP"; valueMs: number }
  | { kind: "LCP"; valueMs: number }
  | { kind: "CLS"; value: number }
);

/** A document whose LCP and CLS are not recorded yet. */
interface OpenDocument {
  doc: string;
  path: string;
  url: string;
  lcpMs: number | undefined;
  cls: number;
}

const BINDING = "__cicadaReport";

/** Runs in every top-level http(s) document before its own scripts. Plain ES2020, no imports. */
const PAGE_SCRIPT = `(() => {
  if (window.__cicadaInstalled || !/^https?:$/.test(location.protocol) || window.top !== window) return;
  window.__cicadaInstalled = true;
  const doc = Math.random().toString(36).slice(2);
  const report = (payload) => {
    try { window.${BINDING}(Object.assign({ path: location.pathname, url: location.href, doc }, payload)); } catch {}
  };
  const observe = (type, onEntries) => {
    try { new PerformanceObserver((list) => onEntries(list.getEntries())).observe({ type, buffered: true }); } catch {}
  };
  observe("paint", (entries) => {
    for (const entry of entries) if (entry.name === "first-contentful-paint") report({ kind: "FCP", valueMs: entry.startTime });
  });
  observe("largest-contentful-paint", (entries) => {
    const last = entries[entries.length - 1];
    if (last) report({ kind: "LCP", valueMs: last.renderTime || last.loadTime || last.startTime });
  });
  let cls = 0, sessionValue = 0, sessionFirst = 0, sessionLast = 0;
  observe("layout-shift", (entries) => {
    for (const entry of entries) {
      if (entry.hadRecentInput) continue;
      if (sessionValue > 0 && entry.startTime - sessionLast < 1000 && entry.startTime - sessionFirst < 5000) {
        sessionValue += entry.value;
      } else {
        sessionValue = entry.value;
        sessionFirst = entry.startTime;
      }
      sessionLast = entry.startTime;
      if (sessionValue > cls) { cls = sessionValue; report({ kind: "CLS", value: cls }); }
    }
  });
  addEventListener("load", () => setTimeout(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    if (!nav) return;
    report({ kind: "NAV", loadMs: nav.loadEventEnd - nav.startTime, ttfbMs: nav.responseStart - nav.startTime,
      status: nav.responseStatus || 0, bytes: nav.encodedBodySize || 0 });
  }, 0));
})();`;

/** Records the navigations and Web Vitals of one user's browser context. */
export class PageMetrics {
  /** Row names given to paths by `goto(url, { name })`. */
  private readonly names = new Map<string, string>();
  /** Per page, the document whose LCP and CLS are still open. */
  private readonly open = new Map<Page, OpenDocument>();

  constructor(
    private readonly onRequest: (event: RequestEvent) => void,
    private readonly context: (() => Record<string, unknown>) | undefined,
  ) {}

  /** Installs the page script and the binding on a new context. */
  async attach(browserContext: BrowserContext): Promise<void> {
    await browserContext.exposeBinding(BINDING, (source, payload: PageReport) =>
      this.record(source.page, payload),
    );
    await browserContext.addInitScript(PAGE_SCRIPT);
  }

  /** Rows of `path` (and its vitals) are named `name` from now on. */
  nameFor(path: string, name: string): void {
    this.names.set(path, name);
  }

  /** The page leaves its document (a `goto`, the end of the user): records its LCP and CLS. */
  leave(page: Page): void {
    const open = this.open.get(page);
    if (open === undefined) return;
    this.open.delete(page);
    const name = this.nameOf(open.path);
    if (open.lcpMs !== undefined) this.vital("LCP", name, open.lcpMs, open.url);
    this.vital("CLS", name, open.cls, open.url);
  }

  /** Records every page's open document (the user stops). */
  leaveAll(): void {
    for (const page of [...this.open.keys()]) this.leave(page);
  }

  /** Records a row of type NAV (a navigation that failed in `goto`). */
  navigationFailed(name: string, url: string, elapsedMs: number, error: Error): void {
    this.fire({
      requestType: "NAV",
      name,
      responseTimeMs: elapsedMs,
      responseLength: 0,
      exception: error,
      url,
    });
  }

  private record(page: Page, report: PageReport): void {
    // LCP and CLS are final when the page shows another document: web-vitals reports them when
    // the page is hidden, and a page being unloaded cannot be relied on to say so itself.
    if (this.open.get(page)?.doc !== report.doc) {
      this.leave(page);
      this.open.set(page, { doc: report.doc, path: report.path, url: report.url, lcpMs: undefined, cls: 0 });
    }
    const open = this.open.get(page)!;
    const name = this.nameOf(report.path);
    switch (report.kind) {
      case "NAV": {
        const exception = report.status >= 400 ? navigationError(report.status) : null;
        this.fire({
          requestType: "NAV",
          name,
          responseTimeMs: report.loadMs,
          responseLength: report.bytes,
          exception,
          url: report.url,
        });
        this.vital("TTFB", name, report.ttfbMs, report.url);
        return;
      }
      case "FCP":
        this.vital("FCP", name, report.valueMs, report.url);
        return;
      case "LCP":
        open.lcpMs = report.valueMs;
        return;
      case "CLS":
        open.cls = report.value;
    }
  }

  private nameOf(path: string): string {
    return this.names.get(path) ?? path;
  }

  private vital(metric: "FCP" | "LCP" | "CLS" | "TTFB", name: string, value: number, url: string): void {
    if (!Number.isFinite(value) || value < 0) return;
    this.fire({
      requestType: "VITAL", // stats' VITAL_TYPE: rows that stay out of the Aggregated row
      name: `${metric} ${name}`,
      responseTimeMs: value,
      responseLength: 0,
      exception: null,
      url,
    });
  }

  private fire(event: RequestEvent): void {
    event.startTimeMs = Date.now();
    if (this.context !== undefined) event.context = this.context();
    this.onRequest(event);
  }
}

function navigationError(status: number): Error {
  const error = new Error(`${status} (the page's document)`);
  error.name = "HTTPError";
  return error;
}
