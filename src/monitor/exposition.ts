/**
 * The Prometheus text exposition format, read by the `parse-prometheus-text-format`
 * library (a port of the official Python client's parser) and flattened into what
 * PromQL sees: series named by their full sample name (`x_count`, `x_bucket`...) with
 * their labels, and numeric values.
 *
 * Labels follow Prometheus's data model (an empty value is no label). Two quirks of the
 * library are worked around here rather than inherited: it folds
 * histogram and summary samples into one object per family, dropping the labels of every
 * labelled histogram but the last (so their TYPE lines are hidden from it: each sample
 * then stands alone, as PromQL sees it); and it loses the last sample when the text does
 * not end with a newline (so one is added).
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One sample: its labels and value. */
export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A parsed scrape: metric name → its samples. */
export type Exposition = ReadonlyMap<string, readonly Sample[]>;

/** The answer was not the Prometheus text format (an HTML page, JSON, a truncated body...). */
export class ExpositionError extends Error {}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const FOLDED_TYPES = /^#\s*TYPE\s+\S+\s+(histogram|summary|gaugehistogram)\s*$/i;
const SPECIAL_VALUES: Record<string, number> = {
  "+Inf": Number.POSITIVE_INFINITY,
  Inf: Number.POSITIVE_INFINITY,
  "-Inf": Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

function numberOf(text: string): number | undefined {
  const special = SPECIAL_VALUES[text];
  if (special !== undefined) return special;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Labels as Prometheus keeps them: one with an empty value is no label at all. */
function withoutEmpty(labels: Record<string, string> | undefined): Record<string, string> {
  if (labels === undefined) return {};
  for (const value of Object.values(labels)) {
    if (value === "") return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ""));
  }
  return labels;
}

function clip(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 80)}…`;
}

/**
 * Parses an exposition.
 * @throws ExpositionError when the text is empty or not the text format.
 */
export function parseExposition(text: string): Exposition {
  if (text.trim() === "") throw new ExpositionError("the answer was empty");
  const lines = text.split("\n").filter((line) => !FOLDED_TYPES.test(line.trim()));
  let families: ReturnType<typeof parsePrometheusTextFormat>;
  try {
    families = parsePrometheusTextFormat(`${lines.join("\n")}\n`);
  } catch (error) {
    throw new ExpositionError(`not the Prometheus text format: ${clip((error as Error).message)}`);
  }
  const out = new Map<string, Sample[]>();
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) {
      throw new ExpositionError(
        `not the Prometheus text format: '${clip(family.name)}' is not a metric name`,
      );
    }
    let samples = out.get(family.name);
    if (samples === undefined) {
      samples = [];
      out.set(family.name, samples);
    }
    for (const metric of family.metrics) {
      const raw = (metric as { value?: unknown }).value;
      const value = typeof raw === "string" ? numberOf(raw) : undefined;
      if (value === undefined) {
        throw new ExpositionError(
          `not the Prometheus text format: ${family.name} has the value '${clip(String(raw ?? ""))}'`,
        );
      }
      samples.push({ labels: withoutEmpty(metric.labels), value });
    }
  }
  if (out.size === 0) throw new ExpositionError("the answer holds no sample");
  return out;
}
