import type { BrowserContext, BrowserContextOptions, Page, Response } from "playwright-core";
import { PageMetrics, sharedBrowser } from "../browser/index.js";
import { StopUser } from "../shared/control-flow.js";
import { kDispose, kInterrupt, kStart } from "./internal.js";
import { User } from "./user.js";

/** Options of `goto()`. */
export interface GotoOptions {
  /** The row name of this page's navigation and vitals (default: its path). */
  name?: string;
  /** Seconds the page has to fire its load event (default: the user's navigationTimeout). */
  timeout?: number;
}

/**
 * A user that drives a real Chromium page (playwright-core): `this.page` is its page, in
 * a browser context of its own (its own cookies and cache) on the one browser of this
 * process. Each navigation that loads is a row of type `NAV` with its load time, and the
 * page's Web Vitals are rows of type `VITAL` (`FCP /`, `LCP /`, `CLS /`, `TTFB /`).
 * `goto()` records a page that does not load as a failure instead of throwing.
 *
 * A browser user costs a renderer process: run a few beside many HttpUsers (see
 * docs/protocols.md for the measured cost).
 *
 * @example
 * export class Visitor extends BrowserUser {
 *   host = "http://127.0.0.1:8080";
 *   @task async home() {
 *     await this.goto("/");
 *     await this.page.click("text=Sign in");   // the next page is recorded too
 *   }
 * }
 */
export class BrowserUser extends User {
  static override abstract = true;

  /** The Chromium binary (default: /usr/bin/chromium or another system Chromium, else Playwright's). */
  executablePath?: string;
  /** Seconds a navigation may take to load (default 30). */
  navigationTimeout?: number;
  /** Options of this user's browser context (viewport, locale, userAgent, ...). */
  contextOptions?: BrowserContextOptions;

  private ownContext: BrowserContext | undefined;
  private ownPage: Page | undefined;
  private metrics: PageMetrics | undefined;
  private readonly waitSignal: { onCancel?: (reason: unknown) => void } = {};
  private stopping = false;
  /** The URL of the page abandoned by the last timed-out `goto` (the page shows about:blank). */
  private abandonedUrl: string | undefined;

  /** This user's page, ready from `onStart` on. */
  get page(): Page {
    if (this.ownPage === undefined)
      throw new Error("this.page is available from onStart on, until the user stops");
    return this.ownPage;
  }

  /** This user's browser context (its cookies, its other pages). */
  get browserContext(): BrowserContext {
    if (this.ownContext === undefined) throw new Error("this.browserContext is available from onStart on");
    return this.ownContext;
  }

  /**
   * Opens a path of the host (or a URL) in `this.page` and waits for its load event.
   * Resolves with the document's response, or null after recording a failure (the page
   * did not load in time, the connection failed).
   */
  async goto(pathOrUrl: string, options: GotoOptions = {}): Promise<Response | null> {
    const page = this.page;
    const metrics = this.metrics!;
    metrics.leave(page); // the LCP and CLS of the document being left
    const url = new URL(pathOrUrl, this.baseUrl() ?? this.abandonedUrl ?? page.url());
    this.abandonedUrl = undefined;
    const name = options.name ?? url.pathname;
    if (options.name !== undefined) metrics.nameFor(url.pathname, options.name);
    const timeoutSeconds = options.timeout ?? this.navigationTimeout ?? 30;
    const started = performance.now();
    try {
      const response = await page.goto(url.href, { timeout: timeoutSeconds * 1000, waitUntil: "load" });
      await metrics.loaded(page);
      return response;
    } catch (error) {
      if (this.stopping) throw new StopUser("navigation aborted: the user was stopped");
      const failure = navigationFailure(error as Error, timeoutSeconds);
      metrics.navigationFailed(page, name, url.href, performance.now() - started, failure);
      if (failure.name === "Timeout") await this.abandonNavigation(page);
      return null;
    }
  }

  /**
   * Ends a navigation that timed out: Chromium would go on loading it, and the next `goto`
   * to the same URL would abort at once (net::ERR_ABORTED) instead of being measured.
   * Opening about:blank cancels it (and the document's pending requests) in a few ms; no
   * row is recorded for it (the page script ignores non-http documents).
   */
  private async abandonNavigation(page: Page): Promise<void> {
    const url = page.url();
    this.abandonedUrl = url === "about:blank" ? undefined : url; // the base of a relative goto
    try {
      await page.goto("about:blank", { timeout: ABANDON_TIMEOUT_MS });
    } catch (error) {
      if (this.stopping) throw new StopUser("navigation aborted: the user was stopped");
      this.environment.logger.warning(
        `could not stop a page that did not load (${(error as Error).message.split("\n")[0]})`,
      );
    }
    this.metrics!.leave(page); // the timed-out document's LCP and CLS are final
  }

  override async [kStart](): Promise<void> {
    this.metrics = new PageMetrics(
      this.requestRecorder(),
      this.context === User.prototype.context ? undefined : () => this.context(),
    );
    const baseURL = this.baseUrl();
    const context = await sharedBrowser.newContext(
      { executablePath: this.executablePath },
      { ...(baseURL === undefined ? {} : { baseURL }), ...this.contextOptions },
      this.waitSignal,
      (message) => this.environment.logger.warning(message),
    );
    this.ownContext = context;
    if (this.stopping) throw new StopUser();
    await this.metrics.attach(context);
    this.ownPage = await context.newPage();
    this.ownPage.setDefaultNavigationTimeout((this.navigationTimeout ?? 30) * 1000);
  }

  override [kInterrupt](): void {
    this.stopping = true;
    this.waitSignal.onCancel?.(new StopUser("the user was stopped"));
    // Closing the context ends whatever the task awaits on the page now.
    void this.closeContext();
  }

  override async [kDispose](): Promise<void> {
    this.stopping = true;
    this.waitSignal.onCancel?.(new StopUser("the user was stopped"));
    this.metrics?.leaveAll();
    await this.closeContext();
  }

  private baseUrl(): string | undefined {
    return this.environment.host ?? this.host;
  }

  private async closeContext(): Promise<void> {
    const context = this.ownContext;
    if (context === undefined) return;
    this.ownContext = undefined;
    this.ownPage = undefined;
    try {
      await context.close();
    } catch {
      // Already closed with the browser.
    } finally {
      sharedBrowser.release();
    }
  }
}

/** How long opening about:blank may take to end a navigation that timed out. */
const ABANDON_TIMEOUT_MS = 5000;

/** `Timeout: the page did not load within 5 s`, `ConnectionRefusedError: ...`, else `NavigationError: ...`. */
function navigationFailure(error: Error, timeoutSeconds: number): Error {
  const firstLine = error.message.split("\n")[0] ?? error.message;
  const failure = new Error(firstLine);
  if (error.name === "TimeoutError") {
    failure.name = "Timeout";
    failure.message = `the page did not load within ${timeoutSeconds} s`;
  } else if (/ERR_CONNECTION_REFUSED/.test(firstLine)) failure.name = "ConnectionRefusedError";
  else failure.name = "NavigationError";
  return failure;
}
