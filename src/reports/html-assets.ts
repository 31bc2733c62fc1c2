/**
 * The chart library inlined into the HTML report: uPlot's minified IIFE build and its CSS,
 * read once from the installed `uplot` package (a runtime dependency) and cached. This is
 * the only file reading in reports/, and it reads code, never run data.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** Script and style text to inline. */
export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
}

let cached: ReportAssets | undefined;

/**
 * Makes text safe inside an inline <script>/<style> element: the HTML parser ends the
 * element at the first "</script" or "</style" whatever the JavaScript or CSS around it.
 */
export function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, "<\\/$1").replaceAll("<!--", "<\\!--");
}

/** uPlot's script and CSS (read on first use). */
export function loadReportAssets(): ReportAssets {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), "utf8");
    cached = { uplotJs: inlineSafe(read("uPlot.iife.min.js")), uplotCss: inlineSafe(read("uPlot.min.css")) };
  }
  return cached;
}
