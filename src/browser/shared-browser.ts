/**
 * One Chromium per process, shared by every BrowserUser of the process: each user gets
 * its own browser context (cookies, cache and storage of its own, like a fresh profile)
 * from it. The browser starts with the first context and is closed with the last, so a
 * finished run leaves no Chromium behind (and no open pipe keeps Node alive).
 *
 * Contexts are bounded (`maxContexts`): a user past the bound waits for a free one, and
 * a warning says so once, because a browser user costs a real renderer process (see
 * docs/protocols.md for the measured cost per core).
 *
 * playwright-core is an optional peer dependency: it is imported here, on first use only.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, userInfo } from "node:os";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { StopUser } from "../shared/control-flow.js";
import { EnvironmentError } from "../shared/errors.js";

/** Chromium binaries tried, in order, when no executablePath is given (Debian's first). */
const KNOWN_CHROMIUMS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** Browser contexts per core before users wait for one (see docs/protocols.md, "Browser users"). */
export const CONTEXTS_PER_CORE = 8;

/** How the process's browser is started. */
export interface BrowserSettings {
  /** The Chromium binary; default: the first of /usr/bin/chromium and friends, else Playwright's own. */
  executablePath?: string | undefined;
  /** Extra command-line flags for Chromium. */
  args?: readonly string[] | undefined;
}

type PlaywrightModule = typeof import("playwright-core");

/** playwright-core, or a clear error naming the missing package. */
export function loadPlaywright(): PlaywrightModule {
  try {
    return createRequire(import.meta.url)("playwright-core") as PlaywrightModule;
  } catch (error) {
    throw new EnvironmentError(
      "CICADA_ERR_MISSING_PACKAGE",
      "BrowserUser needs the npm package playwright-core, which is not installed",
      {
        hint: "Install it beside Cicada: npm install playwright-core (and a Chromium, e.g. apt-get install chromium)",
        cause: error,
      },
    );
  }
}

/** The Chromium binary to start: the given one, a known system one, or Playwright's own (checked to exist). */
export function findChromium(settings: BrowserSettings = {}): string {
  const candidates = settings.executablePath !== undefined ? [settings.executablePath] : KNOWN_CHROMIUMS;
  const found = candidates.find((path) => existsSync(path));
  if (found !== undefined) return found;
  const bundled = settings.executablePath === undefined ? loadPlaywright().chromium.executablePath() : "";
  if (bundled !== "" && existsSync(bundled)) return bundled;
  throw new EnvironmentError(
    "CICADA_ERR_NO_BROWSER",
    `no Chromium found (tried ${[...candidates, bundled].filter((p) => p !== "").join(", ")})`,
    {
      hint: "Install one (apt-get install chromium, or npx playwright install chromium), or set executablePath on the BrowserUser class",
    },
  );
}

/** Checks, before a run starts, that browser users can run: the package and a Chromium. */
export function checkBrowserSupport(settings: BrowserSettings = {}): void {
  loadPlaywright();
  findChromium(settings);
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/** The process's browser and its contexts. */
class SharedBrowser {
  private browser: Promise<Browser> | undefined;
  private open = 0;
  private readonly waiters: Waiter[] = [];
  private warned = false;
  maxContexts = Math.max(1, cpus().length) * CONTEXTS_PER_CORE;

  /** A new context; waits while `maxContexts` are open. `warn` is told once when users wait. */
  async newContext(
    settings: BrowserSettings,
    options: BrowserContextOptions,
    waitSignal: { onCancel?: (reason: unknown) => void },
    warn: (message: string) => void,
  ): Promise<BrowserContext> {
    if (this.open >= this.maxContexts) {
      if (!this.warned) {
        this.warned = true;
        warn(
          `more browser users than ${this.maxContexts} contexts in this process (${CONTEXTS_PER_CORE} per core): ` +
            "the others wait for a free one. Spread browser users over more processes (--processes, workers).",
        );
      }
      await new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject };
        this.waiters.push(waiter);
        waitSignal.onCancel = (reason) => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(reason);
        };
      });
    }
    this.open++;
    try {
      this.browser ??= this.launch(settings);
      const browser = await this.browser;
      return await browser.newContext(options);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** A context was closed: let a waiting user in, or close the browser with the last context. */
  release(): void {
    this.open--;
    const next = this.waiters.shift();
    if (next !== undefined) {
      next.resolve();
      return;
    }
    if (this.open === 0 && this.browser !== undefined) {
      const closing = this.browser;
      this.browser = undefined;
      void closing.then((browser) => browser.close()).catch(() => {});
    }
  }

  /** Every waiting user is being stopped. */
  cancelWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(new StopUser("the user was stopped"));
  }

  private async launch(settings: BrowserSettings): Promise<Browser> {
    const { chromium } = loadPlaywright();
    const args = [
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ];
    // Chromium refuses to start as root without it (containers, CI).
    if (userInfo().uid === 0) args.push("--no-sandbox");
    try {
      return await chromium.launch({
        executablePath: findChromium(settings),
        headless: true,
        args: [...args, ...(settings.args ?? [])],
      });
    } catch (error) {
      this.browser = undefined;
      throw error;
    }
  }
}

/** The browser of this process. */
export const sharedBrowser = new SharedBrowser();
