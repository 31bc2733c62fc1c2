/** Types of the `parse-prometheus-text-format` package (it ships none), as far as Cicada uses it. */
declare module "parse-prometheus-text-format" {
  interface ParsedMetric {
    /** A string as written ("12.5", "+Inf", "NaN"); absent for folded histogram/summary parts. */
    value?: string;
    labels?: Record<string, string>;
  }
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: ParsedMetric[];
  }
  /** @throws InvalidLineError for a line it cannot read. */
  function parsePrometheusTextFormat(text: string): ParsedFamily[];
  export default parsePrometheusTextFormat;
}
