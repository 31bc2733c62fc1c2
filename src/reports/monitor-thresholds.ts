/**
 * Thresholds on the target's monitored series: the key `host:LABEL` (the `--monitor`
 * label, or a Prometheus series' instance) and an expression over one of its series,
 *
 *   --threshold "host:10.0.0.7:cpu<80%"          the highest CPU busy % of the test below 80
 *   --threshold "host:db:avg(memory) < 70%"      its mean below 70
 *   --threshold "host:10.0.0.7:netTx<50MB/s"     bytes per second, with kB, MB, GB (or KiB, MiB, GiB)
 *
 * A bare series name means its maximum over the test (a limit the resource must never
 * cross); `max()`, `min()`, `avg()` and `last()` say otherwise. Values are exact over every
 * scrape, not the downsampled chart points. See docs/thresholds.md.
 */
import type { SeriesSummary } from "../monitor/bounded-series.js";

/** How a threshold reads a series over the test. */
export type MonitorAggregate = "max" | "min" | "avg" | "last";

/** What monitored thresholds are checked against before the test. */
export interface MonitorThresholdContext {
  /** Every series the configuration can record, with its unit. */
  series: ReadonlyArray<{ name: string; unit: string }>;
  /** Host labels known before the test, or null when others may appear (Prometheus's instances). */
  hosts: readonly string[] | null;
}

/** What evaluation reads (TargetMonitor satisfies it). */
export interface MonitorThresholdSource {
  summary(host: string, series: string): SeriesSummary | undefined;
  hostNames(): string[];
  /** A series' unit ("%", "B/s", "" when it has none), undefined for a series not recorded. */
  unitOf(series: string): string | undefined;
}

export const HOST_KEY_PREFIX = "host:";

const EXPRESSION =
  /^\s*(?:(max|min|avg|last)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(%|[kKMG]i?B(?:\/s)?)?\s*$/;

const BYTES: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** True for a threshold key about a monitored host. */
export function isHostKey(key: string): boolean {
  return key.trim().startsWith(HOST_KEY_PREFIX);
}

/** The host label of a `host:LABEL` key. */
export function hostOfKey(key: string): string {
  return key.trim().slice(HOST_KEY_PREFIX.length).trim();
}

/** The limit in the series' unit: "80%" of a % series, "50MB/s" of a B/s series. */
function scaled(
  value: number,
  unit: string | undefined,
  seriesUnit: string | undefined,
  expression: string,
): number | string {
  if (unit === undefined) return value;
  if (unit === "%") {
    return seriesUnit === undefined || seriesUnit === "%"
      ? value
      : `'%' only applies to a series in %, in '${expression}'`;
  }
  if (seriesUnit !== undefined && seriesUnit !== "B/s")
    return `'${unit}' only applies to a series in bytes per second, in '${expression}'`;
  const prefix = unit.replace(/B(\/s)?$/, "");
  return value * (BYTES[prefix] ?? 1);
}

/**
 * Parses an expression about a monitored series. With a context, the series must be one
 * the configuration records. Returns the parts, or a message saying what is wrong.
 */
export function parseMonitorExpression(
  expression: string,
  context?: MonitorThresholdContext,
):
  | {
      series: string;
      aggregate: MonitorAggregate;
      operator: "<" | "<=" | ">" | ">=" | "==" | "!=";
      limit: number;
    }
  | string {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    return `cannot parse '${expression}': expected <series> <operator> <number>[unit], e.g. 'cpu < 80%', 'avg(memory) < 70%' or 'netTx < 50MB/s'`;
  }
  const [, aggregate, wrapped, bare, operator, numberText = "", unit] = match;
  const series = (wrapped ?? bare)!;
  const known = context?.series.find((s) => s.name === series);
  if (context && known === undefined) {
    return `'${series}' is not a monitored series in '${expression}' (series: ${context.series.map((s) => s.name).join(", ")})`;
  }
  const limit = scaled(Number(numberText), unit, known?.unit, expression);
  if (typeof limit === "string") return limit;
  return {
    series,
    aggregate: (aggregate ?? "max") as MonitorAggregate,
    operator: operator as "<" | "<=" | ">" | ">=" | "==" | "!=",
    limit,
  };
}

/** A problem with a `host:LABEL` key before the test, or undefined. */
export function checkHostKey(key: string, context: MonitorThresholdContext | undefined): string | undefined {
  const host = hostOfKey(key);
  if (host === "") return `'${key}' names no host: write host:LABEL, e.g. host:10.0.0.7`;
  if (context === undefined)
    return `'${key}' is about a monitored host, but nothing is monitored: add --monitor URL or --prometheus URL`;
  if (context.hosts !== null && !context.hosts.includes(host)) {
    return `no monitored host is labelled '${host}' (hosts: ${context.hosts.join(", ")})`;
  }
  return undefined;
}

/** The measured value of a monitored threshold, or why there is none. */
export function measureMonitored(
  host: string,
  series: string,
  aggregate: MonitorAggregate,
  source: MonitorThresholdSource | undefined,
): { measured: number | null; reason: string | null; unit?: string } {
  if (source === undefined) return { measured: null, reason: "no data: nothing was monitored" };
  const unit = source.unitOf(series);
  if (!source.hostNames().includes(host))
    return { measured: null, reason: `no data: no value from host ${host}` };
  const summary = source.summary(host, series);
  if (summary === undefined) return { measured: null, reason: `no data: host ${host} has no ${series}` };
  const measured = aggregate === "avg" ? summary.mean : summary[aggregate];
  return { measured, reason: null, ...(unit === undefined ? {} : { unit }) };
}
