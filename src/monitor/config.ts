/**
 * The monitoring options as the user writes them, parsed and checked before the test:
 *
 *   --monitor URL | LABEL=URL          an exporter to scrape (node_exporter, postgres_exporter, ...)
 *   --monitor-metric NAME=EXPRESSION   a series of any exporter (selector.ts)
 *   --prometheus URL                   a Prometheus server to query
 *   --monitor-query NAME=PROMQL        a series from that server
 *   --monitor-level NAME=LEVEL         a saturation level (replaces the default of that series)
 *
 * Each parser returns the value or throws an Error whose message says what was wrong and
 * what was expected; the CLI collects them into one usage error.
 */

import { NODE_SERIES } from "./node-resources.js";
import { DEFAULT_SATURATION_LEVELS } from "./saturation.js";
import { type MetricSelector, parseSelector } from "./selector.js";
import type { SaturationLevel, SeriesDefinition } from "./types.js";

/** An exporter to scrape. */
export interface EndpointSpec {
  label: string;
  url: string;
}

/** A `--monitor-metric`. */
export interface MetricSpec {
  name: string;
  expression: string;
  selector: MetricSelector;
}

/** A `--monitor-query`. */
export interface QuerySpec {
  name: string;
  query: string;
}

/** Everything to monitor. */
export interface MonitorConfig {
  endpoints: EndpointSpec[];
  metrics: MetricSpec[];
  /** The Prometheus server's base URL, if any. */
  prometheus: string | undefined;
  queries: QuerySpec[];
  levels: SaturationLevel[];
  intervalMs: number;
}

const SERIES_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits "NAME=VALUE" at the first "=". */
function nameAndValue(text: string, what: string, example: string): [string, string] {
  const equals = text.indexOf("=");
  const name = equals < 0 ? "" : text.slice(0, equals).trim();
  const value = equals < 0 ? "" : text.slice(equals + 1).trim();
  if (name === "" || value === "")
    throw new Error(`expected ${what} as NAME=..., e.g. '${example}', got '${text}'`);
  if (!SERIES_NAME.test(name)) {
    throw new Error(`'${name}' is not a usable name: letters, digits and _ only, not starting with a digit`);
  }
  return [name, value];
}

/** node_exporter's port: the one a bare host (`10.0.0.7`) means. */
export const NODE_EXPORTER_PORT = 9100;

/**
 * An exporter URL: `http://` is added when no scheme is given, `/metrics` when no path is,
 * and node_exporter's port 9100 when neither a scheme nor a port is (`10.0.0.7`).
 */
export function normaliseExporterUrl(text: string): string {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  const bareHost = !hasScheme && /^(\[[^\]]*\]|[^:/[\]]+)(\/|$)/.test(text);
  const withScheme = hasScheme ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`'${text}' is not a URL such as http://10.0.0.7:9100/metrics`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`'${text}' must be an http(s) URL`);
  if (bareHost) url.port = String(NODE_EXPORTER_PORT);
  if (url.pathname === "/" && !withScheme.endsWith("/")) url.pathname = "/metrics";
  return url.href;
}

/** A Prometheus server's base URL (`http://` added when no scheme is given; its path kept, e.g. behind a prefix). */
export function normalisePrometheusUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`'${text}' is not a URL such as http://10.0.0.5:9090`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`'${text}' must be an http(s) URL`);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url.href;
}

/** `--monitor` values into endpoints with unique labels (the URL's host name by default, host:port when two share a host). */
export function parseEndpoints(values: readonly string[]): EndpointSpec[] {
  const parsed = values.map((value) => {
    const equals = value.indexOf("=");
    const schemeAt = value.indexOf("://");
    const labelled = equals > 0 && (schemeAt < 0 || equals < schemeAt);
    const label = labelled ? value.slice(0, equals).trim() : undefined;
    if (label !== undefined && !/^[^\s:=]+$/.test(label)) {
      throw new Error(`the label '${label}' in '${value}' may not contain spaces, ':' or '='`);
    }
    return { label, url: normaliseExporterUrl(labelled ? value.slice(equals + 1).trim() : value.trim()) };
  });
  const hostnames = parsed.map((p) => new URL(p.url).hostname);
  const endpoints = parsed.map((p, i) => {
    const url = new URL(p.url);
    const shared = hostnames.filter((h) => h === hostnames[i]).length > 1;
    return { label: p.label ?? (shared ? url.host : url.hostname), url: p.url };
  });
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.label))
      throw new Error(
        `two --monitor endpoints are labelled '${endpoint.label}': give each its own LABEL=URL`,
      );
    seen.add(endpoint.label);
  }
  return endpoints;
}

const NODE_NAMES = new Set(NODE_SERIES.map((s) => s.name));

function checkNewName(name: string, taken: Set<string>): void {
  if (NODE_NAMES.has(name))
    throw new Error(`'${name}' is one of node_exporter's figures already: choose another name`);
  if (taken.has(name)) throw new Error(`the name '${name}' is used twice`);
  taken.add(name);
}

/** `--monitor-metric` values. */
export function parseMetrics(values: readonly string[], taken = new Set<string>()): MetricSpec[] {
  return values.map((value) => {
    const [name, expression] = nameAndValue(
      value,
      "a metric",
      'db_tps=rate(pg_stat_database_xact_commit{datname="app"})',
    );
    checkNewName(name, taken);
    try {
      return { name, expression, selector: parseSelector(expression) };
    } catch (error) {
      throw new Error(`in '${value}': ${(error as Error).message}`);
    }
  });
}

/** `--monitor-query` values. */
export function parseQueries(values: readonly string[], taken = new Set<string>()): QuerySpec[] {
  return values.map((value) => {
    const [name, query] = nameAndValue(
      value,
      "a query",
      'cpu=100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m])))',
    );
    checkNewName(name, taken);
    return { name, query };
  });
}

/** `--monitor-level` values over the defaults: a level for a series replaces its default. */
export function parseLevels(values: readonly string[]): SaturationLevel[] {
  const levels = new Map(DEFAULT_SATURATION_LEVELS.map((l) => [l.series, l.level]));
  for (const value of values) {
    const [series, text] = nameAndValue(value, "a level", "cpu=80");
    const level = Number(text.replace(/\s*%$/, ""));
    if (text.trim() === "" || !Number.isFinite(level))
      throw new Error(`the level in '${value}' must be a number, e.g. cpu=80`);
    levels.set(series, level);
  }
  return [...levels].map(([series, level]) => ({ series, level }));
}

/** Definitions of every series this configuration can produce, in display order. */
export function seriesDefinitions(
  config: Pick<MonitorConfig, "metrics" | "queries" | "endpoints">,
): SeriesDefinition[] {
  return [
    ...(config.endpoints.length > 0 ? NODE_SERIES : []),
    ...config.metrics.map(
      (m): SeriesDefinition => ({
        name: m.name,
        label: m.name,
        unit: m.selector.rate ? "/s" : "",
        merge: m.selector.rate ? "mean" : "max",
        origin: "metric",
      }),
    ),
    ...config.queries.map(
      (q): SeriesDefinition => ({ name: q.name, label: q.name, unit: "", merge: "max", origin: "query" }),
    ),
  ];
}
