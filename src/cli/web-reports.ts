/**
 * The reports of issue #3 in the web UI: the Download tab's HTML report (Locust's
 * `GET /stats/report`, `?download=1` for an attachment), the JSON report
 * (`GET /api/report`), both rendered from the live statistics at the moment of the
 * request, and the full-history CSV that --csv with --csv-full-history writes.
 */
import type { FastifyInstance } from "fastify";
import { buildJsonReport, renderHtmlReport, reportInputFromStats } from "../reports/index.js";
import type { Environment } from "../runner/index.js";
import type { WebServerOptions } from "../web/index.js";
import type { RunOutputs } from "./outputs.js";

/**
 * The self-contained HTML report inlines its scripts and styles; it may run them, and
 * still load nothing from anywhere.
 */
const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** Options of startWebServer that serve the reports. */
export function reportRoutes(
  outputs: RunOutputs,
  environment: Environment,
): Pick<WebServerOptions, "extraDownloads" | "extraRoutes" | "fullHistoryCsvPath"> {
  const input = () => {
    const now = environment.now();
    const monitor = outputs.monitorReport();
    return {
      ...reportInputFromStats(
        environment.stats,
        outputs.meta(null, now),
        now,
        outputs.evaluateThresholds(now),
      ),
      ...(monitor ? { monitor } : {}),
      capacity: outputs.capacityResult(),
      stopTimeoutMs: outputs.stopTimeoutMs,
      stopCutShort: outputs.stopCutShort,
    };
  };
  const attachment = (query: unknown, name: string) =>
    (query as Record<string, unknown> | undefined)?.download
      ? `attachment; filename="${name}_${Math.floor(Date.now() / 1000)}`
      : undefined;
  const historyPath = outputs.report.csvFullHistory ? outputs.paths.csv?.history : undefined;
  return {
    fullHistoryCsvPath: historyPath === undefined ? undefined : () => historyPath,
    extraDownloads: [
      {
        label: "HTML report",
        href: "stats/report?download=1",
        description: "One self-contained page: tables, charts, failures, task ratios (as --html writes it)",
      },
      {
        label: "JSON report",
        href: "api/report?download=1",
        description: "Every statistic with its HDR histogram, versioned schema (as --json-file writes it)",
      },
    ],
    extraRoutes: (app: FastifyInstance, base: string) => {
      app.get(`${base}/stats/report`, (req, reply) => {
        const disposition = attachment(req.query, "report");
        if (disposition) reply.header("content-disposition", `${disposition}.html"`);
        return reply
          .type("text/html; charset=utf-8")
          .header("content-security-policy", REPORT_CSP)
          .send(renderHtmlReport(input()));
      });
      app.get(`${base}/api/report`, (req, reply) => {
        const disposition = attachment(req.query, "report");
        if (disposition) reply.header("content-disposition", `${disposition}.json"`);
        return reply.type("application/json; charset=utf-8").send(JSON.stringify(buildJsonReport(input())));
      });
    },
  };
}
