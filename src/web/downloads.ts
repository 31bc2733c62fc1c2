/**
 * The Download data tab: Locust's CSV files, served from the live statistics.
 *
 * The HTML and JSON reports (issue #3) are rendered by reports/ with the run's metadata,
 * which the CLI owns: they plug in as `extraDownloads` and `extraRoutes` of
 * startWebServer (see cli/web-reports.ts).
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  exceptionsCsv,
  failuresCsv,
  iterationsCsvHeader,
  iterationsCsvRow,
  statsCsv,
} from "../reports/csv.js";
import type { DownloadLink } from "./api-types.js";
import type { WebContext } from "./context.js";

/** The CSV links, then the extra ones; the full-history CSV only when it is being written. */
export function downloadLinks(
  context: Pick<WebContext, "fullHistoryCsvPath" | "extraDownloads">,
): DownloadLink[] {
  const links: DownloadLink[] = [
    {
      label: "Request statistics CSV",
      href: "stats/requests/csv",
      description: "One row per request name and the Aggregated row (Locust's _stats.csv)",
    },
    {
      label: "Failures CSV",
      href: "stats/failures/csv",
      description: "Failed requests grouped by method, name and error (Locust's _failures.csv)",
    },
    {
      label: "Exceptions CSV",
      href: "exceptions/csv",
      description: "Exceptions thrown by task code, with their stack (Locust's _exceptions.csv)",
    },
    {
      label: "Iterations CSV",
      href: "stats/iterations/csv",
      description:
        "Arrival-rate tests: target rate, iterations started and dropped per second and in total (Cicada's _iterations.csv)",
    },
  ];
  if (context.fullHistoryCsvPath?.() !== undefined) {
    links.push({
      label: "Full history CSV",
      href: "stats/requests_full_history/csv",
      description: "Every name every second (written with --csv and --csv-full-history)",
    });
  }
  return [...links, ...context.extraDownloads];
}

function sendCsv(reply: FastifyReply, prefix: string, body: string): FastifyReply {
  const stamp = Math.floor(Date.now() / 1000);
  return reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${prefix}_${stamp}.csv"`)
    .send(body);
}

/** Locust's CSV download routes. */
export function registerCsvRoutes(app: FastifyInstance, context: WebContext): void {
  const base = context.basePath;
  const stats = context.runner.environment.stats;
  const now = () => context.runner.environment.now();
  app.get(`${base}/stats/requests/csv`, (_req, reply) =>
    sendCsv(reply, "requests", statsCsv(stats.snapshot(now()))),
  );
  app.get(`${base}/stats/failures/csv`, (_req, reply) =>
    sendCsv(reply, "failures", failuresCsv(stats.snapshot(now()))),
  );
  app.get(`${base}/exceptions/csv`, (_req, reply) =>
    sendCsv(reply, "exceptions", exceptionsCsv(stats.snapshot(now()))),
  );
  app.get(`${base}/stats/iterations/csv`, (_req, reply) =>
    sendCsv(
      reply,
      "iterations",
      iterationsCsvHeader() + iterationsCsvRow(stats.snapshot(now()), context.runner.userCount),
    ),
  );
  app.get(`${base}/stats/requests_full_history/csv`, async (_req, reply) => {
    const path = context.fullHistoryCsvPath?.();
    if (path === undefined) {
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send(
          "Error: Server was not started with option to generate full history (--csv PREFIX --csv-full-history).",
        );
    }
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send(`Error: ${path} has not been written yet.`);
    }
    return sendCsv(reply, "requests_full_history", text);
  });
}
