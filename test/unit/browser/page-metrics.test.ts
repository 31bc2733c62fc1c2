import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PageMetrics } from "../../../src/browser/page-metrics.js";
import type { PageReport } from "../../../src/browser/page-script.js";
import type { RequestEvent } from "../../../src/shared/request-event.js";

/** PageMetrics fed the reports a page script sends, in the orders Chromium delivers them. */
function metricsWithRows() {
  const rows: string[] = [];
  const metrics = new PageMetrics((event: RequestEvent) => {
    const failed = event.exception instanceof Error ? ` failed ${event.exception.name}` : "";
    rows.push(`${event.requestType} ${event.name} ${event.responseTimeMs}${failed}`);
  }, undefined);
  const page = {};
  const send = (doc: string, report: Record<string, unknown>) =>
    metrics.receive(page, { path: "/p", url: "http://h/p", doc, ...report } as PageReport);
  return { rows, metrics, page, send };
}

const loaded = { kind: "NAV", loadMs: 120, ttfbMs: 9, status: 200, bytes: 10 };

describe("PageMetrics: a document's vitals are recorded with its navigation", () => {
  it("TTFB and FCP wait for the NAV row; LCP and CLS come when the page leaves the document", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", { kind: "TTFB", valueMs: 8 });
    send("a", { kind: "FCP", valueMs: 40 });
    send("a", { kind: "LCP", valueMs: 50 });
    send("a", { kind: "CLS", value: 0.125 });
    assert.deepEqual(rows, []);
    send("a", loaded);
    assert.deepEqual(rows, ["NAV /p 120", "VITAL TTFB /p 8", "VITAL FCP /p 40"]);
    metrics.leave(page);
    assert.deepEqual(rows.slice(3), ["VITAL LCP /p 50", "VITAL CLS /p 0.125"]);
  });

  it("a document left before its NAV report arrived records everything once the report does, once", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", { kind: "FCP", valueMs: 40 });
    metrics.leave(page); // the next goto, before the load report came
    send("b", { kind: "FCP", valueMs: 30 }); // the next document is shown
    send("a", loaded);
    assert.deepEqual(rows, ["NAV /p 120", "VITAL TTFB /p 9", "VITAL FCP /p 40", "VITAL CLS /p 0"]);
    send("a", { kind: "CLS", value: 0.5 }); // a late report of a finished document
    send("a", loaded);
    assert.equal(rows.length, 4);
  });

  it("the paints (FCP, LCP) that come after the page was left (a fast page, the next goto at once) are still recorded, once each", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", loaded);
    metrics.leave(page); // goto() resolved at the load event, and the next one began
    send("a", { kind: "FCP", valueMs: 41 });
    send("a", { kind: "LCP", valueMs: 41 });
    send("a", { kind: "FCP", valueMs: 41 });
    send("a", { kind: "LCP", valueMs: 45 });
    send("a", { kind: "CLS", value: 0.3 }); // CLS was final when it was left
    assert.deepEqual(rows, [
      "NAV /p 120",
      "VITAL TTFB /p 9",
      "VITAL FCP /p 41",
      "VITAL CLS /p 0", // with the first paint: the page had a layout to shift
      "VITAL LCP /p 41",
    ]);
  });

  it("a page left before its first paint has no CLS row (a 0 would read as a good score), as web-vitals", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", loaded);
    send("a", { kind: "CLS", value: 0 });
    metrics.leave(page);
    send("b", loaded);
    send("b", { kind: "FCP", valueMs: 30 });
    metrics.leave(page);
    assert.deepEqual(rows, [
      "NAV /p 120",
      "VITAL TTFB /p 9",
      "NAV /p 120",
      "VITAL TTFB /p 9",
      "VITAL FCP /p 30",
      "VITAL CLS /p 0",
    ]);
  });

  it("a navigation goto recorded as failed has the TTFB and FCP of its document, even late ones", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", { kind: "TTFB", valueMs: 8 });
    metrics.navigationFailed(
      page,
      "/p",
      "http://h/p",
      2000,
      Object.assign(new Error("x"), { name: "Timeout" }),
    );
    send("a", { kind: "FCP", valueMs: 40 });
    send("a", loaded); // the load came after all: the navigation is recorded already
    metrics.leave(page);
    assert.deepEqual(rows, [
      "NAV /p 2000 failed Timeout",
      "VITAL TTFB /p 8",
      "VITAL FCP /p 40",
      "VITAL CLS /p 0",
    ]);
  });

  it("a navigation the stop cut off records none of its vitals", () => {
    const { rows, metrics, page, send } = metricsWithRows();
    send("a", { kind: "TTFB", valueMs: 8 });
    send("a", { kind: "FCP", valueMs: 40 });
    send("a", { kind: "CLS", value: 0.2 });
    metrics.leaveAll();
    metrics.leave(page);
    assert.deepEqual(rows, []);
  });
});
