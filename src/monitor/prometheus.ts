/**
 * Prometheus's HTTP API (`/api/v1/query`, `/api/v1/query_range`, the metric names), for
 * `--prometheus URL --monitor-query NAME=PROMQL`: instant queries while the test runs,
 * one range query over the test's time range when it ends.
 */
import { fetchText, ScrapeFailure } from "./fetch-text.js";

/** Prometheus refused the query itself (bad syntax, an unknown function...): the user's mistake. */
export class PromQueryError extends Error {}

/** A series of a query's result: its labels and its points (epoch ms, value). */
export interface PromSeries {
  labels: Record<string, string>;
  points: Array<[timeMs: number, value: number]>;
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: unknown;
  };
}

type RawSample = [number, string];

function sampleOf(raw: RawSample): [number, number] {
  const [seconds, text] = raw;
  const value =
    text === "+Inf" ? Number.POSITIVE_INFINITY : text === "-Inf" ? Number.NEGATIVE_INFINITY : Number(text);
  return [Math.round(seconds * 1000), value];
}

/** The result of a query answer as series (a scalar is one series without labels). */
function seriesOf(data: NonNullable<ApiAnswer["data"]>): PromSeries[] {
  const result = data.result;
  switch (data.resultType) {
    case "scalar":
      return [{ labels: {}, points: [sampleOf(result as RawSample)] }];
    case "vector":
      return (result as Array<{ metric: Record<string, string>; value: RawSample }>).map((s) => ({
        labels: s.metric,
        points: [sampleOf(s.value)],
      }));
    case "matrix":
      return (result as Array<{ metric: Record<string, string>; values: RawSample[] }>).map((s) => ({
        labels: s.metric,
        points: s.values.map(sampleOf),
      }));
    default:
      throw new ScrapeFailure("garbage", `unexpected result type '${String(data.resultType)}'`);
  }
}

/** Whether a failed answer is about the query (a user's mistake) rather than the server. */
const QUERY_ERRORS = new Set(["bad_data", "execution"]);

async function call(
  base: string,
  path: string,
  form: URLSearchParams,
  signal: AbortSignal,
  abortMessage: string,
): Promise<ApiAnswer> {
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`).href;
  const answer = await fetchText(url, { signal, accept: "application/json", form, abortMessage });
  let body: ApiAnswer;
  try {
    body = JSON.parse(answer.text) as ApiAnswer;
  } catch {
    if (answer.status < 200 || answer.status > 299)
      throw new ScrapeFailure("http", `HTTP ${answer.status} ${answer.statusText}`.trim());
    throw new ScrapeFailure("garbage", "the answer is not Prometheus's JSON");
  }
  if (body.status === "success" && body.data) return body;
  if (body.status === "error" && QUERY_ERRORS.has(body.errorType ?? ""))
    throw new PromQueryError(body.error ?? "the query was refused");
  if (body.status === "error")
    throw new ScrapeFailure("http", `${body.errorType ?? "error"}: ${body.error ?? `HTTP ${answer.status}`}`);
  throw new ScrapeFailure("garbage", "the answer is not Prometheus's JSON");
}

export interface PromCallOptions {
  signal: AbortSignal;
  abortMessage: string;
}

/** An instant query at `timeMs`. */
export async function promQuery(
  base: string,
  query: string,
  timeMs: number,
  options: PromCallOptions,
): Promise<PromSeries[]> {
  const form = new URLSearchParams({ query, time: (timeMs / 1000).toFixed(3) });
  const body = await call(base, "api/v1/query", form, options.signal, options.abortMessage);
  return seriesOf(body.data!);
}

/** A range query from `startMs` to `endMs` every `stepMs`. */
export async function promQueryRange(
  base: string,
  query: string,
  range: { startMs: number; endMs: number; stepMs: number },
  options: PromCallOptions,
): Promise<PromSeries[]> {
  const form = new URLSearchParams({
    query,
    start: (range.startMs / 1000).toFixed(3),
    end: (range.endMs / 1000).toFixed(3),
    step: (range.stepMs / 1000).toFixed(3),
  });
  const body = await call(base, "api/v1/query_range", form, options.signal, options.abortMessage);
  return seriesOf(body.data!);
}

/** Every metric name the server knows. */
export async function promMetricNames(base: string, options: PromCallOptions): Promise<string[]> {
  const url = new URL("api/v1/label/__name__/values", base.endsWith("/") ? base : `${base}/`).href;
  const answer = await fetchText(url, {
    signal: options.signal,
    accept: "application/json",
    abortMessage: options.abortMessage,
  });
  try {
    const body = JSON.parse(answer.text) as { data?: unknown };
    return Array.isArray(body.data) ? body.data.filter((n): n is string => typeof n === "string") : [];
  } catch {
    return [];
  }
}

/** The host a result series belongs to: its `instance`, or `fallback` when it has no labels left. */
export function hostOfSeries(labels: Readonly<Record<string, string>>, fallback: string): string {
  if (labels.instance) return labels.instance;
  const rest = Object.entries(labels).filter(([name]) => name !== "__name__");
  if (rest.length === 0) return fallback;
  return `{${rest.map(([k, v]) => `${k}="${v}"`).join(",")}}`;
}

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "and",
  "or",
  "unless",
  "inf",
  "nan",
  "atan2",
]);

/**
 * The words of a PromQL query that may be metric names: identifiers outside strings,
 * label matchers, ranges and grouping clauses, not followed by "(" (a function) and not
 * keywords. A heuristic, used only to name likely typos when a query returns nothing.
 */
export function metricNamesIn(query: string): string[] {
  const stripped = query
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ")
    .replace(/\{[^}]*\}|\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (after.startsWith("(") || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}
