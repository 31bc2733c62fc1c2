/**
 * The script added to every top-level http(s) document of a browser user's context: it
 * watches the browser's own performance entries (navigation timing, `paint`,
 * `largest-contentful-paint`, `layout-shift` with the session windows of web.dev's CLS)
 * and calls a binding as each value becomes known or grows.
 */

/** What the page script sends; `doc` tells documents apart (one per document shown). */
export type PageReport = { path: string; url: string; doc: string } & (
  | { kind: "NAV"; loadMs: number; ttfbMs: number; status: number; bytes: number }
  | { kind: "TTFB"; valueMs: number }
  | { kind: "FCP"; valueMs: number }
  | { kind: "LCP"; valueMs: number }
  | { kind: "CLS"; value: number }
);

/** The binding the page script calls. */
export const BINDING = "__cicadaReport";

/** The page script's function that returns the document's NAV report once it has loaded (else null). */
export const LOAD_REPORT = "__cicadaLoadReport";

/**
 * Plain ES2020, no imports. TTFB is sent as soon as the document's response has arrived
 * (at once, or at DOMContentLoaded), not with the load event: a document whose images never
 * finish still has a known time to first byte.
 */
export const PAGE_SCRIPT = `(() => {
  if (window.__cicadaInstalled || !/^https?:$/.test(location.protocol) || window.top !== window) return;
  window.__cicadaInstalled = true;
  const doc = Math.random().toString(36).slice(2);
  const report = (payload) => {
    try { window.${BINDING}(Object.assign({ path: location.pathname, url: location.href, doc }, payload)); } catch {}
  };
  const observe = (type, onEntries) => {
    try { new PerformanceObserver((list) => onEntries(list.getEntries())).observe({ type, buffered: true }); } catch {}
  };
  const navigationEntry = () => performance.getEntriesByType("navigation")[0];
  const reportTtfb = () => {
    const nav = navigationEntry();
    if (!nav || !(nav.responseStart > 0)) return false;
    report({ kind: "TTFB", valueMs: nav.responseStart - nav.startTime });
    return true;
  };
  if (!reportTtfb()) addEventListener("DOMContentLoaded", reportTtfb, { once: true });
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
  // The document's load, once its load event has ended; null before. goto() reads it as
  // soon as it resolves (${LOAD_REPORT}): the report below, a task after the load event,
  // never runs when the next goto() leaves the page first. Either way it is counted once.
  const loadReport = () => {
    const nav = navigationEntry();
    if (!nav || !(nav.loadEventEnd > 0)) return null;
    return { path: location.pathname, url: location.href, doc, kind: "NAV", loadMs: nav.loadEventEnd - nav.startTime,
      ttfbMs: nav.responseStart - nav.startTime, status: nav.responseStatus || 0, bytes: nav.encodedBodySize || 0 };
  };
  window.${LOAD_REPORT} = loadReport;
  addEventListener("load", () => setTimeout(() => {
    const nav = loadReport();
    if (nav) report(nav);
  }, 0));
})();`;
