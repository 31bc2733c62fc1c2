/**
 * What a browser user's pages report: each navigation that loads, as a row of type `NAV`
 * timed from the navigation's start to the end of its load event, and the Web Vitals of
 * each page (FCP, LCP, CLS, TTFB) as rows of type `VITAL` named `FCP /path` and so on, so
 * they are in every report and thresholds read them like requests (`"VITAL LCP /": "p75<2500"`).
 *
 * A document's vitals are recorded only once its navigation is: when it loads (its NAV
 * row) or when `goto()` records it as failed (a page whose images never finish still has
 * its TTFB and FCP). A navigation the stop cut off is in no statistic, and neither are its
 * vitals (as requests aborted by the stop). TTFB and FCP are recorded then, or when known
 * if later; LCP and CLS when the page leaves the document (its next document reports,
 * `goto()` is called, or the user stops), as web-vitals reports them when a page is hidden.
 * (A binding call from a page being unloaded does not always arrive, so the page never
 * has to speak last: a document left before its NAV report arrived is kept until it does.)
 * CLS is a score, not a time: its row's "ms" columns hold the score (0.1 is "good").
 */
import type { BrowserContext, Page } from "playwright-core";
import type { RequestEvent } from "../shared/request-event.js";
import { BINDING, LOAD_REPORT, PAGE_SCRIPT, type PageReport } from "./page-script.js";

type Vital = "FCP" | "LCP" | "CLS" | "TTFB";

/** One document shown by a page, and what is known of it. */
interface DocumentState {
  id: string;
  path: string;
  url: string;
  /** Its navigation is recorded (loaded, or failed in `goto`): its vitals may be. */
  navigationRecorded: boolean;
  /** The page has left it: its LCP and CLS are final. */
  left: boolean;
  /** Its rows are all recorded: later reports from it are ignored. */
  finished: boolean;
  ttfbKnown: boolean;
  fcpKnown: boolean;
  lcpMs: number | undefined;
  lcpRecorded: boolean;
  cls: number;
  clsRecorded: boolean;
  /** TTFB and FCP known before the navigation was recorded. */
  waiting: Array<[Vital, number]>;
}

/** Documents no longer shown that are remembered (awaiting their NAV, or to ignore late reports). */
const REMEMBERED_DOCUMENTS = 32;

/** Records the navigations and Web Vitals of one user's browser context. */
export class PageMetrics {
  /** Row names given to paths by `goto(url, { name })`. */
  private readonly names = new Map<string, string>();
  /** Per page (a Playwright Page, any object in tests), the document it shows. */
  private readonly shown = new Map<object, DocumentState>();
  /** Documents left, by id, oldest first. */
  private readonly leftDocuments = new Map<string, DocumentState>();

  constructor(
    private readonly onRequest: (event: RequestEvent) => void,
    private readonly context: (() => Record<string, unknown>) | undefined,
  ) {}

  /** Installs the page script and the binding on a new context. */
  async attach(browserContext: BrowserContext): Promise<void> {
    await browserContext.exposeBinding(BINDING, (source, payload: PageReport) =>
      this.receive(source.page, payload),
    );
    await browserContext.addInitScript(PAGE_SCRIPT);
  }

  /** Rows of `path` (and its vitals) are named `name` from now on. */
  nameFor(path: string, name: string): void {
    this.names.set(path, name);
  }

  /** The page leaves its document (a `goto`, the end of the user): its LCP and CLS are final. */
  leave(page: object): void {
    const document = this.shown.get(page);
    if (document === undefined) return;
    this.shown.delete(page);
    document.left = true;
    if (document.navigationRecorded) this.finish(document);
    else this.remember(document);
  }

  /**
   * The user stops: every document it shows is left. One whose navigation was never
   * recorded (cut off by the stop) records nothing.
   */
  leaveAll(): void {
    for (const page of [...this.shown.keys()]) this.leave(page);
    this.leftDocuments.clear();
  }

  /**
   * Records a failed navigation of `page` (`goto` timed out or could not connect). The
   * document it shows, if any, came from this navigation (goto left the one before): its
   * vitals are recorded with it.
   */
  navigationFailed(page: object, name: string, url: string, elapsedMs: number, error: Error): void {
    this.fire({
      requestType: "NAV",
      name,
      responseTimeMs: elapsedMs,
      responseLength: 0,
      exception: error,
      url,
    });
    const document = this.shown.get(page);
    if (document !== undefined && !document.navigationRecorded) this.navigationRecordedFor(document);
  }

  /**
   * `goto()` resolved at the load event: records the document's load at once, read from the
   * page, rather than waiting for the page script's report, which a page left at once (the
   * next `goto()`) never sends. A page that navigated on by itself has nothing to read: its
   * script reports its own loads.
   */
  async loaded(page: Page): Promise<void> {
    const report = await page
      .evaluate(
        (name) => (globalThis as unknown as Record<string, (() => unknown) | undefined>)[name]?.() ?? null,
        LOAD_REPORT,
      )
      .catch(() => null);
    if (report !== null) this.receive(page, report as PageReport);
  }

  /** A report of the page script (public for the tests, which send reports as a page does). */
  receive(page: object, report: PageReport): void {
    const document = this.documentOf(page, report);
    if (document.finished) {
      // Its rows are recorded, and later reports are ignored, but for the paints of a fast
      // page: they come after its load event, often after the next goto() left it (their
      // observer ran before the page was left; only the report is late). Once each.
      if (report.kind === "FCP" && !document.fcpKnown) {
        this.known(document, "FCP", report.valueMs);
        this.recordCls(document); // as it was when the page was left
      }
      if (report.kind === "LCP" && !document.lcpRecorded) this.recordLcp(document, report.valueMs);
      return;
    }
    switch (report.kind) {
      case "NAV":
        if (document.navigationRecorded) return; // goto recorded it as failed already
        this.fire({
          requestType: "NAV",
          name: this.nameOf(document.path),
          responseTimeMs: report.loadMs,
          responseLength: report.bytes,
          exception: report.status >= 400 ? navigationError(report.status) : null,
          url: report.url,
        });
        if (!document.ttfbKnown) this.known(document, "TTFB", report.ttfbMs);
        this.navigationRecordedFor(document);
        return;
      case "TTFB":
        if (!document.ttfbKnown) this.known(document, "TTFB", report.valueMs);
        return;
      case "FCP":
        if (!document.fcpKnown) this.known(document, "FCP", report.valueMs);
        return;
      case "LCP":
        document.lcpMs = report.valueMs;
        return;
      case "CLS":
        document.cls = report.value;
    }
  }

  /** The document a report is about: the page's, a left one, or a new one the page now shows. */
  private documentOf(page: object, report: PageReport): DocumentState {
    const shown = this.shown.get(page);
    if (shown?.id === report.doc) return shown;
    const left = this.leftDocuments.get(report.doc);
    if (left !== undefined) return left;
    // LCP and CLS are final when the page shows another document: web-vitals reports them
    // when the page is hidden, and a page being unloaded cannot be relied on to say so itself.
    this.leave(page);
    const document: DocumentState = {
      id: report.doc,
      path: report.path,
      url: report.url,
      navigationRecorded: false,
      left: false,
      finished: false,
      ttfbKnown: false,
      fcpKnown: false,
      lcpMs: undefined,
      lcpRecorded: false,
      cls: 0,
      clsRecorded: false,
      waiting: [],
    };
    this.shown.set(page, document);
    return document;
  }

  /** A TTFB or FCP: recorded now if the document's navigation is, else when it is. */
  private known(document: DocumentState, vital: "TTFB" | "FCP", valueMs: number): void {
    if (vital === "TTFB") document.ttfbKnown = true;
    else document.fcpKnown = true;
    if (document.navigationRecorded) this.vital(vital, document, valueMs);
    else if (vital === "TTFB")
      document.waiting.unshift([vital, valueMs]); // rows in the page's order
    else document.waiting.push([vital, valueMs]);
  }

  private navigationRecordedFor(document: DocumentState): void {
    document.navigationRecorded = true;
    for (const [vital, value] of document.waiting.splice(0)) this.vital(vital, document, value);
    if (document.left) this.finish(document);
  }

  /**
   * Records the LCP and CLS of a document left after its navigation was recorded. Its CLS
   * only once it painted (as web-vitals, which reports CLS after FCP): a page left before
   * its first paint has no layout to shift, and a 0 would read as a good score.
   */
  private finish(document: DocumentState): void {
    document.finished = true;
    if (document.lcpMs !== undefined) this.recordLcp(document, document.lcpMs);
    if (document.fcpKnown) this.recordCls(document);
    this.remember(document);
  }

  private recordCls(document: DocumentState): void {
    if (document.clsRecorded) return;
    document.clsRecorded = true;
    this.vital("CLS", document, document.cls);
  }

  private recordLcp(document: DocumentState, valueMs: number): void {
    document.lcpRecorded = true;
    this.vital("LCP", document, valueMs);
  }

  private remember(document: DocumentState): void {
    this.leftDocuments.delete(document.id);
    this.leftDocuments.set(document.id, document);
    // The oldest left document that still awaits its NAV never loaded: it records nothing.
    if (this.leftDocuments.size > REMEMBERED_DOCUMENTS) {
      this.leftDocuments.delete(this.leftDocuments.keys().next().value!);
    }
  }

  private nameOf(path: string): string {
    return this.names.get(path) ?? path;
  }

  private vital(metric: Vital, document: DocumentState, value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    this.fire({
      requestType: "VITAL", // stats' VITAL_TYPE: rows that stay out of the Aggregated row
      name: `${metric} ${this.nameOf(document.path)}`,
      responseTimeMs: value,
      responseLength: 0,
      exception: null,
      url: document.url,
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
