/**
 * Browser users: one Chromium per process (playwright-core, an optional peer dependency
 * loaded on first use), a context per user, and the rows their pages report (navigations
 * and Web Vitals) through an injected callback; never imports stats/.
 */
export { PageMetrics } from "./page-metrics.js";
export {
  type BrowserSettings,
  CONTEXTS_PER_CORE,
  checkBrowserSupport,
  findChromium,
  loadPlaywright,
  sharedBrowser,
} from "./shared-browser.js";
